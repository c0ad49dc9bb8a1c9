"""Rules that keep scaffolds and impossible dates out of the review gate.

`peerpress new post` and `peerpress review new` write files a person is meant to fill in; none of
them may ever publish as they were written. A review must carry a text of its own, a rubric score
left empty is an error rather than a pass, a post still holding the scaffold's placeholder is not
a post yet, and a review dated after the build's "today" cannot count (a record dated 2099 would
otherwise count for ever).
"""
from __future__ import annotations

import re
from datetime import datetime

from .errors import Problem, error
from .model import ReviewRecord, Version

# The placeholder sentences `peerpress new post` and (before scaffolds were left empty)
# `peerpress review new` wrote; a file still holding one was never written by its author.
POST_PLACEHOLDER = "Write the post here, in Markdown."
REVIEW_PLACEHOLDER = "Write the review here, in Markdown."
# What `peerpress review new` puts below the front matter: an HTML comment, which is no text.
REVIEW_PROMPT = ("<!-- Write your review here, in Markdown: what is accurate, what is missing or wrong, "
                 "and what the authors should change. Readers see it on the review-history page. -->")
COMMENT_RE = re.compile(r"<!--.*?(-->|\Z)", re.S)


def placeholder_line(body: str, body_line: int, sentence: str) -> int | None:
    """The file line of the first body line starting with a scaffold's placeholder `sentence`."""
    for i, line in enumerate(body.split("\n")):
        if line.strip().startswith(sentence):
            return body_line + i
    return None


def post_placeholder(body: str, body_line: int, shown: str) -> list[Problem]:
    """A post still holding `peerpress new post`'s placeholder text."""
    line = placeholder_line(body, body_line, POST_PLACEHOLDER)
    if line is None:
        return []
    return [error(shown, line, "the post still holds the placeholder text of 'peerpress new post'",
                  f"replace '{POST_PLACEHOLDER} ...' with the post's own text")]


def review_text(kind: str, body: str, body_line: int, shown: str) -> list[Problem]:
    """A review without a text of its own: empty, only the scaffold's comment, or its placeholder.

    Readers are promised a published report for every approval; "approve" alone is not one."""
    if kind != "review":
        return []
    line = placeholder_line(body, body_line, REVIEW_PLACEHOLDER)
    if line is not None:
        return [error(shown, line, "the review still holds the placeholder text of 'peerpress review new'",
                      "replace it with the review itself: what you checked and what the authors should change")]
    if COMMENT_RE.sub("", body).strip():
        return []
    return [error(shown, body_line - 1, "the review has no text of its own",
                  "write the review below the front matter: what you checked and what the authors should "
                  "change; readers see it with the post")]


def unfilled_scores(scores: dict, doc, shown: str, low: int, high: int) -> tuple[dict, list[Problem]]:
    """Rubric scores left empty (`accuracy:` with no number), as the review scaffold writes them;
    returns the scores that were filled in, and an error for each one that was not."""
    problems = [error(shown, doc.line("scores", key), f"rubric score '{key}' was never filled in",
                      f"give a whole number from {low} to {high}, or remove the line")
                for key, value in scores.items() if value is None]
    return {k: v for k, v in scores.items() if v is not None}, problems


def before_submission(records: list[ReviewRecord], versions: list[Version]) -> list[Problem]:
    """A review cannot predate the post's submission (history.submission says when that was).

    Only records committed after the post are checked: a record added in the same commit as a
    version of the post came with it (a blog moved into git with its history, or a review
    committed on the pull request's branch), so its date is the only one there is."""
    committed = [v for v in versions if v.commit]
    submitted = committed[0].submitted if committed else None
    if submitted is None:  # outside git, or git cannot tell (a squash merge): nothing to judge against
        return []
    landed = {v.commit for v in committed}
    return [error(r.path.as_posix(), r.date_line, f"dated {r.date.date()}, before the post was submitted "
                  f"on {submitted.date()}", "fix the record's date") for r in records
            if r.added_in and r.added_in not in landed and r.date.date() < submitted.date()]


def future(records: list[ReviewRecord], now: datetime, timezone: str) -> list[Problem]:
    """Records dated after the build's clock, read in the site's time zone."""
    today = now.date().isoformat()
    return [error(r.path.as_posix(), r.date_line,
                  f"dated {r.date.date().isoformat()}, after today ({today} in {timezone}): "
                  "a review in the future does not count",
                  "give the date it was written") for r in records if is_future(r, now)]


def is_future(record: ReviewRecord, now: datetime) -> bool:
    return record.date > now
