"""Every "Cite this post" entry a build's pages will show, formatted before the render workers
fork (references/store.py: kept across builds; shapes.py: cheap when not)."""
from __future__ import annotations

from . import cite
from .model import Post, Site
from .references import store


def prefetch(site: Site, contexts: list[dict]) -> None:
    """Format each post's citation in every configured style, for the posts these page
    contexts show (post and review pages carry their post as `post`)."""
    styles = cite.settings(site)["styles"]
    seen: set[str] = set()
    active = store.active()
    for context in contexts:
        post = context.get("post")
        if not isinstance(post, Post) or post.id in seen:
            continue
        seen.add(post.id)
        item = cite.csl_item(site, post)
        for style in styles:
            active.format_item(item, style)
