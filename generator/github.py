"""GitHub's pull-request reviews, read as GitHub means them (for importers.py).

Two shapes carry a review: the `pull_request_review` webhook payload (states in lower case) and the
REST list GET /repos/{owner}/{repo}/pulls/{N}/reviews (upper case). Both become `Review`s here;
which of them is recorded, and against which posts, is decided by importers.py.

What GitHub sends that is not a review to record is skipped with a notice naming who and why:
drafts (PENDING), bots, and COMMENTED reviews with no text (GitHub makes one for every single
inline comment). A time that is not a time, or lies in the future, is refused: a record's date
decides which review of a reviewer stands, so a made-up one must never count.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import Problem, error, warning

# GitHub review states → review decisions. DISMISSED keeps no trace of what was dismissed.
DECISIONS = {"approved": "approve", "changes_requested": "revise", "commented": "comment", "dismissed": ""}
CLOCK_SKEW = timedelta(minutes=10)  # a runner's clock may lag GitHub's a little


@dataclass
class Review:
    """One review as it will be recorded: who, what decision, on which commit, saying what."""
    login: str  # GitHub login or e-mail, as the source names the reviewer
    decision: str  # approve | revise | comment; "" when GitHub only says it was dismissed
    commit: str
    submitted: datetime
    body: str
    source: str  # link to the review; "" for trailers
    dismissed: bool = False


def is_bot(user: dict) -> bool:
    login = str(user.get("login") or "")
    return str(user.get("type") or "") == "Bot" or login.lower().endswith("[bot]")


def parse_time(value, where: str, who: str, now: datetime | None = None) -> tuple[datetime | None, list[Problem]]:
    """GitHub's ISO 8601 time (`2025-01-05T10:30:00Z`); an error for anything else or a future time."""
    now = now or datetime.now(UTC)
    try:
        when = datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        return None, [error(where, None, f"the review by {who} has submitted_at {value!r}, which is not a time "
                            "with a zone: nothing was recorded for it", "GitHub gives e.g. 2025-01-05T10:30:00Z; "
                            "save the payload again from GitHub")]
    if when > now + CLOCK_SKEW:
        return None, [error(where, None, f"the review by {who} is dated {when.isoformat()}, in the future: nothing "
                            "was recorded for it", "a review cannot count before it was written; save the "
                            "payload again from GitHub, or fix this machine's clock")]
    return when, []


def review(raw: dict, where: str, now: datetime | None = None) -> tuple[Review | None, list[Problem]]:
    """A Review from one webhook or REST review object; None (with a notice or an error) if not recorded."""
    user = raw.get("user") or {}
    login = str(user.get("login") or "")
    state = str(raw.get("state") or "").lower()
    body = str(raw.get("body") or "")
    source = str(raw.get("html_url") or "")
    who = f"'{login}'" + (f" ({source})" if source else "")
    if state == "pending":
        return None, []  # a draft only its author can see
    if is_bot(user):
        return None, [warning(where, None, f"skipped the review by {who}: a bot, not a reviewer")]
    if state not in DECISIONS:
        return None, [error(where, None, f"unknown review state {raw.get('state')!r} from {who}",
                            "GitHub's states are APPROVED, CHANGES_REQUESTED, COMMENTED and DISMISSED")]
    if state == "commented" and not body.strip():
        return None, [warning(where, None, f"skipped the review by {who}: a comment with no text")]
    when, problems = parse_time(raw.get("submitted_at"), where, who, now)
    if when is None:
        return None, problems
    return Review(login=login, decision=DECISIONS[state], commit=str(raw.get("commit_id") or ""), submitted=when,
                  body=body, source=source, dismissed=state == "dismissed"), []


def of_pull_request(raw: dict, pr: int) -> bool:
    """Whether a REST review belongs to pull request `pr` (a saved file may cover several)."""
    url = str(raw.get("pull_request_url") or "").rstrip("/")
    return not url or url.endswith(f"/pulls/{pr}")
