"""When a post was submitted: the earliest author date of any commit that touched it.

The first-parent log dates a version by when it landed on the main line. That is not when the
author submitted it: "Rebase and merge" re-commits the branch at merge time (keeping each
commit's author date), a merge commit is dated at the merge (the author's commits are on its
second parent), and a squash merge is a new commit whose author date GitHub sets to the merge.
So the submission date is the earliest author date among all commits that touched the post's
file, on any branch merged into HEAD, following renames.

A squash merge and a commit made directly on the main line look the same to git: one commit on
the main line whose author date is its commit date. There git cannot tell when the post was
submitted (a squashed pull request may have been reviewed for weeks before it landed), so no
submission date is given and no review is judged against it.

Reading the whole graph costs a `git log` per post, so it is done only for posts with a review
record that the cheap estimate (the first-parent versions' author dates) would find too early.
"""
from __future__ import annotations

from datetime import datetime

from ..model import Config, ReviewRecord, Version
from . import gitlog


def settle(config: Config, versions: dict[str, list[Version]], records: list[ReviewRecord],
           added: dict[str, str]) -> None:
    """Set `submitted` on each post's first committed version (`added`: record path → commit adding it)."""
    by_post: dict[str, list[ReviewRecord]] = {}
    for r in records:
        by_post.setdefault(r.post_id, []).append(r)
    for pid, items in versions.items():
        committed = [v for v in items if v.commit]
        if not committed:
            continue
        estimate = min(v.authored or v.date for v in committed)
        landed = {v.commit for v in committed}
        later = [r for r in by_post.get(pid, ()) if added.get(r.path.as_posix(), "") not in ("", *landed)]
        if any(r.date.date() < estimate.date() for r in later):
            committed[0].submitted = earliest(config, items[-1].path, landed)
        else:
            committed[0].submitted = estimate  # no record is early even for this date: nothing to refine


def earliest(config: Config, path: str, landed: set[str]) -> datetime | None:
    """The earliest author date of the commits touching `path` (renames followed), or None when
    that commit is on the main line with its author date equal to its commit date (a squash
    merge or a direct commit: the submission date is unknown)."""
    proc = gitlog.git(config.root, "log", "--format=%H%x1f%aI%x1f%cI", "--follow", gitlog.RENAME_THRESHOLD,
                      "HEAD", "--", path)
    rows = [line.split("\x1f") for line in proc.stdout.decode("utf-8", "replace").splitlines()]
    dated = [(datetime.fromisoformat(a), sha, datetime.fromisoformat(c)) for sha, a, c in
             (r for r in rows if len(r) == 3)]
    if proc.returncode != 0 or not dated:
        return None
    authored, sha, committed = min(dated)
    if sha in landed and authored == committed:
        return None
    return authored
