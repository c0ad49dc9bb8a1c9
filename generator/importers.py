"""Review records from pull requests and commit trailers (`peerpress review import`).

- `--github-event FILE`: GitHub's `pull_request_review` webhook payload ($GITHUB_EVENT_PATH in
  Actions). The review's `commit_id` decides the version: the posts the pull request changes
  (git diff between `pull_request.base.sha` and that commit) are hashed as they are *in that
  commit*, so an approval is pinned to exactly the text the reviewer saw.
- `--github-reviews FILE --pr N`: the REST list of a pull request's reviews
  (GET /repos/{owner}/{repo}/pulls/{N}/reviews). Each reviewer's latest review counts, as on
  GitHub: a later COMMENTED review does not undo an approval, and DISMISSED cancels it.
- `--git-trailers REV_RANGE`: `Reviewed-by: Name <email>` trailers in commit messages, matched
  to people by e-mail; each approves the posts its commit changed, as they are in that commit.

Every reviewer must be in `people:` with the reviewer role; if one is not, nothing is written
and the error names them. Records are written with reviews.scaffold, like `review new`;
importing the same review again rewrites its record (matched by `source:`) instead of adding one.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from . import history, reviews
from .errors import Problem, ProblemError, error, rel
from .frontmatter import read_text, split
from .model import Config, Person, Post

# GitHub review states (webhook: lower case; REST: upper case) → review decisions.
DECISIONS = {"approved": "approve", "changes_requested": "revise", "commented": "comment"}
LABELS = {"approve": "Approved", "revise": "Changes requested", "comment": "Commented"}
INTERESTS_RE = re.compile(r"^\s*competing interests?\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
EMAIL_RE = re.compile(r"<([^<>\s]+@[^<>\s]+)>|([^<>\s]+@[^<>\s]+)")


@dataclass
class Review:
    """One review as it will be recorded: who, what decision, on which commit, saying what."""
    login: str  # GitHub login or e-mail, as the source names the reviewer
    decision: str  # approve | revise | comment | dismissed
    commit: str
    submitted: datetime
    body: str
    source: str  # link to the review; "" for trailers


@dataclass
class Result:
    written: list[Path]
    removed: list[Path]


def github_event(config: Config, payload_file: Path) -> Result:
    """Records from a `pull_request_review` webhook payload."""
    payload = _json(payload_file)
    review, pr = payload.get("review") or {}, payload.get("pull_request") or {}
    if not review or not pr:
        raise ProblemError([error(str(payload_file), None, "not a pull_request_review event payload",
                                  "pass $GITHUB_EVENT_PATH from a workflow run 'on: pull_request_review'")])
    state = "dismissed" if payload.get("action") == "dismissed" else str(review.get("state", "")).lower()
    item = Review(login=(review.get("user") or {}).get("login", ""), decision=DECISIONS.get(state, state),
                  commit=review.get("commit_id") or "", submitted=_when(review.get("submitted_at")),
                  body=review.get("body") or "", source=review.get("html_url") or "")
    base = (pr.get("base") or {}).get("sha") or ""
    return _record(config, [item], base, "github")


def github_reviews(config: Config, reviews_file: Path, pr: int, base: str = "HEAD") -> Result:
    """Records from the REST list of a pull request's reviews; the latest decision per reviewer."""
    data = _json(reviews_file)
    if not isinstance(data, list):
        raise ProblemError([error(str(reviews_file), None, "expected a JSON list of reviews",
                                  f"save the output of GET /repos/OWNER/REPO/pulls/{pr}/reviews")])
    latest: dict[str, dict] = {}
    for r in sorted(data, key=lambda r: (r.get("submitted_at") or "", r.get("id") or 0)):
        url = r.get("pull_request_url") or ""
        if url and not url.rstrip("/").endswith(f"/pulls/{pr}"):
            continue  # another pull request's review, in a file covering several
        state = str(r.get("state", "")).upper()
        login = ((r.get("user") or {}).get("login") or "").lower()
        if state == "PENDING" or (state == "COMMENTED" and login in latest):
            continue  # drafts are private; a comment after a decision leaves the decision standing
        latest[login] = r
    items = [Review(login=(r.get("user") or {}).get("login", ""), decision=DECISIONS.get(
        str(r["state"]).lower(), str(r["state"]).lower()), commit=r.get("commit_id") or "",
        submitted=_when(r.get("submitted_at")), body=r.get("body") or "", source=r.get("html_url") or "")
        for _, r in sorted(latest.items())]
    merge_base = {}
    for item in items:
        if item.commit and item.commit not in merge_base:
            proc = history.git(config.root, "merge-base", base, item.commit)
            merge_base[item.commit] = proc.stdout.decode().strip() if proc.returncode == 0 else ""
    results = Result([], [])
    problems: list[Problem] = []
    plans = []
    for item in items:
        try:
            plans.append(_plan(config, [item], merge_base.get(item.commit) or base, "github"))
        except ProblemError as exc:
            problems += exc.problems
    if problems:
        raise ProblemError(problems)
    for plan in plans:
        done = _write(config, plan)
        results.written += done.written
        results.removed += done.removed
    return results


def git_trailers(config: Config, rev_range: str) -> Result:
    """Records from `Reviewed-by:` trailers of the commits in `rev_range` (e.g. main..feature)."""
    fmt = "%x1e%H%x1f%cI%x1f%s%x1f%(trailers:key=Reviewed-by,valueonly,separator=%x1d)"
    proc = history.git(config.root, "log", f"--format={fmt}", rev_range, "--")
    if proc.returncode != 0:
        raise ProblemError([error(rev_range, None, "git cannot read this range of commits",
                                  proc.stderr.decode("utf-8", "replace").strip() or "try e.g. main..my-branch")])
    items = []
    for chunk in proc.stdout.decode("utf-8", "replace").split("\x1e")[1:]:
        sha, when, subject, trailers = (chunk.split("\x1f", 3) + ["", "", ""])[:4]
        for value in trailers.strip().split("\x1d"):
            if value.strip():
                m = EMAIL_RE.search(value)
                email = (m.group(1) or m.group(2)) if m else value.strip()
                items.append(Review(login=email, decision="approve", commit=sha, submitted=_when(when),
                                    body=f"Reviewed-by trailer in commit {sha[:12]}: {subject.strip()}", source=""))
    plans = [_plan(config, [item], f"{item.commit}^", "email") for item in items]
    out = Result([], [])
    for plan in plans:
        done = _write(config, plan)
        out.written += done.written
        out.removed += done.removed
    return out


# --- the shared part ----------------------------------------------------------------------------------

def _json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ProblemError([error(str(path), None, "no such file")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProblemError([error(str(path), getattr(exc, "lineno", None), f"not valid JSON: {exc}")]) from None


def _when(value) -> datetime:
    text = str(value or "").replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return datetime(1970, 1, 1)


def _person(config: Config, who: str, by: str) -> Person | None:
    """The person with this GitHub login (case-insensitive, as GitHub's) or e-mail."""
    key = who.strip().lower()
    for person in config.people.values():
        if (person.github if by == "github" else person.email).strip().lower() == key and key:
            return person
    return None


def _record(config: Config, items: list[Review], base: str, by: str) -> Result:
    return _write(config, _plan(config, items, base, by))


def _plan(config: Config, items: list[Review], base: str, by: str) -> list[tuple[Review, Person, str, str]]:
    """(review, reviewer, post id, version) for each post each review covers; raises on any problem."""
    problems, plan = [], []
    shown = rel(config.path, config.root)
    what = "GitHub user" if by == "github" else "e-mail address"
    for item in items:
        person = _person(config, item.login, by)
        if person is None:
            problems.append(error(shown, None, f"review by unknown {what} '{item.login}': nothing was imported",
                                  f"add them to people: in site.yaml with '{'github' if by == 'github' else 'email'}: "
                                  f"{item.login}' and the reviewer role"))
            continue
        if not person.has_role("reviewer"):
            problems.append(error(shown, None, f"'{person.id}' ({item.login}) does not have the reviewer role: "
                                  "nothing was imported", f"add 'reviewer' to people.{person.id}.roles in site.yaml"))
            continue
        if item.decision not in (*reviews.REVIEW_DECISIONS, "dismissed"):
            problems.append(error(shown, None, f"unknown review state '{item.decision}' from {item.login}"))
            continue
        posts, found = _changed_posts(config, base, item.commit)
        problems += found
        plan += [(item, person, pid, version) for pid, version in posts]
    if problems:
        raise ProblemError(problems)
    return plan


def _changed_posts(config: Config, base: str, commit: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(post id, content hash in `commit`) of every post changed between `base` and `commit`."""
    if not commit or history.git(config.root, "cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
        return [], [error(commit or "(no commit)", None, "the reviewed commit is not in this clone",
                          "fetch it first, e.g. 'git fetch origin pull/N/head' (with full history)")]
    if not base or history.git(config.root, "rev-parse", "--verify", "-q", f"{base}^{{commit}}").returncode != 0:
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


def _write(config: Config, plan: list[tuple[Review, Person, str, str]]) -> Result:
    out = Result([], [])
    tz = ZoneInfo(config.timezone)
    for item, person, post_id, version in plan:
        existing = _existing(config, post_id, item, person.id, version)
        if item.decision == "dismissed":
            if existing is not None:
                existing.unlink()
                out.removed.append(existing)
            continue
        fields = {}
        if item.source:
            fields["source"] = item.source
        interests = INTERESTS_RE.search(item.body)
        if interests:
            fields["competing_interests"] = interests.group(1)
        body = item.body.strip() or f"{LABELS.get(item.decision, item.decision)} on GitHub, without a written report."
        when: date = item.submitted.astimezone(tz).date() if item.submitted.tzinfo else item.submitted.date()
        stub = Post(id=post_id, kind="post", source=Path(), title="", body="", body_line=1, content_hash=version)
        path = reviews.scaffold(config, stub, person.id, item.decision, when, version=version, body=body,
                                fields=fields, path=existing)
        out.written.append(path)
    return out


def _existing(config: Config, post_id: str, item: Review, person: str, version: str) -> Path | None:
    """An earlier import of the same review: same source link, or (trailers) same reviewer and version."""
    folder = config.reviews_dir / post_id
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob("*.md")):
        text, _ = read_text(path, path.name)
        source = split(text, path.name)[0] if text else None
        data = source.doc.data if source else {}
        if item.source and data.get("source") == item.source:
            return path
        if not item.source and data.get("reviewer") == person and data.get("version") == version:
            return path
    return None
