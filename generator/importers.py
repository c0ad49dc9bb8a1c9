"""Review records from pull requests and commit trailers (`peerpress review import`).

- `--github-event FILE`: GitHub's `pull_request_review` webhook payload ($GITHUB_EVENT_PATH in
  Actions). The review's `commit_id` decides the version: the posts the pull request changes are
  hashed as they are *in that commit*, so an approval is pinned to exactly the text the reviewer saw.
- `--github-reviews FILE --pr N`: the REST list of a pull request's reviews
  (GET /repos/{owner}/{repo}/pulls/{N}/reviews), on the pull request's branch or on main after
  merging (the records are written to main when it is merged: see CONTRIBUTING.md).
- `--git-trailers REV_RANGE`: `Reviewed-by: Name <email>` trailers in commit messages, matched
  to people by e-mail; each approves the posts its commit changed, as they are in that commit.

"The posts the pull request changes" are those changed between the reviewed commit and the point
where the pull request's branch left its base (`fork_point`): never the base branch's current tip,
which GitHub sends as `pull_request.base.sha` and which has moved on with other people's posts.

Every review is recorded, one record per review (matched by its `source:` link, so importing again
rewrites the same record); reviews.py decides which of a reviewer's reviews stands, as GitHub does.
Dismissed reviews are kept, marked `dismissed: true`, and never count. Reviews by people who are
not registered reviewers, bots and empty comments are skipped with a notice; a review that cannot be
recorded (a bad time, a commit missing from the clone) is an error, and the others are still written.
"""
from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from . import history, reviews
from .errors import Problem, ProblemError, error, format_problems, has_errors, rel, warning
from .frontmatter import read_text, split
from .github import Review, of_pull_request, parse_time
from .github import review as github_review
from .desk import scores as desk_scores
from .model import Config, Person, Post

LABELS = {"approve": "Approved", "revise": "Changes requested", "comment": "Commented", "": "Dismissed"}
INTERESTS_RE = re.compile(r"^\s*competing interests?\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
EMAIL_RE = re.compile(r"<([^<>\s]+@[^<>\s]+)>|([^<>\s]+@[^<>\s]+)")
Plan = list[tuple[Review, Person, str, str]]  # (review, reviewer, post id, version reviewed)


@dataclass
class Result:
    written: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # notices (warnings) and reviews not recorded (errors)


def github_event(config: Config, payload_file: Path, now: datetime | None = None) -> Result:
    """Records from a `pull_request_review` webhook payload (submitted, edited or dismissed)."""
    payload = _json(payload_file)
    raw, pr = payload.get("review") or {}, payload.get("pull_request") or {}
    if not raw or not pr:
        raise ProblemError([error(str(payload_file), None, "not a pull_request_review event payload",
                                  "pass $GITHUB_EVENT_PATH from a workflow run 'on: pull_request_review'")])
    if payload.get("action") == "dismissed":
        raw = {**raw, "state": "dismissed"}
    item, problems = github_review(raw, str(payload_file), now)
    base = pr.get("base") or {}
    tip = base.get("sha") or ""  # the base branch's tip when the event was sent: only a start for fork_point
    if tip and not _is_commit(config, tip) and base.get("ref"):
        tip = _first_commit(config, [f"origin/{base['ref']}", str(base["ref"])]) or tip
    result = _import(config, [item] if item else [], tip, "github")
    result.problems[:0] = problems
    return result


def github_reviews(config: Config, reviews_file: Path, pr: int, base: str | None = None,
                   now: datetime | None = None) -> Result:
    """Records from the REST list of a pull request's reviews, in the order they were submitted."""
    data = _json(reviews_file)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ProblemError([error(str(reviews_file), None, "expected a JSON list of reviews",
                                  f"save the output of GET /repos/OWNER/REPO/pulls/{pr}/reviews")])
    tip = base or default_base(config)
    if tip is None:
        raise ProblemError([error(str(reviews_file), None, "cannot tell which branch the pull request goes into",
                                  "pass --base BRANCH (e.g. --base origin/main), or fetch the base branch")])
    items, problems = [], []
    for raw in data:
        if of_pull_request(raw, pr):
            item, found = github_review(raw, str(reviews_file), now)
            problems += found
            items += [item] if item else []
    items.sort(key=lambda r: r.submitted)  # GitHub lists them in this order; a saved file may not
    result = _import(config, items, tip, "github")
    result.problems[:0] = problems
    return result


def git_trailers(config: Config, rev_range: str) -> Result:
    """Records from `Reviewed-by:` trailers of the commits in `rev_range` (e.g. main..feature)."""
    fmt = "%x1e%H%x1f%cI%x1f%s%x1f%(trailers:key=Reviewed-by,valueonly,separator=%x1d)"
    proc = history.git(config.root, "log", "--reverse", f"--format={fmt}", rev_range, "--")
    if proc.returncode != 0:
        raise ProblemError([error(rev_range, None, "git cannot read this range of commits",
                                  proc.stderr.decode("utf-8", "replace").strip() or "try e.g. main..my-branch")])
    items, problems = [], []
    for chunk in proc.stdout.decode("utf-8", "replace").split("\x1e")[1:]:
        sha, when, subject, trailers = (chunk.split("\x1f", 3) + ["", "", ""])[:4]
        for value in trailers.strip().split("\x1d"):
            if value.strip():
                m = EMAIL_RE.search(value)
                email = (m.group(1) or m.group(2)) if m else value.strip()
                submitted, found = parse_time(when, rev_range, email)
                problems += found
                if submitted:
                    items.append(Review(login=email, decision="approve", commit=sha, submitted=submitted,
                                        body=f"Reviewed-by trailer in commit {sha[:12]}: {subject.strip()}",
                                        source=""))
    plans = []
    for item in items:
        plan, found = _plan(config, item, f"{item.commit}^", "email")
        plans += plan
        problems += found
    if has_errors(problems):  # a trailer names a stranger: the whole range is suspect, so nothing is written
        raise ProblemError(problems)
    return Result(_write(config, plans, problems), problems)


# --- which commit the pull request started from -------------------------------------------------------

def default_base(config: Config, branch: str = "") -> str | None:
    """The branch pull requests go into, when --base is not given.

    GitHub Actions sets GITHUB_BASE_REF on pull-request runs; a clone made by `git clone` knows the
    remote's default branch as origin/HEAD; actions/checkout sets neither on a push to main, but it
    fetches origin/main. The remote-tracking branch comes before a local one, which may be stale."""
    names = [f"origin/{branch}", branch] if branch else []
    if os.environ.get("GITHUB_BASE_REF"):
        names += [f"origin/{os.environ['GITHUB_BASE_REF']}", os.environ["GITHUB_BASE_REF"]]
    head = history.git(config.root, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD")
    if head.returncode == 0 and head.stdout.strip():
        names.append(head.stdout.decode().strip())
    return _first_commit(config, [*names, "origin/main", "origin/master", "main", "master"])


def fork_point(config: Config, tip: str, commit: str) -> str:
    """Where the pull request's branch left the base branch `tip`, for a review of `commit`; ""
    when history no longer tells (a fast-forward merge: GitHub's own merge buttons never make one).

    Before merging that is their merge base. After a squash or rebase merge it still is (the
    reviewed commit is not in the base branch). After a merge commit the reviewed commit is in
    the base branch, so the merge base would be the commit itself: the branch left the base where
    the merge commit's first parent (the base branch before the merge) meets the commit."""
    mb = _out(config, "merge-base", tip, commit)
    if mb and mb != _out(config, "rev-parse", f"{commit}^{{commit}}"):
        return mb
    descendants = set(_out(config, "rev-list", "--ancestry-path", f"{commit}..{tip}").split())
    merges = [c for c in _out(config, "rev-list", "--first-parent", f"{commit}..{tip}").split() if c in descendants]
    if merges:  # newest first: the last one brought the commit into the base branch
        before = _out(config, "rev-parse", "-q", "--verify", f"{merges[-1]}^1")
        if before and history.git(config.root, "merge-base", "--is-ancestor", commit, before).returncode != 0:
            return _out(config, "merge-base", before, commit) or _empty_tree(config)
    return ""


def pull_request_posts(config: Config, tip: str, head: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(post id, version at `head`) of each post a pull request changes, its branch at `head`
    going into the base branch `tip` (the editors' desk: generator/desk/run.py)."""
    base = fork_point(config, tip, head) if _is_commit(config, tip) and _is_commit(config, head) else tip
    return _changed_posts(config, base or tip, head)


def _out(config: Config, *args: str) -> str:
    proc = history.git(config.root, *args)
    return proc.stdout.decode().strip() if proc.returncode == 0 else ""


def _is_commit(config: Config, rev: str) -> bool:
    return bool(rev) and history.git(config.root, "rev-parse", "-q", "--verify", f"{rev}^{{commit}}").returncode == 0


def _first_commit(config: Config, revs: list[str]) -> str | None:
    return next((r for r in revs if _is_commit(config, r)), None)


# --- the shared part ----------------------------------------------------------------------------------

def _json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ProblemError([error(str(path), None, "no such file")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProblemError([error(str(path), getattr(exc, "lineno", None), f"not valid JSON: {exc}")]) from None


read_json = _json  # the desk's commands read their payloads the same way


def _person(config: Config, who: str, by: str) -> Person | None:
    """The person with this GitHub login (case-insensitive, as GitHub's) or e-mail."""
    key = who.strip().lower()
    for person in config.people.values():
        if (person.github if by == "github" else person.email).strip().lower() == key and key:
            return person
    return None


def _import(config: Config, items: list[Review], tip: str, by: str) -> Result:
    """Plan and write each review on its own: one that cannot be recorded never stops the others."""
    plans, problems = [], []
    for item in items:
        if item.commit and tip and _is_commit(config, item.commit) and _is_commit(config, tip):
            base = fork_point(config, tip, item.commit)
            if not base:
                problems.append(error(item.commit, None, f"cannot tell where the pull request's branch left "
                                      f"{tip}: the reviewed commit is on {tip}'s own line of history "
                                      "(merged by fast-forward?)", "pass --base with the commit the branch "
                                      "started from"))
                continue
        else:
            base = tip
        plan, found = _plan(config, item, base, by)
        plans += plan
        problems += found
    return Result(_write(config, plans, problems), problems)


def _plan(config: Config, item: Review, base: str, by: str) -> tuple[Plan, list[Problem]]:
    """(review, reviewer, post id, version) for each post the review covers, and why it covers none."""
    shown = rel(config.path, config.root)
    person = _person(config, item.login, by)
    key = "github" if by == "github" else "email"
    # Anyone may comment on a GitHub pull request: a stranger's review is skipped. A trailer names its
    # reviewer on purpose, so an unknown one makes the whole range suspect.
    report, outcome = (warning, "skipped") if by == "github" else (error, "nothing was imported:")
    what = f"the review by '{item.login}'" + (f" ({item.source})" if item.source else "")
    if person is None:
        return [], [report(shown, None, f"{outcome} {what}: no one in people: has '{key}: {item.login}'",
                           f"add them to people: in site.yaml with '{key}: {item.login}' and the reviewer role "
                           "if their reviews should count")]
    if not person.has_role("reviewer"):
        return [], [report(shown, None, f"{outcome} {what}: '{person.id}' does not have the reviewer role",
                           f"add 'reviewer' to people.{person.id}.roles in site.yaml if their reviews should count")]
    posts, found = _changed_posts(config, base, item.commit)
    return [(item, person, pid, version) for pid, version in posts], found


def _changed_posts(config: Config, base: str, commit: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(post id, content hash in `commit`) of every post changed between `base` and `commit`."""
    if not _is_commit(config, commit):
        return [], [error(commit or "(no commit)", None, "the reviewed commit is not in this clone",
                          "fetch it first, e.g. 'git fetch origin pull/N/head' (with full history)")]
    if not _is_commit(config, base):
        if base and not base.endswith("^"):
            return [], [error(base, None, "the pull request's base commit is not in this clone",
                              "check out with full history (actions/checkout 'fetch-depth: 0')")]
        base = _empty_tree(config)  # the parent of a root commit: everything in it is new
    args = ["diff", "--name-only", "--relative", "-z", base, commit, "--", rel(config.content_dir, config.root)]
    proc = history.git(config.root, *args)
    if proc.returncode != 0:
        return [], [error(base, None, "git cannot compare the pull request's base with the reviewed commit",
                          proc.stderr.decode("utf-8", "replace").strip())]
    paths = {p.decode("utf-8", "surrogateescape") for p in proc.stdout.split(b"\0") if p}
    folder = rel(config.content_dir, config.root) + "/posts/"
    posts = {p for p in paths if history.post_file(config, p)}
    # a changed bibliography or image in a bundle changes its post too
    posts |= {f"{folder}{p[len(folder):].split('/')[0]}/index.md" for p in paths
              if p.startswith(folder) and p.count("/") > folder.count("/")}
    found = history.posts_at(config, commit, posts)
    return sorted(set(found.values())), []


def _empty_tree(config: Config) -> str:
    return history.git(config.root, "hash-object", "-t", "tree", "/dev/null").stdout.decode().strip()


def _write(config: Config, plan: Plan, notices: list[Problem]) -> list[Path]:
    written, noticed = [], set()
    tz = ZoneInfo(config.timezone)
    for item, person, post_id, version in plan:
        existing, earlier = _existing(config, post_id, item, person.id, version)
        # GitHub's DISMISSED hides what was dismissed; an earlier import of the same review still knows.
        decision = item.decision or ((earlier.get("decision") or "") if item.dismissed else "")
        fields = {"source": item.source} if item.source else {}
        interests = INTERESTS_RE.search(item.body)
        if interests:
            fields["competing_interests"] = interests.group(1)
        if item.dismissed:
            fields["dismissed"] = True
        scores, unread = desk_scores.parse(item.body, config.review.rubric)  # the reviewer template's section
        if scores:
            fields["scores"] = scores
        if id(item) not in noticed:  # once per review, however many posts it covers
            noticed.add(id(item))
            notices += [warning(item.source or rel(config.path, config.root), None,
                                f"the review by '{item.login}': {text}", "the record leaves that score out")
                        for text in unread]
        body = item.body.strip() or f"{LABELS.get(item.decision, item.decision)} on GitHub, without a written report."
        when: date = item.submitted.astimezone(tz).date()
        stub = Post(id=post_id, kind="post", source=Path(), title="", body="", body_line=1, content_hash=version)
        written.append(reviews.scaffold(config, stub, person.id, decision, when, version=version, body=body,
                                        fields=fields, path=existing))
    return written


def _existing(config: Config, post_id: str, item: Review, person: str, version: str) -> tuple[Path | None, dict]:
    """An earlier import of the same review (same source link, or for trailers same reviewer and
    version) and its front matter."""
    folder = config.reviews_dir / post_id
    if not folder.is_dir():
        return None, {}
    for path in sorted(folder.glob("*.md")):
        text, _ = read_text(path, path.name)
        source = split(text, path.name)[0] if text else None
        data = source.doc.data if source and isinstance(source.doc.data, dict) else {}
        if item.source and data.get("source") == item.source:
            return path, data
        if not item.source and data.get("reviewer") == person and data.get("version") == version:
            return path, data
    return None, {}


def report(config: Config, result: Result, fmt: str = "text") -> int:
    """Print what an import wrote, then its notices and errors; the command's exit status."""
    for path in result.written:
        print(f"wrote {rel(path, config.root)}")
    if not result.written:
        print("no review records written")
    if result.problems:
        print(format_problems(result.problems, fmt), file=sys.stderr)
    return 1 if has_errors(result.problems) else 0
