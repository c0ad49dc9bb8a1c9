"""The site kept in memory between `serve` rebuilds (docs/architecture.md, "The resident server").

A full build run with a `Resident` remembers what its slow steps produced: the bibliography,
every post's parse result, the review records, each page's key and file stat, and the list of
files in the output folder. The next build, told which files changed, may then take the
resident path: only the changed post files are parsed again; assessing, assembling and the page
keys run as in any build, every page whose key is unchanged is kept, and only the files whose
bytes changed are written, in place, into the served folder (pages that disappeared are
removed). The output equals a clean build's (tests/test_resident.py).

Whatever the resident path cannot prove safe raises `Fallback`, and the caller runs the usual
full (incremental) build: site.yaml, a theme, a review record or a bibliography file changed, a
post was added, deleted or renamed, git's HEAD or refs moved, or the build found an error.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import bibliography
from ..errors import Problem, has_errors
from ..loading import Job, Loader, Result, guarded
from ..model import Config, Output
from . import lock, noop
from .parallel import PageOutput, page_record


class Fallback(Exception):
    """The resident path cannot take this change: run the full build."""


class Remember:
    """A loader that passes the jobs to `inner` and remembers each result by file (full builds)."""

    def __init__(self, inner: Loader, into: dict[str, Result]):
        self.inner, self.into = inner, into

    def run(self, kind: str, jobs: Sequence[Job], value_type: type) -> list[Result]:
        results = self.inner.run(kind, jobs, value_type)
        self.into.clear()
        self.into.update({job.name: result for job, result in zip(jobs, results, strict=True)})
        return results


class Reparse:
    """A loader that parses only the changed files and takes the rest from memory (resident
    builds). The same files as last time, or the change is not the resident path's to take."""

    def __init__(self, known: dict[str, Result], changed: set[str]):
        self.known, self.changed, self.fresh = known, changed, {}

    def run(self, kind: str, jobs: Sequence[Job], value_type: type) -> list[Result]:
        if {job.name for job in jobs} != self.known.keys():
            raise Fallback("a post was added or deleted")
        results = []
        for job in jobs:
            if job.name in self.changed:
                self.fresh[job.name] = guarded(job.parse)
                results.append(self.fresh[job.name])
            else:
                results.append(self.known[job.name])
        return results


@dataclass
class Resident:
    """What the last good build left in memory, and the change the next build is asked to take."""
    config: Config | None = None
    bib: tuple[dict, list[Problem]] | None = None
    posts: dict[str, Result] = field(default_factory=dict)  # content job name -> (post, problems)
    records: tuple[list, list[Problem]] | None = None  # reviews.load's result
    pages: dict[str, tuple] = field(default_factory=dict)  # output path -> parallel.page_record
    files: set[str] = field(default_factory=set)  # every file in the output folder, relative
    sums: dict[str, bytes] = field(default_factory=dict)  # files other than pages and the bundle -> bytes written
    stores: tuple = ()  # the parse store and citation store (incremental.start), kept while the code is the same
    prints: tuple[str, dict] | None = None  # the last build's Fingerprints.computed()
    expires: float | None = None  # the moment a date in the inputs is reached: a full build then
    git: tuple = ()  # stat of git's HEAD and refs
    changed: set[str] | None = None  # this build's changed files (absolute, posix); None: a full build
    mode: str = ""  # how the last build ran: "full" or "resident", for the log and tests
    _loader: Any = None
    _next: Config | None = None  # the config `take` was given (as loaded, before build.prepare)
    _git_next: tuple = ()  # git's state when the build started
    _history: tuple | None = None  # (history.History, stamped records) of the last full build
    _history_next: tuple | None = None

    @property
    def ready(self) -> bool:
        return self.config is not None

    def forget(self) -> None:
        self.config, self.stores, self._history = None, (), None

    def take(self, config: Config, changed: set[str] | None) -> bool:
        """Whether the next build may take the resident path for `changed`; a full build otherwise."""
        self.changed, self._next, self._git_next, self.mode = None, config, git_state(config), "full"
        if changed is None or not self.ready or config != self.config or self.git != self._git_next:
            return False
        if self.expires is not None and noop.build_time() >= self.expires:
            return False  # a scheduled post or an embargo may have come due: every state is assessed anew
        posts = {str(Path(p).as_posix()) for p in changed}
        bib_files = {f.as_posix() for f in bibliography.files(config)}
        if not posts or posts & bib_files or not posts <= self.posts.keys():
            return False  # a bibliography, a new or deleted post, a bundle's image: not resident
        self.changed, self.mode = posts, "resident"
        return True

    def carried(self) -> tuple[str, dict] | None:
        """For a resident build: the last build's post fingerprints, but those of the changed files."""
        if self.changed is None or self.prints is None:
            return None
        base, found = self.prints
        ids = {result[0].id for path in self.changed if (result := self.posts.get(path)) and result[0] is not None}
        return base, {ref: fp for ref, fp in found.items() if ref[1] not in ids}

    # --- the build's loading steps ---------------------------------------------------------------

    def content_loader(self, inner: Loader) -> Loader:
        self._loader = Reparse(self.posts, self.changed) if self.changed is not None else Remember(inner, {})
        return self._loader

    def bibliography(self, load) -> tuple[dict, list[Problem]]:
        return self.bib if self.changed is not None else load()

    def reviews(self, post_ids: set[str], load) -> tuple[list, list[Problem]]:
        if self.changed is None:
            return load()
        known = {p.id for p, _ in self.posts.values() if p is not None and p.kind == "post"}
        if post_ids != known:
            raise Fallback("a post's id changed: review records name posts by id")
        return self.records

    def history(self, load) -> tuple:
        """history.read and stamp's result. A resident build takes the last one: git's refs, the
        review records and the posts' ids are as they were, and versions come from commits only."""
        if self.changed is None or self._history is None:
            self._history_next = load()
            return self._history_next
        return self._history

    def remember(self, bib, records, pages: dict[str, tuple], files: set[str], prints: tuple[str, dict] | None,
                 expires: float | None, written: dict[str, bytes] | None = None) -> None:
        """After a good build: keep what the next resident build starts from. `prints`: the
        page fingerprints' base and post fingerprints (Fingerprints.computed); `expires`: when
        a date in the inputs is reached (a status may then change with no file changing)."""
        self.prints, self.expires = prints, expires
        if self.changed is None:
            if not isinstance(self._loader, Remember) or self._next is None:
                self.forget()
                return
            self.posts = dict(self._loader.into)
            self.config, self.bib, self.records = self._next, bib, records
            self.git, self._history = self._git_next, self._history_next
            self.sums = written or {}  # the full build wrote the folder anew
        else:
            self.posts.update(self._loader.fresh)
        self.pages, self.files = pages, files


def git_state(config: Config) -> tuple:
    state = []
    for path in noop.git_files(config.root):
        try:
            st = os.stat(path)
            state.append((str(path), st.st_size, st.st_mtime_ns, st.st_ino))
        except OSError:
            state.append((str(path), None))
    return tuple(state)


def problems_stop(problems: list[Problem]) -> None:
    """Any error: the full build reports it, exactly as a build without serve would."""
    if has_errors(problems):
        raise Fallback("the build found an error")


def write_in_place(out: Path, outputs: list[Output], left: set[str], resident: Resident,
                   session) -> tuple[int, int, dict[str, tuple]]:
    """Write the outputs whose bytes changed straight into `out` (each by an atomic rename, so
    the server never sends half a file) and remove the files no output names any more; the
    files in `left` (a kept search bundle) stay as they are. Returns (written, unchanged, the
    page records for the next build). `session` holds the build's keys, digests and shortcuts
    (incremental.Session); `resident.sums` the bytes of the other files written before, so an
    unchanged one is known without reading it (serve owns the folder it writes)."""
    keys, pages, sums = session.keys, resident.pages, resident.sums
    written = unchanged = 0
    records: dict[str, tuple] = {}
    root = os.fspath(out) + os.sep  # plain strings: pathlib costs more than the stat at 30,000 files
    with lock.output_lock(out):
        for o in outputs:
            target = root + o.path
            key = keys.get(o.path)  # a page: its record holds its stat and digest, `sums` does not
            kept = isinstance(o, PageOutput) and o.kept is not None and os.fspath(o.kept) == target
            if kept:
                unchanged += 1
            elif _same(target, o.data, None if key else sums.get(o.path)):
                unchanged += 1
            else:
                _replace(Path(target), o.data)
                written += 1
            if not kept and not key:
                sums[o.path] = o.data
            if not key:
                continue
            old = pages.get(o.path)
            if kept and old is not None and old[0] == key:
                stat_, digest = tuple(old[1:4]), old[4]
            else:
                st = os.lstat(target)
                stat_, digest = (st.st_size, st.st_mtime_ns, st.st_ino), session.digests.get(o.path, "")
            records[o.path] = page_record(key, stat_, digest, session.shortcuts.get(o.path))
        for gone in sorted(resident.files - left - {o.path for o in outputs}):
            sums.pop(gone, None)
            _remove(out, out / gone)
    return written, unchanged, records


def _same(target: str, data: bytes, known: bytes | None) -> bool:
    """Whether the file holds `data`: by what was written there, or, the first time, by reading it."""
    if known is not None:
        return known == data
    try:
        return os.stat(target).st_size == len(data) and Path(target).read_bytes() == data
    except OSError:
        return False


def _replace(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".peerpress-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove(out: Path, path: Path) -> None:
    """A file no build output names any more, and the folders it leaves empty."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return  # not empty
        folder = folder.parent
