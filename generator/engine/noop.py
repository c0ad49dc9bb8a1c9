"""Recognising a build with nothing to do, before the rest of Peerpress is even imported.

After each successful build, a manifest records the stat of every input (site.yaml, content/,
reviews/, themes, the bibliography, the git refs), the build options, Peerpress's code salt
and the stat of every file in the output folder. `python -m generator build` checks it first
(commands/build.py, `fast_path`):
if every input and every output file is exactly as recorded, and no date in the inputs has
been reached since (a scheduled post), the site is already up to date and the build stops.
Anything unusual (a file changed within the last two seconds, where stat cannot tell two
versions apart; other options; a touched output file) sends it to the ordinary build.

This module imports only the standard library, `cache` and `errors`, so the check costs
milliseconds.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import cache
from ..errors import format_problems

MANIFEST = "noop"
RACY_SECONDS = 2.0
# Inputs written within RACY_SECONDS of a build are recorded by a digest of their bytes (stat
# could miss a second write in the same tick). This is the state an author is in, saving a post
# and building; beyond this many such files (a fresh clone) the build is simply not recorded.
MAX_HASHED = 256


@dataclass
class Signature:
    config: str
    paths: list[str]
    options: tuple
    key: str
    racy: bool
    hashed: list[str] = field(default_factory=list)  # files stat cannot vouch for: keyed by content


def git_files(root: Path) -> list[Path]:
    """The files that change when a commit is made (history feeds the review pages)."""
    for folder in (root, *root.parents):
        git = folder / ".git"
        if git.is_dir():
            files = [git / "HEAD", git / "packed-refs", git / "refs"]
            try:
                head = (git / "HEAD").read_text(encoding="utf-8").strip()
            except OSError:
                return files
            if head.startswith("ref: "):
                files.append(git / head[5:])
            return files
        if git.is_file():  # a worktree or submodule: follow it only as far as its own HEAD
            return [git]
    return []


def _scan(path: str, out: list[tuple[str, tuple]]) -> None:
    """(path, (size, mtime_ns, inode)) of every file under `path`, or a marker when missing."""
    try:
        st = os.stat(path)
    except OSError:
        out.append((path, ("missing",)))
        return
    if not os.path.isdir(path):
        out.append((path, (st.st_size, st.st_mtime_ns, st.st_ino)))
        return
    stack = [path]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            out.append((folder, ("unreadable",)))
            continue
        for e in entries:
            try:
                if e.is_dir():
                    stack.append(e.path)
                    continue
                st = e.stat()
            except OSError:
                out.append((e.path, ("gone",)))
                continue
            out.append((e.path, (st.st_size, st.st_mtime_ns, st.st_ino)))


def signature(config_path: Path, paths: list[Path], salt: str, options: tuple, now: float,
              hashed: list[str] | None = None) -> Signature:
    """The inputs' state. Files written in the last RACY_SECONDS count by content, not stat;
    `hashed` (the check) names the files the build counted so, to compare like with like."""
    found: list[tuple[str, tuple]] = []
    for p in dict.fromkeys(str(p) for p in paths):
        _scan(p, found)
    if hashed is None:
        recent = now - RACY_SECONDS
        hashed = [path for path, st in found if len(st) == 3 and st[1] / 1e9 > recent]
    racy = len(hashed) > MAX_HASHED
    by_content = set(hashed) if not racy else set()
    lines = [f"{path}\0{_content(path) if path in by_content else chr(0).join(map(str, st))}"
             for path, st in found]
    return Signature(str(config_path), [str(p) for p in paths], options,
                     cache.digest(salt, repr(options), *lines), racy, sorted(by_content))


def _content(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return "content\0" + cache.digest(f.read())
    except OSError:
        return "unreadable"


def options_key(options) -> tuple:
    out = str(Path(options.out).absolute()) if options.out else ""
    base = options.base_url or ""
    search = getattr(options, "search", "index")  # a kept (maybe stale) index is never "up to date"
    return (out, bool(options.drafts), base, search, os.environ.get("SOURCE_DATE_EPOCH", ""))


def output_state(out: Path) -> dict[str, tuple[int, int, int]]:
    """(size, mtime_ns, inode) of every file in the output folder, by path within it."""
    found: dict[str, tuple[int, int, int]] = {}
    root = str(out)
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                stack.append(e.path)
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            found[e.path[len(root) + 1:]] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def _folder(config_path: str) -> Path:
    return Path(config_path).parent / cache.FOLDER


def record(sig: Signature, out: Path, state: dict, listed: int, outputs: int, problems: list,
           valid_until: float | None, held: str = "") -> None:
    """Remember this build (or forget the last one, when its inputs were still being written)."""
    path = _folder(sig.config) / f"{MANIFEST}.pickle"
    if sig.racy:
        path.unlink(missing_ok=True)
        return
    manifest = {"config": sig.config, "paths": sig.paths, "options": sig.options, "key": sig.key,
                "hashed": sig.hashed,
                "out": str(out), "outputs": state, "listed": listed, "count": outputs,
                "warnings": format_problems(problems, "text") if problems else "", "valid_until": valid_until,
                "held": held}  # build's "held back …" line, repeated when nothing changed
    try:
        cache.dump(path, cache.code_salt(), manifest)
    except OSError:
        pass  # a read-only cache only costs time


def _now() -> float:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return float(epoch) if epoch and epoch.isdigit() else time.time()


def build_time() -> float:
    """Now as builds see it (SOURCE_DATE_EPOCH when set): what `valid_until` and the resident's
    `expires` (next_change) are compared with."""
    return _now()


def up_to_date(config_path: Path, options) -> dict | None:
    """The last build's manifest when every input and output is as it recorded (and no date in
    the inputs has been reached since), else None. `options` as for `options_key`."""
    salt = cache.code_salt()
    manifest = cache.load(_folder(str(config_path)) / f"{MANIFEST}.pickle", salt)
    if not isinstance(manifest, dict) or manifest.get("config") != str(config_path):
        return None
    key = options_key(options)
    if tuple(manifest["options"]) != key:
        return None
    sig = signature(config_path, [Path(p) for p in manifest["paths"]], salt, key, time.time(),
                    manifest.get("hashed", []))
    if sig.key != manifest["key"]:
        return None
    if manifest["valid_until"] is not None and _now() >= manifest["valid_until"]:
        return None
    if output_state(Path(manifest["out"])) != manifest["outputs"]:
        return None
    return manifest
