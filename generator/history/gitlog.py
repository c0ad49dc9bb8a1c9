"""Reading the log: one `git log --first-parent --raw` pass over content/ and reviews/.

The output is cached per commit (`.peerpress-cache/history-log.pickle`) and read incrementally
when HEAD only moved forward along its first-parent line.
"""
from __future__ import annotations

import subprocess
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import cache, signing
from ..content import inside
from ..model import Config

RENAME_THRESHOLD = "-M90%"  # only near-identical files count as renamed; ids decide identity anyway
CACHE_NAME = "history"


@dataclass
class Commit:
    sha: str
    date: datetime  # when it landed on the main line (committer date)
    authored: datetime  # when its author wrote it: kept by rebases and cherry-picks, unlike `date`
    committer: str
    subject: str
    signer: str  # people id of a good signature's principal, or ""
    changes: list[tuple[str, str, str, str]]  # (status letter, old path, new path, new blob), paths from root
    note: str = ""  # the message's `Changes:` trailer: what changed, in readers' words


def git(cwd: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    """Run git without a shell; output as bytes (paths may be in any encoding)."""
    return subprocess.run(["git", "-C", str(cwd), *args], input=data, capture_output=True, check=False)


def repo(root: Path) -> tuple[Path, bool] | None:
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


def shallow_commits(top: Path) -> set[str]:
    """The commits whose parents a shallow clone left out (git's `shallow` file)."""
    proc = git(top, "rev-parse", "--git-path", "shallow")
    if proc.returncode != 0:
        return set()
    path = Path(proc.stdout.decode("utf-8", "surrogateescape").strip())
    try:
        return set((path if path.is_absolute() else top / path).read_text(encoding="ascii").split())
    except OSError:
        return set()


def log(config: Config, top: Path, use_cache: bool = True, edge: frozenset[str] | set[str] = frozenset(),
        ) -> list[Commit]:
    """The first-parent log of content/ and reviews/, oldest first (`edge`: a shallow clone's
    cut-off commits, part of the cache key: deepening a clone changes the log at the same HEAD)."""
    paths = [p for p in (config.content_dir, config.reviews_dir) if inside(p, top)]
    if not paths:
        return []
    signed = config.review.require_signed
    # After the subject: the message's `Changes:` trailer, the author's summary for readers (readers.py).
    fmt = ("%x1e%H%x1f%cI%x1f%aI%x1f%cn%x1f" + ("%G?%x1f%GS" if signed else "%x1f")
           + "%x1f%s%x1d%(trailers:key=Changes,valueonly,separator=%x20)")
    args = ["log", "--first-parent", "--reverse", RENAME_THRESHOLD, "--raw", "--no-abbrev", "-z", "--no-color",
            "--no-show-signature", "--diff-merges=first-parent", f"--format={fmt}"]
    where = ["--", *[p.resolve().relative_to(top.resolve()).as_posix() or "." for p in paths]]
    # Signatures are checked against the people in site.yaml: their keys are part of the cache key.
    with signing.signers_file(config) if signed else nullcontext() as allowed:
        setting = ["-c", f"gpg.ssh.allowedSignersFile={allowed}"] if signed else []
        key = cache.digest(args, where, signing.allowed_signers(config) if signed else "", sorted(edge))
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
    fields = header.decode("utf-8", "replace").split("\x1f", 6)
    if len(fields) != 7:
        return None
    sha, date, authored, committer, status, principal, subject = fields
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
    return Commit(sha, datetime.fromisoformat(date), datetime.fromisoformat(authored), committer, subject.strip(),
                  signing.signer(config, status, principal), changes, note.strip())


def _from_root(path: str, prefix: str) -> str:
    """A path from the repository's top as a path from the blog's folder (site.yaml's)."""
    if prefix in ("", "."):
        return path
    return path[len(prefix) + 1:] if path.startswith(prefix + "/") else "../" + path


