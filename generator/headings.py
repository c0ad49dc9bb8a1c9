"""Heading levels in a body: the page title is the only <h1>, so a body `#` moves down a level."""
from __future__ import annotations


def demote_plugin(md) -> None:
    md.core.ruler.after("inline", "demote_headings", _demote)


def _demote(state) -> None:
    """If the body uses `#`, every heading moves down one level (capped at h6), keeping their order."""
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if not any(t.tag == "h1" for t in headings):
        return
    for t in headings:
        t.tag = f"h{min(int(t.tag[1]) + 1, 6)}"
