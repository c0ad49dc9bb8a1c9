"""The data that flows through the pipeline (docs/architecture.md).

Every stage takes and returns these plain dataclasses; nothing here does I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROLES = ("author", "reviewer", "editor")
REVIEW_DECISIONS = ("approve", "approve-with-reservations", "revise", "reject", "comment")
EDITOR_DECISIONS = ("accept", "reject", "withdraw", "retract", "waive", "correction")
RECORD_TYPES = ("review", "response", "decision")
# Statuses a public build renders; everything else needs --drafts or serve.
PUBLIC_STATUSES = ("published", "retracted")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    given: str = ""
    family: str = ""
    orcid: str = ""
    email: str = ""
    github: str = ""
    affiliation: str = ""
    url: str = ""
    bio: str = ""
    roles: tuple[str, ...] = ("author",)
    ssh_keys: tuple[str, ...] = ()  # public keys that sign their review commits (review.require_signed)
    organization: bool = False  # a group author (cited by name, deposited as <organization>)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


@dataclass(frozen=True)
class Rubric:
    items: tuple[tuple[str, str, str], ...]  # (key, label, description)
    scale_min: int = 0
    scale_max: int = 3
    name: str = ""
    scale_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewPolicy:
    approvals_required: int = 2
    # Each rule maps a decision to how many of them are needed; any rule suffices (F1000 style).
    passing: tuple[tuple[tuple[str, int], ...], ...] = ((("approve", 2),),)
    visibility: str = "open"  # open | anonymous
    publish_reports: bool = True
    editor_accept_required: bool = False
    model: str = "Open peer review"
    require_signed: bool = False
    rubric: Rubric | None = None
    deadline_days: int = 0  # days an assigned reviewer has to review (0: no deadline); generator/desk


@dataclass(frozen=True)
class Config:
    """site.yaml, validated. Paths are absolute."""
    root: Path
    path: Path
    title: str
    base_url: str
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    license: str = "CC-BY-4.0"
    issn: str = ""
    doi_prefix: str = ""  # the blog's Crossref prefix: deposits of posts and reviews (crossref.py)
    theme: str = "default"
    themes_dir: Path = Path("themes")
    content_dir: Path = Path("content")
    reviews_dir: Path = Path("reviews")
    output_dir: Path = Path("site")
    cname: str = ""
    per_page: int = 10
    toc_min_headings: int = 3
    raw_html: str = "allow"  # allow | sanitize | escape, for posts; review texts are always sanitised
    people: dict[str, Person] = field(default_factory=dict)
    review: ReviewPolicy = field(default_factory=ReviewPolicy)
    taxonomies: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {term: label}
    extra: dict[str, Any] = field(default_factory=dict)  # sections owned by later stages (feeds, citation, ...)
    drafts: bool = False  # render unpublished posts with a status banner (build --drafts, serve)

    def person(self, pid: str) -> Person | None:
        return self.people.get(pid)


@dataclass
class Heading:
    level: int
    text: str
    anchor: str


@dataclass
class Post:
    """A post or a standalone page, front matter validated and Markdown rendered."""
    id: str
    kind: str  # post | page
    source: Path  # relative to the project root
    title: str
    body: str  # Markdown source (after the front matter)
    body_line: int  # 1-based line of the first body line in the file
    date: datetime | None = None
    updated: datetime | None = None
    authors: tuple[str, ...] = ()
    summary: str = ""
    tags: tuple[str, ...] = ()
    doi: str = ""
    license: str = ""
    audience: tuple[str, ...] = ()
    competencies: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    bibliography: tuple[str, ...] = ()
    corrections: tuple[dict[str, Any], ...] = ()
    draft: bool = False
    featured: bool = False
    image: str = ""
    html: str = ""
    toc: list[Heading] = field(default_factory=list)
    word_count: int = 0
    content_hash: str = ""
    assets: tuple[Path, ...] = ()  # bundle files, relative to the project root
    references: list[dict[str, Any]] = field(default_factory=list)  # filled by markup citations
    meta: dict[str, Any] = field(default_factory=dict)  # the raw front matter, for themes
    links: list[tuple[str, int]] = field(default_factory=list)  # (href, source line) in the body: links.check
    language: str = ""  # BCP 47 tag: front matter `language`, else the site's
    aliases: tuple[tuple[str, int], ...] = ()  # (old URL path, front-matter line): redirects.py
    series: str = ""  # series title (series.py)
    series_part: int = 0

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / 220))


@dataclass
class ReviewRecord:
    path: Path  # relative to the project root
    post_id: str
    type: str  # review | response | decision
    person: str  # reviewer / author / editor id
    date: datetime
    decision: str = ""
    version: str = ""
    round: int = 1
    competing_interests: str = ""
    scores: dict[str, int] = field(default_factory=dict)
    source: str = ""
    reason: str = ""
    dismissed: bool = False  # dismissed on GitHub: shown in the history, never counted
    waives: tuple[str, ...] = ()  # decision records: reviewer ids whose competing interest is waived
    body: str = ""
    html: str = ""
    signed_by: str = ""  # filled by history when review.require_signed is on
    added_in: str = ""  # commit that added the record, where known
    date_line: int | None = None  # the file line of `date:`, to point at it


@dataclass
class Version:
    commit: str
    date: datetime
    committer: str
    content_hash: str
    path: str
    subject: str = ""
    blob: str = ""  # the post file's git blob at the last commit with this text (to re-read it)
    authored: datetime | None = None  # the commit's author date (a rebase keeps it; `date` is when it landed)
    # First version only: when the post was submitted, by the earliest author date of any commit
    # touching it (merged branches and renames included); None where git cannot tell (history.submission).
    submitted: datetime | None = None
    note: str = ""  # the `Changes:` trailer of the commit that made this version (readers.py)


@dataclass
class Counted:
    """One review record and the policy's verdict on it."""
    record: ReviewRecord
    counts: bool
    reason: str = ""  # why it does not count
    stale: bool = False  # pinned to another version of the text


@dataclass
class ReviewState:
    post_id: str
    status: str
    reviews: list[Counted] = field(default_factory=list)
    responses: list[ReviewRecord] = field(default_factory=list)
    decisions: list[ReviewRecord] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    accepted_on: datetime | None = None
    retraction: ReviewRecord | None = None
    approved_hash: str = ""  # the version the public site publishes
    reviewed_hash: str = ""  # the version reviewers approved (earlier than approved_hash after a correction)
    revision_hash: str = ""  # the current text, under review, while the site keeps publishing approved_hash
    correction: ReviewRecord | None = None  # the editor's decision approving approved_hash as a correction
    diff: list[tuple[str, str]] = field(default_factory=list)  # (kind, line): reviewed → shown (history.diff)

    @property
    def approvals(self) -> list[Counted]:
        return [c for c in self.reviews if c.counts and c.record.decision.startswith("approve")]


@dataclass
class Output:
    path: str  # posix, relative to the output folder
    data: bytes


@dataclass
class Site:
    """Everything templates may read; built once by site.assemble()."""
    config: Config
    posts: dict[str, Post]  # every post, by id
    pages: dict[str, Post]
    states: dict[str, ReviewState]
    records: list[ReviewRecord]
    versions: dict[str, list[Version]] = field(default_factory=dict)
    listed: list[Post] = field(default_factory=list)  # posts rendered, newest first
    by_tag: dict[str, list[Post]] = field(default_factory=dict)
    by_author: dict[str, list[Post]] = field(default_factory=dict)
    by_taxonomy: dict[str, dict[str, list[Post]]] = field(default_factory=dict)
    reviews_by_post: dict[str, list[ReviewRecord]] = field(default_factory=dict)
    reviews_by_person: dict[str, list[ReviewRecord]] = field(default_factory=dict)
    by_year: dict[int, list[Post]] = field(default_factory=dict)
    prev_next: dict[str, tuple[Post | None, Post | None]] = field(default_factory=dict)
    series: dict[str, list[Post]] = field(default_factory=dict)  # title -> listed parts in order (series.py)

    def state(self, post_id: str) -> ReviewState | None:
        return self.states.get(post_id)
