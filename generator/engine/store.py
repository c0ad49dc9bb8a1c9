"""Parse results kept across builds, in sharded, signed packs under `.peerpress-cache/`."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..cache import FOLDER, dump, load, remove_orphans

SHARDS = 32  # parse results are split so an edit rewrites 1/32 of them


class Store:
    """Parse results by kind ("content", "reviews", ...) and relative path, in sharded packs.

    `get` returns the cached value only when the stored key matches; `put` records the value of
    this build. `save` writes the shards that changed and drops entries nobody asked for, so
    deleted files leave the cache with them.
    """

    def __init__(self, root: Path, salt: str, read: bool = True, write: bool = True):
        self.folder = root / FOLDER
        self.salt = salt
        self.read, self.write = read, write
        self._packs: dict[tuple[str, int], dict] = {}
        self._used: dict[tuple[str, int], dict] = {}
        self._dirty: set[tuple[str, int]] = set()
        self.hits = self.misses = 0

    @staticmethod
    def shard(name: str) -> int:
        return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=2).digest(), "little") % SHARDS

    def _pack(self, kind: str, n: int) -> dict:
        if (kind, n) not in self._packs:
            value = load(self.folder / f"{kind}-{n:02d}.pickle", self.salt) if self.read else None
            self._packs[kind, n] = value if isinstance(value, dict) else {}
            self._used[kind, n] = {}
        return self._packs[kind, n]

    def get(self, kind: str, name: str, key: str) -> Any | None:
        n = self.shard(name)
        entry = self._pack(kind, n).get(name)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == key:
            self._used[kind, n][name] = entry
            self.hits += 1
            return entry[1]
        self.misses += 1
        return None

    def put(self, kind: str, name: str, key: str, value: Any) -> None:
        n = self.shard(name)
        self._pack(kind, n)
        self._used[kind, n][name] = (key, value)
        self._dirty.add((kind, n))

    def save(self, kinds: tuple[str, ...]) -> None:
        """Write every shard of `kinds` whose entries changed (new, updated or gone)."""
        if not self.write:
            return
        remove_orphans(self.folder)  # temp files a killed build left behind
        for kind in kinds:
            for n in range(SHARDS):
                self._pack(kind, n)
                used, old = self._used[kind, n], self._packs[kind, n]
                if (kind, n) in self._dirty or used.keys() != old.keys():
                    if used or (self.folder / f"{kind}-{n:02d}.pickle").exists():
                        dump(self.folder / f"{kind}-{n:02d}.pickle", self.salt, used)
                    self._packs[kind, n] = dict(used)
        self._dirty.clear()

    def keep_only(self, kinds: tuple[str, ...]) -> None:
        """Forget the packs of other kinds (a store kept in memory between builds: serve)."""
        for held in (self._packs, self._used):
            for pack in [p for p in held if p[0] not in kinds]:
                del held[pack]
        self._dirty = {p for p in self._dirty if p[0] in kinds}

    def get_blob(self, name: str) -> Any | None:
        return load(self.folder / f"{name}.pickle", self.salt) if self.read else None

    def put_blob(self, name: str, value: Any) -> None:
        if self.write:
            dump(self.folder / f"{name}.pickle", self.salt, value)
