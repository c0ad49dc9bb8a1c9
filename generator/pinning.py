"""The current version (content hash) of named posts, without loading the whole site.

`peerpress review new` and the importers pin records to a post's text. Loading the site renders
every post and reads its history (seconds per record on a large blog); this reads only the named
posts' files, and the front matter of the others only when an id is not a file name.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from .content import POST, _post_bibliography, content_hash, discover
from .errors import Problem, ProblemError, error, rel
from .frontmatter import read_text, split
from .model import Config
from .schema import validate


@dataclass(frozen=True)
class Pinned:
    """What a review record needs of a post: its id and the hash of its current text."""
    id: str
    content_hash: str
    source: Path


def find(config: Config, ids: list[str]) -> list[Pinned]:
    """Each named post's id and current hash, in the order given; a clear error for unknown ids."""
    files, problems = discover(config)
    posts = [p for kind, p in files if kind == "post"]
    by_name = {(p.parent.name if p.name == "index.md" else p.stem): p for p in posts}
    found: dict[str, Pinned] = {}
    for pid in ids:
        path = by_name.get(pid)
        pinned = _pin(config, path, problems) if path else None
        if pinned and pinned.id == pid:
            found[pid] = pinned
    missing = [pid for pid in ids if pid not in found]
    known = set(by_name)
    if missing:  # an id set in front matter ('id:') differs from the file name: read the rest
        known = set()
        for path in posts:
            parsed = _parse(config, path, [])
            if parsed:
                known.add(parsed[0])
                if parsed[0] in missing and parsed[0] not in found:
                    found[parsed[0]] = _pin(config, path, [])
    unknown = [pid for pid in ids if pid not in found]
    if unknown:
        raise ProblemError(problems + [_unknown(config, pid, sorted(known)) for pid in unknown])
    return [found[pid] for pid in ids]


def _parse(config: Config, path: Path, problems: list[Problem]):
    """(id, validated front matter, source) of a post file, or None when it cannot be read."""
    shown = rel(path, config.root)
    text, found = read_text(path, shown)
    source, more = split(text, shown) if text is not None else (None, [])
    if source is None:
        problems += found + more
        return None
    data, _ = validate(source.doc, shown, POST)  # the same values content.parse_text hashes
    return data.get("id") or (path.parent.name if path.name == "index.md" else path.stem), data, source


def _pin(config: Config, path: Path, problems: list[Problem]) -> Pinned | None:
    parsed = _parse(config, path, problems)
    if parsed is None:
        return None
    pid, data, source = parsed
    _, bibs, _ = _post_bibliography(config, path, data, source.doc, rel(path, config.root))
    return Pinned(pid, content_hash(data["title"] or "", data.get("authors") or [], source.body, bibs, post=pid), path)


def _unknown(config: Config, pid: str, known: list[str]) -> Problem:
    close = difflib.get_close_matches(pid, known, n=1)
    return error(rel(config.content_dir, config.root), None, f"no post with id '{pid}'",
                 f"did you mean '{close[0]}'?" if close else "known posts: " + ", ".join(known))
