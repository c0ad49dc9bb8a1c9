"""The build cache, `.peerpress-cache/` beside site.yaml (DESIGN.md §1 Incremental).

What is kept, and what each entry is keyed by:

- parse results: one entry per post, page and review record, keyed by the file's bytes and
  everything its parse reads (the code, the config, the bibliography, bundle files);
- rendered pages: not their bytes (the output folder already holds them) but, per output
  path, the page key (`Fingerprints.page_key`) and the stat of the file that was written, so
  an unchanged page is hard-linked from the previous site without being rendered or read;
- a manifest of every input's stat, so a build with nothing changed stops at once (`noop`).

Every cache file starts with a header (format version, a salt of the Python version and of
Peerpress's own source code) and an HMAC made with a key kept outside the project
(~/.cache/peerpress/cache-key): a corrupt, truncated, foreign or tampered file is ignored
and rebuilt, and never unpickled.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import os
import pickle
import secrets
import sys
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

FORMAT = 3  # bump when the layout of any cache file changes
FOLDER = ".peerpress-cache"
MAGIC = b"peerpress-cache"
SHARDS = 32  # parse results are split so an edit rewrites 1/32 of them
PACKAGE = Path(__file__).resolve().parent
BUILTIN_THEMES = PACKAGE.parent / "themes"


def digest(*parts: Any) -> str:
    """A stable hex digest of strings, bytes and numbers."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def code_salt() -> str:
    """Python's version, Peerpress's own source and the installed packages (by folder stat)."""
    parts: list[Any] = [FORMAT, sys.version, sys.implementation.cache_tag]
    for path in sorted(PACKAGE.rglob("*.py")):
        parts += [path.relative_to(PACKAGE).as_posix(), path.read_bytes()]
    for entry in sys.path:  # an install or upgrade touches site-packages
        if "-packages" not in entry:
            continue
        try:
            st = os.stat(entry or ".")
            parts += [entry, st.st_mtime_ns]
        except OSError:
            continue
    return digest(*parts)


# --- signed pickle files ----------------------------------------------------------------------

def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "peerpress" / "cache-key"


_SECRET: list[bytes] = []


def secret() -> bytes:
    """The HMAC key: per user, outside the project, so a cache copied from elsewhere never verifies."""
    if _SECRET:
        return _SECRET[0]
    path = _key_file()
    try:
        key = path.read_bytes()
        if len(key) < 32:
            raise OSError("short key")
    except OSError:
        key = secrets.token_bytes(32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key)
            os.replace(tmp, path)
        except OSError:
            pass  # an unwritable home: the key lives for this process, so nothing cached verifies later
    _SECRET.append(key)
    return key


def dump(path: Path, salt: str, value: Any) -> None:
    """Write `value` atomically: header, HMAC, pickle."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    header = MAGIC + f" {FORMAT} {salt}\n".encode("ascii")
    mac = hmac.new(secret(), header + payload, hashlib.sha256).digest()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(header + mac + payload)
    os.replace(tmp, path)


def load(path: Path, salt: str) -> Any | None:
    """The value in `path`, or None when it is missing, foreign, corrupt or tampered with."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = MAGIC + f" {FORMAT} {salt}\n".encode("ascii")
    if not data.startswith(header) or len(data) < len(header) + 32:
        return None
    mac, payload = data[len(header):len(header) + 32], data[len(header) + 32:]
    if not hmac.compare_digest(mac, hmac.new(secret(), header + payload, hashlib.sha256).digest()):
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a verified file from an older build can still fail to unpickle
        return None


# --- the store ------------------------------------------------------------------------------

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
        for kind in kinds:
            for n in range(SHARDS):
                self._pack(kind, n)
                used, old = self._used[kind, n], self._packs[kind, n]
                if (kind, n) in self._dirty or used.keys() != old.keys():
                    if used or (self.folder / f"{kind}-{n:02d}.pickle").exists():
                        dump(self.folder / f"{kind}-{n:02d}.pickle", self.salt, used)
                    self._packs[kind, n] = dict(used)
        self._dirty.clear()

    def get_blob(self, name: str) -> Any | None:
        return load(self.folder / f"{name}.pickle", self.salt) if self.read else None

    def put_blob(self, name: str, value: Any) -> None:
        if self.write:
            dump(self.folder / f"{name}.pickle", self.salt, value)


def config_key(config) -> str:
    """The config as parsing sees it: where the site is built, and for whom, is left out
    (content, reviews and markup never read drafts, output_dir or base_url)."""
    neutral = replace(config, drafts=False, output_dir=Path("."), base_url="")
    return digest(pickle.dumps(neutral, protocol=4))


def file_key(path: Path) -> str:
    return digest(path.read_bytes()) if path.is_file() else "missing"


# --- fingerprints of rendered pages ---------------------------------------------------------

class Fingerprints:
    """Page keys: the template set, the page's own context, and the site's metadata.

    A template sees its context in full and the whole Site through the `site` global. The
    contract that keeps cached pages right: whatever a page shows about a post comes through its
    context (the post, its review state, records and versions are all part of the post's
    fingerprint), and through `site` only metadata (`site_digest`: titles, dates, people, tags,
    statuses; not bodies, summaries, rendered HTML or content hashes). A post's body edit therefore
    re-renders the pages that list it, and not the rest.
    """

    def __init__(self, site, salt: str, templates: str):
        self.site = site
        self.base = digest(salt, templates, self.site_digest(site))
        self._posts: dict[int, str] = {}
        # The site's own review states and records, by identity: each is part of its post's
        # fingerprint already, so a page key names that instead of pickling it again.
        self.covered: dict[int, str] = {id(s): pid for pid, s in site.states.items()}
        self.covered.update({id(r): pid for pid, rs in site.reviews_by_post.items() for r in rs})

    @staticmethod
    def site_digest(site) -> str:
        from .model import Post
        # What a body edit changes (the summary defaults to the first paragraph); pages get these
        # through their context, where each post counts in full.
        heavy = {"body", "html", "toc", "word_count", "content_hash", "references", "body_line", "summary", "links"}
        posts = []
        for post in list(site.posts.values()) + list(site.pages.values()):
            meta = {f.name: getattr(post, f.name) for f in fields(Post) if f.name not in heavy}
            state = site.states.get(post.id)
            if state is not None:
                meta["_state"] = (state.status, state.accepted_on, len(state.approvals), len(state.reviews),
                                  tuple(state.needs), state.retraction is not None)
            posts.append(meta)
        records = [(r.path, r.post_id, r.type, r.person, r.date, r.decision, r.round, r.competing_interests)
                   for r in site.records]
        shown = [p.id for p in site.listed]
        return digest(_pickle((site.config, posts, records, shown)))

    def post(self, post) -> str:
        """A post with everything about it a page may show."""
        found = self._posts.get(id(post))
        if found is None:
            site = self.site
            found = digest(_pickle((post, site.states.get(post.id), site.reviews_by_post.get(post.id),
                                    site.versions.get(post.id))))
            self._posts[id(post)] = found
        return found

    def page_key(self, template: str, path: str, context: dict) -> str:
        buf = io.BytesIO()
        _ContextPickler(buf, self).dump((template, path, context))
        return digest(self.base, buf.getvalue())


def _pickle(value: Any) -> bytes:
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=4)
    p.fast = True  # no memo: equal values give equal bytes however they share objects
    p.dump(value)
    return buf.getvalue()


class _ContextPickler(pickle.Pickler):
    """Pickles a page context with every Post (and the Site) replaced by its fingerprint."""

    def __init__(self, buf, prints: Fingerprints):
        super().__init__(buf, protocol=4)
        self.fast = True
        self.prints = prints
        from .model import Post, Site
        self._post, self._site = Post, Site

    def persistent_id(self, obj):
        kind = type(obj)
        if kind in _PLAIN:  # most of what a context holds: answered without further checks
            return None
        if kind is self._post:
            return "post:" + self.prints.post(obj)
        if kind is self._site:
            return "site"  # its metadata is in every key; its heavy parts reach pages as posts
        post_id = self.prints.covered.get(id(obj))
        if post_id is not None and post_id in self.prints.site.posts:
            return "of:" + self.prints.post(self.prints.site.posts[post_id])
        if callable(obj) and not is_dataclass(obj):
            # Functions in a context come from Peerpress's code, which the salt covers.
            return f"fn:{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', type(obj).__name__)}"
        return None


_PLAIN = frozenset({str, int, float, bool, type(None), bytes, list, tuple, dict, set, frozenset})


def templates_digest(theme) -> str:
    """Every file of the theme chain (templates, static files, theme.yaml)."""
    parts: list[Any] = []
    for folder in theme.chain:
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            parts += [f.as_posix(), f.read_bytes()]
    return digest(*parts)
