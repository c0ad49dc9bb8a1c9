"""The build's cache and parallelism, behind a few calls that build.run makes between its steps.

    session = incremental.start(config, options)
    bib, found = session.bibliography(config)
    posts, found = session.content(config, bib)
    records, found = session.reviews(config, post_ids)
    outputs = session.render(renderer, render.pages)
    ... output.Staging: stage the outputs, swap them in (build.write) ...
    session.finish(report)

With `--no-cache` nothing is read from `.peerpress-cache/`, but everything is written afresh.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from .. import bibliography, cache, citations, content, fingerprints, history, reviews
from .. import site as site_mod
from ..errors import Problem, has_errors
from ..model import Config, Output, Post, ReviewRecord, Site
from ..references import store as citation_store
from ..render import Renderer
from . import noop, parallel
from .progress import Progress
from .resident import Resident
from .store import Store

T = TypeVar("T")
PER_POST = ("cite-exports", "feed-items", "review-records")  # the Session.per_post kinds, saved with the cache


@dataclass
class Session:
    config: Config
    store: Store
    jobs: int
    progress: Progress
    signature: noop.Signature | None = None
    now: datetime | None = None
    keys: dict[str, str] = field(default_factory=dict)
    prints: fingerprints.Fingerprints | None = None  # this build's, once pages are rendered
    previous: dict = field(default_factory=dict)  # the last build's {path: (key, size, mtime_ns, inode, digest)}
    digests: dict[str, str] = field(default_factory=dict)  # output path -> digest of its bytes
    shortcuts: dict[str, tuple] = field(default_factory=dict)  # output path -> (shortcut, refs) (parallel.page_key)
    citations: citation_store.Store = field(default_factory=citation_store.Store)
    resident: Resident | None = None  # serve's site kept in memory (engine/resident.py)
    page_records: dict = field(default_factory=dict)  # what finish() saved as "pages", for the resident

    def bibliography(self, config: Config) -> tuple[dict, list[Problem]]:
        """The site-wide bibliography, parsed once per change of its files (BibTeX parsing is slow)."""
        load = partial(bibliography.load, config, parallel.CachedLoader(self.store, 1))
        return self.resident.bibliography(load) if self.resident else load()

    def content(self, config: Config, bib: dict) -> tuple[list[Post], list[Problem]]:
        with self.progress.phase("parsing posts") as tick:
            loader = parallel.CachedLoader(self.store, self.jobs, tick)
            return content.load(config, bib, self.resident.content_loader(loader) if self.resident else loader)

    def reviews(self, config: Config, post_ids: set[str]) -> tuple[list[ReviewRecord], list[Problem]]:
        with self.progress.phase("parsing reviews") as tick:
            load = partial(reviews.load, config, post_ids, parallel.CachedLoader(self.store, self.jobs, tick))
            return self.resident.reviews(post_ids, load) if self.resident else load()

    def history(self, config: Config, posts: list[Post], records: list[ReviewRecord],
                use_cache: bool) -> tuple[history.History, list[ReviewRecord]]:
        """The git pass (each post's versions) and the records stamped with who added them."""
        def load():
            found = history.read(config, posts, records, use_cache=use_cache)
            return found, history.stamp(config, records, found)
        return self.resident.history(load) if self.resident else load()

    def render(self, renderer: Renderer, pages: Callable[[Renderer], list[Output]]) -> list[Output]:
        """Every page of `pages(renderer)`; unchanged ones kept from the output folder."""
        out = self.config.output_dir
        prints = self.prints = fingerprints.Fingerprints(renderer.site, self.store.salt,
                                                         fingerprints.templates_digest(renderer.theme),
                                                         self.resident.carried() if self.resident else None)
        if self.resident is not None and self.resident.pages:  # the output folder serve writes in place
            self.previous = self.resident.pages
        else:
            previous = self.store.get_blob("pages") or {}
            if not isinstance(previous, dict) or previous.get("out") != str(out):
                previous = {}
            self.previous = previous.get("pages", {})
        with self.progress.phase("rendering pages") as tick:
            done = parallel.render_pages(renderer, pages, prints, self.previous, out, self.jobs, tick,
                                         before=lambda contexts: citations.prefetch(renderer.site, contexts))
        self.keys, self.digests, self.shortcuts = done.keys, done.digests, done.shortcuts
        return done.outputs

    def per_post(self, kind: str) -> Callable[[Post, Callable[[], T]], T]:
        """A memo for work done once per post after rendering (citation exports, feed entries),
        kept across builds under the post's page fingerprint: what a post's pages show is all
        such work may use (fingerprints.Fingerprints), so an edit recomputes that post's only."""
        def memo(post: Post, compute: Callable[[], T]) -> T:
            if self.prints is None:
                return compute()
            key = cache.digest(self.prints.base, self.prints.post(post))
            hit = self.store.get(kind, post.id, key)
            if hit is not None:
                return hit
            value = compute()
            self.store.put(kind, post.id, key, value)
            return value
        return memo

    def feed_files(self, feed, shown: list[Post], compute: Callable[[], list[Output]]) -> list[Output]:
        """A feed's files, kept from the output folder (as unchanged pages are) when the feed and
        the posts it shows are as last time; else `compute()`d. Keyed like pages: the site's
        metadata and each shown post's fingerprint (entries show nothing else)."""
        if self.prints is None:
            return compute()
        key = cache.digest(self.prints.base, "feed", feed.kind, feed.title, feed.description, feed.page,
                           feed.label, sorted(feed.files.items()), feed.person and feed.person.id,
                           *[self.prints.post(p) for p in shown])
        out = self.config.output_dir
        paths = list(feed.files.values())
        for path in paths:
            self.keys[path] = key
        if all(parallel.unchanged(out, path, key, self.previous) for path in paths):
            kept = []
            for path in paths:
                page = parallel.PageOutput(path)
                page.kept = out / path
                kept.append(page)
                self.digests[path] = self.previous[path][4] if len(self.previous[path]) > 4 else ""
            return kept
        made = compute()
        self.digests.update({o.path: cache.digest(o.data) for o in made})
        return made

    def finish(self, site: Site | None, problems: list[Problem], outputs: int, wrote: bool) -> None:
        """Save what this build learnt; after a successful write, also the no-op manifest."""
        self.progress.close()
        self.store.save(("bibliography", "content", "reviews", *PER_POST))
        if self.resident is not None:  # what resident builds read again; the parse results they hold themselves
            self.store.keep_only(PER_POST)
        self.citations.save()
        if not wrote or site is None or has_errors(problems):
            return
        out = self.config.output_dir
        state = noop.output_state(out)  # one pass over the output folder serves both records
        pages = self.page_records = parallel.page_stats(state, self.keys, self.digests, self.shortcuts)
        self.store.put_blob("pages", {"out": str(out), "pages": pages})
        if self.signature is not None:
            noop.record(self.signature, out, state, len(site.listed), outputs, problems,
                        next_change(site, self.now), held=site_mod.held_back_line(site))


    def finish_resident(self) -> None:
        """After an in-place (resident) write: save the per-post work. The parse packs, the page
        records and the no-op manifest stay as the last full build saved them; the resident
        holds the current ones, and `build` in a fresh process checks its inputs anyway."""
        self.progress.close()
        self.store.save(PER_POST)
        self.citations.save()


def start(config: Config, options, now: datetime, resident: Resident | None = None) -> Session:
    salt = cache.code_salt()
    in_place = resident is not None and resident.changed is not None
    if in_place and resident.stores and resident.stores[0].salt == salt:
        store, citations = resident.stores  # serve: the packs as the last build left them, not read again
    else:
        store = Store(config.root, salt, read=not options.no_cache, write=True)
        citations = citation_store.Store(config.root / cache.FOLDER, read=not options.no_cache)
    if resident is not None:
        resident.stores = (store, citations)
    progress = Progress(enabled=Progress.wanted(sys.stderr))
    session = Session(config, store, parallel.jobs_for(options.jobs), progress, now=now, citations=citations,
                      resident=resident)
    citation_store.use(session.citations)
    if options.write and not in_place:  # an in-place build leaves the no-op manifest to full builds
        session.signature = noop.signature(config.path, config_paths(config), salt, noop.options_key(options),
                                           time.time())
    return session


def config_paths(config: Config) -> list[Path]:
    """Everything a build reads, for the no-op check (the output folder is checked apart)."""
    from ..theme import BUILTIN_THEMES
    return [config.path, config.content_dir, config.reviews_dir, config.themes_dir, BUILTIN_THEMES,
            *bibliography.files(config), *noop.git_files(config.root)]


def next_change(site: Site, now: datetime | None) -> float | None:
    """The first moment after `now` at which a date in the inputs is reached (a scheduled post,
    an embargo ending): a status may change then with no file changing, so a no-op must not be
    trusted from that moment on."""
    if now is None:
        return None
    dates = []
    for post in list(site.posts.values()) + list(site.pages.values()):
        dates += [post.date, post.updated] + [c.get("date") for c in post.corrections]
    dates += [r.date for r in site.records]
    later = [d.timestamp() for d in dates if isinstance(d, datetime) and d > now]
    return min(later) if later else None

