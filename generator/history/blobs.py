"""Texts of post versions: blobs read in bulk, their front matter and content hashes (memoised),
and the diff between two texts."""
from __future__ import annotations

import difflib
import hashlib
from pathlib import Path

from ..model import Config, Version
from . import gitlog

BATCH = 2000  # blobs per cat-file call, so memory stays bounded on large histories


def read_blobs(root: Path, shas: list[str]) -> dict[str, bytes]:
    """The contents of many blobs through `git cat-file --batch`, a few thousand per process."""
    wanted = sorted(set(shas))
    out: dict[str, bytes] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start:start + BATCH]
        proc = gitlog.git(root, "cat-file", "--batch", data=("\n".join(chunk) + "\n").encode("ascii"))
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


def blob_id(path: Path, like: str) -> str:
    """git's object id of a file's bytes (SHA-1, or SHA-256 in repositories that use it)."""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    h = hashlib.sha256() if len(like) == 64 else hashlib.sha1()  # noqa: S324 - git's object id, not security
    h.update(b"blob %d\0" % len(data) + data)
    return h.hexdigest()


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
