"""Tag and author pages are paginated like the home page (/tags/<tag>/page/N/), with rel=prev/next,
and an incremental build after an edit gives the same pages as a clean build."""
from __future__ import annotations

import lxml.html
import pytest

from tests.sitebuilder import SiteBuilder
from tests.test_cache import clean_build, files, incremental


@pytest.fixture
def many(tmp_path) -> SiteBuilder:
    b = SiteBuilder(tmp_path / "blog", settings={"per_page": 4})
    for n in range(10):  # p09 is the newest
        b.post(f"p{n:02d}", title=f"Post {n}", date=f"2025-02-{n + 1:02d}",
               tags=["sepsis"] + (["ecg"] if n < 2 else []), authors=["ada"] if n % 2 else ["ada", "bo"])
        b.approve_twice(f"p{n:02d}")
        if n % 2:
            b.review(f"p{n:02d}", "bo", decision="comment", date="2025-03-01")
    return b


def page(site, rel: str):
    return lxml.html.fromstring((site / rel).read_bytes())


def listed(doc) -> list[str]:
    links = doc.xpath("//main//article//h2/a | //main//article//h3/a")
    return [a.get("href").rstrip("/").rsplit("/", 1)[-1] for a in links]


def test_tag_pages_are_paginated_with_prev_and_next(many):
    incremental(many)
    site = many.root / "site"
    pages = [page(site, "tags/sepsis/index.html"), page(site, "tags/sepsis/page/2/index.html"),
             page(site, "tags/sepsis/page/3/index.html")]
    assert not (site / "tags/sepsis/page/4").exists()
    assert [listed(d) for d in pages] == [["p09", "p08", "p07", "p06"], ["p05", "p04", "p03", "p02"], ["p01", "p00"]]
    first, middle, last = pages
    assert first.xpath("//head/link[@rel='prev']") == []
    assert first.xpath("//head/link[@rel='next']/@href") == ["/tags/sepsis/page/2/"]
    assert middle.xpath("//head/link[@rel='prev']/@href") == ["/tags/sepsis/"]
    assert middle.xpath("//head/link[@rel='next']/@href") == ["/tags/sepsis/page/3/"]
    assert middle.xpath("//nav[@class='pager']/a[@rel='next']/@href") == ["/tags/sepsis/page/3/"]
    assert last.xpath("//head/link[@rel='next']") == []
    assert "10 posts" in middle.xpath("string(//main/p[1])")
    assert middle.xpath("string(//title)").startswith("Topic: Sepsis, page 2")
    one = page(site, "tags/ecg/index.html")  # a short list: one page, no pager
    assert listed(one) == ["p01", "p00"] and one.xpath("//nav[@class='pager']") == []


def test_author_pages_are_paginated_and_list_reviews_once(many):
    incremental(many)
    site = many.root / "site"
    ada = [page(site, "authors/ada/index.html"), page(site, "authors/ada/page/2/index.html"),
           page(site, "authors/ada/page/3/index.html")]
    assert [listed(d) for d in ada] == [["p09", "p08", "p07", "p06"], ["p05", "p04", "p03", "p02"], ["p01", "p00"]]
    assert ada[2].xpath("//head/link[@rel='prev']/@href") == ["/authors/ada/page/2/"]
    assert "10 posts" in ada[1].xpath("string(//p[@class='profile-counts'])")
    bo = [page(site, "authors/bo/index.html"), page(site, "authors/bo/page/2/index.html")]
    assert [listed(d) for d in bo] == [["p08", "p06", "p04", "p02"], ["p00"]]
    # bo also reviews: the reviews written are listed on the first page only, counted on every page
    assert bo[0].xpath("//section[@aria-labelledby='reviews-heading']") != []
    assert bo[1].xpath("//section[@aria-labelledby='reviews-heading']") == []
    assert "5 peer reviews" in bo[1].xpath("string(//p[@class='profile-counts'])")


def test_paginated_pages_after_an_edit_equal_a_clean_build(many, tmp_path):
    incremental(many)
    many.post("p10", title="Post 10", date="2025-03-01", tags=["sepsis"])  # shifts every page by one
    many.approve_twice("p10")
    many.post("p03", title="Post 3, retitled", date="2025-02-04", tags=["ecg"], authors=["ada"])
    many.approve_twice("p03")
    incremental(many)
    assert files(many.root / "site") == clean_build(many, tmp_path)
