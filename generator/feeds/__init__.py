"""Atom, RSS 2.0 and JSON Feed 1.1 for subscribers (URLs: docs/architecture.md).

feedgen writes Atom and RSS (`atom_rss`); JSON Feed is plain JSON written to its spec
(`jsonfeed`). Every value comes from the posts and records themselves (never the clock), so two
builds give identical bytes. A feed is described once (`catalogue.Feed`, cheap: no HTML work) and
serves the outputs, the autodiscovery links on every page and the /feeds/ page alike; `items`
turns posts and review records into format-neutral entries.
"""
from __future__ import annotations

from collections import defaultdict

import jinja2

from ..model import Output, Site
from ..render import Renderer
from .atom_rss import atom_feed, rss_feed
from .catalogue import FORMAT_NAMES, MEDIA_TYPES, Feed, catalogue, links
from .items import Item, post_item, review_item
from .jsonfeed import json_feed

__all__ = ["FORMAT_NAMES", "MEDIA_TYPES", "WRITERS", "Feed", "Item", "catalogue", "feeds_page", "outputs",
           "register"]

WRITERS = {"atom": atom_feed, "rss": rss_feed, "json": json_feed}


def outputs(site: Site, memo=None, whole=None) -> list[Output]:
    """Every feed file of the site, in the catalogue's order (`memo(post, compute)`:
    incremental.Session.per_post, which keeps each post's entry across builds; `whole(feed,
    shown, compute)`: incremental.Session.feed_files, which keeps a feed's files while the
    entries it shows are unchanged, so one edit rewrites only the feeds that show the post)."""
    memo = memo or (lambda post, compute: compute())
    out: list[Output] = []
    limit = site.config.extra["feeds"]["limit"]
    cache: dict[str, Item] = {}  # a post appears in several feeds; build its entry once
    for feed in catalogue(site):
        def files(feed: Feed = feed) -> list[Output]:
            if feed.kind == "reviews":
                items = [review_item(site, r) for r in feed.records[:limit]]
            else:
                items = [cache.get(p.id) or cache.setdefault(p.id, memo(p, lambda p=p: post_item(site, p)))
                         for p in feed.posts[:limit]]
            return [Output(path, WRITERS[fmt](site, feed, items)) for fmt, path in feed.files.items()]
        out += whole(feed, feed.posts[:limit], files) if whole and feed.kind != "reviews" else files()
    return out


def feeds_page(r: Renderer) -> Output:
    """/feeds/: every feed, for people who subscribe by hand."""
    feeds = catalogue(r.site)
    groups = [(kind, [f for f in feeds if f.kind == kind]) for kind in ("site", "reviews", "tag", "author")]
    return r.page("feeds.html", "feeds/", groups=[(k, fs) for k, fs in groups if fs],
                  media_types=MEDIA_TYPES, format_names=FORMAT_NAMES)


def register(env: jinja2.Environment, site: Site) -> None:
    """`feed_links(path)`: the autodiscovery links a page advertises (render hook)."""
    feeds = catalogue(site)
    everywhere = links(site, feeds[0])
    by_page: dict[str, list[dict]] = defaultdict(list)
    for feed in feeds[1:]:
        for page in feed.advertise_on:
            by_page[page] += links(site, feed)
    env.globals["feed_links"] = lambda path="": everywhere + by_page.get(path, [])

