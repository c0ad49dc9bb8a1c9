"""Crossref deposits (schema 5.5.0) for posts with DOIs and their published reviews.

Posts are `posted_content type="blog"`, built from the same data as the citation block (the cite
package): authors with ORCIDs (organisations as <organization>), reviewers as
`contributor_role="reviewer"`, license, dates, DOI, resource URL, the post's references and a
`hasReview` relation to each review with a DOI. Reviews are `peer_review` records (stage
pre-publication, `isReviewOf` the post's DOI): Crossref takes one content type per deposit, so
they are a second document (`crossref_reviews_xml`). Submitting a deposit is crossref_submit.py.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime

from lxml import etree

from .cite import approvals, authors, citable_reviews, post_url, settings
from .cite.reviews import Review, review_doi, review_url, reviewer
from .errors import ProblemError, error
from .licenses import license_url
from .model import Person, Post, Site
from .references import engine

CROSSREF_NS = "http://www.crossref.org/schema/5.5.0"
NSMAP = {None: CROSSREF_NS, "xsi": "http://www.w3.org/2001/XMLSchema-instance",
         "jats": "http://www.ncbi.nlm.nih.gov/JATS1", "ai": "http://www.crossref.org/AccessIndicators.xsd",
         "rel": "http://www.crossref.org/relations.xsd"}
# Peerpress decisions → Crossref's peer_review recommendation.
RECOMMENDATIONS = {"approve": "accept", "approve-with-reservations": "accept-with-reservation",
                   "revise": "major-revision", "reject": "reject"}
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")


def crossref_xml(site: Site, posts: list[Post], timestamp: int | None = None) -> bytes:
    """A Crossref 5.5.0 deposit of `posts` as posted_content type="blog".

    Crossref wants a timestamp that grows with each deposit; by default it is derived from the
    newest post date, so the same posts give the same file (pass `timestamp` to re-deposit).
    """
    _check(site, posts)
    posts = sorted(posts, key=lambda p: p.id)
    ids = "\n".join(f"{p.id} {p.doi} {p.content_hash}" for p in posts)
    root, body = _batch(site, ids, timestamp or _default_timestamp(posts))
    for post in posts:
        _posted_content(site, post, body)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def deposited_reviews(site: Site, posts: list[Post]) -> list[Review]:
    """The published reviews of `posts` that have DOIs (the site registers DOIs: doi_prefix)."""
    return [r for p in sorted(posts, key=lambda p: p.id) for r in citable_reviews(site, p) if review_doi(site, r)]


def crossref_reviews_xml(site: Site, posts: list[Post], timestamp: int | None = None) -> bytes | None:
    """A 5.5.0 deposit of the posts' published reviews as peer_review records; None if they have none."""
    _check(site, posts)
    reviews = deposited_reviews(site, posts)
    if not reviews:
        return None
    ids = "\n".join(f"{r.key} {review_doi(site, r)} {r.record.path.as_posix()}" for r in reviews)
    root, body = _batch(site, ids, timestamp or _default_timestamp(posts))
    for review in reviews:
        _peer_review(site, review, body)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _check(site: Site, posts: list[Post]) -> None:
    problems = [error(str(p.source), None, f"post '{p.id}' has no valid DOI", "add doi: to its front matter")
                for p in posts if not DOI_RE.match(engine.bare_doi(p.doi or ""))]
    if not _depositor(site)["email"]:
        problems.append(error(str(site.config.path.name), None, "no depositor e-mail for Crossref",
                              "set citation.crossref.email in site.yaml (or give an editor an email)"))
    if problems:
        raise ProblemError(problems)


def _batch(site: Site, ids: str, timestamp: int):
    """The doi_batch root with its head; returns (root, body). The batch id is a digest of `ids`."""
    depositor = _depositor(site)
    root = etree.Element(_q("doi_batch"), nsmap=NSMAP, version="5.5.0")
    root.set("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation",
             f"{CROSSREF_NS} https://www.crossref.org/schemas/crossref5.5.0.xsd")
    head = _sub(root, "head")
    _sub(head, "doi_batch_id", f"peerpress-{hashlib.sha256(ids.encode()).hexdigest()[:20]}")
    _sub(head, "timestamp", str(timestamp))
    dep = _sub(head, "depositor")
    _sub(dep, "depositor_name", depositor["name"])
    _sub(dep, "email_address", depositor["email"])
    _sub(head, "registrant", depositor["registrant"])
    return root, _sub(root, "body")


def _q(tag: str, ns: str = CROSSREF_NS) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent, tag: str, text: str | None = None, ns: str = CROSSREF_NS, **attrs):
    node = etree.SubElement(parent, _q(tag, ns), **attrs)
    if text is not None:
        node.text = text
    return node


def _depositor(site: Site) -> dict[str, str]:
    conf = settings(site)["crossref"]
    editors = [p for _, p in sorted(site.config.people.items()) if p.has_role("editor") and p.email]
    return {"name": conf.get("depositor") or site.config.title,
            "email": conf.get("email") or (editors[0].email if editors else ""),
            "registrant": conf.get("registrant") or site.config.title}


def _default_timestamp(posts: list[Post]) -> int:
    dates = [p.updated or p.date for p in posts if p.updated or p.date]
    newest = max(dates) if dates else datetime(1970, 1, 1)
    return int(newest.strftime("%Y%m%d%H%M%S"))


def _posted_content(site: Site, post: Post, body) -> None:
    language = (post.language or site.config.language).split("-")[0].lower()
    node = _sub(body, "posted_content", type="blog", language=language)
    contributors = _sub(node, "contributors")
    for n, person in enumerate(authors(site, post)):
        _contributor(contributors, person, "author", "first" if n == 0 else "additional")
    for record in approvals(site, post):
        if site.config.review.visibility == "anonymous":
            _sub(contributors, "anonymous", contributor_role="reviewer", sequence="additional")
        else:
            person = site.config.people.get(record.person) or Person(id=record.person, name=record.person)
            _contributor(contributors, person, "reviewer", "additional")
    _sub(_sub(node, "titles"), "title", post.title)
    _date(node, "posted_date", post.date)
    state = site.states.get(post.id)
    if state and state.accepted_on:
        _date(node, "acceptance_date", state.accepted_on)
    if post.summary:
        _sub(_sub(node, "abstract", ns=NSMAP["jats"]), "p", post.summary, ns=NSMAP["jats"])
    program = _sub(node, "program", ns=NSMAP["ai"], name="AccessIndicators")
    _sub(program, "free_to_read", ns=NSMAP["ai"])
    _sub(program, "license_ref", license_url(post.license or site.config.license), ns=NSMAP["ai"], applies_to="vor")
    reviews = [review_doi(site, r) for r in citable_reviews(site, post) if review_doi(site, r)]
    if reviews:
        _relations(node, [("hasReview", doi) for doi in reviews])
    doi_data = _sub(node, "doi_data")
    _sub(doi_data, "doi", engine.bare_doi(post.doi))
    _sub(doi_data, "resource", post_url(site, post))
    if post.references:
        citations = _sub(node, "citation_list")
        for n, item in enumerate(post.references, start=1):
            _citation(citations, item, f"ref{n}")


def _peer_review(site: Site, review: Review, body) -> None:
    """One review report: stage pre-publication (the post was reviewed before it was published),
    the reviewer (with ORCID) or <anonymous>, and `isReviewOf` the post's DOI."""
    record, post = review.record, review.post
    attrs = {"stage": "pre-publication", "type": "referee-report", "revision-round": str(max(record.round - 1, 0)),
             "language": (post.language or site.config.language).split("-")[0].lower()}
    if record.decision in RECOMMENDATIONS:
        attrs["recommendation"] = RECOMMENDATIONS[record.decision]
    node = _sub(body, "peer_review", **attrs)
    contributors = _sub(node, "contributors")
    person = reviewer(site, review)
    if person:
        _contributor(contributors, person, "reviewer", "first")
    else:
        _sub(contributors, "anonymous", contributor_role="reviewer", sequence="first")
    _sub(_sub(node, "titles"), "title", review.title)
    _date(node, "review_date", record.date, media_type=None)
    if record.competing_interests:
        _sub(node, "competing_interest_statement", record.competing_interests)
    _sub(node, "running_number", str(review.number))
    program = _sub(node, "program", ns=NSMAP["ai"], name="AccessIndicators")
    _sub(program, "free_to_read", ns=NSMAP["ai"])
    _sub(program, "license_ref", license_url(post.license or site.config.license), ns=NSMAP["ai"], applies_to="vor")
    _relations(node, [("isReviewOf", engine.bare_doi(post.doi))])
    doi_data = _sub(node, "doi_data")
    _sub(doi_data, "doi", review_doi(site, review))
    _sub(doi_data, "resource", review_url(site, review))


def _relations(parent, relations: list[tuple[str, str]]) -> None:
    program = _sub(parent, "program", ns=NSMAP["rel"], name="relations")
    for kind, doi in relations:
        item = _sub(program, "related_item", ns=NSMAP["rel"])
        _sub(item, "inter_work_relation", doi, ns=NSMAP["rel"], **{"relationship-type": kind, "identifier-type": "doi"})


def _contributor(parent, person: Person, role: str, sequence: str) -> None:
    """An organisation (people.<id>.organization) as <organization>, anyone else as <person_name>."""
    if person.organization:
        _sub(parent, "organization", person.name, contributor_role=role, sequence=sequence)
        return
    node = _sub(parent, "person_name", contributor_role=role, sequence=sequence)
    if person.family and person.given:
        _sub(node, "given_name", person.given)
    _sub(node, "surname", person.family or person.name)
    if person.affiliation:
        _sub(_sub(_sub(node, "affiliations"), "institution"), "institution_name", person.affiliation)
    if person.orcid:
        _sub(node, "ORCID", person.orcid_url)


def _date(parent, tag: str, when: datetime | None, media_type: str | None = "online") -> None:
    if when is None:
        return
    node = _sub(parent, tag, **({"media_type": media_type} if media_type else {}))
    _sub(node, "month", f"{when.month:02d}")
    _sub(node, "day", f"{when.day:02d}")
    _sub(node, "year", f"{when.year:04d}")


def _citation(parent, item: dict, key: str) -> None:
    """A reference, structured where Crossref has a field, plus the formatted text."""
    node = _sub(parent, "citation", key=key)
    doi = engine.bare_doi(str(item.get("DOI", "")))
    if DOI_RE.match(doi):
        _sub(node, "doi", doi)
    if item.get("container-title") and item.get("type") == "article-journal":
        _sub(node, "journal_title", str(item["container-title"]))
    names = item.get("author") or []
    if names:
        first = names[0]
        _sub(node, "author", str(first.get("family") or first.get("literal") or ""))
    for csl_var, tag in (("volume", "volume"), ("issue", "issue")):
        if item.get(csl_var):
            _sub(node, tag, str(item[csl_var]))
    if item.get("page"):
        _sub(node, "first_page", re.split(r"[-–]", str(item["page"]))[0].strip())
    year = (item.get("issued") or {}).get("date-parts", [[None]])[0][0]
    if year:
        _sub(node, "cYear", f"{int(year):04d}")
    if item.get("title"):
        _sub(node, "article_title", str(item["title"]))
    _, text = engine.format_item(item, engine.DEFAULT_STYLE)
    _sub(node, "unstructured_citation", text)


def refuse_unpublished(site: Site, posts: list[Post]) -> None:
    """A DOI is registered for good and points at the post's page: only published posts have one."""
    problems = []
    for post in posts:
        state = site.states.get(post.id)
        status = state.status if state else "unknown"
        if status != "published":
            problems.append(error(post.source.as_posix(), None,
                                  f"post '{post.id}' is {status}, not published: its DOI would point at a "
                                  "page that does not exist", "deposit it once it is published, or pass "
                                  "--force if you are an editor and mean to register it now"))
    if problems:
        raise ProblemError(problems)

