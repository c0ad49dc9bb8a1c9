"""Published reviews as citable works and Crossref peer_review records; organisations as authors.

Every Crossref document is validated against the 5.5.0 XSD (commonmeta-py's copy) with XMLSchema
1.1, then read back with lxml value by value.
"""
from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path

import commonmeta
import jsonschema
import lxml.etree
import pytest
import xmlschema

from generator import cite, crossref
from generator.model import Person
from tests.test_cite import PEOPLE, make_post, make_site

COMMONMETA = Path(commonmeta.__file__).parent / "resources"
CR = "{http://www.crossref.org/schema/5.5.0}"
REL = "{http://www.crossref.org/relations.xsd}"
WHO = Person("who", "World Health Organization", organization=True)


@pytest.fixture(scope="module")
def schema():
    with warnings.catch_warnings():  # the XSD imports MathML from the web; deposits here use none
        warnings.simplefilter("ignore")
        return xmlschema.XMLSchema11(str(COMMONMETA / "crossref" / "crossref5.5.0.xsd"))


def reviewed_site(visibility="open", publish_reports=True, doi_prefix="10.59350", **post_changes):
    post = make_post(**post_changes)
    site = make_site([post], visibility=visibility)
    review = dataclasses.replace(site.config.review, publish_reports=publish_reports)
    people = {**PEOPLE, "who": WHO}
    site.config = dataclasses.replace(site.config, doi_prefix=doi_prefix, review=review, people=people)
    site.reviews_by_post = {post.id: [c.record for c in site.states[post.id].reviews]}
    return site, post


def parse(data: bytes, schema) -> lxml.etree._Element:
    schema.validate(data)
    return lxml.etree.fromstring(data)


def test_each_published_review_is_a_peer_review_record(schema):
    site, post = reviewed_site()
    doc = parse(crossref.crossref_reviews_xml(site, [post]), schema)
    records = doc.findall(f"{CR}body/{CR}peer_review")
    assert len(records) == 2
    first = records[0]  # helen reviewed on 18 April, before kwame on the 20th
    assert {k: first.get(k) for k in ("stage", "type", "recommendation", "revision-round")} == \
        {"stage": "pre-publication", "type": "referee-report", "recommendation": "accept", "revision-round": "0"}
    person = first.find(f"{CR}contributors/{CR}person_name")
    assert (person.get("contributor_role"), person.findtext(f"{CR}surname")) == ("reviewer", "Strand")
    assert person.findtext(f"{CR}ORCID") == "https://orcid.org/0000-0009-4821-993X"
    assert first.findtext(f"{CR}titles/{CR}title") == "Review of “Lactate in sepsis”"
    assert [first.findtext(f"{CR}review_date/{CR}{p}") for p in ("year", "month", "day")] == ["2024", "04", "18"]
    relation = first.find(f"{REL}program/{REL}related_item/{REL}inter_work_relation")
    assert (relation.get("relationship-type"), relation.get("identifier-type"), relation.text) == \
        ("isReviewOf", "doi", "10.59350/sn.lactate-2024")
    assert first.findtext(f"{CR}doi_data/{CR}doi") == "10.59350/sn.lactate-2024.r1"
    assert first.findtext(f"{CR}doi_data/{CR}resource") == "https://blog.example.org/posts/lactate/reviews/1/"


def test_the_post_deposit_links_its_reviews(schema):
    site, post = reviewed_site()
    doc = parse(crossref.crossref_xml(site, [post]), schema)
    content = doc.find(f"{CR}body/{CR}posted_content")
    relations = content.findall(f"{REL}program/{REL}related_item/{REL}inter_work_relation")
    assert [(r.get("relationship-type"), r.text) for r in relations] == \
        [("hasReview", "10.59350/sn.lactate-2024.r1"), ("hasReview", "10.59350/sn.lactate-2024.r2")]


def test_anonymous_reviews_are_deposited_without_names(schema):
    site, post = reviewed_site(visibility="anonymous")
    doc = parse(crossref.crossref_reviews_xml(site, [post]), schema)
    for record in doc.findall(f"{CR}body/{CR}peer_review"):
        contributors = record.find(f"{CR}contributors")
        assert [c.tag for c in contributors] == [f"{CR}anonymous"]
        assert contributors[0].get("contributor_role") == "reviewer"
    (review, _) = cite.citable_reviews(site, post)
    assert cite.reviews.review_csl(site, review)["author"] == [{"literal": "Anonymous reviewer"}]
    assert "Strand" not in cite.reviews.review_bibtex(site, review)


def test_no_review_records_when_reports_stay_private_or_without_a_doi_prefix(schema):
    site, post = reviewed_site(publish_reports=False)
    assert cite.citable_reviews(site, post) == [] and crossref.crossref_reviews_xml(site, [post]) is None
    assert parse(crossref.crossref_xml(site, [post]), schema).find(f".//{REL}program") is None
    site, post = reviewed_site(doi_prefix="")
    assert len(cite.citable_reviews(site, post)) == 2  # still citable, by their pages
    assert crossref.crossref_reviews_xml(site, [post]) is None


def test_organisation_authors_are_organisations(schema):
    site, post = reviewed_site(authors=("who", "jan"))
    doc = parse(crossref.crossref_xml(site, [post]), schema)
    contributors = doc.find(f"{CR}body/{CR}posted_content/{CR}contributors")
    org = contributors[0]
    assert (org.tag, org.text, org.get("contributor_role"), org.get("sequence")) == \
        (f"{CR}organization", "World Health Organization", "author", "first")
    assert contributors[1].tag == f"{CR}person_name"
    assert cite.csl_item(site, post)["author"][0] == {"literal": "World Health Organization"}
    _, text = cite.formatted(site, post, "apa", "html"), cite.formatted(site, post, "apa", "text")
    assert text.startswith("World Health Organization, & van der Berg, J. (2024, May 1).")


def test_review_csl_json_is_valid_and_names_the_reviewed_work():
    site, post = reviewed_site()
    review = cite.citable_reviews(site, post)[0]
    data = json.loads(cite.reviews.review_exports(site, review)["review.json"])
    jsonschema.validate(data, json.loads((COMMONMETA / "csl-data.json").read_text()))
    (item,) = data
    assert (item["type"], item["title"], item["reviewed-title"]) == ("review", "Review of “Lactate in sepsis”",
                                                                      "Lactate in sepsis")
    assert item["author"] == [{"family": "Strand", "given": "Helen"}]
    assert item["reviewed-author"][0] == {"family": "van der Berg", "given": "Jan"}
    assert (item["DOI"], item["URL"]) == ("10.59350/sn.lactate-2024.r1", "https://blog.example.org/posts/lactate/reviews/1/")
    text = cite.reviews.review_formatted(site, review, "apa", "text")
    assert text == ("Strand, H. (2024). Review of “Lactate in sepsis” [Review of Lactate in sepsis, "
                    "by J. van der Berg, S. Núñez, & Sukarno]. Shift Notes. https://doi.org/10.59350/sn.lactate-2024.r1")


def test_json_ld_reviews_point_at_their_pages():
    site, post = reviewed_site()
    graph = cite.json_ld_data(site, post)["@graph"]
    article = next(n for n in graph if "BlogPosting" in n["@type"])
    assert [r["url"] for r in article["review"]] == [f"https://blog.example.org/posts/lactate/reviews/{n}/"
                                                     for n in (1, 2)]
    assert article["review"][0]["@id"] == "https://doi.org/10.59350/sn.lactate-2024.r1"
    assert article["review"][0]["itemReviewed"] == {"@id": "https://doi.org/10.59350/sn.lactate-2024"}


def test_crossref_citation_text_has_no_stray_full_stop_after_a_question(schema):
    """Issue 19: "Does lactate matter?. Shift Notes" in the unstructured citation."""
    ref = {"id": "q", "type": "post-weblog", "title": "Does lactate matter?", "container-title": "Shift Notes",
           "author": [{"family": "Okafor", "given": "Amara"}], "issued": {"date-parts": [[2024, 5, 1]]}}
    site, post = reviewed_site(references=[ref])
    doc = parse(crossref.crossref_xml(site, [post]), schema)
    text = doc.findtext(f".//{CR}citation/{CR}unstructured_citation")
    assert text == "Okafor A. Does lactate matter? Shift Notes. 2024 May 1."
