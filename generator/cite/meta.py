"""<head> metadata of a post page: Highwire (Google Scholar), Dublin Core, Open Graph, Twitter."""
from __future__ import annotations

import re

from .. import urls
from ..licenses import license_url
from ..model import Post, Site
from ..references import engine
from .csl import authors, canonical_id, post_url

def image_url(site: Site, post: Post) -> str:
    image = post.image
    if not image or re.match(r"^https?://", image):
        return image
    if image.startswith("/"):
        return urls.absolute(site.config, image)
    return urls.absolute(site.config, urls.post(post.id) + image)


def head_meta(site: Site, post: Post) -> list[tuple[str, str, str]]:
    """(attribute, key, content) for each <meta>: e.g. ("name", "citation_title", "...")."""
    config = site.config
    url = post_url(site, post)
    license_link = license_url(post.license or config.license)
    meta: list[tuple[str, str, str]] = [("name", "citation_title", post.title)]
    for p in authors(site, post):
        meta.append(("name", "citation_author", f"{p.family}, {p.given}" if p.family and p.given else p.name))
        if p.affiliation:
            meta.append(("name", "citation_author_institution", p.affiliation))
        if p.orcid:
            meta.append(("name", "citation_author_orcid", p.orcid_url))
    if post.date:
        meta.append(("name", "citation_publication_date", post.date.strftime("%Y/%m/%d")))
    if post.doi:
        meta.append(("name", "citation_doi", engine.bare_doi(post.doi)))
    meta += [("name", "citation_fulltext_html_url", url),
             ("name", "citation_language", post.language or config.language)]
    if post.tags:
        meta.append(("name", "citation_keywords", "; ".join(post.tags)))
    meta += _dublin_core(site, post, license_link)
    meta += _open_graph(site, post, url)
    return meta


def _dublin_core(site: Site, post: Post, license_link: str) -> list[tuple[str, str, str]]:
    meta = [("name", "DC.type", "blogPost"), ("name", "DC.title", post.title)]
    meta += [("name", "DC.creator", p.name) for p in authors(site, post)]
    if post.date:
        meta.append(("name", "DC.date", post.date.date().isoformat()))
    meta += [("name", "DC.identifier", canonical_id(site, post)),
             ("name", "DC.language", post.language or site.config.language),
             ("name", "DC.publisher", site.config.title), ("name", "DC.rights", license_link)]
    return meta


def _open_graph(site: Site, post: Post, url: str) -> list[tuple[str, str, str]]:
    description = post.summary or site.config.description
    image = image_url(site, post)
    meta = [("property", "og:type", "article"), ("property", "og:site_name", site.config.title),
            ("property", "og:title", post.title), ("property", "og:description", description),
            ("property", "og:url", url)]
    if image:
        meta.append(("property", "og:image", image))
    if post.date:
        meta.append(("property", "article:published_time", post.date.isoformat()))
    if post.updated:
        meta.append(("property", "article:modified_time", post.updated.isoformat()))
    meta += [("property", "article:tag", tag) for tag in post.tags]
    meta += [("name", "twitter:card", "summary_large_image" if image else "summary"),
             ("name", "twitter:title", post.title), ("name", "twitter:description", description)]
    if image:
        meta.append(("name", "twitter:image", image))
    return meta
