"""Atom, RSS 2.0 and JSON Feed 1.1 for subscribers (DESIGN.md §3 URLs).

feedgen writes Atom and RSS; JSON Feed is plain JSON written to its spec. Every value comes from
the posts and records themselves (never the clock), so two builds give identical bytes. A feed is
described once (`Feed`, cheap: no HTML work) and serves the outputs, the autodiscovery links on
every page and the /feeds/ page alike.
"""
from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import jinja2
import lxml.html
from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from lxml.html import builder as E

from . import urls
from .licenses import license_url
from .model import PUBLIC_STATUSES, Output, Person, Post, ReviewRecord, Site
from .render import DECISION_LABELS, Renderer, format_date

ATOM_NS = "http://www.w3.org/2005/Atom"
CC_NS = "http://backend.userland.com/creativeCommonsRssModule"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}
FORMAT_NAMES = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
# The date of a feed with no entries yet: fixed, because the build time would change every build.
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Feed:
    """One feed: where its files go, what it is about, and what it lists (newest first)."""
    kind: str  # site | tag | author | reviews
    title: str
    description: str
    page: str  # URL path of the HTML page the feed mirrors (its alternate link)
    files: dict[str, str]  # format -> output path
    posts: list[Post] = field(default_factory=list)
    records: list[ReviewRecord] = field(default_factory=list)
    person: Person | None = None  # the author of an author feed
    label: str = ""  # the topic or person, for lists
    advertise_on: tuple[str, ...] = ()  # page paths whose <head> links to this feed

    @property
    def size(self) -> int:
        return len(self.records) if self.kind == "reviews" else len(self.posts)


@dataclass
class Item:
    """One entry, format-neutral: the writers below turn it into Atom, RSS and JSON."""
    id: str
    url: str
    title: str
    published: datetime
    updated: datetime
    summary: str
    html: str = ""  # full content with absolute URLs; empty in summary mode
    authors: list[Person] = field(default_factory=list)
    categories: tuple[tuple[str, str], ...] = ()  # (term, scheme URL or "")
    license: str = ""  # URL
    rights: str = ""
    doi_url: str = ""
    related: tuple[str, str] = ("", "")  # (url, title): the review history, or the reviewed post
    discussion: str = ""  # the post's review history (RSS <comments>)
    permalink: bool = True  # the id is a URL that shows the item (RSS guid isPermaLink)
    retracted: bool = False


# ---------------------------------------------------------------- which feeds exist


_LAST: list = [None, []]  # (site, its catalogue): outputs, feeds_page and register all ask for it


def catalogue(site: Site) -> list[Feed]:
    """Every feed of the site, the site-wide one first, in a stable order (worked out once per site)."""
    if _LAST[0] is not site:
        _LAST[:] = [site, _catalogue(site)]
    return _LAST[1]


def _catalogue(site: Site) -> list[Feed]:
    config = site.config
    posts = public_posts(site)
    feeds = [Feed("site", config.title, config.description or f"New posts on {config.title}", "",
                  {"atom": "feed.xml", "rss": "rss.xml", "json": "feed.json"}, posts=posts)]
    feeds.append(Feed("reviews", f"{config.title}: peer review activity",
                      f"Reviews, author responses and editors' decisions as {config.title} publishes them.",
                      "reviewers/", {"atom": "reviews/feed.xml"}, records=review_records(site, posts),
                      advertise_on=("reviewers/", "review-policy/", *(urls.reviews(p.id) for p in posts))))
    for path, (name, tagged) in tag_groups(posts).items():
        feeds.append(Feed("tag", f"{config.title}: {name}", f"Peer-reviewed posts about {name}.", path,
                          {"atom": path + "feed.xml"}, posts=tagged, label=name, advertise_on=(path,)))
    by_author: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        for pid in post.authors:
            by_author[pid].append(post)
    for pid, written in sorted(by_author.items()):
        person = person_of(site, pid)
        path = urls.author(pid)
        feeds.append(Feed("author", f"{config.title}: posts by {person.name}",
                          f"Peer-reviewed posts by {person.name}.", path, {"atom": path + "feed.xml"},
                          posts=written, person=person, label=person.name,
                          advertise_on=(path,)))
    return feeds


def public_posts(site: Site) -> list[Post]:
    """Published and retracted posts only, even in drafts mode: subscribers never see previews."""
    return [p for p in site.listed if p.date and site.states[p.id].status in PUBLIC_STATUSES]


def tag_groups(posts: list[Post]) -> dict[str, tuple[str, list[Post]]]:
    """Posts by tag page; tags that differ only in case or punctuation share a page, so a feed."""
    groups: dict[str, tuple[str, list[Post]]] = {}
    for post in posts:
        for tag in post.tags:
            name, tagged = groups.setdefault(urls.tag(tag), (tag, []))
            if not tagged or tagged[-1] is not post:  # "ECG" and "ecg" on one post: listed once
                tagged.append(post)
    return dict(sorted(groups.items()))


def review_records(site: Site, posts: list[Post]) -> list[ReviewRecord]:
    records = [r for p in posts for r in site.reviews_by_post.get(p.id, [])]
    return sorted(records, key=lambda r: (-r.date.timestamp(), r.path.as_posix()))


def person_of(site: Site, pid: str) -> Person:
    return site.config.people.get(pid) or Person(id=pid, name=pid)


# ---------------------------------------------------------------- outputs


def outputs(site: Site, memo=None) -> list[Output]:
    """Every feed file of the site, in the catalogue's order (`memo(post, compute)`:
    incremental.Session.per_post, which keeps each post's entry across builds)."""
    memo = memo or (lambda post, compute: compute())
    out: list[Output] = []
    limit = site.config.extra["feeds"]["limit"]
    cache: dict[str, Item] = {}  # a post appears in several feeds; build its entry once
    for feed in catalogue(site):
        if feed.kind == "reviews":
            items = [review_item(site, r) for r in feed.records[:limit]]
        else:
            items = [cache.get(p.id) or cache.setdefault(p.id, memo(p, lambda p=p: post_item(site, p)))
                     for p in feed.posts[:limit]]
        out += [Output(path, WRITERS[fmt](site, feed, items)) for fmt, path in feed.files.items()]
    return out


def feeds_page(r: Renderer) -> Output:
    """/feeds/: every feed, for people who subscribe by hand."""
    feeds = catalogue(r.site)
    groups = [(kind, [f for f in feeds if f.kind == kind]) for kind in ("site", "reviews", "tag", "author")]
    return r.page("feeds.html", "feeds/", groups=[(k, fs) for k, fs in groups if fs],
                  media_types=MEDIA_TYPES, format_names=FORMAT_NAMES)


def register(env: jinja2.Environment, site: Site) -> None:
    """`feed_links(path)`: the autodiscovery links a page advertises (render hook)."""
    feeds = catalogue(site)
    everywhere = links(site, feeds[0])
    by_page: dict[str, list[dict]] = defaultdict(list)
    for feed in feeds[1:]:
        for page in feed.advertise_on:
            by_page[page] += links(site, feed)
    env.globals["feed_links"] = lambda path="": everywhere + by_page.get(path, [])


def links(site: Site, feed: Feed) -> list[dict]:
    many = len(feed.files) > 1
    return [{"title": f"{feed.title} ({FORMAT_NAMES[fmt]})" if many else feed.title,
             "type": MEDIA_TYPES[fmt], "href": urls.absolute(site.config, path)}
            for fmt, path in feed.files.items()]


# ---------------------------------------------------------------- entries


def post_item(site: Site, post: Post) -> Item:
    config = site.config
    url = urls.absolute(config, urls.post(post.id))
    reviews_url = urls.absolute(config, urls.reviews(post.id))
    state = site.states[post.id]
    retraction = state.retraction if state.status == "retracted" else None
    doi_url = f"https://doi.org/{post.doi}" if post.doi else ""
    changes = [post.date, post.updated, *(c["date"] for c in post.corrections),
               retraction.date if retraction else None]
    summary = post.summary
    body = ""
    if config.extra["feeds"]["content"] == "full":
        body = absolute_links(post.html, url) + corrections_html(post)
    if retraction:
        notice = f"Retracted on {format_date(retraction.date)}."
        if retraction.reason:
            notice += f" Reason: {retraction.reason}"
        summary = f"{notice} {summary}".strip()
        body = notice_html(notice, reviews_url) + body if body else ""
    return Item(
        id=doi_url or url, url=url, title=f"Retracted: {post.title}" if retraction else post.title,
        published=post.date, updated=max(d for d in changes if d), summary=summary, html=body,
        authors=[person_of(site, pid) for pid in post.authors],
        categories=tuple((tag, urls.absolute(config, "tags/")) for tag in post.tags),
        license=license_url(post.license or config.license), doi_url=doi_url,
        rights=f"© {post.date.year} the authors. Licensed under {post.license or config.license}.",
        related=(reviews_url, "Peer review history"), discussion=reviews_url, retracted=bool(retraction))


def review_item(site: Site, record: ReviewRecord) -> Item:
    """One published record: a review, an author response or an editor's decision."""
    config = site.config
    post = site.posts[record.post_id]
    page = urls.absolute(config, urls.reviews(post.id))
    person = person_of(site, record.person)
    anonymous = record.type == "review" and config.review.visibility != "open"
    label = DECISION_LABELS.get(record.decision, record.decision)
    if record.type == "review":
        title = f"{label}: review of “{post.title}” by {'an anonymous reviewer' if anonymous else person.name}"
    elif record.type == "response":
        title = f"Author response on “{post.title}” by {person.name}"
    else:
        title = f"Editor's decision on “{post.title}”: {label}"
    shown = record.type != "review" or config.review.publish_reports
    # The record's file name never changes, so it makes a stable id, and the review-history page
    # gives each record that anchor, so the id is also a permalink.
    anchor = f"{page}#{record.path.stem}"
    return Item(
        id=anchor, url=anchor, title=title, published=record.date, updated=record.date,
        summary=title + ".", html=absolute_links(record.html, page) if shown else "",
        authors=[] if anonymous else [person], categories=((record.decision or record.type, ""),),
        related=(urls.absolute(config, urls.post(post.id)), post.title))


def absolute_links(fragment: str, base: str) -> str:
    """The HTML with every link and image URL absolute: feed readers have no base URL to resolve."""
    if not fragment.strip():
        return fragment
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    root.make_links_absolute(base, resolve_base_href=False, handle_failures="ignore")
    for el in root.iter():  # lxml leaves srcset alone
        if el.get("srcset"):
            el.set("srcset", absolute_srcset(el.get("srcset"), base))
    return html.escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root)


def absolute_srcset(value: str, base: str) -> str:
    candidates = []
    for part in value.split(","):
        url, _, descriptor = part.strip().partition(" ")
        if url:
            candidates.append(" ".join(filter(None, (urljoin(base, url), descriptor.strip()))))
    return ", ".join(candidates)


def notice_html(notice: str, reviews_url: str) -> str:
    p = E.P(E.STRONG(notice), " ", E.A("See the review history.", href=reviews_url), E.CLASS("retraction-notice"))
    return lxml.html.tostring(p, encoding="unicode")


def corrections_html(post: Post) -> str:
    """Corrections travel with the text, as on the post page."""
    if not post.corrections:
        return ""
    items = [E.LI(E.TIME(format_date(c["date"]), datetime=c["date"].isoformat()), f": {c['text']}")
             for c in post.corrections]
    return lxml.html.tostring(E.SECTION(E.H2("Corrections"), E.UL(*items), E.CLASS("corrections")),
                              encoding="unicode")


def feed_updated(items: list[Item]) -> datetime:
    """The newest entry's date: never the build time, so unchanged feeds keep their bytes."""
    return max((i.updated for i in items), default=EMPTY_FEED_DATE)


# ---------------------------------------------------------------- Atom and RSS (feedgen)


class _Extra(BaseEntryExtension):
    """What feedgen cannot write; each subclass writes one format.

    feedgen copies no channel link but `self` into RSS, allows five rel values on entry links, and
    (1.0) writes entry links without their rel, type and title: entry.py rebinds `link` to the new
    element before reading them. So the license, hub, cite-as and related links are written here.
    """

    def __init__(self):
        self.license = ""
        self.hub = ""
        self.links: list[dict[str, str]] = []  # Atom links beyond the alternate one


class AtomExtra(_Extra):
    def extend_atom(self, element):
        if element.tag == "entry":
            for link in element.findall("link[@href]"):  # the alternate link, which feedgen left bare
                if link.get("rel") is None:
                    link.attrib.update({"rel": "alternate", "type": "text/html"})
        extra = [{"rel": "license", "href": self.license}, {"rel": "hub", "href": self.hub}, *self.links]
        for attrs in extra:
            if attrs["href"]:
                xml_elem("link", element, **attrs)
        return element


class RssExtra(_Extra):
    def extend_ns(self):
        return {"creativeCommons": CC_NS}

    def extend_rss(self, element):
        target = element.find("channel") if element.tag == "rss" else element
        if self.hub:
            xml_elem(f"{{{ATOM_NS}}}link", target, rel="hub", href=self.hub)
        if self.license:
            xml_elem(f"{{{CC_NS}}}license", target).text = self.license
        return element


def atom_feed(site: Site, feed: Feed, items: list[Item]) -> bytes:
    return generator(site, feed, items, "atom").atom_str(pretty=True)


def rss_feed(site: Site, feed: Feed, items: list[Item]) -> bytes:
    return generator(site, feed, items, "rss").rss_str(pretty=True)


def generator(site: Site, feed: Feed, items: list[Item], fmt: str) -> FeedGenerator:
    """A FeedGenerator for one format, so each format names itself in its `self` link."""
    config = site.config
    options = config.extra["feeds"]
    fg = FeedGenerator()
    extra = AtomExtra if fmt == "atom" else RssExtra
    fg.register_extension("extra", extra, extra, atom=fmt == "atom", rss=fmt == "rss")
    if fmt == "rss":
        fg.load_extension("dc", atom=False, rss=True)  # dc:creator names: RSS <author> needs an e-mail
    self_url = urls.absolute(config, feed.files[fmt])
    fg.id(self_url)
    fg.title(feed.title)
    fg.description(feed.description)  # RSS requires it; Atom gets it as the subtitle
    fg.subtitle(feed.description)
    fg.language(config.language)
    fg.generator("Peerpress")
    fg.updated(feed_updated(items))  # also RSS lastBuildDate, which would otherwise be now()
    owner = feed.person
    fg.author(person_dict(site, owner, options["emails"]) if owner else {"name": config.title, "uri": config.base_url})
    fg.link(href=self_url, rel="self", type=MEDIA_TYPES[fmt])
    # RSS takes the channel link from the last link() call: the alternate page goes last.
    fg.link(href=urls.absolute(config, feed.page), rel="alternate", type="text/html")
    fg.extra.hub, fg.extra.license = options["websub_hub"], license_url(config.license)
    for item in items:
        add_entry(site, fg, item, dc=fmt == "rss")
    return fg


def add_entry(site: Site, fg: FeedGenerator, item: Item, dc: bool) -> None:
    emails = site.config.extra["feeds"]["emails"]
    fe = fg.add_entry(order="append")  # the default, prepend, would reverse the order
    fe.guid(item.id, permalink=item.permalink)  # id() would always mark the guid as no permalink
    fe.title(item.title)
    fe.published(item.published)
    fe.updated(item.updated)
    if item.authors:
        # RSS <author> is only written for people with an e-mail, which is published only on request.
        fe.author([person_dict(site, p, emails) for p in item.authors])
        if dc:
            fe.dc.dc_creator([p.name for p in item.authors])
    if item.doi_url and dc:
        fe.dc.dc_identifier(item.doi_url)
    fe.link(href=item.url, rel="alternate")  # also the RSS <link>
    if item.discussion:
        fe.comments(item.discussion)
    if item.summary:
        # Also the RSS <description>, which readers render as HTML: the plain-text summary goes
        # in escaped, so a "<script>" in it stays words (tests/test_hostile.py).
        fe.summary(html.escape(item.summary, quote=False), type="html")
    if item.html:
        fe.content(item.html, type="html")  # escaped HTML: type='CDATA' would be invalid Atom
    for term, scheme in item.categories:
        fe.category({"term": term, "scheme": scheme} if scheme else {"term": term})
    if item.rights:
        fe.rights(item.rights)
    fe.extra.license = item.license
    fe.extra.links += [
        {"rel": "related", "href": item.related[0], "type": "text/html", "title": item.related[1]},
        {"rel": "cite-as", "href": item.doi_url},  # RFC 8574: the DOI is how to cite the post
    ]


def person_dict(site: Site, person: Person, emails: bool = False) -> dict:
    found = {"name": person.name, "uri": urls.absolute(site.config, urls.author(person.id))}
    if emails and person.email:
        found["email"] = person.email
    return found


# ---------------------------------------------------------------- JSON Feed 1.1


def json_feed(site: Site, feed: Feed, items: list[Item]) -> bytes:
    """JSON Feed 1.1 (jsonfeed.org/version/1.1): keys in a fixed order, `version` first as it asks."""
    config = site.config
    doc = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": urls.absolute(config, feed.page),
        "feed_url": urls.absolute(config, feed.files["json"]),
        "description": feed.description,
        "language": config.language,
        "authors": [{"name": config.title, "url": config.base_url}],
    }
    if config.extra["feeds"]["websub_hub"]:
        doc["hubs"] = [{"type": "WebSub", "url": config.extra["feeds"]["websub_hub"]}]
    doc["items"] = [json_item(site, i) for i in items]
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def json_item(site: Site, item: Item) -> dict:
    out = {"id": item.id, "url": item.url, "title": item.title}
    if item.html:
        out["content_html"] = item.html
    else:
        out["content_text"] = item.summary or item.title  # the spec needs one of the two
    out.update({"summary": item.summary, "date_published": item.published.isoformat(),
                "date_modified": item.updated.isoformat(),
                "authors": [{"name": p.name, "url": urls.absolute(site.config, urls.author(p.id))}
                            for p in item.authors],
                "tags": [term for term, _ in item.categories]})
    # Custom objects start with an underscore (spec: "Extensions"); readers that do not know them skip them.
    extra = {"license": item.license, "doi": re.sub(r"^https://doi\.org/", "", item.doi_url),
             "reviews_url": item.discussion, "retracted": item.retracted}
    out["_peerpress"] = {k: v for k, v in extra.items() if v}
    if not out["authors"]:
        del out["authors"]
    return out


WRITERS = {"atom": atom_feed, "rss": rss_feed, "json": json_feed}
