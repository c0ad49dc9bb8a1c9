"""Which feeds a site has: one `Feed` per file set, described once and cheaply (no HTML work), so
it serves the feed files, the autodiscovery links on every page and the /feeds/ page alike."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .. import urls
from ..model import PUBLIC_STATUSES, Person, Post, ReviewRecord, Site
from ..readers import tag_label

MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}
FORMAT_NAMES = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}


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
    for path, (tag, tagged) in tag_groups(posts).items():
        name = tag_label(site, tag)  # the words readers see on the site (tag_labels in site.yaml)
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


def links(site: Site, feed: Feed) -> list[dict]:
    many = len(feed.files) > 1
    return [{"title": f"{feed.title} ({FORMAT_NAMES[fmt]})" if many else feed.title,
             "type": MEDIA_TYPES[fmt], "href": urls.absolute(site.config, path)}
            for fmt, path in feed.files.items()]
