"""Review records: loading and validating them, scaffolding new ones, and the review timeline
(docs/architecture.md, "Reviews"). What counts, and each post's status, is generator/policy.py.
"""
from __future__ import annotations

import difflib
import functools
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from . import cache, decisions, limits, review_rules
from .claimed import claimed_ids
from .content import Resolver, inside, to_datetime
from .errors import Problem, error, rel, warning
from .frontmatter import read_text, split
from .loading import SERIAL, Job, Loader, collect
from .markup import render, sanitize
from .policy import order
from .model import (
    EDITOR_DECISIONS,
    RECORD_TYPES,
    REVIEW_DECISIONS,
    Config,
    Post,
    ReviewRecord,
    ReviewState,
    Version,
)
from .schema import Field, Section, validate, web_link_problem

HASH_RE = re.compile(r"^[0-9a-f]{16}$")
NAME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z0-9]+(?:[-_][a-z0-9]+)*?)(?:-\d+)?$")

RECORD = Section({
    "type": Field(str, "review", "review, response or decision", choices=RECORD_TYPES),
    "reviewer": Field(str, "", "the reviewer's people id (reviews)"),
    "author": Field(str, "", "the responding author's people id (responses)"),
    "editor": Field(str, "", "the editor's people id (decisions)"),
    "date": Field(date, None, "when it was written, YYYY-MM-DD (not after today)"),
    "decision": Field(str, "", "the review's or editor's decision; the words the site shows are accepted too "
                      "('approved', 'approved with reservations', 'changes requested', 'rejected', "
                      "'commented', 'accepted', ...) and stored as the decision they name"),
    "version": Field(str, "", "content hash of the post (its id and text) reviewed (peerpress review new fills it in)"),
    "round": Field(int, 1, "review round"),
    "competing_interests": Field(str, "", "declared competing interests, or 'none'"),
    "scores": Field(dict, {}, "rubric scores, item → score (each one filled in)"),
    "source": Field(str, "", "link to the original review, e.g. a pull-request review", check=web_link_problem),
    "imported": Field(bool, False, "true for a review carried over from another blog by peerpress import"),
    "reason": Field(str, "", "the editor's reason (decisions)"),
    "waives": Field(list, [], "reviewer ids whose competing interests the editor waives", item=Field(str)),
    "dismissed": Field(bool, False, "true if dismissed on GitHub: shown, never counted; may omit its decision"),
})


def load(config: Config, post_ids: set[str], loader: Loader = SERIAL) -> tuple[list[ReviewRecord], list[Problem]]:
    """Every record under reviews/, validated against people, roles, rubric and posts. The
    build passes a loader that caches and parallelises (loading.py)."""
    base = config.reviews_dir
    if not base.is_dir():
        return [], []
    paths = [p for p in sorted(base.rglob("*.md"))
             if not (p.name.startswith((".", "_")) or p.name.lower() == "readme.md")]
    folders = {p.relative_to(base).parts[0] for p in paths if len(p.relative_to(base).parts) == 2}
    if folders - post_ids:  # a post whose front matter fails still owns its folder: one error, not one a record
        post_ids = post_ids | (claimed_ids(config) & folders)
    real = Resolver()
    shared = functools.cache(lambda: (cache.config_key(config), cache.digest(*sorted(post_ids))))
    jobs = [Job(path.as_posix(), functools.partial(cache_key, config, shared, post_ids, path, real),
                functools.partial(load_one, config, path, post_ids)) for path in paths]
    records, problems = collect(loader, "reviews", jobs, ReviewRecord)
    return records, problems + _duplicates(records)


def cache_key(config: Config, shared, post_ids: set[str], path: Path, real: Resolver) -> str:
    """What parsing a record reads: the file, the config (`shared`), and whether its post exists."""
    rel_path = path.relative_to(config.reviews_dir)
    known = rel_path.parts[0] in post_ids if len(rel_path.parts) == 2 else False
    ckey, ids_key = shared()
    # An unknown post's hint names its closest known id, so then every id counts.
    return cache.digest(ckey, rel_path.as_posix(), path.is_symlink(), real(str(path)),
                        known, "" if known else ids_key, path.read_bytes() if path.is_file() else b"")


def load_one(config: Config, path: Path, post_ids: set[str]) -> tuple[ReviewRecord | None, list[Problem]]:
    shown = rel(path, config.root)
    if not inside(path, config.root):
        return None, [error(shown, None, "is a link to a file outside the project", "copy it in instead")]
    text, problems = read_text(path, shown)
    if text is None:
        return None, problems
    source, problems = split(text, shown, repaired=True)
    if source is None:
        return None, problems
    data, found = validate(source.doc, shown, RECORD)
    problems += source.checked(found)
    doc = source.doc
    relpath = path.relative_to(config.reviews_dir)
    if len(relpath.parts) != 2:
        return None, problems + [error(shown, None, "review records go in reviews/<post-id>/<date>-<person>.md",
                                       "move the file into the folder named after the post")]
    post_id = relpath.parts[0]
    if post_id not in post_ids:
        close = difflib.get_close_matches(post_id, sorted(post_ids), n=1)
        problems.append(error(shown, None, f"review of unknown post '{post_id}'",
                              f"did you mean '{close[0]}'?" if close else "the folder name must be a post id"))
    kind = data["type"] or "review"
    data["decision"] = decisions.canonical(data["decision"], kind)  # "approved" is "approve"
    person_key = {"review": "reviewer", "response": "author", "decision": "editor"}[kind]
    person = data[person_key]
    if not person:
        problems.append(error(shown, doc.line(), f"missing required key '{person_key}'",
                              f"a {kind} names its {person_key} by people id"))
    elif person not in config.people:
        problems.append(error(shown, doc.line(person_key), f"unknown {person_key} '{person}'",
                              "add them to people: in site.yaml"))
    if data["date"] is None and source.doc.data.get("date") is None:  # a bad one is reported already
        problems.append(error(shown, doc.line(), "missing required key 'date'", "YYYY-MM-DD"))
    problems += _check_decision(kind, data, doc, shown)
    problems += _check_version(kind, data, doc, shown)
    problems += _check_scores(config, data, doc, shown)
    problems += _check_name(path, data, person, shown)
    problems += review_rules.review_text(kind, source.body, source.body_line, shown)
    tz = ZoneInfo(config.timezone)
    too_deep = limits.markdown_depth(source.body, shown, source.body_line)  # render() refuses it, silently here
    problems += [too_deep] if too_deep else []
    body_html = sanitize(render(source.body, config=config, path=shown,
                                line_offset=source.body_line - 1).html)
    record = ReviewRecord(
        path=path.relative_to(config.root), post_id=post_id, type=kind, person=person or "",
        date=to_datetime(data["date"], tz) or datetime(1970, 1, 1, tzinfo=tz),
        decision=data["decision"], version=data["version"], round=data["round"], dismissed=bool(data["dismissed"]),
        competing_interests=data["competing_interests"],
        scores={str(k): v for k, v in (data["scores"] or {}).items()}, source=data["source"],
        reason=data["reason"], waives=tuple(data["waives"]), body=source.body, html=body_html,
        date_line=doc.line("date"))
    return source.usable(record), problems


def _check_decision(kind: str, data: dict, doc, shown: str) -> list[Problem]:
    allowed = {"review": REVIEW_DECISIONS, "decision": EDITOR_DECISIONS, "response": ("",)}[kind]
    decision = data["decision"]
    if kind == "response":
        return [] if not decision else [warning(shown, doc.line("decision"), "a response has no decision; ignored")]
    if not decision and not (kind == "review" and data["dismissed"]):  # GitHub may say only DISMISSED
        return [error(shown, doc.line(), "missing required key 'decision'", "one of: " + ", ".join(allowed))]
    if decision and decision not in allowed:
        close = difflib.get_close_matches(decision, allowed, n=1)
        return [error(shown, doc.line("decision"), f"unknown decision '{decision}'",
                      f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(allowed))]
    if kind == "decision" and decision in ("reject", "withdraw", "retract") and not data["reason"]:
        return [error(shown, doc.line("decision"), f"an editor's '{decision}' needs a reason",
                      "add 'reason:' explaining it to readers")]
    return []


def _check_version(kind: str, data: dict, doc, shown: str) -> list[Problem]:
    version = data["version"]
    if kind == "review" and not version:
        return [error(shown, doc.line(), "missing required key 'version'",
                      "run 'peerpress review new POST --reviewer ID --decision D' to stamp the current hash")]
    if version and not HASH_RE.match(str(version)):
        return [error(shown, doc.line("version"), f"malformed version hash '{version}'",
                      "it is 16 lower-case hex digits; 'peerpress review status POST' prints the current one")]
    return []


def _check_scores(config: Config, data: dict, doc, shown: str) -> list[Problem]:
    scores = data["scores"] or {}
    if not scores:
        return []
    rubric = config.review.rubric
    if rubric is None:
        return [error(shown, doc.line("scores"), "scores given but site.yaml defines no review.rubric",
                      "remove the scores or define the rubric")]
    scores, problems = review_rules.unfilled_scores(scores, doc, shown, rubric.scale_min, rubric.scale_max)
    keys = [k for k, _, _ in rubric.items]
    for key, value in scores.items():
        if key not in keys:
            problems.append(error(shown, doc.line("scores", key), f"unknown rubric item '{key}'",
                                  "one of: " + ", ".join(keys)))
        elif not isinstance(value, int) or isinstance(value, bool) or not rubric.scale_min <= value <= rubric.scale_max:
            problems.append(error(shown, doc.line("scores", key), f"score for '{key}' is {value!r}",
                                  f"scores are whole numbers from {rubric.scale_min} to {rubric.scale_max}"))
    return problems


def _check_name(path: Path, data: dict, person: str, shown: str) -> list[Problem]:
    m = NAME_RE.match(path.stem)
    if not m:
        return [warning(shown, None, "file name should be <YYYY-MM-DD>-<person-id>.md",
                        "peerpress review new names it for you")]
    if data["date"] and m.group(1) != data["date"].isoformat()[:10]:
        return [warning(shown, None, f"file name date {m.group(1)} differs from 'date:' {data['date']}")]
    return []


def _duplicates(records: list[ReviewRecord]) -> list[Problem]:
    """One GitHub review recorded twice (several reviews of one version by one reviewer are normal)."""
    seen: dict[tuple, ReviewRecord] = {}
    problems: list[Problem] = []
    for r in sorted(records, key=order):
        if r.type != "review" or not r.source:
            continue
        key = (r.post_id, r.person, r.source)  # a shared ticket (imported blogs) is one source for several
        if key in seen:
            problems.append(warning(r.path.as_posix(), None, f"the review {r.source} is recorded twice",
                                    f"{seen[key].path.as_posix()} records it too; delete one"))
        else:
            seen[key] = r
    return problems


def scaffold(config: Config, post: Post, person: str, decision: str, when: date, kind: str = "review", *,
             version: str = "", body: str = "", fields: dict | None = None, path: Path | None = None) -> Path:
    """A new record stamped with the post's current hash: nobody computes hashes by hand.

    Imported reviews (importers.py) give the `version` reviewed, the review `body`, extra
    front-matter `fields` (source, competing interests) and, to update an earlier import, its `path`."""
    folder = config.reviews_dir / post.id
    name = f"{when.isoformat()}-{person}"
    n = 2
    if path is None:
        path = folder / f"{name}.md"
        while path.exists():
            path = folder / f"{name}-{n}.md"
            n += 1
    key = {"review": "reviewer", "response": "author", "decision": "editor"}[kind]
    lines = ["---"] + ([f"type: {kind}"] if kind != "review" else []) + [
        f"{key}: {person}", f"date: {when.isoformat()}"]
    if kind != "response" and decision:  # a dismissed review may not say what it was
        lines.append(f"decision: {decision}")
    lines.append(f"version: {version or post.content_hash}")
    if kind == "review":
        lines.append("round: 1")
        if fields is None:  # a template for a person to fill in
            lines.append("competing_interests: none")
            if config.review.rubric:  # left empty: a score nobody gave is an error, never a pass
                rubric = config.review.rubric
                lines.append(f"scores:  # a whole number from {rubric.scale_min} to {rubric.scale_max} for each")
                lines += [f"  {k}:" for k, _, _ in rubric.items]
    for key_, value in (fields or {}).items():  # imported text is quoted by YAML, never pasted raw
        lines.append(yaml.safe_dump({key_: value}, allow_unicode=True, width=10_000).rstrip("\n"))
    lines += ["---", "", body.strip() if body.strip() else review_rules.REVIEW_PROMPT, ""]
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def timeline(post: Post, state: ReviewState, versions: list[Version]) -> list[dict]:
    """The review history in date order: submission, reviews, responses, decisions, publication."""
    events: list[dict] = []
    committed = [v for v in versions if v.commit]  # outside git the file's date says nothing of submission
    first_record = min((r.date for r in state.responses + state.decisions + [c.record for c in state.reviews]),
                       default=None)
    if committed:
        first = committed[0]  # oldest first; submitted by its author date, not when it landed on main
        when = first.submitted or first.authored or first.date
        # A history imported after the fact (reviews older than the first commit) has no submission date.
        if first_record is None or when <= first_record:
            events.append({"kind": "submitted", "date": when, "version": first.content_hash})
    numbers: dict[str, int] = {}  # anonymous reviewers are "Reviewer 1, 2, ..." in order of first review
    for c in state.reviews:
        number = numbers.setdefault(c.record.person, len(numbers) + 1)
        events.append({"kind": "review", "date": c.record.date, "record": c.record, "counted": c, "number": number})
    events += [{"kind": "response", "date": r.date, "record": r} for r in state.responses]
    events += [{"kind": "decision", "date": d.date, "record": d} for d in state.decisions]
    if state.accepted_on and state.status in ("accepted", "published", "retracted"):
        events.append({"kind": "accepted", "date": state.accepted_on, "version": state.approved_hash})
    if state.status in ("published", "retracted") and post.date:
        events.append({"kind": "published", "date": post.date, "version": state.approved_hash})
    events += [{"kind": "correction", "date": c["date"], "text": c["text"]} for c in post.corrections]
    order = {"submitted": 0, "review": 1, "response": 2, "decision": 3, "accepted": 4, "published": 5,
             "correction": 6}
    return sorted(events, key=lambda e: (e["date"], order[e["kind"]]))
