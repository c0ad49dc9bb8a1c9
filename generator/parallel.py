"""Parallel, cached stages: parsing posts and review records, rendering pages (DESIGN.md §5).

Work is spread over forked processes (`--jobs`, default every core): a fork inherits the
loaded Site, theme and Jinja environment, so only small task numbers go out and rendered
results come back. Results are put back in input order, so the output never depends on which
worker finished first. Small batches stay in this process: forking costs more than it saves.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cache, content, reviews, urls
from .errors import Problem, ProblemError, error
from .model import Config, Output, Post, ReviewRecord
from .render import Renderer

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

def _guarded(fn: Callable, *args) -> tuple[Any, list[Problem]]:
    """A worker's ProblemError does not survive pickling (its args are text): send the data."""
    try:
        return fn(*args)
    except ProblemError as exc:
        return None, exc.problems


def _post_key(config: Config, ckey: str, bib_key: str, kind: str, path: Path, real: content.Resolver) -> str:
    """The file, and what its parse reads besides: bundle files (images, a local bibliography)."""
    parts: list[Any] = [ckey, bib_key, kind, path.relative_to(config.root).as_posix(),
                        path.is_symlink(), real(str(path)), path.read_bytes()]
    if kind == "post" and path.name == "index.md":
        for f in sorted(path.parent.rglob("*")):
            if f != path:
                parts += [f.relative_to(path.parent).as_posix(), f.is_symlink(), f.is_file() and cache.file_key(f)]
    return cache.digest(*parts)


def _local_bibliographies(config: Config, path: Path, post: Post | None) -> list[Any]:
    """Bibliography files a post names outside its own folder (found only by parsing it)."""
    if post is None:
        return []
    return [(name, cache.file_key(path.parent / name)) for name in post.bibliography]


def load_content(config: Config, bibliography: dict, store: cache.Store, jobs: int,
                 tick: Callable[[int], None] | None = None) -> tuple[list[Post], list[Problem]]:
    """content.load(), with cached and parallel parsing; same posts, same problems, same order."""
    real = content.Resolver()
    files, problems = content.discover(config, real)
    ckey = cache.config_key(config)
    bib_key = cache.digest(cache._pickle(bibliography))
    keys, results, todo = [], {}, []
    for i, (kind, path) in enumerate(files):
        key = _post_key(config, ckey, bib_key, kind, path, real)
        keys.append(key)
        hit = store.get("content", path.as_posix(), key)
        if _valid_post(hit) and hit[2] == _local_bibliographies(config, path, hit[0]):
            results[i] = (hit[0], hit[1])
            if tick:
                tick(1)
        else:
            todo.append(i)
    parsed = pmap(lambda i: _guarded(content.load_one, config, files[i][0], files[i][1], bibliography),
                  todo, jobs, tick)
    for i, (post, found) in zip(todo, parsed, strict=True):
        results[i] = (post, found)
        path = files[i][1]
        store.put("content", path.as_posix(), keys[i], (post, found, _local_bibliographies(config, path, post)))
    posts = []
    for i in range(len(files)):
        post, found = results[i]
        problems += found
        if post:
            posts.append(post)
    problems += content._duplicates(config, posts)
    return posts, problems


def _valid_post(hit: Any) -> bool:
    return (isinstance(hit, tuple) and len(hit) == 3 and (hit[0] is None or isinstance(hit[0], Post))
            and isinstance(hit[1], list) and all(isinstance(p, Problem) for p in hit[1]))


def load_reviews(config: Config, post_ids: set[str], store: cache.Store, jobs: int,
                 tick: Callable[[int], None] | None = None) -> tuple[list[ReviewRecord], list[Problem]]:
    """reviews.load(), cached and parallel; same records, same problems, same order."""
    base = config.reviews_dir
    if not base.is_dir():
        return [], []
    paths = [p for p in sorted(base.rglob("*.md"))
             if not (p.name.startswith((".", "_")) or p.name.lower() == "readme.md")]
    ckey = cache.config_key(config)
    ids_key = cache.digest(*sorted(post_ids))
    real = content.Resolver()
    keys, results, todo = [], {}, []
    for i, path in enumerate(paths):
        rel = path.relative_to(base)
        known = rel.parts[0] in post_ids if len(rel.parts) == 2 else False
        # An unknown post's hint names its closest known id, so then every id counts.
        key = cache.digest(ckey, rel.as_posix(), path.is_symlink(), real(str(path)),
                           known, "" if known else ids_key, path.read_bytes() if path.is_file() else b"")
        keys.append(key)
        hit = store.get("reviews", path.as_posix(), key)
        if (isinstance(hit, tuple) and len(hit) == 2 and (hit[0] is None or isinstance(hit[0], ReviewRecord))
                and isinstance(hit[1], list)):
            results[i] = hit
            if tick:
                tick(1)
        else:
            todo.append(i)
    parsed = pmap(lambda i: _guarded(reviews.load_one, config, paths[i], post_ids), todo, jobs, tick)
    for i, result in zip(todo, parsed, strict=True):
        results[i] = result
        store.put("reviews", paths[i].as_posix(), keys[i], result)
    records, problems = [], []
    for i in range(len(paths)):
        record, found = results[i]
        problems += found
        if record:
            records.append(record)
    problems += reviews._duplicates(records)
    return records, problems


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
    rendered: int = 0
    kept: int = 0


def render_pages(renderer: Renderer, pages: Callable[[Renderer], list[Output]], prints: cache.Fingerprints | None,
                 previous: dict, out: Path, jobs: int, tick: Callable[[int], None] | None = None,
                 before: Callable[[list[dict]], None] | None = None) -> Rendered:
    """`pages(renderer)`, with every page that did not change kept from `out` and the rest
    rendered in parallel. `previous` is the last build's {path: (key, size, mtime_ns, inode)};
    `before(contexts)` sees the contexts of the pages to render before the workers fork (to
    compute, once and in this process, what they will share)."""
    rec = Recording(renderer.site, renderer.theme, renderer.env)
    outputs = pages(rec)
    keys: dict[str, str] = {}
    todo: list[int] = []
    kept = 0
    for i, (template, path, context, placeholder) in enumerate(rec.calls):
        key = prints.page_key(template, path, context) if prints else ""
        keys[placeholder.path] = key
        if key and unchanged(out, placeholder.path, key, previous):
            placeholder.kept = out / placeholder.path
            kept += 1
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
    for i, result in zip(todo, results, strict=True):
        if isinstance(result, list):
            problems += [p for p in result if p not in problems]
        else:
            rec.calls[i][3].data = result
    if problems:
        raise ProblemError(problems)
    return Rendered(outputs, keys, len(todo), kept)


def unchanged(out: Path, rel: str, key: str, previous: dict) -> bool:
    """Same key as last time, and the file there is still the one that build wrote."""
    entry = previous.get(rel)
    if not entry or entry[0] != key:
        return False
    try:
        st = os.lstat(out / rel)
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns, st.st_ino) == tuple(entry[1:])


def page_stats(state: dict[str, tuple[int, int, int]], keys: dict[str, str]) -> dict[str, tuple]:
    """{path: (key, size, mtime_ns, inode)} of the pages just written, for the next build
    (`state`: noop.output_state of the output folder)."""
    return {rel: (key, *state[rel]) for rel, key in keys.items() if key and rel in state}
