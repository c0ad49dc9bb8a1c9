"""The sticky status comment on a pull request (`peerpress review status --format github-comment`).

GitHub-flavoured Markdown, one section per post the pull request changes: the status and what it
still needs in the site's words ("needs 1 more approval of the current version; Amara Okafor's
approval is for an earlier version"), who reviewed which version, competing interests, assigned
reviewers and overdue ones, and the preview. The first line is a hidden marker, so the workflow
that posts it finds and updates its one comment instead of adding another.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import importers
from ..errors import ProblemError, error, has_errors
from ..model import Config, Counted, Site
from . import templates
from .overdue import Overdue

MARKER = "<!-- peerpress:status -->"
LIMIT = 60_000  # GitHub refuses comments over 65,536 characters
NOUNS = {"approve": "approval", "approve-with-reservations": "approval with reservations",
         "revise": "request for changes", "reject": "rejection", "comment": "comment"}
COUNTED_RE = re.compile(r"^\d+ reviews? (is|are|was|were) ")  # "1 review is of an earlier version"
STATUS_WORDS = {"submitted": "Submitted, no reviews yet", "in-review": "In review",
                "revisions-requested": "Revisions requested", "accepted": "Accepted", "published": "Published",
                "draft": "Draft", "rejected": "Rejected", "withdrawn": "Withdrawn", "retracted": "Retracted"}


def render(site: Site, post_ids: list[str], late: list[Overdue], preview_url: str = "") -> str:
    config = site.config
    lines = [MARKER, "## Peer review status", ""]
    if not post_ids:
        lines += ["This pull request changes no post, so there is nothing to review.", ""]
    for pid in post_ids:
        lines += _post(site, pid, [o for o in late if pid in o.assignment.posts])
    if preview_url:
        lines += [f"**Preview:** [the site as it would be built from this pull request]({_url(preview_url)}) "
                  "(drafts and posts in review carry a banner).", ""]
    lines += ["<sub>Written by Peerpress after each push and each review. Reviews become records under "
              "`reviews/` when the pull request is merged. Editors: `/peerpress assign @login`, "
              "`/peerpress accept`, `/peerpress waive-coi @login`, `/peerpress status`.</sub>", ""]
    if config.review.rubric is not None:
        lines += ["<details><summary>Reviewers: the checklist to paste into your review</summary>", "",
                  "````markdown", templates.reviewer_checklist(config).split("\n", 2)[2].strip(), "````", "",
                  "</details>", ""]
    text = "\n".join(lines)
    if len(text) > LIMIT:  # cut at a line, and say so
        text = text[:LIMIT].rsplit("\n", 1)[0] + "\n\n*(cut short: see `peerpress review status`)*\n"
    return text


@dataclass(frozen=True)
class PullRequest:
    number: int
    base: str  # the branch it goes into
    head: str  # its head commit


def pull_request_of(payload, where: str) -> PullRequest:
    """The pull request of a `pull_request` or `pull_request_review` payload (an error otherwise)."""
    pr = payload.get("pull_request") if isinstance(payload, dict) else None
    number = pr.get("number") if isinstance(pr, dict) else None
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise ProblemError([error(where, None, "not a pull_request or pull_request_review event payload",
                                  "pass $GITHUB_EVENT_PATH from a workflow run 'on: pull_request'")])
    base, head = pr.get("base") or {}, pr.get("head") or {}
    return PullRequest(number, str(base.get("ref") or ""), str(head.get("sha") or ""))


def changed_posts(site: Site, base: str) -> list[str]:
    """The posts changed since the checked-out branch (HEAD) left `base`: the pull request's posts."""
    found, problems = importers.pull_request_posts(site.config, base, "HEAD")
    if has_errors(problems):
        raise ProblemError(problems)
    return sorted({pid for pid, _ in found if pid in site.states})


def _post(site: Site, pid: str, late: list[Overdue]) -> list[str]:
    config, post, state = site.config, site.posts[pid], site.states[pid]
    numbers: dict[str, int] = {}  # anonymous reviewers: "Reviewer 1, 2, ..." by first review, as the site does
    for c in state.reviews:
        numbers.setdefault(c.record.person, len(numbers) + 1)
    named = _reasons(config, state.reviews, numbers)  # these name whom the policy's counts are about
    says = [n for n in state.needs if not (named and COUNTED_RE.match(n))] + named
    words = STATUS_WORDS.get(state.status, state.status)
    lines = [f"### {_md(post.title)} (`{pid}`)", "",
             f"**{words}**" + (f": {_md('; '.join(says))}." if says else "."), "",
             f"Current version: `{post.content_hash}`", ""]
    if state.reviews:
        lines += ["| reviewer | review | date | of version | counts |", "|---|---|---|---|---|"]
        for c in state.reviews:
            r = c.record
            which = "this one" if r.version == post.content_hash else "an earlier one"
            verdict = "yes" if c.counts else f"no: {c.reason}"
            lines.append(f"| {_md(_name(config, r.person, numbers))} | {_md(r.decision or 'dismissed')} | "
                         f"{r.date.date().isoformat()} | `{r.version[:16]}` ({which}) | {_md(verdict)} |")
        lines.append("")
    interests = [c for c in state.reviews if c.record.competing_interests.strip().lower()
                 not in ("", "none", "none declared", "no", "nil", "n/a", "none to declare")]
    waived = {p for d in state.decisions if d.decision == "waive" for p in d.waives}
    if interests:
        lines += ["**Competing interests:**", ""]
        for c in interests:
            person = config.person(c.record.person)
            login = f" (an editor may reply `/peerpress waive-coi @{person.github}`)" if person and person.github \
                and c.record.person not in waived and config.review.visibility == "open" else ""
            status = "waived by an editor" if c.record.person in waived else "not waived, so the review does not count"
            lines.append(f"- {_md(_name(config, c.record.person, numbers))}: {_md(c.record.competing_interests)} "
                         f"— {status}{login}")
        lines.append("")
    else:
        lines += ["**Competing interests:** none declared by reviewers.", ""]
    if late:
        lines += ["**Overdue reviews:**", ""]
        lines += [f"- {_md(_name(config, o.assignment.reviewer, numbers))}: assigned {o.assignment.on.isoformat()}, "
                  f"due {o.due.isoformat()}, **{o.days} day{'s' * (o.days != 1)} overdue**" for o in late]
        lines.append("")
    return lines


def _reasons(config: Config, reviews: list[Counted], numbers: dict[str, int]) -> list[str]:
    """Why each review that is someone's last word does not count, in the site's words."""
    out = []
    for c in reviews:
        if c.counts or c.reason.startswith(("superseded", "a comment")) or not c.record.decision:
            continue
        who = _name(config, c.record.person, numbers)
        noun = NOUNS.get(c.record.decision, c.record.decision)
        out.append(f"{who}'s {noun} is for an earlier version" if c.stale else f"{who}'s {noun} does not count "
                   f"({c.reason})")
    return out


def _name(config: Config, pid: str, numbers: dict[str, int]) -> str:
    if config.review.visibility == "anonymous":
        return f"Reviewer {numbers.setdefault(pid, len(numbers) + 1)}"
    person = config.person(pid)
    return person.name if person else pid


def _md(text: str) -> str:
    """Text as Markdown shows it literally: no links, HTML, emphasis or table breaks from a name."""
    text = re.sub(r"[\r\n]+", " ", str(text))
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~@])", r"\\\1", text).replace("&", "&amp;")


def _url(url: str) -> str:
    return url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
