"""From imported posts to the files, people and review records an import writes.

Nothing is written until `apply`; a dry run prints the same plan. A file whose bytes would not
change is left alone, which is what makes a second import a no-op; a file that differs from the
import (edited since) is kept unless --force.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ..content import content_hash
from ..frontmatter import split
from ..model import Config
from .common import Imported, Leftovers
from .people import People

FRONT_ORDER = ("title", "authors", "date", "summary", "tags", "doi", "language", "series", "series_part",
               "aliases", "draft", "image")


@dataclass
class Plan:
    writes: dict[Path, bytes] = field(default_factory=dict)  # only files that change
    kinds: dict[Path, str] = field(default_factory=dict)  # post, file, record, people
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # files that differ from the import and were left
    posts: int = 0
    records: int = 0


def make(config: Config, posts: list[Imported], people: People, leftovers: Leftovers,
         force: bool = False) -> Plan:
    plan = Plan()
    taken: set[str] = set()
    for post in posts:
        _plan_post(config, post, people, leftovers, plan, taken, force)
    if people.changed:
        _stage(plan, config.path, people.dump().encode("utf-8"), "people", force=True)
    return plan


def _plan_post(config: Config, post: Imported, people: People, leftovers: Leftovers, plan: Plan,
               taken: set[str], force: bool) -> None:
    if post.id in taken:
        leftovers.add(post.source, post.line, f"another imported post already has the id '{post.id}'; skipped",
                      "give one of them a different slug")
        return
    taken.add(post.id)
    flat = config.content_dir / "posts" / f"{post.id}.md"
    if flat.exists():
        leftovers.add(post.source, post.line, f"{flat.relative_to(config.root)} already exists; not imported",
                      "rename one of them")
        return
    authors = list(dict.fromkeys(people.resolve(a["name"], "author", a.get("email", ""), a.get("login", ""))
                                 for a in post.authors))
    text = post_text(post, authors)
    source, _ = split(text, post.source)
    version = content_hash(post.title, authors, source.body if source else post.body, post=post.id)
    bundle = config.content_dir / "posts" / post.id
    if not _stage(plan, bundle / "index.md", text.encode("utf-8"), "post", force):
        return  # kept as edited: its reviews would pin a text that is not there
    plan.posts += 1
    for name, src in sorted(post.assets.items()):
        _stage(plan, bundle / name, src.read_bytes(), "file", force)
    reviewers = [people.resolve(n, "reviewer") for n in post.reviewers]
    editors = [people.resolve(n, "editor") for n in post.editors]
    for pid in dict.fromkeys(reviewers):
        if pid in authors:
            leftovers.add(post.source, post.line, f"'{pid}' is named both as an author and as a reviewer; "
                          "no review record made", "an author's own review never counts")
            continue
        _record(config, plan, post, pid, "review", version, force)
    for pid in dict.fromkeys(editors):
        _record(config, plan, post, pid, "decision", version, force)


def post_text(post: Imported, authors: list[str]) -> str:
    front = {"title": post.title, "authors": authors, "date": post.date, **post.front}
    ordered = {k: front[k] for k in FRONT_ORDER if front.get(k) not in (None, "", [], False)}
    ordered.update({k: v for k, v in front.items() if k not in ordered and k not in FRONT_ORDER and v})
    head = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{head}---\n\n{post.body.strip()}\n"


def record_text(kind: str, person: str, when: date, version: str, url: str, review: str = "") -> str:
    """A review record for a review the old site names: same keys as `peerpress review new` writes.

    `source` is where the review itself happened when the old site says (`review`), else the post."""
    key = "reviewer" if kind == "review" else "editor"
    front = ({"type": "decision"} if kind == "decision" else {}) | {
        key: person, "date": when, "decision": "approve" if kind == "review" else "accept", "version": version}
    if kind == "review":
        front["round"] = 1
    front["imported"] = True
    if (review or url).startswith(("http://", "https://")):
        front["source"] = review or url
    role = "a reviewer" if kind == "review" else "the editor"
    where = f" at {url}" if url else ""
    body = (f"Imported: the post as published{where} named {person} as {role}. The record is pinned to the "
            "imported text; the original review's own words were not part of the old site"
            + (f" (the review took place at {review})." if review else "."))
    head = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{head}---\n\n{body}\n"


def _record(config: Config, plan: Plan, post: Imported, person: str, kind: str, version: str,
            force: bool) -> None:
    path = config.reviews_dir / post.id / f"{post.date.isoformat()}-{person}.md"
    text = record_text(kind, person, post.date, version, post.url, post.review_url)
    if _stage(plan, path, text.encode("utf-8"), "record", force):
        plan.records += 1


def _stage(plan: Plan, path: Path, data: bytes, kind: str, force: bool) -> bool:
    """Plan writing `data` to `path`; False if the file differs and is kept."""
    if path.is_file():
        old = path.read_bytes()
        if old == data:
            plan.unchanged += 1
            return True
        if not force:
            plan.kept.append(str(path))
            return False
    plan.writes[path] = data
    plan.kinds[path] = kind
    return True


def apply(config: Config, plan: Plan, dry_run: bool, out=None) -> None:
    """Write the plan (or, for a dry run, only say what would be written)."""
    out = out or sys.stdout
    verb = "would write" if dry_run else "wrote"
    for path, data in plan.writes.items():
        shown = path.relative_to(config.root).as_posix()
        state = "update" if path.exists() else "create"
        print(f"{verb} {shown} ({plan.kinds[path]}, {state})", file=out)
        if not dry_run:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
