"""Rubric scores inside a GitHub review's text: the format the reviewer template asks for.

    ### Scores
    - accuracy: 3/3
    - Writing and formatting: 2/3

A heading (any level) or a bold line reading "Scores" opens the section; each list item under it
names a rubric item (its key or its label, any case) and a whole number, optionally "/" the top of
the scale. The section ends at the next heading or at the first line that is neither a list item
nor blank. A line that cannot be read (no number, a number off the scale, an item the rubric does
not have, an item given twice) is left out with a notice that says why: an imported record must
never carry a score that `peerpress check` would refuse, and a review is never lost for one.
"""
from __future__ import annotations

import re

from ..model import Rubric

HEADING_RE = re.compile(r"^\s*(?:#{1,6}\s*|\*\*|__)scores?\s*:?\s*(?:\*\*|__)?\s*#*\s*$", re.IGNORECASE)
OTHER_HEADING_RE = re.compile(r"^\s*(#{1,6}\s|\*\*[^*]+\*\*\s*$)")
ITEM_RE = re.compile(r"^\s*[-*+]\s+(?:\[[ xX]\]\s*)?(.*?)\s*$")
COMMENT_LINE_RE = re.compile(r"^\s*<!--.*-->\s*$")
SCORE_RE = re.compile(r"^(?P<name>[^:]+?)\s*:\s*(?P<value>\S+?)\s*(?:/\s*(?P<top>\S+))?\s*(?:\(.*\))?$")


def section(rubric: Rubric) -> list[str]:
    """The lines a reviewer fills in: one per rubric item, `_` where the score goes."""
    return ["### Scores", ""] + [f"- {key}: _/{rubric.scale_max}" for key, _, _ in rubric.items]


def parse(body: str, rubric: Rubric | None) -> tuple[dict[str, int], list[str]]:
    """The scores in `body` (item key → whole number) and a notice for each line left out."""
    lines = _section_lines(body)
    if rubric is None or lines is None:
        return {}, []
    names = {}
    for key, label, _ in rubric.items:
        names[key.lower()] = key
        names[label.strip().lower()] = key
    scores: dict[str, int] = {}
    notices = []
    for line in lines:
        text = ITEM_RE.match(line).group(1)
        m = SCORE_RE.match(text)
        if not m:
            notices.append(f"scores: left out '{text}': not 'item: N/{rubric.scale_max}'")
            continue
        key = names.get(m.group("name").strip().strip("*_`").lower())
        value = m.group("value").strip("*_`")
        if key is None:
            notices.append(f"scores: left out '{text}': the rubric has no item '{m.group('name').strip()}' "
                           f"(one of: {', '.join(k for k, _, _ in rubric.items)})")
        elif value in ("_", "", "?", "-"):
            notices.append(f"scores: left out '{text}': no score given")
        elif not re.fullmatch(r"\d+", value) or not rubric.scale_min <= int(value) <= rubric.scale_max:
            notices.append(f"scores: left out '{text}': scores are whole numbers from {rubric.scale_min} "
                           f"to {rubric.scale_max}")
        elif m.group("top") and m.group("top").strip("*_`") != str(rubric.scale_max):
            notices.append(f"scores: left out '{text}': this rubric scores out of {rubric.scale_max}")
        elif key in scores:
            notices.append(f"scores: left out '{text}': '{key}' is scored twice (the first one is kept)")
        else:
            scores[key] = int(value)
    return scores, notices


def _section_lines(body: str) -> list[str] | None:
    """The list items of the first Scores section, or None when the review has none."""
    found = None
    for line in body.replace("\r\n", "\n").split("\n"):
        if found is None:
            if HEADING_RE.match(line):
                found = []
            continue
        if not line.strip() or COMMENT_LINE_RE.match(line):  # the template's hints between the lines
            continue
        if ITEM_RE.match(line) and not OTHER_HEADING_RE.match(line):
            found.append(line)
        else:
            break
    return found
