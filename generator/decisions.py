"""The words people use for a decision, mapped to the one the records store.

The site shows "Approved" and GitHub says "Changes requested": either is accepted wherever a
decision is written, in a record's `decision:` and in `peerpress review new --decision`, and is
stored and counted as its canonical word (approve, revise, ...). Accepted silently: the word
means the same, so there is nothing to correct.
"""
from __future__ import annotations

import re

from .model import EDITOR_DECISIONS, REVIEW_DECISIONS

# Written as the site and GitHub show them; compared case-, space-, hyphen- and underscore-blind.
REVIEW_SYNONYMS = {
    "approve": ("approved", "approves", "approval"),
    "approve-with-reservations": ("approved with reservations", "approve with reservation",
                                  "approved with reservation"),
    "revise": ("revisions requested", "revision requested", "changes requested", "request changes",
               "requested changes", "revisions"),
    "reject": ("rejected", "not approved"),
    "comment": ("commented", "comments"),
}
EDITOR_SYNONYMS = {
    "accept": ("accepted", "accepted by the editor"),
    "reject": ("rejected", "not approved"),
    "withdraw": ("withdrawn",),
    "retract": ("retracted",),
    "waive": ("waived", "competing interest waived", "competing interests waived"),
    "correction": ("correction approved", "corrected"),
}


def _norm(word: str) -> str:
    return re.sub(r"[\s_-]+", "-", word.strip().lower())


def _table(canonical: tuple[str, ...], synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {_norm(c): c for c in canonical}
    table.update({_norm(s): c for c, words in synonyms.items() for s in words})
    return table


REVIEW_WORDS = _table(REVIEW_DECISIONS, REVIEW_SYNONYMS)
EDITOR_WORDS = _table(EDITOR_DECISIONS, EDITOR_SYNONYMS)


def canonical(word: str, kind: str = "review") -> str:
    """The stored decision for `word` in a record of `kind`; an unknown word comes back as given."""
    table = EDITOR_WORDS if kind == "decision" else REVIEW_WORDS
    return table.get(_norm(word), word) if isinstance(word, str) else word


def review_argument(word: str) -> str:
    """argparse `type` for --decision: `choices` then refuses what is still unknown."""
    return canonical(word, "review")
