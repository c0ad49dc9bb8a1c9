"""Parallel, cached stages: parsing posts and review records, rendering pages (docs/architecture.md).

Work is spread over forked processes (`--jobs`, default every core): a fork inherits the
loaded Site, theme and Jinja environment, so only small task numbers go out and rendered
results come back. Results are put back in input order, so the output never depends on which
worker finished first. Small batches stay in this process: forking costs more than it saves.
"""
from __future__ import annotations

import multiprocessing
import os
import stat
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import cache, urls
from ..errors import Problem, ProblemError, error
from ..fingerprints import Fingerprints
from ..loading import Job, Result, guarded
from ..model import Output
from ..render import Renderer
from .store import Store

SERIAL_BELOW = 48  # items; under this, forking costs more than it saves

_TASK: list = []  # (function, items) for the forked workers; set just before the pool starts


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def jobs_for(requested: int) -> int:
    return requested if requested > 0 else cpu_count()


def _run_chunk(start: int, end: int) -> list:
    fn, items = _TASK[-1]
    return [fn(items[i]) for i in range(start, end)]


def pmap(fn: Callable[[Any], Any], items: Sequence, jobs: int, tick: Callable[[int], None] | None = None) -> list:
    """[fn(x) for x in items], over `jobs` forked processes, in order. `fn` must return picklable
    values; `tick(n)` is called as batches finish (for progress)."""
    if jobs <= 1 or len(items) < SERIAL_BELOW or "fork" not in multiprocessing.get_all_start_methods():
        out = []
        for i, item in enumerate(items):
            out.append(fn(item))
            if tick and i % 16 == 15:
                tick(16)
        if tick:
            tick(len(items) % 16)
        return out
    size = max(8, min(256, len(items) // (jobs * 6) or 1))  # enough chunks to balance, few enough to be cheap
    bounds = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    results: dict[int, list] = {}
    _TASK.append((fn, items))
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(bounds)),
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(_run_chunk, a, b): a for a, b in bounds}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if tick:
                    tick(len(results[futures[future]]))
    finally:
        _TASK.pop()
    return [r for a, _ in bounds for r in results[a]]


# --- parsing --------------------------------------------------------------------------------

class CachedLoader:
    """loading.Loader for the build: each job's result comes from the store when its key (and
    stamp) still match; the rest are parsed over forked workers and stored. Same results, same
    order as loading.Serial."""

    def __init__(self, store: Store, jobs: int, tick: Callable[[int], None] | None = None):
        self.store, self.jobs, self.tick = store, jobs, tick

    def run(self, kind: str, jobs: Sequence[Job], value_type: type) -> list[Result]:
        keys, results, todo = [], {}, []
        for i, job in enumerate(jobs):
            keys.append(job.key())
            hit = self.store.get(kind, job.name, keys[i])
            if _valid(hit, value_type) and hit[2] == job.stamp(hit[0]):
                results[i] = (hit[0], hit[1])
                if self.tick:
                    self.tick(1)
            else:
                todo.append(i)
        parsed = pmap(lambda i: guarded(jobs[i].parse), todo, self.jobs, self.tick)
        for i, (value, found) in zip(todo, parsed, strict=True):
            results[i] = (value, found)
            self.store.put(kind, jobs[i].name, keys[i], (value, found, jobs[i].stamp(value)))
        return [results[i] for i in range(len(jobs))]


def _valid(hit: Any, value_type: type) -> bool:
    return (isinstance(hit, tuple) and len(hit) == 3 and (hit[0] is None or isinstance(hit[0], value_type))
            and isinstance(hit[1], list) and all(isinstance(p, Problem) for p in hit[1]))


# --- rendering ------------------------------------------------------------------------------

class PageOutput(Output):
    """A page whose bytes come later: rendered by a worker, or kept from the previous site.

    A kept page (`kept` = the file in the current output folder) is hard-linked by
    output.Staging without being read; anything else that asks for `data` reads it then.
    """

    def __init__(self, path: str):  # noqa: D107 - not the dataclass __init__ on purpose
        self.path = path
        self._data: bytes | None = None
        self.kept: Path | None = None

    @property
    def data(self) -> bytes:
        if self._data is None and self.kept is not None:
            try:
                self._data = self.kept.read_bytes()
            except OSError:
                raise ProblemError([error(str(self.kept), None, "the output folder changed during the build",
                                          "build again")]) from None
        return self._data if self._data is not None else b""

    @data.setter
    def data(self, value: bytes) -> None:
        self._data = value


@dataclass
class Recording(Renderer):
    """A Renderer that notes each page instead of rendering it (same signature as page())."""
    calls: list = field(default_factory=list)

    def page(self, template: str, path: str, **context: Any) -> Output:
        out = PageOutput(urls.file_for(path))
        self.calls.append((template, path, context, out))
        return out


@dataclass
class Rendered:
    outputs: list[Output]
    keys: dict[str, str]  # output path -> page key, for pages rendered or kept in this build
    digests: dict[str, str] = field(default_factory=dict)  # output path -> digest of its bytes
    shortcuts: dict[str, tuple] = field(default_factory=dict)  # output path -> (shortcut, refs): see page_key


def render_pages(renderer: Renderer, pages: Callable[[Renderer], list[Output]], prints: Fingerprints | None,
                 previous: dict, out: Path, jobs: int, tick: Callable[[int], None] | None = None,
                 before: Callable[[list[dict]], None] | None = None) -> Rendered:
    """`pages(renderer)`, with every page that did not change kept from `out` and the rest
    rendered in parallel. `previous` is the last build's {path: (key, size, mtime_ns, inode)};
    `before(contexts)` sees the contexts of the pages to render before the workers fork (to
    compute, once and in this process, what they will share)."""
    rec = Recording(renderer.site, renderer.theme, renderer.env)
    outputs = pages(rec)
    keys: dict[str, str] = {}
    shortcuts: dict[str, tuple] = {}
    todo: list[int] = []
    for i, (template, path, context, placeholder) in enumerate(rec.calls):
        key, shortcuts[placeholder.path] = page_key(prints, template, placeholder.path, path, context, previous)
        keys[placeholder.path] = key
        if key and unchanged(out, placeholder.path, key, previous):
            placeholder.kept = out / placeholder.path
            if tick:
                tick(1)
        else:
            todo.append(i)
    if before is not None:
        before([rec.calls[i][2] for i in todo])
    for name in {rec.calls[i][0] for i in todo}:  # compile once, before the fork
        try:
            renderer.env.get_template(name)
        except Exception:  # noqa: BLE001 - renderer.page reports it with the template's name and line
            pass

    def render_one(i: int):
        template, path, context, _ = rec.calls[i]
        try:
            return renderer.page(template, path, **context).data
        except ProblemError as exc:
            return exc.problems

    results = pmap(render_one, todo, jobs, tick)
    problems: list[Problem] = []
    digests = {path: entry[4] for path, entry in previous.items() if len(entry) > 4}  # kept pages keep theirs
    for i, result in zip(todo, results, strict=True):
        if isinstance(result, list):
            problems += [p for p in result if p not in problems]
        else:
            rec.calls[i][3].data = result
            digests[rec.calls[i][3].path] = cache.digest(result)
    if problems:
        raise ProblemError(problems)
    return Rendered(outputs, keys, digests, {p: s for p, s in shortcuts.items() if s})


def page_key(prints: Fingerprints | None, template: str, rel: str, path: str, context: dict,
             previous: dict) -> tuple[str, tuple | None]:
    """(key, (shortcut, refs) or None). The last build's key when the page's shortcut is as it
    recorded (nothing the context holds changed: no pickling), else the key computed afresh."""
    if prints is None:
        return "", None
    entry = previous.get(rel)
    if entry is not None and len(entry) > 6 and entry[5]:
        if prints.known(entry[6]) or prints.shortcut(template, path, entry[6]) == entry[5]:
            return entry[0], (entry[5], entry[6])
    return prints.keyed(template, path, context)


def unchanged(out: Path, rel: str, key: str, previous: dict) -> bool:
    """Same key as last time, and the file there is still the one that build wrote: the same
    stat, or, when the folder was copied back (a CI cache restores `site/` with new inodes and
    times), the same bytes."""
    entry = previous.get(rel)
    if not entry or entry[0] != key:
        return False
    try:
        st = os.lstat(os.path.join(out, rel))  # a string join: pathlib costs more than the lstat here
    except OSError:
        return False
    if (st.st_size, st.st_mtime_ns, st.st_ino) == tuple(entry[1:4]):
        return True
    if len(entry) < 5 or st.st_size != entry[1] or not stat.S_ISREG(st.st_mode):
        return False
    try:
        return cache.digest((out / rel).read_bytes()) == entry[4]
    except OSError:
        return False


def page_stats(state: dict[str, tuple[int, int, int]], keys: dict[str, str], digests: dict[str, str],
               shortcuts: dict[str, tuple]) -> dict[str, tuple]:
    """{path: (key, size, mtime_ns, inode, digest, shortcut, refs)} of the pages just written, for
    the next build (`state`: noop.output_state of the output folder)."""
    return {rel: page_record(key, state[rel], digests.get(rel, ""), shortcuts.get(rel))
            for rel, key in keys.items() if key and rel in state}


def page_record(key: str, stat_: tuple, digest: str, shortcut: tuple | None) -> tuple:
    """One page's record: (key, size, mtime_ns, inode, digest, shortcut, refs)."""
    return (key, *stat_, digest, *(shortcut or ("", ())))
