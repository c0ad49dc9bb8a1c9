"""Versions of each post from git, in ONE `git log` pass (DESIGN.md §1).

    git log --first-parent --reverse -M90% --raw -z -- content/ reviews/

First-parent: a version is what landed on the main line (a merged pull request is one version,
dated when it was merged), not every commit on a feature branch. `--raw` is name-status plus the
blob of each file, so the texts are then read in bulk by one `git cat-file --batch` process, and
each blob's content hash is remembered in `.peerpress-cache/history.pickle` (a blob never changes),
so a rebuild reads only the blobs that are new since the last one.

Identity comes from the post's id (front-matter `id:` or the file name), as in content.py; a
rename git detects is only a hint, used when a post without a stable id was renamed, so its
earlier versions follow it to the new id.

The same pass records, for every review record, the commits that added and changed it and,
when `review.require_signed` is on, who signed them (signing.py).
"""
from __future__ import annotations

import difflib
import hashlib
import subprocess
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import datetime
from pathlib import Path, PurePosixPath

from . import cache, signing
from .content import POST, content_hash, inside
from .errors import Problem, rel, warning
from .frontmatter import split
from .model import Config, Post, ReviewRecord, Version
from .schema import validate

RENAME_THRESHOLD = "-M90%"  # only near-identical files count as renamed; ids decide identity anyway
FETCH_HINT = "run 'git fetch --unshallow'; in GitHub Actions give actions/checkout 'fetch-depth: 0'"
BATCH = 2000  # blobs per cat-file call, so memory stays bounded on large histories
CACHE_NAME = "history"


@dataclass
class Touch:
    """A review record's commits: the one that added it, and every one that changed it since."""
    added: str
    blob: str = ""  # the record's blob in the last commit touching it
    signers: list[str] = field(default_factory=list)  # the person who signed each touching commit, or ""


@dataclass
class History:
    versions: dict[str, list[Version]] = field(default_factory=dict)
    records: dict[str, Touch] = field(default_factory=dict)  # record path (posix, from the root) → touch
    problems: list[Problem] = field(default_factory=list)
    in_git: bool = False
    shallow: bool = False


@dataclass
class Commit:
    sha: str
    date: datetime
    committer: str
    subject: str
    signer: str  # people id of a good signature's principal, or ""
    changes: list[tuple[str, str, str, str]]  # (status letter, old path, new path, new blob), paths from root
    note: str = ""  # the message's `Changes:` trailer: what changed, in readers' words


def scan(config: Config, posts: list[Post]) -> tuple[dict[str, list[Version]], list[Problem]]:
    """Each post's versions, oldest first, and problems (a shallow clone, a folder outside git)."""
    found = read(config, posts)
    return found.versions, found.problems


def read(config: Config, posts: list[Post], records: list[ReviewRecord] = (), use_cache: bool = True) -> History:
    """The one git pass: post versions, and who added and signed each review record."""
    found = History()
    repo = _repo(config.root)
    shown = rel(config.path, config.root)
    if repo is None:
        found.versions = from_files(posts)
        if config.review.require_signed:
            found.problems.append(warning(shown, None, "review.require_signed is on, but this folder is not in "
                                          "a git repository, so no review's signature can be checked",
                                          "build from a git clone of the blog"))
        return found
    top, found.shallow = repo
    found.in_git = True
    if found.shallow:
        found.problems.append(warning(shown, None, "this is a shallow git clone: versions before its oldest "
                                      "commit are missing, and so are approvals of them", FETCH_HINT))
    commits = _log(config, top, use_cache)
    memo = _Memo.load(config, use_cache)
    found.versions = _versions(config, commits, posts, memo)
    found.records = _records(config, commits)
    memo.save()
    return found


def from_files(posts: list[Post]) -> dict[str, list[Version]]:
    """Outside git the files are all there is: each post's current text is its only version."""
    return {p.id: [Version(commit="", date=p.updated or p.date, committer="", content_hash=p.content_hash,
                           path=p.source.as_posix(), subject="the current file (not in git)")]
            for p in posts if p.kind == "post" and (p.updated or p.date)}


def stamp(config: Config, records: list[ReviewRecord], found: History) -> list[ReviewRecord]:
    """Records with `added_in` (the commit that added them) and `signed_by` filled in.

    A record is signed by a reviewer only when the commit adding it and every later commit
    changing it carry that reviewer's good signature, and the file on disk is what was committed."""
    out = []
    for r in records:
        touch = found.records.get(r.path.as_posix())
        if touch is None:
            out.append(r)
            continue
        signers = set(touch.signers)
        signed = signers.pop() if len(signers) == 1 else ""
        if signed and _blob_id(config.root / r.path, touch.blob) != touch.blob:
            signed = ""  # edited since the signed commit: the edit is not signed
        out.append(replace(r, added_in=touch.added, signed_by=signed))
    return out


# --- git ------------------------------------------------------------------------------------------

def git(cwd: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    """Run git without a shell; output as bytes (paths may be in any encoding)."""
    return subprocess.run(["git", "-C", str(cwd), *args], input=data, capture_output=True, check=False)


def _repo(root: Path) -> tuple[Path, bool] | None:
    """(top-level folder, shallow?) of the repository holding `root`, or None outside git."""
    try:
        proc = git(root, "rev-parse", "--show-toplevel", "--is-shallow-repository")
    except (FileNotFoundError, PermissionError):  # no git installed: the files are all there is
        return None
    if proc.returncode != 0:
        return None
    lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) < 2 or git(root, "rev-parse", "--verify", "-q", "HEAD").returncode != 0:
        return None  # a repository without commits has no history yet
    return Path(lines[0]), lines[1].strip() == "true"


def _log(config: Config, top: Path, use_cache: bool = True) -> list[Commit]:
    paths = [p for p in (config.content_dir, config.reviews_dir) if inside(p, top)]
    if not paths:
        return []
    signed = config.review.require_signed
    # After the subject: the message's `Changes:` trailer, the author's summary for readers (readers.py).
    fmt = ("%x1e%H%x1f%cI%x1f%cn%x1f" + ("%G?%x1f%GS" if signed else "%x1f")
           + "%x1f%s%x1d%(trailers:key=Changes,valueonly,separator=%x20)")
    args = ["log", "--first-parent", "--reverse", RENAME_THRESHOLD, "--raw", "--no-abbrev", "-z", "--no-color",
            "--no-show-signature", "--diff-merges=first-parent", f"--format={fmt}"]
    where = ["--", *[p.resolve().relative_to(top.resolve()).as_posix() or "." for p in paths]]
    # Signatures are checked against the people in site.yaml: their keys are part of the cache key.
    with signing.signers_file(config) if signed else nullcontext() as allowed:
        setting = ["-c", f"gpg.ssh.allowedSignersFile={allowed}"] if signed else []
        key = cache.digest(args, where, signing.allowed_signers(config) if signed else "")
        chunks = _log_chunks(config, top, lambda revs: git(top, *setting, *args, revs, *where), key, use_cache)
    prefix = config.root.resolve().relative_to(top.resolve()).as_posix()
    return [c for c in (_commit(config, chunk, prefix) for chunk in chunks) if c]


def _log_chunks(config: Config, top: Path, run, key: str, use_cache: bool) -> list[bytes]:
    """`git log`'s output, one chunk per commit, oldest first, read incrementally.

    On a large blog the log is the slowest part of a rebuild (git diffs two trees of thousands
    of files per commit). The chunks are kept in the cache with the HEAD they were read at; when
    that commit is still on HEAD's first-parent line, only the commits after it are read (a
    `--first-parent old..HEAD` walk stops at it), and they are appended. Anything else (a rebase,
    a reset, other options) reads the whole log again."""
    head = git(top, "rev-parse", "--verify", "-q", "HEAD").stdout.decode("ascii", "replace").strip()
    path = config.root / cache.FOLDER / f"{CACHE_NAME}-log.pickle"
    kept = cache.load(path, cache.code_salt()) if use_cache else None
    chunks = None
    if isinstance(kept, dict) and kept.get("key") == key and isinstance(kept.get("chunks"), list):
        if kept.get("head") == head:
            return kept["chunks"]
        if kept.get("head") in _first_parents(top):
            proc = run(f"{kept['head']}..HEAD")
            if proc.returncode == 0:
                chunks = kept["chunks"] + proc.stdout.split(b"\x1e")[1:]
    if chunks is None:
        proc = run("HEAD")
        if proc.returncode != 0:
            return []
        chunks = proc.stdout.split(b"\x1e")[1:]
    try:
        cache.dump(path, cache.code_salt(), {"key": key, "head": head, "chunks": chunks})
    except OSError:
        pass  # a read-only folder only costs time on the next build
    return chunks


def _first_parents(top: Path) -> set[str]:
    """Every commit on HEAD's first-parent line (no diffs: fast even for long histories)."""
    proc = git(top, "rev-list", "--first-parent", "HEAD")
    return set(proc.stdout.decode("ascii", "replace").split()) if proc.returncode == 0 else set()


def _commit(config: Config, chunk: bytes, prefix: str) -> Commit | None:
    header, _, raw = chunk.partition(b"\0")
    fields = header.decode("utf-8", "replace").split("\x1f", 5)
    if len(fields) != 6:
        return None
    sha, date, committer, status, principal, subject = fields
    subject, _, note = subject.partition("\x1d")
    tokens = [t.decode("utf-8", "surrogateescape") for t in raw.lstrip(b"\n").split(b"\0")]
    changes, i = [], 0
    while i < len(tokens):
        meta = tokens[i]
        if not meta.startswith(":"):
            i += 1
            continue
        parts = meta[1:].split()
        letter = parts[4][0]
        if letter in "RC":
            old, new, i = tokens[i + 1], tokens[i + 2], i + 3
        else:
            old, new, i = tokens[i + 1], tokens[i + 1], i + 2
        changes.append((letter, _from_root(old, prefix), _from_root(new, prefix), parts[3]))
    return Commit(sha, datetime.fromisoformat(date), committer, subject.strip(),
                  signing.signer(config, status, principal), changes, note.strip())


def _from_root(path: str, prefix: str) -> str:
    """A path from the repository's top as a path from the blog's folder (site.yaml's)."""
    if prefix in ("", "."):
        return path
    return path[len(prefix) + 1:] if path.startswith(prefix + "/") else "../" + path


def read_blobs(root: Path, shas: list[str]) -> dict[str, bytes]:
    """The contents of many blobs through `git cat-file --batch`, a few thousand per process."""
    wanted = sorted(set(shas))
    out: dict[str, bytes] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start:start + BATCH]
        proc = git(root, "cat-file", "--batch", data=("\n".join(chunk) + "\n").encode("ascii"))
        data, pos = proc.stdout, 0
        for sha in chunk:
            end = data.find(b"\n", pos)
            if end < 0:
                break
            head = data[pos:end].split()
            if len(head) != 3:  # "<sha> missing"
                pos = end + 1
                continue
            size = int(head[2])
            out[sha] = data[end + 1:end + 1 + size]
            pos = end + 1 + size + 1
    return out


def decode(raw: bytes) -> str | None:
    """A blob as text, read the way frontmatter.read_text reads a file (BOM and CRLF accepted)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blob_id(path: Path, like: str) -> str:
    """git's object id of a file's bytes (SHA-1, or SHA-256 in repositories that use it)."""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    h = hashlib.sha256() if len(like) == 64 else hashlib.sha1()  # noqa: S324 - git's object id, not security
    h.update(b"blob %d\0" % len(data) + data)
    return h.hexdigest()


# --- posts ----------------------------------------------------------------------------------------

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


class _Memo:
    """Blob → (front-matter id, bibliography paths), and (blob, bibliography blobs) → content hash."""

    def __init__(self, path: Path | None, fronts: dict, hashes: dict):
        self.path, self.fronts, self.hashes = path, fronts, hashes
        self.texts: dict[str, tuple] = {}  # this run only: blob → (title, authors, body) still to hash
        self.dirty = False

    @classmethod
    def load(cls, config: Config, use_cache: bool) -> _Memo:
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

    def learn(self, root: Path, blobs: dict[str, str]) -> None:
        """Parse the front matter of every post blob not seen before (`blobs`: blob → its path)."""
        new = [b for b in blobs if b not in self.fronts]
        for sha, raw in read_blobs(root, new).items():
            self.fronts[sha] = _front(raw, blobs[sha], self.texts, sha)
            self.dirty = True
        for sha in new:
            self.fronts.setdefault(sha, None)  # unreadable: no version from this blob

    def hash(self, root: Path, requests: set[tuple[str, tuple[str, ...]]]) -> None:
        """Content hashes for (post blob, bibliography blobs) pairs not hashed before."""
        todo = [r for r in requests if r not in self.hashes]
        bibs = read_blobs(root, [b for _, group in todo for b in group if b])
        missing = [r[0] for r in todo if r[0] not in self.texts]
        for sha, raw in read_blobs(root, missing).items():
            _front(raw, "", self.texts, sha)
        for post_blob, group in todo:
            parts = self.texts.get(post_blob)
            if parts is None:
                continue
            texts = [bibs[b].decode("utf-8-sig", errors="replace") for b in group if b in bibs]
            self.hashes[post_blob, group] = content_hash(parts[0], parts[1], parts[2], texts)
            self.dirty = True


def _front(raw: bytes, path: str, texts: dict, sha: str) -> tuple[str, tuple[str, ...]] | None:
    """(id from front matter or "", bibliography names) of a post blob; keeps its text for hashing."""
    text = decode(raw)
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


def _versions(config: Config, commits: list[Commit], posts: list[Post], memo: _Memo) -> dict[str, list[Version]]:
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
            seen[_path_id(config, path, tree, memo)].append(_Seen(c, path, blob, bibs))
        for old_id, new in hints:
            new_id = _path_id(config, new, tree, memo)
            if old_id != new_id:
                renamed[new_id].add(old_id)
    memo.hash(top, {(s.blob, s.bibs) for items in seen.values() for s in items})
    order = {c.sha: i for i, c in enumerate(commits)}
    current = {p.id for p in posts if p.kind == "post"}
    out = {}
    for pid in sorted(current):
        items = sorted(_with_renames(pid, seen, renamed, current, set()), key=lambda s: order[s.commit.sha])
        versions = _collapse(items, memo)
        if versions:
            out[pid] = versions
    return out


def _path_id(config: Config, path: str, tree: dict[str, str], memo: _Memo) -> str:
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


def _affected(config: Config, touched: set[str], tree: dict[str, str], memo: _Memo) -> set[str]:
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


def _collapse(items: list[_Seen], memo: _Memo) -> list[Version]:
    """One Version per run of commits with the same text: first commit, last blob."""
    versions: list[Version] = []
    for s in items:
        h = memo.hashes.get((s.blob, s.bibs))
        if h is None:
            continue
        if versions and versions[-1].content_hash == h:
            versions[-1].blob = s.blob  # later metadata-only edits: re-read the newest file
            continue
        versions.append(Version(commit=s.commit.sha, date=s.commit.date, committer=s.commit.committer,
                                content_hash=h, path=s.path, subject=s.commit.subject, blob=s.blob,
                                note=s.commit.note))
    return versions


def _records(config: Config, commits: list[Commit]) -> dict[str, Touch]:
    base = rel(config.reviews_dir, config.root) + "/"
    out: dict[str, Touch] = {}
    for c in commits:
        for letter, old, new, blob in c.changes:
            if letter in "RD":
                out.pop(old, None)
            if letter == "D" or not new.startswith(base) or not new.endswith(".md"):
                continue
            touch = out.setdefault(new, Touch(added=c.sha))
            touch.blob = blob
            touch.signers.append(c.signer)
    return out


# --- texts of versions and what changed between them ---------------------------------------------------

def text_of(config: Config, version: Version) -> str | None:
    """The post file's text in a version (None when git no longer has it)."""
    if not version.blob:
        return None
    raw = read_blobs(config.root, [version.blob]).get(version.blob)
    return decode(raw) if raw is not None else None


def diff(old: str, new: str, context: int = 3) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) rows for the theme: kind is hunk, context, added or removed."""
    rows: list[tuple[str, str]] = []
    lines = difflib.unified_diff(old.split("\n"), new.split("\n"), n=context, lineterm="")
    for line in lines:
        if line.startswith(("---", "+++")) and not rows:
            continue  # the file headers: both sides are the same file
        if line.startswith("@@"):
            rows.append(("hunk", line))
        elif line.startswith("+"):
            rows.append(("added", line[1:]))
        elif line.startswith("-"):
            rows.append(("removed", line[1:]))
        else:
            rows.append(("context", line[1:]))
    return rows


def posts_at(config: Config, commit: str, paths: set[str] | None = None) -> dict[str, tuple[str, str]]:
    """(post id, content hash) of the post files in `commit`, by path from the root (only `paths`
    when given): the version a pull-request review or a commit trailer approved."""
    proc = git(config.root, "ls-tree", "-r", "-z", commit, "--", rel(config.content_dir, config.root))
    if proc.returncode != 0:
        return {}
    tree = {}
    for entry in proc.stdout.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        if meta.split()[1:2] == [b"blob"]:
            tree[path.decode("utf-8", "surrogateescape")] = meta.split()[2].decode("ascii")
    wanted = {p: b for p, b in tree.items() if post_file(config, p) and (paths is None or p in paths)}
    raws = read_blobs(config.root, list(wanted.values()))
    texts: dict[str, tuple] = {}
    fronts = {p: _front(raws[b], p, texts, b) for p, b in wanted.items() if b in raws}
    bib_blobs = {p: [tree[_beside(p, n)] for n in f[1] if _beside(p, n) in tree] for p, f in fronts.items() if f}
    bibs = read_blobs(config.root, [b for group in bib_blobs.values() for b in group])
    out = {}
    for path, front in sorted(fronts.items()):
        if front is None:
            continue
        title, authors, body = texts[wanted[path]]
        bib_texts = [bibs[b].decode("utf-8-sig", errors="replace") for b in bib_blobs[path] if b in bibs]
        out[path] = (front[0] or post_file(config, path) or "", content_hash(title, authors, body, bib_texts))
    return out
