"""Each post's versions from the commits of the log: one Version per run of commits with the same text.

Identity comes from the post's id (front-matter `id:` or the file name), as in content.py; a
rename git detects is only a hint, used when a post without a stable id was renamed, so its
earlier versions follow it to the new id.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from .. import cache
from ..content import POST, content_hash
from ..errors import rel
from ..frontmatter import split
from ..model import Config, Post, Version
from ..schema import validate
from . import blobs, gitlog
from .gitlog import CACHE_NAME, Commit

def post_file(config: Config, path: str) -> str | None:
    """The default id of a post file (as content.discover finds them), or None for other files."""
    base = _base(config.content_dir, config.root)
    if not path.startswith(base):
        return None
    rest = path[len(base):].split("/")
    if any(p.startswith((".", "_")) for p in rest) or not 1 <= len(rest) <= 2:
        return None
    if len(rest) == 1 and rest[0].endswith(".md"):
        return rest[0][:-3]
    if len(rest) == 2 and rest[1] == "index.md":
        return rest[0]
    return None


@lru_cache(maxsize=32)
def _base(content_dir: Path, root: Path) -> str:
    """"content/posts/" as a path from the root (computed once: resolving paths costs system calls)."""
    return rel(content_dir, root) + "/posts/"


class Memo:
    """Blob → (front-matter id, bibliography paths), and (blob, bibliography blobs, post id) → content hash."""

    def __init__(self, path: Path | None, fronts: dict, hashes: dict):
        self.path, self.fronts, self.hashes = path, fronts, hashes
        self.texts: dict[str, tuple] = {}  # this run only: blob → (title, authors, body) still to hash
        self.dirty = False

    @classmethod
    def load(cls, config: Config, use_cache: bool) -> Memo:
        path = config.root / cache.FOLDER / f"{CACHE_NAME}.pickle"
        value = cache.load(path, cache.code_salt()) if use_cache else None
        if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, dict) for v in value):
            return cls(path, value[0], value[1])
        return cls(path, {}, {})

    def save(self) -> None:
        if self.dirty and self.path is not None:
            try:
                cache.dump(self.path, cache.code_salt(), (self.fronts, self.hashes))
            except OSError:
                pass  # a read-only folder only costs time on the next build

    def learn(self, root: Path, paths: dict[str, str]) -> None:
        """Parse the front matter of every post blob not seen before (`paths`: blob → its path)."""
        new = [b for b in paths if b not in self.fronts]
        for sha, raw in blobs.read_blobs(root, new).items():
            self.fronts[sha] = _front(raw, paths[sha], self.texts, sha)
            self.dirty = True
        for sha in new:
            self.fronts.setdefault(sha, None)  # unreadable: no version from this blob

    def hash(self, root: Path, requests: set[tuple[str, tuple[str, ...], str]]) -> None:
        """Content hashes for (post blob, bibliography blobs, post id) not hashed before."""
        todo = [r for r in requests if r not in self.hashes]
        bibs = blobs.read_blobs(root, [b for _, group, _ in todo for b in group if b])
        missing = [r[0] for r in todo if r[0] not in self.texts]
        for sha, raw in blobs.read_blobs(root, missing).items():
            _front(raw, "", self.texts, sha)
        for post_blob, group, post in todo:
            parts = self.texts.get(post_blob)
            if parts is None:
                continue
            texts = [bibs[b].decode("utf-8-sig", errors="replace") for b in group if b in bibs]
            self.hashes[post_blob, group, post] = content_hash(parts[0], parts[1], parts[2], texts, post=post)
            self.dirty = True


def _front(raw: bytes, path: str, texts: dict, sha: str) -> tuple[str, tuple[str, ...]] | None:
    """(id from front matter or "", bibliography names) of a post blob; keeps its text for hashing."""
    text = blobs.decode(raw)
    source = split(text, path)[0] if text is not None else None
    if source is None:
        return None
    data, _ = validate(source.doc, path, POST)
    texts[sha] = (data.get("title") or "", list(data.get("authors") or []), source.body)
    return str(data.get("id") or ""), tuple(str(b) for b in data.get("bibliography") or ())


@dataclass
class _Seen:
    """One commit's view of one post: enough to make a Version once hashes are known."""
    commit: Commit
    path: str
    blob: str
    bibs: tuple[str, ...]
    post: str  # the post's id in this commit: part of its content hash

    @property
    def key(self) -> tuple[str, tuple[str, ...], str]:
        return self.blob, self.bibs, self.post


def collect(config: Config, commits: list[Commit], posts: list[Post], memo: Memo) -> dict[str, list[Version]]:
    top = config.root
    post_blobs = {new_blob: new for c in commits for letter, _, new, new_blob in c.changes
                  if letter != "D" and post_file(config, new)}
    memo.learn(top, post_blobs)
    tree: dict[str, str] = {}  # path → blob, files under content/ as of the current commit
    seen: dict[str, list[_Seen]] = defaultdict(list)  # post id → what each commit saw
    renamed: dict[str, set[str]] = defaultdict(set)  # new id → ids it was renamed from (hints)
    for c in commits:
        hints = [(_path_id(config, old, tree, memo), new) for letter, old, new, _ in c.changes
                 if letter == "R" and post_file(config, old) and post_file(config, new)]
        touched = _apply(c, tree, _base(config.content_dir, config.root)[:-len("posts/")])
        for path in sorted(_affected(config, touched, tree, memo)):
            blob = tree[path]
            front = memo.fronts.get(blob)
            if front is None:
                continue
            bibs = tuple(tree.get(_beside(path, name), "") for name in front[1])
            pid = _path_id(config, path, tree, memo)
            seen[pid].append(_Seen(c, path, blob, bibs, pid))
        for old_id, new in hints:
            new_id = _path_id(config, new, tree, memo)
            if old_id != new_id:
                renamed[new_id].add(old_id)
    memo.hash(top, {s.key for items in seen.values() for s in items})
    order = {c.sha: i for i, c in enumerate(commits)}
    current = {p.id for p in posts if p.kind == "post"}
    out = {}
    for pid in sorted(current):
        items = sorted(_with_renames(pid, seen, renamed, current, set()), key=lambda s: order[s.commit.sha])
        versions = _collapse(items, memo)
        if versions:
            out[pid] = versions
    return out


def _path_id(config: Config, path: str, tree: dict[str, str], memo: Memo) -> str:
    """The id of the post file at `path`: its front-matter id, else the file name (as content.py)."""
    front = memo.fronts.get(tree.get(path, ""))
    return (front[0] if front and front[0] else "") or post_file(config, path) or ""


def _apply(c: Commit, tree: dict[str, str], base: str) -> set[str]:
    """Update the file map with one commit's changes; the paths it touched (`base`: "content/")."""
    touched = set()
    for letter, old, new, blob in c.changes:
        if letter in "RD" and old.startswith(base):
            tree.pop(old, None)
            touched.add(old)
        if letter != "D" and new.startswith(base):
            tree[new] = blob
            touched.add(new)
    return touched


def _affected(config: Config, touched: set[str], tree: dict[str, str], memo: Memo) -> set[str]:
    """Post files whose version may have changed: edited themselves, or a bibliography they use."""
    out = {p for p in touched if p in tree and post_file(config, p)}
    if touched - out:
        for path, blob in tree.items():
            front = memo.fronts.get(blob)
            if front and front[1] and post_file(config, path) and \
                    any(_beside(path, name) in touched for name in front[1]):
                out.add(path)
    return out


def _beside(post_path: str, name: str) -> str:
    """A bibliography file named relative to the post file, as a normalised path from the root."""
    parts: list[str] = []
    for part in (PurePosixPath(post_path).parent / name).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _with_renames(pid: str, seen: dict, renamed: dict, current: set[str], visiting: set[str]) -> list[_Seen]:
    """A post's sightings, plus those of ids it was renamed from that no current post uses."""
    visiting.add(pid)
    items = list(seen.get(pid, []))
    for old in sorted(renamed.get(pid, ())):
        if old not in current and old not in visiting:
            items += _with_renames(old, seen, renamed, current, visiting)
    return items


def _collapse(items: list[_Seen], memo: Memo) -> list[Version]:
    """One Version per run of commits with the same text: first commit, last blob."""
    versions: list[Version] = []
    for s in items:
        h = memo.hashes.get(s.key)
        if h is None:
            continue
        if versions and versions[-1].content_hash == h:
            versions[-1].blob = s.blob  # later metadata-only edits: re-read the newest file
            continue
        versions.append(Version(commit=s.commit.sha, date=s.commit.date, authored=s.commit.authored,
                                committer=s.commit.committer,
                                content_hash=h, path=s.path, subject=s.commit.subject, blob=s.blob,
                                note=s.commit.note))
    return versions


def posts_at(config: Config, commit: str, paths: set[str] | None = None) -> dict[str, tuple[str, str]]:
    """(post id, content hash) of the post files in `commit`, by path from the root (only `paths`
    when given): the version a pull-request review or a commit trailer approved."""
    proc = gitlog.git(config.root, "ls-tree", "-r", "-z", commit, "--", rel(config.content_dir, config.root))
    if proc.returncode != 0:
        return {}
    tree = {}
    for entry in proc.stdout.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        if meta.split()[1:2] == [b"blob"]:
            tree[path.decode("utf-8", "surrogateescape")] = meta.split()[2].decode("ascii")
    wanted = {p: b for p, b in tree.items() if post_file(config, p) and (paths is None or p in paths)}
    raws = blobs.read_blobs(config.root, list(wanted.values()))
    texts: dict[str, tuple] = {}
    fronts = {p: _front(raws[b], p, texts, b) for p, b in wanted.items() if b in raws}
    bib_blobs = {p: [tree[_beside(p, n)] for n in f[1] if _beside(p, n) in tree] for p, f in fronts.items() if f}
    bibs = blobs.read_blobs(config.root, [b for group in bib_blobs.values() for b in group])
    out = {}
    for path, front in sorted(fronts.items()):
        if front is None:
            continue
        title, authors, body = texts[wanted[path]]
        bib_texts = [bibs[b].decode("utf-8-sig", errors="replace") for b in bib_blobs[path] if b in bibs]
        pid = front[0] or post_file(config, path) or ""
        out[path] = (pid, content_hash(title, authors, body, bib_texts, post=pid))
    return out
