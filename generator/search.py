"""Site search: a Pagefind index of the published posts, built at build time from their final HTML.

Pagefind (the `pagefind[bin]` package) indexes the very bytes readers get. The post pages are
copied into a scratch folder, Pagefind writes its bundle beside them, and the bundle comes back
as ordinary outputs under `pagefind/`, so it is written by `output.write` with everything else:
the swap of the output folder stays atomic, and unchanged index files stay untouched.
Searching then runs in the reader's browser from those static files; no server is involved.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from . import search_order, urls
from .errors import Problem, error
from .model import Output, Post, Site

if TYPE_CHECKING:
    from .render import Renderer

BUNDLE = "pagefind"  # the URL folder of the index and of Pagefind's UI files
PAGEFIND_TIMEOUT = 600  # seconds; tens of thousands of posts index in well under a minute
# Heading anchors ("#") would otherwise end up in the titles of sub-results.
PAGEFIND_OPTIONS = ("--silent", "--exclude-selectors", ".header-anchor")
CACHE_ENTRIES = 4  # bundles kept in the cache (e.g. a public build and a --drafts preview)


def enabled(site: Site) -> bool:
    return bool(site.config.extra["search"]["enabled"])


def indexed_posts(site: Site) -> list[Post]:
    """Only published posts are searchable: drafts, posts in review and retractions are not."""
    return [p for p in site.listed if site.states[p.id].status == "published"]


def pages(r: Renderer) -> list[Output]:
    """The /search/ page (a render step, beside the other page kinds)."""
    if not enabled(r.site):
        return []
    return [r.page("search.html", "search/", indexed=len(indexed_posts(r.site)), bundle=BUNDLE + "/")]


def outputs(site: Site, rendered: list[Output], cache: Path | None = None) -> tuple[list[Output], list[Problem]]:
    """The Pagefind bundle for the published post pages among `rendered`.

    Pagefind writes its filter index in a different order on every run (Pagefind issue #638);
    search_order puts it in a fixed one, so the same pages always give the same bytes. With a
    `cache` folder, the bundle is kept under a key made of the pages and the Pagefind version,
    and an unchanged site skips Pagefind altogether.
    """
    if not enabled(site):
        return [], []
    wanted = {urls.file_for(urls.post(p.id)) for p in indexed_posts(site)}
    pages = sorted((o for o in rendered if o.path in wanted), key=lambda o: o.path)
    if not pages:  # Pagefind refuses to build an empty index; the search page says so instead
        return [], []
    try:
        exe = executable()
    except (ImportError, FileNotFoundError):
        return [], [error(site.config.path.name, None, "search is enabled but the Pagefind program is not installed",
                          "install it with pip install 'pagefind[bin]', or set search.enabled: false in site.yaml")]
    stored = cache / "search" / cache_key(exe, pages) if cache else None
    if stored and stored.is_dir():
        os.utime(stored)  # most recently used: kept when old entries are pruned
        return collect(stored), []
    with tempfile.TemporaryDirectory(prefix="peerpress-search-") as tmp:
        source, bundle = Path(tmp) / "site", Path(tmp) / "bundle"
        for o in pages:
            dest = source / o.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(o.data)
        problem = run_pagefind(site, exe, source, bundle)
        if problem:
            return [], [problem]
        search_order.canonicalize(bundle)
        if stored:
            keep(bundle, stored)
        return collect(bundle), []


def cache_key(exe: Path, pages: list[Output]) -> str:
    h = hashlib.sha256()
    try:
        h.update(subprocess.run([str(exe), "--version"], capture_output=True, check=False).stdout)
    except OSError:
        pass  # Pagefind itself will fail to run and say why
    h.update(" ".join(PAGEFIND_OPTIONS).encode() + search_order.VERSION.encode())
    for o in pages:
        h.update(f"\0{o.path}\0{hashlib.sha256(o.data).hexdigest()}".encode())
    return h.hexdigest()[:32]


def keep(bundle: Path, stored: Path) -> None:
    """Copy the bundle into the cache (atomically: a half-copied entry is never used) and prune it.

    The cache only saves time, so a cache that cannot be written is no error.
    """
    partial = stored.parent / f".{stored.name}.{os.getpid()}"
    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(bundle, partial)
        os.rename(partial, stored)
    except OSError:  # read-only, or another build stored the same key first
        shutil.rmtree(partial, ignore_errors=True)
        return
    entries = sorted((e for e in stored.parent.iterdir() if e.is_dir() and not e.name.startswith(".")),
                     key=lambda e: e.stat().st_mtime, reverse=True)
    for old in entries[CACHE_ENTRIES:]:
        shutil.rmtree(old, ignore_errors=True)


def run_pagefind(site: Site, exe: Path, source: Path, bundle: Path) -> Problem | None:
    where = site.config.path.name
    command = [str(exe), "--site", str(source), "--output-path", str(bundle), *PAGEFIND_OPTIONS]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PAGEFIND_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return error(where, None, f"Pagefind could not index the site: {exc}",
                     "set search.enabled: false to build without search")
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())[:300]
        return error(where, None, f"Pagefind failed to index the site: {detail}",
                     "set search.enabled: false to build without search")
    return None


def executable() -> Path:
    """The binary shipped in the `pagefind[bin]` wheel (or PAGEFIND_BINARY_PATH, or one on PATH)."""
    from pagefind.service import get_executable

    exe = get_executable()
    if exe is None:
        raise FileNotFoundError("pagefind")
    return exe


def collect(bundle: Path) -> list[Output]:
    return [Output(f"{BUNDLE}/{f.relative_to(bundle).as_posix()}", f.read_bytes())
            for f in sorted(bundle.rglob("*")) if f.is_file()]
