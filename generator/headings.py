"""Heading levels in a body: the page title is the only <h1>, so a body `#` moves down a level."""
from __future__ import annotations

import re


def demote_plugin(md) -> None:
    md.core.ruler.after("inline", "demote_headings", _demote)


def _demote(state) -> None:
    """If the body uses `#`, every heading moves down one level (capped at h6), keeping their order."""
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if not any(t.tag == "h1" for t in headings):
        return
    for t in headings:
        t.tag = f"h{min(int(t.tag[1]) + 1, 6)}"


# Ids the themes give their own elements on a post page: a heading must not take one.
THEME_IDS = frozenset({"main", "cite", "cite-heading", "toc-heading", "objectives-heading", "corrections-heading",
                       "search", "audience-heading", "reviews-heading"})


def slug(title: str) -> str:
    """mdit-py-plugins' GitHub-style slug, moved off the ids the page template uses ("Cite" → cite-section)."""
    found = re.sub(r"[^\w\u4e00-\u9fff\- ]", "", title.lower().replace(" ", "-"))
    return f"{found}-section" if found in THEME_IDS else found
