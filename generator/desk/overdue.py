"""Assigned reviews past `review.deadline_days`: listed by `review status`, reminded by
.github/workflows/remind.yml.

An assignment is done once its reviewer has reviewed any of its posts on or after the day they
were assigned (a record under reviews/, or, for an open pull request, a review on GitHub). It is
overdue from the day after its deadline, while a post it covers is still under review.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ..model import Config, ReviewRecord, ReviewState, Site
from .ledger import Assignment, all_logs, current

OPEN = ("submitted", "in-review", "revisions-requested")


@dataclass(frozen=True)
class Overdue:
    assignment: Assignment
    due: date
    days: int  # days past the deadline


def find(config: Config, log: list[Assignment], reviewed: set[tuple[str, str]], today: date,
         states: dict[str, ReviewState] | None = None) -> list[Overdue]:
    """`reviewed` holds (reviewer id, ISO date) of every review; `states` (when known) drops
    assignments whose posts no longer wait for review."""
    days = config.review.deadline_days
    if days <= 0:
        return []
    late = []
    by_pr: dict[int, list[Assignment]] = {}
    for item in log:
        by_pr.setdefault(item.pr, []).append(item)
    for pr in sorted(by_pr):
        for item in current(by_pr[pr]).values():
            due = item.on + timedelta(days=days)
            done = any(who == item.reviewer and when >= item.on.isoformat() for who, when in reviewed)
            waiting = states is None or any(states[p].status in OPEN for p in item.posts if p in states)
            if today > due and not done and waiting:
                late.append(Overdue(item, due, (today - due).days))
    return late


def reviewed_records(records: Iterable[ReviewRecord]) -> set[tuple[str, str]]:
    return {(r.person, r.date.date().isoformat()) for r in records if r.type == "review"}


def reviewed_on_github(config: Config, reviews: list[dict]) -> set[tuple[str, str]]:
    """From GitHub's REST list of a pull request's reviews (GET .../pulls/N/reviews)."""
    people = {p.github.lower(): p.id for p in config.people.values() if p.github}
    found = set()
    for raw in reviews:
        login = str((raw.get("user") or {}).get("login") or "").lower()
        when = str(raw.get("submitted_at") or "")[:10]
        if login in people and when and str(raw.get("state") or "").upper() != "PENDING":
            found.add((people[login], when))
    return found


def lines(config: Config, late: list[Overdue]) -> list[str]:
    """One line of plain words each (for `review status`)."""
    out = []
    for o in late:
        person = config.person(o.assignment.reviewer)
        name = person.name if person else o.assignment.reviewer
        out.append(f"pull request #{o.assignment.pr}: {name} ({', '.join(o.assignment.posts)}) assigned "
                   f"{o.assignment.on.isoformat()}, due {o.due.isoformat()}, {o.days} day{'s' * (o.days != 1)} overdue")
    return out


def of_site(site: Site, today: date, rev: str = "") -> list[Overdue]:
    """Overdue reviews by the logs under desk/ (of commit `rev`, when given) and the records under
    reviews/ (`review status`)."""
    log, _ = all_logs(site.config, rev)  # a damaged log is reported by `desk run`, which writes it
    return find(site.config, log, reviewed_records(site.records), today, site.states)
