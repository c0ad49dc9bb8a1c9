"""Published reviews as citable outputs: each review report gets its own page, CSL-JSON, BibTeX and
RIS, and (where the site registers DOIs) a DOI of its own, deposited as a Crossref peer_review.

A review is citable when the policy publishes reports (`review.publish_reports`). Reviews of a post
are numbered 1, 2, ... in the order they were written (date, then file name): the number is in
the page address (/posts/<id>/reviews/<n>/) and the DOI (<post DOI>.r<n>). Under anonymous review
the reviewer is cited as "Anonymous reviewer".
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .. import urls
from ..model import Output, Person, Post, ReviewRecord, Site
from ..references import engine
from .csl import csl_item, csl_name, date_parts, post_url
from .exports import bib_entry, bib_escape, bib_name, bibtex, ris_text

ANONYMOUS = "Anonymous reviewer"
REVIEW_EXPORTS = {"review.bib": "application/x-bibtex", "review.ris": "application/x-research-info-systems",
                  "review.json": "application/vnd.citationstyles.csl+json"}


@dataclass(frozen=True)
class Review:
    """One published review report of a post, as a citable work."""
    post: Post
    record: ReviewRecord
    number: int

    @property
    def path(self) -> str:
        return f"{urls.reviews(self.post.id)}{self.number}/"

    @property
    def key(self) -> str:
        return f"{self.post.id}-review-{self.number}"

    @property
    def title(self) -> str:
        return f"Review of “{self.post.title}”"


def citable_reviews(site: Site, post: Post) -> list[Review]:
    """The post's published review reports, numbered in the order they were written."""
    if not site.config.review.publish_reports or post not in site.listed:
        return []
    return _numbered(site, post)


def _numbered(site: Site, post: Post) -> list[Review]:
    """citable_reviews of a post known to be listed. (`post in site.listed` compares dataclasses
    field by field: once per post over every listed post cost 1.5 s a build at 1,000 posts.)"""
    if not site.config.review.publish_reports:
        return []
    records = sorted((r for r in site.reviews_by_post.get(post.id, []) if r.type == "review"),
                     key=lambda r: (r.date, r.path.as_posix()))
    return [Review(post, record, n) for n, record in enumerate(records, start=1)]


def all_reviews(site: Site) -> list[Review]:
    return [review for post in sorted(site.listed, key=lambda p: p.id) for review in _numbered(site, post)]


def anonymous(site: Site) -> bool:
    return site.config.review.visibility != "open"


def reviewer(site: Site, review: Review) -> Person | None:
    """The reviewer, or None under anonymous review."""
    if anonymous(site):
        return None
    pid = review.record.person
    return site.config.people.get(pid) or Person(id=pid, name=pid)


def review_doi(site: Site, review: Review) -> str:
    """<post DOI>.r<n> when the post has a DOI and the site registers DOIs (doi_prefix), else ""."""
    if not (review.post.doi and site.config.doi_prefix):
        return ""
    return f"{engine.bare_doi(review.post.doi)}.r{review.number}"


def review_url(site: Site, review: Review) -> str:
    return urls.absolute(site.config, review.path)


def review_csl(site: Site, review: Review) -> dict:
    """CSL-JSON: type review, the reviewer as author, the post as reviewed-title/-author."""
    post_item = csl_item(site, review.post)
    person = reviewer(site, review)
    item = {"id": review.key, "type": "review", "title": review.title,
            "container-title": post_item["container-title"],
            "author": [csl_name(person) if person else {"literal": ANONYMOUS}],
            "reviewed-title": review.post.title, "reviewed-author": post_item["author"],
            "issued": date_parts(review.record.date), "URL": review_url(site, review)}
    doi = review_doi(site, review)
    if doi:
        item["DOI"] = doi
    for name in ("ISSN", "language"):
        if post_item.get(name):
            item[name] = post_item[name]
    return item


def review_bibtex(site: Site, review: Review) -> str:
    """BibLaTeX @review (citation-js reads it as CSL type review) with `related`/`relatedtype =
    reviewof` pointing at the post's own entry, which the file also holds."""
    person = reviewer(site, review)
    item = review_csl(site, review)
    fields = [("author", bib_name(person) if person else "{" + ANONYMOUS + "}"),
              ("title", bib_escape(review.title)), ("booktitle", bib_escape(item["container-title"])),
              ("date", review.record.date.date().isoformat())]
    if item.get("DOI"):
        fields.append(("doi", bib_escape(item["DOI"])))
    fields.append(("url", item["URL"]))
    if item.get("language"):
        fields.append(("language", bib_escape(item["language"])))
    fields += [("related", review.post.id), ("relatedtype", "reviewof")]
    return bib_entry("review", review.key, fields) + "\n" + bibtex(site, review.post)


def review_ris(site: Site, review: Review) -> str:
    """RIS has no review type: GEN, with the post as the reviewed item in a note."""
    item = review_csl(site, review)
    person = reviewer(site, review)
    lines = [("TY", "GEN"), ("AU", _ris_name(person) if person else ANONYMOUS), ("TI", review.title),
             ("T2", item["container-title"]), ("PY", f"{review.record.date.year:04d}"),
             ("DA", review.record.date.strftime("%Y/%m/%d"))]
    if item.get("DOI"):
        lines.append(("DO", item["DOI"]))
    lines += [("UR", item["URL"]), ("N1", f"Review of: {review.post.title}. {post_url(site, review.post)}")]
    if item.get("language"):
        lines.append(("LA", item["language"]))
    lines.append(("ER", ""))
    return ris_text(lines)


def _ris_name(person: Person) -> str:
    return f"{person.family}, {person.given}" if person.family and person.given else (person.family or person.name)


def review_exports(site: Site, review: Review) -> dict[str, bytes]:
    data = json.dumps([review_csl(site, review)], ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return {"review.bib": review_bibtex(site, review).encode("utf-8"),
            "review.ris": review_ris(site, review).encode("utf-8"), "review.json": data.encode("utf-8")}


def review_outputs(site: Site, renderer, memo=None) -> list[Output]:
    """posts/<id>/reviews/<n>/ (the review on a page of its own, with its citation) and its
    review.bib, .ris and .json, for every citable review. `memo(post, compute)`:
    incremental.Session.per_post, which keeps them across builds while the post's reviews hold."""
    out: list[Output] = []
    for post in sorted(site.listed, key=lambda p: p.id):
        reviews = _numbered(site, post)
        if reviews:
            compute = lambda reviews=reviews: _review_files(site, renderer, reviews)  # noqa: E731
            out += memo(post, compute) if memo else compute()
    return out


def _review_files(site: Site, renderer, reviews: list[Review]) -> list[Output]:
    files = []
    for review in reviews:
        files.append(renderer.page("review.html", review.path, post=review.post, review=review, record=review.record))
        files += [Output(review.path + name, data) for name, data in review_exports(site, review).items()]
    return files


def review_formatted(site: Site, review: Review, style: str, fmt: str = "html") -> str:
    html, text = engine.format_item(review_csl(site, review), style)
    return html if fmt == "html" else text


def review_export_links(site: Site, review: Review) -> list[tuple[str, str, str]]:
    labels = {"review.bib": "BibTeX", "review.ris": "RIS", "review.json": "CSL-JSON"}
    return [(labels[name], urls.link(site.config, review.path + name), media) for name, media in REVIEW_EXPORTS.items()]


def review_head_meta(site: Site, review: Review) -> list[tuple[str, str, str]]:
    """Highwire tags for the review page (Google Scholar indexes reviews that carry them)."""
    person = reviewer(site, review)
    meta = [("name", "citation_title", review.title),
            ("name", "citation_author", _ris_name(person) if person else ANONYMOUS),
            ("name", "citation_publication_date", review.record.date.strftime("%Y/%m/%d")),
            ("name", "citation_journal_title", site.config.title)]
    if review_doi(site, review):
        meta.append(("name", "citation_doi", review_doi(site, review)))
    return meta

