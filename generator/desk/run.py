"""An editor's `/peerpress` comment on a pull request: who may, and what it does.

`handle()` takes GitHub's `issue_comment` payload (untrusted: it arrives only as the event file)
and returns the reply to post and the files it changed under desk/ (ledger.py). Only people with
the editor role in site.yaml, matched by their `github:` login as GitHub matches logins (any
case), have any effect; anyone else gets a polite refusal and nothing changes. Bots, edits and
deletions of comments, comments on issues and comments without a command get no reply at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .. import history, importers
from ..errors import Problem, has_errors, rel
from ..frontmatter import split
from ..github import is_bot
from ..model import Config, Person
from . import commands, ledger

MARKER = "<!-- peerpress:desk -->"


@dataclass
class Outcome:
    reply: str = ""  # Markdown to post as a comment; "" for none
    changed: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Context:
    config: Config
    pr: int
    editor: Person
    posts: list[tuple[str, str]]  # (post id, version at the pull request's head)
    today: date
    source: str
    head: str = ""


def pull_request_number(payload: dict) -> int | None:
    """The pull request a comment is on, or None (an issue's comment, or not a comment event)."""
    issue = payload.get("issue") or {}
    number = issue.get("number")
    if not issue.get("pull_request") or not isinstance(number, int) or isinstance(number, bool) or number < 1:
        return None
    return number


def handle(config: Config, payload: dict, head: str, base: str, today: date) -> Outcome:
    comment = payload.get("comment") or {}
    user = comment.get("user") or {}
    pr = pull_request_number(payload)
    if payload.get("action") != "created" or pr is None or is_bot(user):
        return Outcome()
    found = commands.parse(str(comment.get("body") or ""))
    if not found:
        return Outcome()
    login = str(user.get("login") or "")
    editor = person_by_login(config, login)
    if editor is None or not editor.has_role("editor"):
        return Outcome(reply=refusal(login, editor))
    posts, problems = importers.pull_request_posts(config, base, head)
    if has_errors(problems):  # never "changes no post" when the truth is that git could not tell
        return Outcome(reply="\n".join([MARKER, "The desk could not read this pull request's commits, so nothing "
                                         "was changed; the run's log says why. Please try the command again."]),
                       problems=problems)
    ctx = Context(config, pr, editor, posts, today, str(comment.get("html_url") or ""), head)
    outcome = Outcome(problems=problems)
    lines = []
    for command in found:
        lines.append(_run(ctx, command, outcome))
    outcome.reply = "\n".join([MARKER, *lines])
    return outcome


def person_by_login(config: Config, login: str) -> Person | None:
    key = login.strip().lower()
    return next((p for p in config.people.values() if key and p.github.strip().lower() == key), None)


def refusal(login: str, person: Person | None) -> str:
    why = ("your GitHub account is not linked to anyone in this blog's `site.yaml`" if person is None else
           f"{person.name} does not have the editor role in `site.yaml`")
    who = f"@{login}" if commands.LOGIN_RE.match(login) else "there"  # GitHub's logins; anything else is not one
    return "\n".join([MARKER, f"Thank you, {who}. Only the blog's editors can run `/peerpress` commands, "
                      f"and {why}, so nothing was changed. If you meant to ask for something (a reviewer, a "
                      "decision), an editor will see your comment; if you are an editor, ask for your GitHub "
                      "login to be added to your entry in `site.yaml`."])


def _run(ctx: Context, command: commands.Command, outcome: Outcome) -> str:
    head = f"- `{_code(command.line)}`: "
    if command.problem:
        return head + command.problem + "; nothing was changed."
    if not ctx.posts and command.verb != "status":
        return head + "this pull request changes no post, so there is nothing to do."
    return head + {"assign": _assign, "unassign": _unassign, "accept": _accept, "waive-coi": _waive,
                   "status": _status}[command.verb](ctx, command, outcome)


def _reviewer(ctx: Context, login: str) -> tuple[Person | None, str]:
    person = person_by_login(ctx.config, login)
    if person is None:
        return None, (f"no one in `site.yaml` has `github: {_code(login)}`; add them to `people:` with the "
                      "reviewer role first. Nothing was changed.")
    if not person.has_role("reviewer"):
        return None, f"{person.name} does not have the reviewer role in `site.yaml`. Nothing was changed."
    return person, ""


def _assign(ctx: Context, command, outcome: Outcome) -> str:
    person, why = _reviewer(ctx, command.login)
    if person is None:
        return why
    authors = _authored(ctx, person.id)
    if authors:
        return f"{person.name} is an author of {authors} and cannot review it. Nothing was changed."
    log = _log(ctx, outcome)
    if person.id in ledger.current(log):
        return f"{person.name} is already assigned."
    outcome.changed.append(ledger.append(ctx.config, ledger.Assignment(
        ctx.pr, "assign", person.id, ctx.editor.id, ctx.today, tuple(p for p, _ in ctx.posts), ctx.source)))
    days = ctx.config.review.deadline_days
    due = f", due within {days} days" if days else ""
    return f"assigned {person.name} (@{_code(command.login)}) to review {_posts(ctx)}{due}."


def _unassign(ctx: Context, command, outcome: Outcome) -> str:
    person = person_by_login(ctx.config, command.login)
    log = _log(ctx, outcome)
    if person is None or person.id not in ledger.current(log):
        return f"@{_code(command.login)} is not assigned to this pull request. Nothing was changed."
    outcome.changed.append(ledger.append(ctx.config, ledger.Assignment(
        ctx.pr, "unassign", person.id, ctx.editor.id, ctx.today, tuple(p for p, _ in ctx.posts), ctx.source)))
    return f"unassigned {person.name}."


def _accept(ctx: Context, command, outcome: Outcome) -> str:
    authors = _authored(ctx, ctx.editor.id)
    if authors:
        return f"{ctx.editor.name} is an author of {authors}: another editor must accept it. Nothing was changed."
    reason = command.reason or f"Accepted by {ctx.editor.name} on pull request #{ctx.pr}."
    for post_id, version in ctx.posts:
        outcome.changed.append(ledger.write_decision(ctx.config, ctx.pr, post_id, ctx.editor.id, ctx.today,
                                                     "accept", version, reason, ctx.source))
    return (f"recorded {ctx.editor.name}'s decision to accept {_posts(ctx)}, as of this version. It becomes a "
            "review record when the pull request is merged; the review policy still decides what is published.")


def _waive(ctx: Context, command, outcome: Outcome) -> str:
    person, why = _reviewer(ctx, command.login)
    if person is None:
        return why
    if _authored(ctx, ctx.editor.id):
        return f"{ctx.editor.name} is an author here: another editor must decide. Nothing was changed."
    reason = f"{ctx.editor.name} waived {person.name}'s declared competing interest on pull request #{ctx.pr}."
    for post_id, version in ctx.posts:
        outcome.changed.append(ledger.write_decision(ctx.config, ctx.pr, post_id, ctx.editor.id, ctx.today,
                                                     "waive", version, reason, ctx.source, (person.id,)))
    return f"waived {person.name}'s competing interest for {_posts(ctx)}: their review can count."


def _status(ctx: Context, command, outcome: Outcome) -> str:
    log = _log(ctx, outcome)
    assigned = ledger.current(log)
    days = ctx.config.review.deadline_days
    names = []
    for item in assigned.values():
        person = ctx.config.person(item.reviewer)
        due = f", due {item.on + timedelta(days=days)}" if days else ""
        names.append(f"{person.name if person else item.reviewer} (assigned {item.on}{due})")
    return (f"posts: {_posts(ctx) or 'none'}; assigned reviewers: {', '.join(names) or 'none yet'}. The status "
            "comment on this pull request shows every review and what each post still needs; it is updated "
            "after each push and each review.")


def _log(ctx: Context, outcome: Outcome) -> list[ledger.Assignment]:
    """The pull request's assignment log; a damaged one is reported with the reply's problems."""
    log, problems = ledger.read_log(ctx.config, ctx.pr)
    outcome.problems += problems
    return log


def _authored(ctx: Context, person_id: str) -> str:
    """The posts of this pull request that `person_id` wrote, as words ("" for none)."""
    return ", ".join(f"`{pid}`" for pid, _ in ctx.posts if person_id in _authors_at(ctx, pid))


def _authors_at(ctx: Context, post_id: str) -> list[str]:
    """`authors:` of the post as the pull request's head has it (read with git, never checked out)."""
    folder = rel(ctx.config.content_dir, ctx.config.root) + "/posts/"
    for path in (f"{folder}{post_id}.md", f"{folder}{post_id}/index.md"):
        proc = history.git(ctx.config.root, "show", f"{ctx.head}:{path}")
        source = split(proc.stdout.decode("utf-8", "replace"), path)[0] if proc.returncode == 0 else None
        data = source.doc.data if source and isinstance(source.doc.data, dict) else {}
        authors = data.get("authors") or []
        if proc.returncode == 0:
            return [str(a) for a in authors] if isinstance(authors, list) else [str(authors)]
    return []


def _posts(ctx: Context) -> str:
    return ", ".join(f"`{p}`" for p, _ in ctx.posts)


def _code(text: str) -> str:
    return text.replace("`", "'")[:200]
