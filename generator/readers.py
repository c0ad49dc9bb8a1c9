"""What themes show readers to help them choose and trust a post: review status in words, human tag
labels, review versions in readers' words, and the theme's critical CSS (inlined into every page).

The change summary of a version (docs/theming.md, "Versions"): the post's own `changes:` front matter
for the version it is in, else a `Changes:` trailer in the message of the commit that made the
version, else none. Commit subjects are written for developers and are never shown as a summary.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import jinja2
from markupsafe import Markup, escape

from . import urls
from .model import Post, ReviewState, Site, Version
from .theme import Theme


def tag_label(site: Site, tag: str) -> str:
    """`tag_labels` in site.yaml, else the slug in words: "point-of-care" → "Point of care"."""
    labels = site.config.extra.get("tag_labels") or {}
    if tag in labels:
        return labels[tag]
    words = tag.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def reviewer_names(site: Site, state: ReviewState | None) -> list[str]:
    """Who approved the published version, by name; empty when reviews are anonymous."""
    if state is None or site.config.review.visibility != "open":
        return []
    names = []
    for counted in state.approvals:
        person = site.config.people.get(counted.record.person)
        name = person.name if person else counted.record.person
        if name not in names:
            names.append(name)
    return names


def reviewed_by(site: Site, state: ReviewState | None) -> str:
    """ "Reviewed by Ann Lee and Bo Wu", or "Reviewed by 2 reviewers" when reviews are anonymous."""
    if state is None or not state.approvals:
        return ""
    names = reviewer_names(site, state)
    if not names:
        count = len(state.approvals)
        return f"Reviewed by {count} reviewer{'s' if count != 1 else ''}"
    if len(names) == 1:
        return f"Reviewed by {names[0]}"
    return f"Reviewed by {', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True)
class VersionEntry:
    number: int
    date: datetime
    summary: str
    content_hash: str
    commit: str
    current: bool
    under_review: bool


def version_entries(post: Post, state: ReviewState, versions: list[Version]) -> list[VersionEntry]:
    """ "Version 2 — 14 March 2025" entries, oldest first, each with its change summary."""
    out = []
    for n, v in enumerate(versions, start=1):
        current = v.content_hash == post.content_hash
        summary = (post.meta.get("changes") or "").strip() if current else ""
        out.append(VersionEntry(n, v.date, summary or v.note, v.content_hash, v.commit, current,
                                v.content_hash == state.revision_hash))
    return out


def inline_asset(theme: Theme, path: str) -> Markup:
    """A theme stylesheet's text, for a <style> element (it may not close the element itself)."""
    text = theme.static["assets/" + path].read_text(encoding="utf-8")
    if "</" in text:
        raise ValueError(f"assets/{path} contains '</' and cannot be inlined into a <style> element")
    return Markup(text)


def deferred_css(href: str) -> Markup:
    """A stylesheet that does not block the first paint: fetched as print media (browsers fetch those
    without waiting), switched on by js/site.js. No onload attribute: pages carry no event handlers."""
    h = escape(href)
    return Markup(f'<link rel="stylesheet" href="{h}" media="print" data-deferred-css>'
                  f'<noscript><link rel="stylesheet" href="{h}"></noscript>')


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string, safe inside a <style> element (no quote, backslash or "<" survives)."""
    out = "".join(c if c.isalnum() or c in " .,:;/-_()&'?!#@+=~" else f"\\{ord(c):x} " for c in str(text))
    return Markup(f'"{out}"')


def register(env: jinja2.Environment, site: Site, theme: Theme) -> None:
    asset = env.globals["asset"]
    env.filters["css_string"] = css_string
    env.globals.update(
        tag_label=lambda tag: tag_label(site, tag),
        reviewed_by=lambda post: reviewed_by(site, site.state(post.id)),
        version_entries=version_entries,
        inline_asset=lambda path: inline_asset(theme, path),
        deferred_css=lambda path: deferred_css(asset(path)),
        canonical=lambda post: urls.absolute(site.config, urls.post(post.id)),
    )
