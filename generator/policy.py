"""The review policy: which reviews count, and each post's computed status.

Status is never hand-set: it follows from the records (generator/reviews.py loads them), the post's
current content hash and the policy in site.yaml. Every rule that stops a review from counting is
recorded with its reason, so the review-history page and `review status` can say exactly why.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from . import review_rules
from .errors import Problem
from .model import Config, Counted, Post, ReviewRecord, ReviewState, Version

NO_INTERESTS = {"", "none", "none declared", "no", "nil", "n/a", "none to declare"}
APPROVING = ("approve", "approve-with-reservations")


def order(r: ReviewRecord) -> tuple:  # the order written: date, round, file name (x-2.md after x.md)
    m = re.match(r"^(.*?)(?:-(\d+))?$", r.path.stem)
    return (r.date, r.round, r.path.parent.as_posix(), m.group(1), int(m.group(2) or 1), r.path.name)


def assess(config: Config, posts: list[Post], records: list[ReviewRecord], now: datetime,
           versions: dict[str, list[Version]] | None = None) -> tuple[dict[str, ReviewState], list[Problem]]:
    """Apply the policy to every post; returns each post's state and date-order problems."""
    by_post: dict[str, list[ReviewRecord]] = defaultdict(list)
    for r in sorted(records, key=order):
        by_post[r.post_id].append(r)
    states, problems = {}, []
    for post in posts:
        if post.kind != "post":
            continue
        states[post.id] = assess_post(config, post, by_post.get(post.id, []), now)
        problems += review_rules.before_submission(by_post.get(post.id, []), (versions or {}).get(post.id, []))
    problems += review_rules.future(records, now, config.timezone)
    return states, problems


def assess_post(config: Config, post: Post, records: list[ReviewRecord], now: datetime) -> ReviewState:
    policy = config.review
    state = ReviewState(post_id=post.id, status="submitted")
    state.responses = [r for r in records if r.type == "response"]
    state.decisions = [r for r in records if r.type == "decision" and _is_editor(config, r.person)
                       and not review_rules.is_future(r, now)]
    waived = {pid for d in state.decisions if d.decision == "waive" for pid in d.waives}
    latest: dict[str, ReviewRecord] = {}
    for r in records:  # in the order written: the last decision per reviewer stands, as on GitHub,
        if r.type == "review" and (r.decision != "comment" or r.person not in latest):  # not a later comment
            latest[r.person] = r
    for r in records:
        if r.type == "review":
            verdict = _verdict(config, post, r, latest[r.person] is r, waived)
            if verdict.counts and review_rules.is_future(r, now):
                verdict = Counted(r, False, "dated in the future")
            state.reviews.append(verdict)
    counted = [c.record for c in state.reviews if c.counts]
    tally = defaultdict(int)
    for r in counted:
        tally[r.decision] += 1
    approving = {r.person for r in counted if r.decision in APPROVING}
    rules_met = any(all(tally[d] >= n for d, n in rule) for rule in policy.passing) or not policy.passing
    enough = len(approving) >= policy.approvals_required
    accepts = [d for d in state.decisions if d.decision == "accept"]
    editor_ok = bool(accepts) or not policy.editor_accept_required
    passed = rules_met and enough and editor_ok
    if passed:
        state.approved_hash = post.content_hash
        dates = [r.date for r in counted if r.decision in APPROVING] + [d.date for d in accepts]
        state.accepted_on = max(dates) if dates else post.date
    state.status = _status(post, state, passed, tally, now)
    state.needs = _needs(config, post, state, tally, approving, rules_met, editor_ok, now)
    return state


def _is_editor(config: Config, pid: str) -> bool:
    person = config.person(pid)
    return bool(person and person.has_role("editor"))


def _verdict(config: Config, post: Post, r: ReviewRecord, is_latest: bool, waived: set[str]) -> Counted:
    person = config.person(r.person)
    if person is None:
        return Counted(r, False, f"'{r.person}' is not registered in site.yaml")
    if not person.has_role("reviewer"):
        return Counted(r, False, f"{person.name} does not have the reviewer role")
    if r.person in post.authors:
        return Counted(r, False, f"{person.name} is an author of this post")
    if r.competing_interests.strip().lower() not in NO_INTERESTS and r.person not in waived:
        return Counted(r, False, "declared a competing interest that no editor has waived")
    if r.dismissed:
        return Counted(r, False, "dismissed on GitHub")
    if not is_latest and r.decision != "comment":  # a comment is never a decision to supersede
        return Counted(r, False, "superseded by a later review from the same reviewer")
    if r.version != post.content_hash:
        return Counted(r, False, "for an earlier version of the text", stale=True)
    if config.review.require_signed and r.signed_by != r.person:
        return Counted(r, False, "the commit adding this review is not signed by the reviewer")
    if r.decision == "comment":
        return Counted(r, False, "a comment, not a decision")
    return Counted(r, True)


def _status(post: Post, state: ReviewState, passed: bool, tally: dict, now: datetime) -> str:
    final = [d for d in state.decisions if d.decision in ("withdraw", "retract", "reject")]
    if final:
        last = final[-1]
        if last.decision == "retract":
            state.retraction = last
        return {"withdraw": "withdrawn", "retract": "retracted", "reject": "rejected"}[last.decision]
    if post.draft:
        return "draft"
    if passed:
        return "published" if post.date and post.date <= now else "accepted"
    if tally["revise"] or tally["reject"]:
        return "revisions-requested"
    if state.reviews:
        return "in-review"
    return "submitted"


def _needs(config: Config, post: Post, state: ReviewState, tally: dict, approving: set[str],
           rules_met: bool, editor_ok: bool, now: datetime) -> list[str]:
    """What still stands between the post and publication, in plain words."""
    if state.status in ("published", "retracted", "withdrawn", "rejected"):
        return []
    if state.status == "draft":
        return ["remove 'draft: true' to submit it"]
    if state.status == "accepted":
        return [f"publishes on {post.date.date().isoformat()}"] if post.date else []
    needs = []
    missing = config.review.approvals_required - len(approving)
    if missing > 0:
        needs.append(f"needs {missing} more approval{'s' if missing > 1 else ''} of the current version")
    elif not rules_met:
        needs.append("approvals do not yet meet a passing rule of the review policy")
    if tally["revise"] or tally["reject"]:
        needs.append("the authors must address the requested revisions")
    if not editor_ok:
        needs.append("needs an editor's accept decision")
    stale = sum(1 for c in state.reviews if c.stale)
    if stale:
        needs.append(f"{stale} review{'s are' if stale > 1 else ' is'} of an earlier version")
    dismissed = sum(1 for c in state.reviews if c.record.dismissed)
    if dismissed:
        needs.append(f"{dismissed} review{'s were' if dismissed > 1 else ' was'} dismissed (not counted)")
    return needs
