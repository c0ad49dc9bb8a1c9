"""Keeping the last approved version published, and editor-approved corrections.

When the text of a published post changes, its reviews are of an earlier version and the new
text is not approved. Rather than taking the post down, the public build keeps publishing the
last approved version (its text read back from git) with a note that a revision is under
review, until reviewers approve the revision. `check --strict` reports it, as a warning.

Small corrections (a typo, a dose unit, a broken link) need not go back to the reviewers: an
editor's decision record pinned to the corrected text approves it,

    type: decision
    editor: <editor id>
    decision: correction
    version: <content hash of the corrected text>   # `peerpress review status POST` prints it

together with an entry under `corrections:` in the post telling readers what changed. The
approval of the last version reviewers approved then carries forward to the corrected text,
and the review-history page shows the difference between the two.

Runs after policy.assess (whose states it amends) and before site.assemble.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from . import content, history
from .cache import Recent
from .errors import Problem, has_errors, warning
from .frontmatter import split
from .model import Config, Counted, Post, ReviewRecord, ReviewState, Version
from .policy import assess_post

SETTLED = ("draft", "withdrawn", "rejected", "retracted")  # no earlier approval changes these


def settle(config: Config, posts: list[Post], records: list[ReviewRecord], states: dict[str, ReviewState],
           versions: dict[str, list[Version]], now: datetime,
           bibliography: dict) -> tuple[list[Post], dict[str, ReviewState], list[Problem]]:
    """Posts and states with earlier approvals applied; public builds get the approved texts."""
    by_post: dict[str, list[ReviewRecord]] = {}
    for r in sorted(records, key=lambda r: (r.date, r.round, r.path.as_posix())):
        by_post.setdefault(r.post_id, []).append(r)
    out_posts, out_states, problems = [], dict(states), []
    for post in posts:
        state = states.get(post.id)
        if post.kind != "post" or state is None:
            out_posts.append(post)
            continue
        post, state, found = _settle_post(config, post, by_post.get(post.id, []), state,
                                          versions.get(post.id, []), now, bibliography)
        out_posts.append(post)
        out_states[post.id] = state
        problems += found
    _EARLIER.settle()
    return out_posts, out_states, problems


def _settle_post(config: Config, post: Post, records: list[ReviewRecord], state: ReviewState,
                 versions: list[Version], now: datetime, bib: dict):
    if state.approved_hash:
        state.reviewed_hash = state.approved_hash
        return post, state, []
    if state.status in SETTLED:
        return post, state, []
    earlier = last_approved(config, post, records, versions, now)
    correction = _correction(state, post)
    if earlier is None:
        return post, state, [] if correction is None else [warning(
            correction.path.as_posix(), None, "a correction approves a change to an approved text, but no "
            "earlier version of this post was approved", "the post needs its reviewers' approval first")]
    hashed, approved = earlier
    if correction is not None and post.corrections:
        return post, _corrected(post, state, approved, correction, versions, config), []
    problems = [] if correction is None else [warning(
        post.source.as_posix(), None, f"the editor's correction decision {correction.path.as_posix()} approves "
        "this text, but the post lists no correction", "add a 'corrections:' entry (date, text) saying what changed")]
    post, state, found = _keep_earlier(config, post, state, hashed, approved, versions, bib)
    return post, state, problems + found


def last_approved(config: Config, post: Post, records: list[ReviewRecord], versions: list[Version],
                  now: datetime) -> tuple[str, ReviewState] | None:
    """The newest earlier version that met the review policy (or was approved as a correction of
    one), with its state; None if there is none."""
    candidates = _candidates(post, records, versions)
    reviewed = {}
    for h in candidates:
        st = _assess_version(config, post, records, h, now)
        if st.approved_hash:
            st.reviewed_hash = h
            reviewed[h] = st
    for h in candidates:
        if h in reviewed:
            return h, reviewed[h]
        fix = next((d for d in reversed(records) if d.type == "decision" and d.decision == "correction"
                    and d.version == h and _is_editor(config, d.person)), None)
        base = next((reviewed[x] for x in candidates if x in reviewed), None)
        if fix is not None and base is not None:
            return h, replace(base, approved_hash=h, correction=fix)  # keeps the base's reviewed_hash
    return None


def _candidates(post: Post, records: list[ReviewRecord], versions: list[Version]) -> list[str]:
    """Hashes records are pinned to, other than the current text's, newest first.

    Newest by git history where the version is in it, then by the records' own dates."""
    order = {v.content_hash: i for i, v in enumerate(versions)}  # the last occurrence wins
    # In git, a hash that was never a version of this post is another text (or another post's,
    # since the hash names the post): its reviews are simply not of this post's text.
    known = order if any(v.commit for v in versions) else None
    pinned = [r.version for r in records if r.version and r.version != post.content_hash
              and (known is None or r.version in known)]
    by_record = {h: i for i, h in enumerate(pinned)}
    return sorted(set(pinned), key=lambda h: (h in order, order.get(h, -1), by_record[h]), reverse=True)


def _assess_version(config: Config, post: Post, records: list[ReviewRecord], h: str, now: datetime) -> ReviewState:
    """The policy applied to version `h` alone: only reviews of `h` (a reviewer's later review of
    another version does not withdraw their approval of this one), and every decision."""
    mine = [r for r in records if r.type != "review" or r.version == h]
    return assess_post(config, replace(post, content_hash=h), mine, now)


def _is_editor(config: Config, pid: str) -> bool:
    person = config.person(pid)
    return bool(person and person.has_role("editor"))


def _correction(state: ReviewState, post: Post) -> ReviewRecord | None:
    fixes = [d for d in state.decisions if d.decision == "correction" and d.version == post.content_hash]
    return fixes[-1] if fixes else None


def _merged_verdicts(state: ReviewState, approved: ReviewState, current: str = "", note: str = "") -> list[Counted]:
    """The current verdicts, with those of the approved version's reviews taken from its own
    assessment (they count); `note` is the verdict on reviews of the `current` text."""
    theirs = {id(c.record): c for c in approved.reviews}
    out = []
    for c in state.reviews:
        if id(c.record) in theirs and theirs[id(c.record)].counts:
            out.append(theirs[id(c.record)])
        elif note and c.record.version == current:
            out.append(Counted(c.record, False, note))
        else:
            out.append(c)
    return out


def _corrected(post: Post, state: ReviewState, approved: ReviewState, correction: ReviewRecord,
               versions: list[Version], config: Config) -> ReviewState:
    """The current text, approved by an editor as a correction of the reviewed version."""
    reviewed = approved.reviewed_hash
    out = replace(approved, post_id=post.id, approved_hash=post.content_hash, reviewed_hash=reviewed,
                  correction=correction, reviews=_merged_verdicts(state, approved),
                  responses=state.responses, decisions=state.decisions, needs=[])
    old = _text(config, versions, reviewed)
    if old is not None:
        out.diff = history.diff(_readable(old), _readable_post(post))
    return out


def _keep_earlier(config: Config, post: Post, state: ReviewState, hashed: str, approved: ReviewState,
                  versions: list[Version], bib: dict):
    """Publish version `hashed` (from git) while the current text is under review."""
    shown = post.source.as_posix()
    text = _text(config, versions, hashed)
    if text is None:
        return post, state, [warning(shown, None, f"version {hashed} was approved, but its text is not in the git "
                                     "history here, so the post is not published until the revision is approved",
                                     "build from a full git clone: " + history.FETCH_HINT)]
    earlier, found = _parse_earlier(config, post.source, text, bib)
    if earlier is None or has_errors(found):
        first = next((p for p in found if p.severity == "error"), None)
        return post, state, [warning(shown, None, f"approved version {hashed} no longer builds"
                                     + (f": {first.message}" if first else ""),
                                     "the post is not published until the revision is approved")]
    earlier = replace(earlier, id=post.id, content_hash=hashed)
    note = f"reviews the revision under review ({post.content_hash}), not the published version"
    out = replace(approved, post_id=post.id, reviews=_merged_verdicts(state, approved, post.content_hash, note),
                  responses=state.responses, decisions=state.decisions, needs=state.needs,
                  approved_hash=hashed, revision_hash=post.content_hash)
    problem = warning(shown, None, f"the text changed after it was approved: the public site keeps publishing "
                      f"version {hashed} until the revision {post.content_hash} is approved",
                      "reviewers approve the revision, or an editor approves it as a correction")
    if config.drafts:  # previews show the revision, and what changed since the approved text
        out.diff = history.diff(_readable_post(earlier), _readable_post(post))
        return post, out, [problem]
    return earlier, out, [problem]


def _text(config: Config, versions: list[Version], h: str) -> str | None:
    """The post file's text in the newest version with hash `h`."""
    for v in reversed(versions):
        if v.content_hash == h and v.blob:
            return history.text_of(config, v)
    return None


def _readable(text: str) -> str:
    """A post file as readers see its words: the title as a heading, then the body (no front matter)."""
    source, _ = split(text, "")
    if source is None:
        return text
    return f"# {source.doc.data.get('title') or ''}\n\n" + source.body.strip("\n")


def _readable_post(post: Post) -> str:
    return f"# {post.title}\n\n" + post.body.strip("\n")


# Approved texts parsed again, kept while config, text and bibliography are the same: an edited
# post's approved text comes from git at every build, and serve builds at every save.
_EARLIER = Recent()


def _parse_earlier(config: Config, source, text: str, bib: dict) -> tuple[Post | None, list[Problem]]:
    return _EARLIER.get((source.as_posix(), text), lambda held: held[1] is bib and held[0] == config,
                        lambda: (config, bib, content.parse_text(config, "post", config.root / source, text, bib)))[2]
