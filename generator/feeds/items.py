"""Feed entries, format-neutral (`Item`): a post, or a published review record."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import lxml.html
from lxml.html import builder as E

from .. import urls
from ..licenses import license_url
from ..model import Person, Post, ReviewRecord, Site
from ..readers import reviewed_by
from ..render import DECISION_LABELS, STATUS_LABELS, format_date
from .catalogue import person_of

# The date of a feed with no entries yet: fixed, because the build time would change every build.
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Item:
    """One entry, format-neutral: atom_rss and jsonfeed turn it into Atom, RSS and JSON."""
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
    status: tuple[str, str] = ("", "")  # (review status, its words for readers: "Peer reviewed · Reviewed by …")
    language: str = ""  # BCP 47; empty: the feed's own (site.yaml)


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
    status = (state.status, " · ".join(filter(None, (STATUS_LABELS[state.status], reviewed_by(site, state)))))
    body = ""
    if config.extra["feeds"]["content"] == "full":
        body = (status_html(status[1], reviews_url) + absolute_links(without_heading_anchors(post.html), url)
                + corrections_html(post))
    if retraction:
        notice = f"Retracted on {format_date(retraction.date)}."
        if retraction.reason:
            notice += f" Reason: {retraction.reason}"
        summary = f"{notice} {summary}".strip()
        body = notice_html(notice, reviews_url) + body if body else ""
    # The id is the page URL even when the post has a DOI: a DOI often arrives after publication,
    # and a new id would make feed readers show the post again as new. The DOI is the cite-as link.
    return Item(
        id=url, url=url, title=f"Retracted: {post.title}" if retraction else post.title,
        published=post.date, updated=max(d for d in changes if d), summary=summary, html=body,
        authors=[person_of(site, pid) for pid in post.authors],
        categories=tuple((tag, urls.absolute(config, "tags/")) for tag in post.tags),
        license=license_url(post.license or config.license), doi_url=doi_url,
        rights=f"© {post.date.year} the authors. Licensed under {post.license or config.license}.",
        related=(reviews_url, "Peer review history"), discussion=reviews_url, retracted=bool(retraction),
        status=status,
        language=post.language if post.language and post.language != config.language else "")


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


def without_heading_anchors(fragment: str) -> str:
    """The post's HTML without the "#" links after its headings: on the site they show on hover only,
    in a feed reader they would end every heading with " #"."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    anchors = root.xpath(".//a[contains(concat(' ', normalize-space(@class), ' '), ' header-anchor ')]")
    if not anchors:
        return fragment
    for a in anchors:
        heading, before = a.getparent(), a.getprevious()
        a.drop_tree()
        if before is not None:
            before.tail = (before.tail or "").rstrip() or None
        else:
            heading.text = (heading.text or "").rstrip()
    return html.escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root)


def status_html(words: str, reviews_url: str) -> str:
    """The entry's review status above its text, as on the post page."""
    p = E.P(E.STRONG(words), " · ", E.A("Review history", href=reviews_url), E.CLASS("review-status"))
    return lxml.html.tostring(p, encoding="unicode")


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
