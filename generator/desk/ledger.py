"""The desk's files on main: `desk/pr-<N>/` for each pull request an editor acted on.

    desk/pr-12/assignments.yaml              who was assigned or unassigned, by whom, when (a log)
    desk/pr-12/<post-id>/<date>-<editor>-decision.md  editor decisions (accept; waive with `waives:`), the
                                             very `type: decision` records of reviews/

Why not reviews/ at once: a new post exists only on its pull request's branch until it is merged,
and main's build refuses a record of a post it does not have. So, as with reviews (issue 13's
design), the decisions wait on main and become records when the pull request is merged: the
record job (`.github/scripts/record-reviews.sh`) runs `peerpress desk settle`, which copies them
into reviews/. `settle` reads them from main's commit with git, never from the working tree: a
pull request cannot bring decisions of its own into the status it is shown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from .. import history
from ..errors import Problem, error, rel
from ..model import Config
from ..yamlio import YamlError, parse

FOLDER = "desk"
PR_RE = re.compile(r"^pr-(\d{1,9})$")


@dataclass(frozen=True)
class Assignment:
    """One line of the log: `action` is assign or unassign."""
    pr: int
    action: str
    reviewer: str  # people id
    by: str  # the editor's people id
    on: date
    posts: tuple[str, ...]
    source: str = ""  # the comment that asked for it


def folder(config: Config, pr: int) -> Path:
    return config.root / FOLDER / f"pr-{pr}"


def log_path(config: Config, pr: int) -> Path:
    return folder(config, pr) / "assignments.yaml"


def read_log(config: Config, pr: int) -> tuple[list[Assignment], list[Problem]]:
    path = log_path(config, pr)
    if not path.is_file():
        return [], []
    return parse_log(pr, path.read_bytes(), rel(path, config.root))


def parse_log(pr: int, raw: bytes, shown: str) -> tuple[list[Assignment], list[Problem]]:
    try:
        data = parse(raw.decode("utf-8")).data or []
    except (YamlError, UnicodeDecodeError) as exc:
        return [], [error(shown, getattr(exc, "line", None), f"not a desk log: {exc}",
                          "restore it from git history")]
    items, problems = [], []
    for i, entry in enumerate(data if isinstance(data, list) else [None]):
        try:
            items.append(Assignment(pr=pr, action=str(entry["action"]), reviewer=str(entry["reviewer"]),
                                    by=str(entry["by"]), on=date.fromisoformat(str(entry["date"])),
                                    posts=tuple(str(p) for p in entry.get("posts") or ()),
                                    source=str(entry.get("source") or "")))
        except (TypeError, KeyError, ValueError, AttributeError):
            problems.append(error(shown, None, f"entry {i + 1} is not an assignment",
                                  "each entry has action, reviewer, by, date and posts"))
    return items, problems


def append(config: Config, item: Assignment) -> Path:
    """Add one line to the pull request's log (a log: an unassignment never erases the assignment)."""
    path = log_path(config, item.pr)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(f"# Reviewers of pull request #{item.pr}, assigned and unassigned by editors with "
                        "/peerpress comments (generator/desk).\n", encoding="utf-8")
    entry = {"action": item.action, "reviewer": item.reviewer, "by": item.by, "date": item.on,
             "posts": list(item.posts)}
    if item.source:
        entry["source"] = item.source
    with path.open("a", encoding="utf-8") as fh:
        fh.write(yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, default_flow_style=None, width=10_000))
    return path


def current(log: list[Assignment]) -> dict[str, Assignment]:
    """Who is assigned now (reviewer id → their latest assignment)."""
    now: dict[str, Assignment] = {}
    for item in log:
        if item.action == "assign":
            now.setdefault(item.reviewer, item)
        else:
            now.pop(item.reviewer, None)
    return now


def all_logs(config: Config, rev: str = "") -> tuple[list[Assignment], list[Problem]]:
    """Every pull request's log (for the overdue list): in the working tree, or as commit `rev` has
    them. A pull request's checkout has main's logs as they were when its branch began; the
    assignments made since are on main (`rev`: origin/main)."""
    if not rev:
        base = config.root / FOLDER
        names = [f"{FOLDER}/{c.name}/assignments.yaml" for c in sorted(base.iterdir())] if base.is_dir() else []
        read = lambda name: (config.root / name).read_bytes() if (config.root / name).is_file() else None  # noqa: E731
    else:
        proc = history.git(config.root, "ls-tree", "-r", "-z", "--name-only", rev, "--", f"{FOLDER}/")
        names = sorted(p.decode() for p in proc.stdout.split(b"\0") if p) if proc.returncode == 0 else []
        read = lambda name: history.git(config.root, "show", f"{rev}:{name}").stdout  # noqa: E731
    items, problems = [], []
    for name in names:
        parts = name.split("/")
        m = PR_RE.match(parts[1]) if len(parts) == 3 and parts[2] == "assignments.yaml" else None
        raw = read(name) if m else None
        if raw is not None:
            found, bad = parse_log(int(m.group(1)), raw, name)
            items += found
            problems += bad
    return items, problems


def write_decision(config: Config, pr: int, post_id: str, editor: str, when: date, decision: str, version: str,
                   body: str, source: str = "", waives: tuple[str, ...] = ()) -> Path:
    """A `type: decision` record waiting under desk/pr-<N>/<post>/ (a new file each time)."""
    target = folder(config, pr) / post_id
    target.mkdir(parents=True, exist_ok=True)
    name, n = f"{when.isoformat()}-{editor}-decision", 2  # never the name of their own review
    path = target / f"{name}.md"
    while path.exists():
        path, n = target / f"{name}-{n}.md", n + 1
    fields = {"type": "decision", "editor": editor, "date": when, "decision": decision, "version": version}
    if waives:
        fields["waives"] = list(waives)
    if source.startswith("https://"):  # a record's source must be a web link (GitHub's always is)
        fields["source"] = source
    path.write_text("---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=10_000)
                    + "---\n\n" + body.strip() + "\n", encoding="utf-8")
    return path


def settle(config: Config, pr: int, rev: str) -> tuple[list[Path], list[Problem]]:
    """Copy pull request `pr`'s waiting decisions, as they are in commit `rev` (main), into reviews/."""
    prefix = f"{FOLDER}/pr-{pr}/"
    proc = history.git(config.root, "ls-tree", "-r", "-z", "--name-only", rev, "--", prefix)
    if proc.returncode != 0:
        return [], [error(rev, None, "git cannot read this commit", "fetch the base branch first")]
    written = []
    for name in sorted(p.decode() for p in proc.stdout.split(b"\0") if p):
        parts = name[len(prefix):].split("/")
        if len(parts) != 2 or not parts[1].endswith(".md"):
            continue  # the assignment log stays where it is
        blob = history.git(config.root, "show", f"{rev}:{name}")
        if blob.returncode != 0:
            continue  # listed by ls-tree a moment ago: only a broken repository gets here
        target = config.reviews_dir / parts[0] / parts[1]
        if not target.exists() or target.read_bytes() != blob.stdout:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.stdout)
            written.append(target)
    return written, []
