"""JSON-LD of a post page: the BlogPosting/ScholarlyArticle, its reviews and its learning properties."""
from __future__ import annotations

import json
from typing import Any

from .. import urls
from ..licenses import license_url
from ..model import Person, Post, Site
from ..references import engine
from .csl import approvals, authors, canonical_id, post_url
from .meta import image_url
from .reviews import ANONYMOUS, Review, citable_reviews, review_doi, review_url, reviewer

def _person_ld(person: Person) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "Person", "name": person.name}
    if person.given:
        node["givenName"] = person.given
    if person.family:
        node["familyName"] = person.family
    if person.orcid:
        node["@id"] = person.orcid_url
        node["sameAs"] = person.orcid_url
    if person.affiliation:
        node["affiliation"] = {"@type": "Organization", "name": person.affiliation}
    return node


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".svg", ".avif")


def _image(site: Site, post: Post) -> str:
    """The post's `image:`, else the first image of its bundle (search engines want an image)."""
    if image_url(site, post):
        return image_url(site, post)
    folder = post.source.parent
    found = sorted(a.relative_to(folder).as_posix() for a in post.assets if a.suffix.lower() in IMAGE_SUFFIXES)
    return urls.absolute(site.config, urls.post(post.id) + found[0]) if found else ""


def _corrections_ld(site: Site, post: Post) -> dict[str, Any]:
    """Corrections: each as a CorrectionComment, and the version reviewers approved as the work
    the corrected text `isBasedOn` (identified by its content hash on the review history page)."""
    out: dict[str, Any] = {}
    if post.corrections:
        out["correction"] = [{"@type": "CorrectionComment", "text": c["text"],
                              "datePublished": c["date"].date().isoformat()} for c in post.corrections]
    state = site.states.get(post.id)
    if state and state.correction and state.reviewed_hash and state.reviewed_hash != state.approved_hash:
        out["isBasedOn"] = {"@type": "CreativeWork", "name": f"{post.title} (version {state.reviewed_hash})",
                            "identifier": state.reviewed_hash,
                            "url": urls.absolute(site.config, urls.reviews(post.id))}
    return out


def _reviews_ld(site: Site, post: Post) -> tuple[list[dict], list[dict]]:
    """(Review nodes, reviewer Person nodes); reviewers stay unnamed under anonymous review.
    Published review reports are citable works with pages of their own (cite/reviews.py): the
    nodes point at those; otherwise each approval is a Review on the review history page."""
    anonymous = site.config.review.visibility == "anonymous"
    citable = citable_reviews(site, post)
    if citable:
        people = [reviewer(site, r) for r in citable]
        unique = {p.id: p for p in people if p}
        return [review_ld(site, r) for r in citable], [_person_ld(p) for _, p in sorted(unique.items())]
    reviews_url = urls.absolute(site.config, urls.reviews(post.id))
    reviews, reviewers = [], []
    for record in approvals(site, post):
        person = site.config.people.get(record.person) or Person(id=record.person, name=record.person)
        author = {"@type": "Person", "name": "Anonymous reviewer"} if anonymous else _person_ld(person)
        reviews.append({"@type": "Review", "author": author, "datePublished": record.date.date().isoformat(),
                        "name": f"Peer review: {record.decision.replace('-', ' ')}", "url": reviews_url,
                        "itemReviewed": {"@id": canonical_id(site, post)}})
        if not anonymous:
            reviewers.append(_person_ld(person))
    return reviews, reviewers


def json_ld_data(site: Site, post: Post) -> dict[str, Any]:
    config = site.config
    url = post_url(site, post)
    blog = {"@type": "Blog", "@id": urls.absolute(config, "") + "#blog", "name": config.title,
            "url": urls.absolute(config, "")}
    if config.issn:
        blog["issn"] = config.issn
    article: dict[str, Any] = {
        "@type": ["BlogPosting", "ScholarlyArticle"], "@id": canonical_id(site, post),
        "headline": post.title, "name": post.title, "url": url, "mainEntityOfPage": {"@id": url},
        "author": [_person_ld(p) for p in authors(site, post)], "inLanguage": post.language or config.language,
        "license": license_url(post.license or config.license), "isPartOf": blog,
        "publisher": {"@type": "Organization", "name": config.title, "url": urls.absolute(config, "")},
    }
    if post.summary:
        article["description"] = post.summary
    if post.date:
        article["datePublished"] = post.date.isoformat()
        article["dateModified"] = (post.updated or post.date).isoformat()
    if post.doi:
        doi = engine.bare_doi(post.doi)
        article["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": doi,
                                 "url": engine.doi_url(doi)}
        article["sameAs"] = url
    if post.tags:
        article["keywords"] = list(post.tags)
    image = _image(site, post)
    if image:
        article["image"] = image
    article.update(_learning_ld(site, post))
    article.update(_corrections_ld(site, post))
    if post.references:
        article["citation"] = [_reference_ld(r) for r in post.references]
    reviews, reviewers = _reviews_ld(site, post)
    if reviews:
        article["review"] = reviews
    page: dict[str, Any] = {"@type": "WebPage", "@id": url, "url": url, "name": post.title,
                            "mainEntity": {"@id": article["@id"]}, "isPartOf": {"@id": blog["@id"]}}
    if reviewers:
        page["reviewedBy"] = reviewers
    approved = approvals(site, post)
    if approved:
        page["lastReviewed"] = approved[-1].date.date().isoformat()
    return {"@context": "https://schema.org", "@graph": [page, article]}


def _learning_ld(site: Site, post: Post) -> dict[str, Any]:
    """LearningResource properties: who it is for, what it teaches, how long it takes."""
    labels = site.config.taxonomies.get("audience", {})
    out: dict[str, Any] = {"learningResourceType": "blog post", "timeRequired": f"PT{post.reading_minutes}M"}
    if post.audience:
        names = [labels.get(a, a) for a in post.audience]
        out["educationalLevel"] = names
        out["audience"] = [{"@type": "EducationalAudience", "educationalRole": n} for n in names]
    if post.objectives:
        out["teaches"] = list(post.objectives)
    if post.word_count:
        out["wordCount"] = post.word_count
    return out


def _reference_ld(item: dict) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "CreativeWork", "name": str(item.get("title", item.get("id", "")))}
    if item.get("DOI"):
        node["sameAs"] = engine.doi_url(str(item["DOI"]))
    elif item.get("URL"):
        node["url"] = str(item["URL"])
    return node


def json_ld(site: Site, post: Post) -> str:
    return script_json(json_ld_data(site, post))


def script_json(data: dict) -> str:
    """JSON-LD safe inside <script>: <, >, & and line separators become \\u escapes, so no field
    can close the script element or start an HTML comment."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    for char in ("<", ">", "&", "\u2028", "\u2029"):
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def review_ld(site: Site, review: Review) -> dict:
    """schema.org Review of the post, with the review page as its @id (or its DOI URL)."""
    person = reviewer(site, review)
    doi = review_doi(site, review)
    node = {"@type": "Review", "@id": engine.doi_url(doi) if doi else review_url(site, review),
            "url": review_url(site, review), "name": review.title,
            "author": _person_ld(person) if person else {"@type": "Person", "name": ANONYMOUS},
            "datePublished": review.record.date.date().isoformat(),
            "itemReviewed": {"@id": canonical_id(site, review.post)}}
    if doi:
        node["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": doi, "url": engine.doi_url(doi)}
    return node
