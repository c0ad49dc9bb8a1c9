"""Review records a pull request must not carry (`peerpress check --pull-request BASE`).

Reviews and editors' decisions reach `main` one way: the record job writes them from GitHub's own
reviews when the pull request is merged (publish.yml), and the editors' desk writes decisions onto
`main`. A pull request that adds, changes or deletes a review or decision record, or a file of the
desk, would bring an approval (or remove a refusal) that no reviewer gave, so the pull-request
check names each such file. Authors' responses (`type: response`) are theirs to add.
"""
from __future__ import annotations

from pathlib import Path

from .errors import Problem, ProblemError, error, rel
from .frontmatter import split
from .history import git
from .importers import fork_point
from .model import Config

ALLOWED_TYPES = ("response",)
HINT = ("reviews and editors' decisions are recorded on main when the pull request is merged; "
        "remove this change from the pull request (git checkout {base} -- {path})")


def check(config: Config, base: str) -> list[Problem]:
    """A problem for each review or decision record, or desk file, the branch changes against `base`."""
    start = _start(config, base)
    folders = [rel(config.reviews_dir, config.root), rel(config.root / "desk", config.root)]
    proc = git(config.root, "diff", "--name-status", "--no-renames", "-z", start, "HEAD", "--", *folders)
    if proc.returncode != 0:
        raise ProblemError([error(base, None, "git cannot compare this branch with its base",
                                  proc.stderr.decode("utf-8", "replace").strip())])
    fields = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    problems = []
    for status, path in zip(fields[0::2], fields[1::2], strict=False):
        kind = _kind(config, start if status == "D" else "HEAD", path)
        if kind in ALLOWED_TYPES:
            continue
        what = {"A": "adds", "D": "deletes"}.get(status, "changes")
        thing = "a file of the editors' desk" if kind == "desk" else f"a {kind or 'review'} record"
        problems.append(error(path, None, f"this pull request {what} {thing}",
                              HINT.format(base=start[:12], path=path)))
    return problems


def _start(config: Config, base: str) -> str:
    """The commit the branch left `base` at (its merge base), checked to exist."""
    if git(config.root, "rev-parse", "--verify", "-q", f"{base}^{{commit}}").returncode != 0:
        raise ProblemError([error(base, None, "no such branch or commit in this clone",
                                  "fetch the base branch with full history (actions/checkout 'fetch-depth: 0')")])
    start = fork_point(config, base, "HEAD")
    if not start:
        raise ProblemError([error(base, None, "this branch has no commit of its own over the base branch",
                                  "check a pull request's branch against the branch it goes into")])
    return start


def _kind(config: Config, commit: str, path: str) -> str:
    """'desk', or the record's type as the file says at `commit` ('review' when it says none)."""
    if Path(path).parts[0] == rel(config.root / "desk", config.root):
        return "desk"
    shown = git(config.root, "show", f"{commit}:{path}")
    source, _ = split(shown.stdout.decode("utf-8", "replace"), path) if shown.returncode == 0 else (None, [])
    data = source.doc.data if source is not None and isinstance(source.doc.data, dict) else {}
    return str(data.get("type") or "review")
