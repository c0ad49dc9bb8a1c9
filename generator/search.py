"""Site search: a Pagefind index of the published posts, built at build time from their final HTML.

Pagefind (the `pagefind[bin]` package) indexes the very bytes readers get. The post pages are
copied into a scratch folder, and Pagefind writes its bundle beside them in a process of its own
while the build goes on (build.write stages the pages meanwhile). The bundle comes back as
ordinary outputs under `pagefind/`, staged with everything else: the swap of the output folder
stays atomic, and unchanged index files stay untouched.
Searching then runs in the reader's browser from those static files; no server is involved.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
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


@dataclass
class Indexing:
    """A search index on its way: Pagefind runs as a separate process while the build goes on
    with citations and feeds, and `result()` waits for it. Finished at once when nothing runs."""
    done: tuple[list[Output], list[Problem]] = ([], [])
    site: Site | None = None
    process: subprocess.Popen | None = None
    scratch: tempfile.TemporaryDirectory | None = None
    stored: Path | None = None
    kept: bool = False  # the bundle is the one already in the output folder (may be stale)

    def cancel(self) -> None:
        """Stop Pagefind (the build failed after it started) and remove its scratch folder."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
            self.scratch.cleanup()

    def result(self) -> tuple[list[Output], list[Problem]]:
        if self.process is None:
            return self.done
        try:
            bundle = Path(self.scratch.name) / "bundle"
            problem = finish_pagefind(self.site, self.process, bundle)
            if problem:
                return [], [problem]
            search_order.canonicalize(bundle)
            if self.stored:
                remember(bundle, self.stored)
            return collect(bundle), []
        finally:
            self.process = None
            self.scratch.cleanup()


def start(site: Site, rendered: list[Output], cache: Path | None = None, keep_from: Path | None = None) -> Indexing:
    """Start indexing the published post pages among `rendered`; `.result()` gives the bundle.

    With `keep_from` (an output folder holding a complete bundle), that bundle is used as it is
    and Pagefind does not run: search results may then lag behind the pages until a build that
    indexes. `serve` rebuilds this way and indexes again once the author pauses.

    Pagefind writes its filter index in a different order on every run (Pagefind issue #638);
    search_order puts it in a fixed one, so the same pages always give the same bytes. With a
    `cache` folder, the bundle is kept under a key made of the pages and the Pagefind version,
    and an unchanged site skips Pagefind altogether.
    """
    if not enabled(site):
        return Indexing()
    wanted = {urls.file_for(urls.post(p.id)) for p in indexed_posts(site)}
    pages = sorted((o for o in rendered if o.path in wanted), key=lambda o: o.path)
    if not pages:  # Pagefind refuses to build an empty index; the search page says so instead
        return Indexing()
    if keep_from is not None and (keep_from / BUNDLE / "pagefind-entry.json").is_file():
        return Indexing((kept_bundle(keep_from), []), kept=True)
    try:
        exe = executable()
    except (ImportError, FileNotFoundError):
        return Indexing(([], [error(site.config.path.name, None,
                                    "search is enabled but the Pagefind program is not installed",
                                    "install it with pip install 'pagefind[bin]', "
                                    "or set search.enabled: false in site.yaml")]))
    stored = cache / "search" / cache_key(exe, pages) if cache else None
    if stored and stored.is_dir():
        os.utime(stored)  # most recently used: kept when old entries are pruned
        return Indexing((collect(stored), []))
    scratch = tempfile.TemporaryDirectory(prefix="peerpress-search-")
    source, bundle = Path(scratch.name) / "site", Path(scratch.name) / "bundle"
    try:
        for o in pages:
            dest = source / o.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(o.data)
        process, problem = start_pagefind(site, exe, source, bundle)
    except BaseException:
        scratch.cleanup()
        raise
    if problem:
        scratch.cleanup()
        return Indexing(([], [problem]))
    return Indexing(site=site, process=process, scratch=scratch, stored=stored)


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


def remember(bundle: Path, stored: Path) -> None:
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


def start_pagefind(site: Site, exe: Path, source: Path, bundle: Path) -> tuple[subprocess.Popen | None, Problem | None]:
    command = [str(exe), "--site", str(source), "--output-path", str(bundle), *PAGEFIND_OPTIONS]
    try:  # its output goes to a file, so a chatty Pagefind cannot fill a pipe and stall
        with open(log_file(bundle), "wb") as log:
            return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL), None
    except OSError as exc:
        return None, error(site.config.path.name, None, f"Pagefind could not index the site: {exc}",
                           "set search.enabled: false to build without search")


def log_file(bundle: Path) -> Path:
    return bundle.parent / "pagefind.log"


def finish_pagefind(site: Site, process: subprocess.Popen, bundle: Path) -> Problem | None:
    where = site.config.path.name
    try:
        process.wait(timeout=PAGEFIND_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return error(where, None, f"Pagefind did not finish indexing within {PAGEFIND_TIMEOUT} s",
                     "set search.enabled: false to build without search")
    if process.returncode != 0:
        detail = " ".join(log_file(bundle).read_text(encoding="utf-8", errors="replace").split())[:300]
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


class KeptFile(Output):
    """A file of the bundle kept in the output folder: output.Staging links it where it is, and
    its bytes are read only if something asks (a kept bundle at 5,000 posts is thousands of files)."""

    def __init__(self, path: str, kept: Path):  # noqa: D107 - not the dataclass __init__ on purpose
        self.path, self.kept = path, kept

    @property
    def data(self) -> bytes:
        return self.kept.read_bytes()


def kept_bundle(out: Path) -> list[KeptFile]:
    found = []
    for folder, _, files in os.walk(out / BUNDLE):  # strings: thousands of files at 5,000 posts
        rel = Path(folder).relative_to(out).as_posix()
        found += [KeptFile(f"{rel}/{name}", Path(folder, name)) for name in files]
    return sorted(found, key=lambda f: f.path)


def collect(bundle: Path) -> list[Output]:
    return [Output(f"{BUNDLE}/{f.relative_to(bundle).as_posix()}", f.read_bytes())
            for f in sorted(bundle.rglob("*")) if f.is_file()]
