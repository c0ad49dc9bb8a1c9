"""HTML pages from the Site library and the theme's templates (one function per page kind)."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

import jinja2

from . import readers, search, series, sharing, urls
from .errors import ProblemError
from .markup import pygments_css
from .model import Output, Person, Post, Site
from .reviews import timeline
from .theme import Theme, environment, template_problem

STATUS_LABELS = {
    "draft": "Draft", "submitted": "Submitted, awaiting review", "in-review": "In review",
    "revisions-requested": "Revisions requested", "accepted": "Accepted, not yet published",
    "published": "Peer reviewed", "rejected": "Rejected", "withdrawn": "Withdrawn", "retracted": "Retracted",
}
DECISION_LABELS = {
    "approve": "Approved", "approve-with-reservations": "Approved with reservations",
    "revise": "Revisions requested", "reject": "Not approved", "comment": "Comment",
    "accept": "Accepted by the editor", "waive": "Competing interest waived",
    "withdraw": "Withdrawn", "retract": "Retracted", "correction": "Correction approved",
}


@dataclass
class Renderer:
    site: Site
    theme: Theme
    env: jinja2.Environment

    def page(self, template: str, path: str, **context: Any) -> Output:
        """Render `template` to the file behind URL `path`; template errors become Problems."""
        try:
            html = self.env.get_template(template).render(path=path, **context)
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
            raise ProblemError([template_problem(exc, self.site.config)]) from None
        return Output(urls.file_for(path), html.encode("utf-8"))


def make_renderer(site: Site, theme: Theme, hooks: list[Callable] = ()) -> Renderer:
    """The Jinja environment with the helpers every template may use."""
    env = environment(site.config, theme)
    config = site.config
    env.globals.update(
        site=site, config=config, urls=urls, status_labels=STATUS_LABELS, decision_labels=DECISION_LABELS,
        url=lambda path="": urls.link(config, path),
        abs_url=lambda path="": urls.absolute(config, path),
        asset=lambda path: urls.link(config, f"assets/{path}") + f"?v={theme.fingerprints.get('assets/' + path, '')}",
        person=lambda pid: config.people.get(pid) or Person(id=pid, name=pid),
        taxonomy_label=lambda name, term: config.taxonomies.get(name, {}).get(term, term),
    )
    env.filters.update(date=format_date, isodate=iso_date, slug=urls.slug, initials=initials)
    sharing.register(env, site)
    readers.register(env, site, theme)
    series.register(env, site)
    for hook in hooks:
        hook(env, site)
    return Renderer(site, theme, env)


def format_date(value: datetime | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    if fmt == "short":
        return value.strftime("%d %b %Y").lstrip("0")
    return f"{value.day} {value.strftime('%B %Y')}"


def iso_date(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def initials(person: Person) -> str:
    return "".join(part[0] for part in person.name.split()[:2]).upper()


def pages(r: Renderer) -> list[Output]:
    """Every HTML page and robots.txt, in a stable order (the sitemap comes last, in engine/build.py)."""
    out: list[Output] = []
    for step in (home_pages, post_pages, review_pages, tag_pages, author_pages, taxonomy_pages,
                 standalone_pages, misc_pages, search.pages, series.pages):
        out += step(r)
    out.append(robots(r.site))
    out += static_files(r)
    return out


def paginate(items: list, per_page: int) -> list[list]:
    count = max(1, math.ceil(len(items) / per_page))
    return [items[i * per_page:(i + 1) * per_page] for i in range(count)]


def home_pages(r: Renderer) -> list[Output]:
    site = r.site
    chunks = paginate(site.listed, site.config.per_page)
    featured = [p for p in site.listed if p.featured][:3]
    out = []
    for n, chunk in enumerate(chunks, start=1):
        pager = {"number": n, "count": len(chunks),
                 "prev": urls.home(n - 1) if n > 1 else None,
                 "next": urls.home(n + 1) if n < len(chunks) else None}
        shown = featured if n == 1 else []
        # Featured posts are shown above the list on page 1; every theme gets them only once.
        recent = [p for p in chunk if p not in shown]
        out.append(r.page("index.html", urls.home(n), posts=recent, pager=pager, featured=shown))
    return out


def post_pages(r: Renderer) -> list[Output]:
    out = []
    for post in r.site.listed:
        older, newer = r.site.prev_next.get(post.id, (None, None))
        out.append(r.page("post.html", urls.post(post.id), post=post, state=r.site.states[post.id],
                          older=older, newer=newer))
        out += bundle_files(r.site, post)
    return out


def bundle_files(site: Site, post: Post) -> list[Output]:
    """A bundle's images and files land beside its page, under the same relative names."""
    if not post.assets:
        return []
    folder = post.source.parent
    return [Output(urls.post(post.id) + a.relative_to(folder).as_posix(), (site.config.root / a).read_bytes())
            for a in post.assets]


def review_pages(r: Renderer) -> list[Output]:
    out = []
    for post in r.site.listed:
        records = r.site.reviews_by_post.get(post.id, [])
        state = r.site.states[post.id]
        versions = r.site.versions.get(post.id, [])
        out.append(r.page("reviews.html", urls.reviews(post.id), post=post, state=state, records=records,
                          versions=versions, events=timeline(post, state, versions)))
    return out


def pagers(items: list, per_page: int, url: Callable[[int], str]) -> list[tuple[list, dict]]:
    """(the page's items, pager) per page of a list: number, count, prev/next URL paths, total."""
    chunks = paginate(items, per_page)
    return [(chunk, {"number": n, "count": len(chunks), "total": len(items),
                     "prev": url(n - 1) if n > 1 else None, "next": url(n + 1) if n < len(chunks) else None})
            for n, chunk in enumerate(chunks, start=1)]


def tag_pages(r: Renderer) -> list[Output]:
    """A topic's posts, newest first, per_page to a page (/tags/<tag>/page/N/), so an edit
    re-renders the pages that show the post, not a page listing every post of the topic."""
    out = [r.page("tags.html", "tags/", tags=r.site.by_tag)]
    for tag, posts in r.site.by_tag.items():
        for chunk, pager in pagers(posts, r.site.config.per_page, lambda n, tag=tag: urls.tag(tag, n)):
            out.append(r.page("tag.html", urls.tag(tag, pager["number"]), tag=tag, posts=chunk, pager=pager))
    return out


def author_pages(r: Renderer) -> list[Output]:
    site = r.site
    people = [p for pid, p in sorted(site.config.people.items()) if pid in site.by_author]
    out = [r.page("authors.html", "authors/", people=people)]
    # Reviewers get a profile too when reviews are signed, so every name on a review page links somewhere.
    signed = site.config.review.visibility == "open"
    profiles = [p for pid, p in sorted(site.config.people.items())
                if pid in site.by_author or (signed and pid in site.reviews_by_person)]
    for person in profiles:  # paginated as tags are; the reviews written are listed on page 1
        posts = site.by_author.get(person.id, [])
        for chunk, pager in pagers(posts, site.config.per_page, lambda n, pid=person.id: urls.author(pid, n)):
            reviews = site.reviews_by_person.get(person.id, []) if pager["number"] == 1 else []
            out.append(r.page("author.html", urls.author(person.id, pager["number"]), author=person,
                              posts=chunk, reviews=reviews, pager=pager,
                              review_count=len(site.reviews_by_person.get(person.id, []))))
    reviewers = [site.config.people[pid] for pid in site.reviews_by_person if pid in site.config.people]
    out.append(r.page("reviewers.html", "reviewers/", reviewers=reviewers))
    return out


def taxonomy_pages(r: Renderer) -> list[Output]:
    out = []
    for name, terms in r.site.by_taxonomy.items():
        out.append(r.page("taxonomy.html", f"{name}/", taxonomy=name, terms=terms))
        for term, posts in terms.items():
            out.append(r.page("term.html", urls.taxonomy(name, term), taxonomy=name, term=term, posts=posts))
    return out


def standalone_pages(r: Renderer) -> list[Output]:
    out = [r.page("page.html", urls.page(p.id), page=p) for p in r.site.pages.values()]
    out.append(r.page("review-policy.html", "review-policy/", policy=r.site.config.review))
    return out


def misc_pages(r: Renderer) -> list[Output]:
    return [r.page("archive.html", "archive/", years=r.site.by_year),
            r.page("404.html", "404.html"),
            r.page("feed.xsl", "feeds/feed.xsl")]  # shows the Atom and RSS feeds as a page (readers.py)


def sitemap(site: Site, outputs: list[Output]) -> Output:
    """Every HTML page but 404, with lastmod from the post's own dates (never the build time)."""
    lastmod = {}
    for post in site.listed:
        when = post.updated or post.date
        if when:
            lastmod[urls.file_for(urls.post(post.id))] = when.date().isoformat()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for o in sorted(outputs, key=lambda o: o.path):
        if not o.path.endswith("index.html"):
            continue
        loc = urls.absolute(site.config, o.path[: -len("index.html")])
        mod = f"<lastmod>{lastmod[o.path]}</lastmod>" if o.path in lastmod else ""
        lines.append(f"  <url><loc>{escape(loc)}</loc>{mod}</url>")
    lines.append("</urlset>\n")
    return Output("sitemap.xml", "\n".join(lines).encode("utf-8"))


def robots(site: Site) -> Output:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(site.config, 'sitemap.xml')}\n"
    return Output("robots.txt", text.encode("utf-8"))


def static_files(r: Renderer) -> list[Output]:
    out = [Output(path, src.read_bytes()) for path, src in sorted(r.theme.static.items())]
    out.append(Output("assets/css/pygments.css", pygments_css().encode("utf-8")))
    return out
