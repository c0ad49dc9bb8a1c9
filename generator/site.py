"""Assembling the Site library: the published set, taxonomies, archives, prev/next."""
from __future__ import annotations

from collections import defaultdict

from . import series
from .model import PUBLIC_STATUSES, Config, Post, ReviewRecord, ReviewState, Site, Version
from .urls import slug


def newest_first(posts: list[Post]) -> list[Post]:
    """Newest first; equal dates fall back to the id so the order never depends on the disk."""
    return sorted(posts, key=lambda p: (-(p.date.timestamp() if p.date else 0), p.id))


def assemble(config: Config, posts: list[Post], records: list[ReviewRecord],
             states: dict[str, ReviewState], versions: dict[str, list[Version]] | None = None) -> Site:
    articles = {p.id: p for p in posts if p.kind == "post"}
    pages = {p.id: p for p in posts if p.kind == "page" and (config.drafts or not p.draft)}
    listed = newest_first([p for p in articles.values() if is_listed(config, states.get(p.id))])
    site = Site(config=config, posts=articles, pages=pages, states=states, records=records,
                versions=versions or {}, listed=listed)
    _taxonomies(site)
    _reviews(site)
    site.series = series.collect(listed)
    for i, post in enumerate(listed):
        newer = listed[i - 1] if i > 0 else None
        older = listed[i + 1] if i + 1 < len(listed) else None
        site.prev_next[post.id] = (older, newer)
    return site


def is_listed(config: Config, state: ReviewState | None) -> bool:
    """Public builds show published (and retracted, with a notice); drafts mode shows all."""
    return state is not None and (config.drafts or state.status in PUBLIC_STATUSES)


def _taxonomies(site: Site) -> None:
    by_tag, by_author, by_year = defaultdict(list), defaultdict(list), defaultdict(list)
    by_tax: dict[str, dict[str, list[Post]]] = {name: defaultdict(list) for name in site.config.taxonomies}
    labels: dict[str, str] = {}  # slug -> the first spelling seen: "ECG" and "ecg" share /tags/ecg/
    for post in site.listed:  # already newest first, so every list below is too
        for tag in post.tags:
            by_tag[labels.setdefault(slug(tag), tag)].append(post)
        for pid in post.authors:
            by_author[pid].append(post)
        if post.date:
            by_year[post.date.year].append(post)
        for name in by_tax:
            for term in getattr(post, name, ()) if name in ("audience", "competencies") else post.meta.get(name, ()):
                by_tax[name][term].append(post)
    site.by_tag = dict(sorted(by_tag.items(), key=lambda kv: kv[0].lower()))
    site.by_author = dict(sorted(by_author.items()))
    site.by_year = dict(sorted(by_year.items(), reverse=True))
    site.by_taxonomy = {name: dict(sorted(terms.items())) for name, terms in by_tax.items()}


def _reviews(site: Site) -> None:
    """Reverse maps: the records of each listed post, and each person's published reviews."""
    shown = {p.id for p in site.listed}
    by_post, by_person = defaultdict(list), defaultdict(list)
    for r in site.records:
        if r.post_id in shown:
            by_post[r.post_id].append(r)
            if r.type == "review":
                by_person[r.person].append(r)
    site.reviews_by_post = dict(by_post)
    site.reviews_by_person = {k: sorted(v, key=lambda r: (r.date, r.post_id), reverse=True)
                              for k, v in sorted(by_person.items())}


def held_back_line(site: Site) -> str:
    """`build`'s last line: "held back 2 posts: a (needs …), b (draft)"; empty when none are."""
    held = held_back(site)
    if not held:
        return ""
    return (f"held back {len(held)} post{'s' if len(held) != 1 else ''}: "
            + ", ".join(f"{pid} ({why})" for pid, why in held))


def held_back(site: Site) -> list[tuple[str, str]]:
    """(post id, why) for every post this build does not publish, in the words of `review status`."""
    listed = {p.id for p in site.listed}
    out = []
    for pid in sorted(site.states):
        state = site.states[pid]
        if pid not in listed:
            out.append((pid, "; ".join(state.needs) or state.status))
    return out
