"""The post as one CSL-JSON item, and the citation settings of site.yaml.

Every citation format (the "Cite this post" block, the exports, the meta tags, JSON-LD and
Crossref deposits) derives from `csl_item`, formatted by citeproc-py through `references.engine`,
so every format agrees on names, dates and identifiers. Output is a pure function of the Site: no
build times, sorted iteration, so builds are byte-identical.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import urls
from ..model import Person, Post, Site
from ..references import engine
from ..references import store as citation_store

DEFAULT_STYLES = ("nlm-citation-sequence", "american-medical-association", "apa")
STYLE_LABELS = {"nlm-citation-sequence": "NLM / Vancouver", "american-medical-association": "AMA",
                "apa": "APA", "vancouver": "Vancouver", "harvard-cite-them-right": "Harvard",
                "chicago-author-date": "Chicago (author-date)", "modern-language-association": "MLA",
                "ieee": "IEEE", "bmj": "BMJ"}


# --- configuration ---------------------------------------------------------------------------

def settings(site: Site) -> dict[str, Any]:
    """citation: section of site.yaml with defaults (the config schema validates the types)."""
    raw = site.config.extra.get("citation", {}) or {}
    styles = list(raw.get("styles") or DEFAULT_STYLES)
    return {"styles": styles, "default_style": raw.get("default_style") or styles[0],
            "crossref": raw.get("crossref") or {}}


def other_styles(site: Site) -> list[str]:
    conf = settings(site)
    return [s for s in conf["styles"] if s != conf["default_style"]]


def style_label(name: str) -> str:
    return STYLE_LABELS.get(name, name.replace("-", " ").title())


# --- the post as a CSL item ------------------------------------------------------------------

def post_url(site: Site, post: Post) -> str:
    return urls.absolute(site.config, urls.post(post.id))


def canonical_id(site: Site, post: Post) -> str:
    """The DOI URL when the post has a DOI (its persistent identifier), else the page URL."""
    return engine.doi_url(post.doi) if post.doi else post_url(site, post)


def authors(site: Site, post: Post) -> list[Person]:
    return [site.config.people.get(pid) or Person(id=pid, name=pid) for pid in post.authors]


def csl_name(person: Person) -> dict[str, str]:
    """Structured when given/family are known; a single or institutional name stays literal."""
    if person.family and not person.organization:
        name = {"family": person.family}
        if person.given:
            name["given"] = person.given
        return name
    return {"literal": person.name}


def date_parts(when: datetime | None) -> dict | None:
    return {"date-parts": [[when.year, when.month, when.day]]} if when else None


def csl_item(site: Site, post: Post) -> dict[str, Any]:
    """The post as CSL-JSON (type post-weblog, container-title = the blog)."""
    config = site.config
    item: dict[str, Any] = {"id": post.id, "type": "post-weblog", "title": post.title,
                            "container-title": config.title, "author": [csl_name(p) for p in authors(site, post)]}
    if post.date:
        item["issued"] = date_parts(post.date)
    item["URL"] = post_url(site, post)
    if post.doi:
        item["DOI"] = engine.bare_doi(post.doi)
    if config.issn:
        item["ISSN"] = config.issn
    item["language"] = post.language or config.language
    if post.summary:
        item["abstract"] = post.summary
    if post.tags:
        item["keyword"] = ", ".join(post.tags)
    return item


def formatted(site: Site, post: Post, style: str, fmt: str = "html") -> str:
    """The post's reference in `style`: safe HTML (DOIs linked) or plain text."""
    html, text = citation_store.active().format_item(csl_item(site, post), style)
    return html if fmt == "html" else text


def approvals(site: Site, post: Post) -> list:
    state = site.states.get(post.id)
    records = [c.record for c in state.approvals] if state else []
    return sorted(records, key=lambda r: (r.date, r.person))
