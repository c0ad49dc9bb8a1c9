"""The citation exports as reference managers read them: citation-js (npm @citation-js/core with
@citation-js/plugin-bibtex, run by tests/citation_js.js) and pybtex, a BibTeX parser that reads
BibLaTeX entry types and fields as biblatex does (type and fields kept as written).

Built from the sample blog: each post's cite.bib/cite.ris/cite.json and each published review's
review.bib/review.ris/review.json, plus the sample content/bibliography.bib.
"""
from __future__ import annotations

from pathlib import Path

import pybtex.database
import pybtex.scanner
import pytest

from generator.engine import build
from generator import config as config_mod
from tests.nodetools import run_node

ROOT = Path(__file__).resolve().parent.parent
OLD_HEADER = ("% Shift Notes: site-wide bibliography.\n% BibTeX, UTF-8. Entries are cited from posts with "
              "Pandoc-style keys, e.g. [@roediger2006testing].\n\n")


def citation_js(*texts: str) -> list:
    return run_node("citation_js.js", {"inputs": list(texts)})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    report = build.run(config_mod.load(ROOT / "site.yaml"), build.Options(out=out))
    assert report.site is not None and report.outputs
    return out, report.site


def test_citation_js_reads_each_post_as_a_blog_post_of_the_blog(built):
    out, site = built
    for post in site.listed:
        folder = out / "posts" / post.id
        bib, ris, csl = citation_js(*((folder / name).read_text(encoding="utf-8")
                                      for name in ("cite.bib", "cite.ris", "cite.json")))
        for read in (ris, csl):  # RIS TY BLOG and CSL post-weblog are blog posts to citation-js
            (item,) = read
            assert (item["type"], item["container-title"], item["title"]) == ("post-weblog", "Shift Notes", post.title)
        # No BibTeX entry type is a blog post to citation-js (online → webpage): the blog's name
        # must still be the container, not the publisher (issue 19), and the language a code.
        (item,) = bib
        assert (item["type"], item["container-title"], item["title"]) == ("webpage", "Shift Notes", post.title)
        assert "publisher" not in item and item["language"] == "en"
        assert item["URL"] == f"https://shiftnotes.example.org/posts/{post.id}/"


def test_pybtex_reads_the_biblatex_entry(built):
    out, site = built
    post = site.posts["ecg-systematic"]
    data = pybtex.database.parse_string((out / "posts/ecg-systematic/cite.bib").read_text(), "bibtex")
    entry = data.entries["ecg-systematic"]
    assert entry.type == "online"
    assert (entry.fields["title"], entry.fields["booktitle"], entry.fields["language"]) == \
        (post.title, "Shift Notes", "en")
    assert entry.fields["doi"] == "10.59350/shiftnotes.ecg-2025"
    assert [(p.last_names, p.first_names) for p in entry.persons["author"]] == \
        [(["Okafor"], ["Amara"]), (["Núñez"], ["Sofía"])]


def test_particles_and_organisations_in_bibtex_names():
    from tests.test_cite import make_post, make_site
    from generator import cite
    post = make_post(authors=("jan", "mono"))
    site = make_site([post])
    entry = pybtex.database.parse_string(cite.exports(site, post)["cite.bib"].decode(), "bibtex").entries["lactate"]
    jan, mono = entry.persons["author"]
    assert (jan.prelast_names, jan.last_names, jan.first_names) == (["van", "der"], ["Berg"], ["Jan"])
    assert mono.last_names == ["{Sukarno}"] and not mono.first_names


def test_reviews_are_read_as_reviews_of_the_post(built):
    out, site = built
    folder = out / "posts/ecg-systematic/reviews/1"
    bib, ris, csl = citation_js(*((folder / name).read_text(encoding="utf-8")
                                  for name in ("review.bib", "review.ris", "review.json")))
    review = next(i for i in bib if i["id"] == "ecg-systematic-review-1")
    assert (review["type"], review["container-title"]) == ("review", "Shift Notes")
    assert review["title"] == "Review of “Reading an ECG systematically”"
    assert review["DOI"] == "10.59350/shiftnotes.ecg-2025.r1"
    (item,) = csl
    assert (item["type"], item["reviewed-title"]) == ("review", "Reading an ECG systematically")
    assert [a["family"] for a in item["reviewed-author"]] == ["Okafor", "Núñez"]
    assert ris[0]["title"] == review["title"]
    data = pybtex.database.parse_string((folder / "review.bib").read_text(), "bibtex")
    entry = data.entries["ecg-systematic-review-1"]
    assert entry.type == "review" and entry.fields["relatedtype"] == "reviewof"
    assert data.entries[entry.fields["related"]].type == "online"  # biblatex resolves `related` in the file


def test_sample_bibliography_parses_in_citation_js_and_bibtex():
    text = (ROOT / "content/bibliography.bib").read_text(encoding="utf-8")
    keys = set(pybtex.database.parse_string(text, "bibtex").entries)
    (items,) = citation_js(text)
    assert isinstance(items, list), items
    assert {item["id"] for item in items} == keys and len(keys) > 10


def test_an_at_sign_in_a_comment_breaks_both_readers():
    """Why the sample header changed (issue 19): the old comment's "[@key]" starts an entry."""
    text = (ROOT / "content/bibliography.bib").read_text(encoding="utf-8")
    body = text[text.index("\n@"):]
    (read,) = citation_js(OLD_HEADER + body)
    assert "error" in read
    with pytest.raises(pybtex.scanner.PybtexSyntaxError):
        pybtex.database.parse_string(OLD_HEADER + body, "bibtex")

