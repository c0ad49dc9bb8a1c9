"""Versions of each post from git, in ONE `git log` pass.

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

The package: gitlog.py reads the log, versions.py turns its commits into each post's versions,
blobs.py reads the texts of blobs, submission.py dates each post's submission by its author's
first commit (not the merge); this module puts them together for the build, and refuses a
shallow clone that cuts off a post's history.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import Problem, error, rel, warning
from ..model import Config, Post, ReviewRecord, Version
from . import blobs, gitlog, submission, versions
from .blobs import decode, diff, read_blobs, text_of
from .gitlog import Commit, git
from .versions import post_file, posts_at

__all__ = ["FETCH_HINT", "Commit", "History", "Touch", "decode", "diff", "from_files", "git", "post_file",
           "posts_at", "read", "read_blobs", "scan", "stamp", "text_of"]

FETCH_HINT = "run 'git fetch --unshallow'; in GitHub Actions give actions/checkout 'fetch-depth: 0'"


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
    shallow: bool = False


def scan(config: Config, posts: list[Post]) -> tuple[dict[str, list[Version]], list[Problem]]:
    """Each post's versions, oldest first, and problems (a shallow clone, a folder outside git)."""
    found = read(config, posts)
    return found.versions, found.problems


def read(config: Config, posts: list[Post], records: list[ReviewRecord] = (), use_cache: bool = True) -> History:
    """The one git pass: post versions, and who added and signed each review record."""
    found = History()
    repo = gitlog.repo(config.root)
    shown = rel(config.path, config.root)
    if repo is None:
        found.versions = from_files(posts)
        if config.review.require_signed:
            found.problems.append(warning(shown, None, "review.require_signed is on, but this folder is not in "
                                          "a git repository, so no review's signature can be checked",
                                          "build from a git clone of the blog"))
        return found
    top, found.shallow = repo
    edge = gitlog.shallow_commits(top) if found.shallow else set()
    commits = gitlog.log(config, top, use_cache, edge)
    memo = versions.Memo.load(config, use_cache)
    found.versions = versions.collect(config, commits, posts, memo)
    if found.shallow:
        found.problems += _cut_off(shown, edge, found.versions)
    found.records = _records(config, commits)
    submission.settle(config, found.versions, list(records), {p: t.added for p, t in found.records.items()})
    memo.save()
    return found


def _cut_off(shown: str, edge: set[str], found: dict[str, list[Version]]) -> list[Problem]:
    """A shallow clone fails the build when a post's history reaches its oldest commit.

    Such a post may have earlier versions (an approved text kept published), an earlier
    submission date and reviews of them that this clone cannot see: building on would silently
    unpublish it or date it wrongly. A clone deep enough that every post began after its
    oldest commit is fine."""
    cut = sorted(pid for pid, items in found.items() if items and items[0].commit in edge)
    if not cut:
        return []
    names = ", ".join(cut[:5]) + (f" and {len(cut) - 5} more" if len(cut) > 5 else "")
    return [error(shown, None, f"this is a shallow git clone: the history of {len(cut)} "
                  f"post{'s' if len(cut) > 1 else ''} ({names}) reaches back past its oldest commit, so "
                  "earlier versions, approvals and submission dates cannot be read", FETCH_HINT)]


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
        if signed and blobs.blob_id(config.root / r.path, touch.blob) != touch.blob:
            signed = ""  # edited since the signed commit: the edit is not signed
        out.append(replace(r, added_in=touch.added, signed_by=signed))
    return out


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
