"""Series: multi-part posts that share a `series:` title, read in order, with a page of their own.

Parts are ordered by `series_part` where given, then by date. Only shown posts count, so a
series page never lists a part readers cannot open.
"""
from __future__ import annotations

from collections import defaultdict

from . import urls
from .errors import Problem, error
from .model import Post, Site

LAST = 10**6  # parts without a number come after numbered ones, by date


def collect(listed: list[Post]) -> dict[str, list[Post]]:
    """Series title → its shown parts in reading order (titles compared by slug, first spelling kept)."""
    by_slug: dict[str, list[Post]] = defaultdict(list)
    titles: dict[str, str] = {}
    for post in listed:
        if post.series:
            key = urls.slug(post.series)
            titles.setdefault(key, post.series)
            by_slug[key].append(post)
    ordered = {titles[k]: sorted(parts, key=_order) for k, parts in by_slug.items()}
    return dict(sorted(ordered.items(), key=lambda kv: kv[0].lower()))


def _order(post: Post):
    return (post.series_part or LAST, post.date.timestamp() if post.date else 0, post.id)


def url(title: str) -> str:
    return f"series/{urls.slug(title)}/"


def position(site: Site, post: Post) -> dict | None:
    """For "Part 2 of 5" navigation: number, total, previous and next part, the series title."""
    parts = site.series.get(_title(site, post)) if post.series else None
    ids = [p.id for p in parts or ()]
    if post.id not in ids:
        return None
    i = ids.index(post.id)
    total = max(len(parts), max(p.series_part for p in parts))
    return {"title": _title(site, post), "url": url(post.series), "number": post.series_part or i + 1,
            "total": total, "parts": parts,
            "prev": parts[i - 1] if i > 0 else None, "next": parts[i + 1] if i + 1 < len(parts) else None}


def _title(site: Site, post: Post) -> str:
    key = urls.slug(post.series)
    return next((t for t in site.series if urls.slug(t) == key), post.series)


def check(site: Site) -> list[Problem]:
    """Two posts of one series cannot both be part N."""
    problems = []
    seen: dict[tuple[str, int], Post] = {}
    for post in sorted(site.posts.values(), key=lambda p: p.source.as_posix()):
        if not post.series or not post.series_part:
            continue
        key = (urls.slug(post.series), post.series_part)
        if key in seen:
            problems.append(error(post.source.as_posix(), _line(site, post, "series_part:"),
                                  f"series '{post.series}' already has a part {post.series_part}: "
                                  f"{seen[key].source.as_posix()}", "give each part its own series_part"))
        else:
            seen[key] = post
    return problems


def _line(site: Site, post: Post, key: str) -> int | None:
    """The front-matter line that starts with `key` (the post is parsed by then; this is for the message)."""
    try:
        text = (site.config.root / post.source).read_text(encoding="utf-8-sig")
    except OSError:
        return None
    return next((n for n, line in enumerate(text.splitlines()[:post.body_line], 1) if line.startswith(key)), None)


def pages(r) -> list:
    """/series/ (every series) and /series/<slug>/ (its parts in order)."""
    site = r.site
    if not site.series:
        return []
    out = [r.page("series-list.html", "series/", all_series=site.series)]
    for title, parts in site.series.items():
        out.append(r.page("series.html", url(title), title=title, parts=parts))
    return out


def register(env, site: Site) -> None:
    env.globals["series_position"] = lambda post: position(site, post)
    env.globals["series_url"] = url
