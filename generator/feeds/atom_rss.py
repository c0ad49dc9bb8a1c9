"""Atom and RSS 2.0 through feedgen, with what feedgen cannot write added by extensions."""
from __future__ import annotations

import html

from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from .. import urls
from ..licenses import license_url
from ..model import Person, Site
from .catalogue import MEDIA_TYPES, Feed
from .items import Item, feed_updated

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CC_NS = "http://backend.userland.com/creativeCommonsRssModule"


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
        self.language = ""  # an entry in another language than the feed's: its xml:lang


class AtomExtra(_Extra):
    def extend_atom(self, element):
        if element.tag == "entry":
            for link in element.findall("link[@href]"):  # the alternate link, which feedgen left bare
                if link.get("rel") is None:
                    link.attrib.update({"rel": "alternate", "type": "text/html"})
            if self.language:
                element.set(XML_LANG, self.language)
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
        for attrs in self.links:  # RSS has no link relations: the DOI goes in as an Atom cite-as link
            if attrs["rel"] == "cite-as" and attrs["href"]:
                xml_elem(f"{{{ATOM_NS}}}link", target, rel="cite-as", href=attrs["href"])
        return element


def atom_feed(site: Site, feed: Feed, items: list[Item]) -> bytes:
    return with_stylesheet(site, generator(site, feed, items, "atom").atom_str(pretty=True))


def rss_feed(site: Site, feed: Feed, items: list[Item]) -> bytes:
    return with_stylesheet(site, generator(site, feed, items, "rss").rss_str(pretty=True))


def with_stylesheet(site: Site, data: bytes) -> bytes:
    """The feed with an <?xml-stylesheet?> instruction after its XML declaration, so a browser shows it
    as a page (themes' feed.xsl, rendered at feeds/feed.xsl); feed readers ignore it. feedgen has no
    option for it. The link is root-relative: browsers apply only a same-origin stylesheet."""
    declaration, newline, rest = data.partition(b"\n")
    if not declaration.startswith(b"<?xml "):
        raise ValueError("feedgen output no longer starts with an XML declaration")
    href = html.escape(urls.link(site.config, "feeds/feed.xsl")).encode("utf-8")
    return declaration + newline + b'<?xml-stylesheet href="' + href + b'" type="text/xsl"?>\n' + rest


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
    if item.status[0]:
        # The review status, in the review policy's scheme: Atom keeps the status as the term and the
        # readers' words as the label; RSS has only the text, so it gets the words.
        policy = urls.absolute(site.config, "review-policy/")
        fe.category({"term": item.status[1] if dc else item.status[0], "scheme": policy, "label": item.status[1]})
    if item.rights:
        fe.rights(item.rights)
    fe.extra.license = item.license
    fe.extra.language = item.language
    fe.extra.links += [
        {"rel": "related", "href": item.related[0], "type": "text/html", "title": item.related[1]},
        {"rel": "cite-as", "href": item.doi_url},  # RFC 8574: the DOI is how to cite the post
    ]


def person_dict(site: Site, person: Person, emails: bool = False) -> dict:
    found = {"name": person.name, "uri": urls.absolute(site.config, urls.author(person.id))}
    if emails and person.email:
        found["email"] = person.email
    return found
