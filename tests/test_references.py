"""Bibliography loading, in-text citations and the References section (generator/references)."""
from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from generator.references import citations_plugin, load_bibliography, references_html
from generator.references import engine

FIXTURES = Path(__file__).parent / "fixtures" / "cite"


def load(*names: str):
    return load_bibliography([Path(n) for n in names], FIXTURES)


@pytest.fixture(scope="module")
def bib() -> dict:
    items, problems = load("refs.bib", "refs.json")
    assert problems == []
    return items


def render(text: str, bib: dict, style: str = "nlm-citation-sequence", line_offset: int = 0):
    md = MarkdownIt("commonmark").use(footnote_plugin).use(citations_plugin)
    env = {"path": "content/posts/x.md", "line_offset": line_offset, "bibliography": bib, "cited": [],
           "problems": [], "style": style}
    html = md.render(text, env)
    return lxml.html.fragment_fromstring(html, create_parent="div"), env


# --- loading ---------------------------------------------------------------------------------

def test_bibtex_names_particles_accents_and_institutions(bib):
    authors = bib["vanderberg2020"]["author"]
    assert authors[0] == {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}
    assert authors[1] == {"family": "Núñez", "given": "Sofía"}  # {\'\i} is a plain í, not a dotless i
    assert authors[2] == {"family": "Müller", "given": "Jörg"}
    assert bib["who2021"]["author"] == [{"literal": "World Health Organization"}]
    assert bib["single2019"]["author"] == [{"family": "Aristotle"}]


def test_bibtex_fields_map_to_csl(bib):
    item = bib["vanderberg2020"]
    assert item["type"] == "article-journal"
    assert item["container-title"] == "BMJ"  # @string macro expanded
    assert item["title"] == "Teaching the ECG & rhythm strips"
    assert item["DOI"] == "10.1136/bmj.x123"  # resolver prefix stripped
    assert item["issued"] == {"date-parts": [[2020, 5]]}
    assert (item["volume"], item["issue"], item["page"]) == ("3", "2", "1-10")
    assert bib["who2021"]["type"] == "report"
    assert bib["who2021"]["issued"] == {"date-parts": [[2021, 3, 4]]}


def test_csl_json_and_yaml(bib):
    assert bib["Smith2018"]["author"][1] == {"family": "O'Brien", "given": "Seán"}
    assert bib["lee2019"]["issued"] == {"date-parts": [[2019, 2, 3]]}  # ISO string normalised
    items, problems = load("refs.yaml")
    assert items["yaml2022"]["issued"] == {"date-parts": [[2022, 6, 1]]}
    assert [(p.path, p.line, p.severity) for p in problems] == [("refs.yaml", 10, "error")]
    assert "without an 'id'" in problems[0].message


def test_later_files_win():
    items, _ = load("refs.bib", "refs.json")
    assert set(items) == {"vanderberg2020", "who2021", "single2019", "Smith2018", "lee2019"}


def test_broken_bibtex_reports_each_problem_with_its_line():
    items, problems = load("broken.bib")
    assert list(items) == ["ok2021"]  # the entry after the broken one survives
    assert items["ok2021"]["title"] == "Still parsed"
    found = [(p.path, p.line, p.severity) for p in problems]
    assert found == [("broken.bib", 3, "error"), ("broken.bib", 9, "error"), ("broken.bib", 20, "error")]
    assert "unbalanced braces" in problems[0].message
    assert "without a citation key" in problems[1].message
    assert "duplicate citation key 'ok2021'" in problems[2].message


def test_broken_json_missing_file_and_unknown_format(tmp_path):
    _, problems = load("bad.json")
    assert (problems[0].path, problems[0].line) == ("bad.json", 3)
    _, problems = load("nope.bib")
    assert problems[0].message == "bibliography file not found"
    (tmp_path / "refs.txt").write_text("x")
    _, problems = load_bibliography([tmp_path / "refs.txt"], tmp_path)
    assert "unknown bibliography format" in problems[0].message


# --- citeproc-py defects, fixed in references.engine --------------------------------------------

POST = {"id": "p", "type": "post-weblog", "title": "A post", "container-title": "Shift Notes",
        "author": [{"family": "van der Berg", "given": "Jan"}], "issued": {"date-parts": [[2024, 5, 1]]}}


def test_nlm_dates_have_spaces():
    _, text = engine.format_item(POST, "nlm-citation-sequence")
    assert "2024 May 1" in text
    assert "2024May1" not in text


def test_nlm_number_is_separated_from_the_entry():
    """citeproc-py rendered "1.van der Berg J"; the fixed entry keeps the number apart."""
    eng, ids = engine._engine(["p"], {"p": POST}, "nlm-citation-sequence")
    from citeproc import Citation, CitationItem
    eng.register(Citation([CitationItem(ids["p"])]))
    entry = eng.bibliography()[0]
    assert engine.to_text(entry).startswith("1. van der Berg J.")
    assert engine.to_text(entry.right).startswith("van der Berg J.")
    _, text = engine.format_item(POST, "nlm-citation-sequence")
    assert text.startswith("van der Berg J. A post.")


def test_minimal_page_ranges_keep_longer_ends(bib):
    _, text = engine.format_item(bib["vanderberg2020"], "nlm-citation-sequence")
    assert "2020 May;3(2):1–10." in text
    _, text = engine.format_item(bib["Smith2018"], "nlm-citation-sequence")
    assert ";100–8." in text  # minimal still shortens equal-length ends


def test_untrusted_fields_are_escaped(bib):
    html, text = engine.format_item(bib["Smith2018"], "apa")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; retrieval &amp; recall" in html
    assert "<i>Medical Education</i>" in html  # the style's own formatting survives
    assert "Spaced <script>alert(1)</script> retrieval & recall" in text


def test_unknown_style():
    assert not engine.style_exists("no-such-style")
    with pytest.raises(ValueError, match="unknown citation style"):
        engine.format_item(POST, "no-such-style")


# --- in-text citations -----------------------------------------------------------------------

def test_markers_are_numbered_by_first_citation(bib):
    doc, env = render("First [@Smith2018], then [@vanderberg2020; @Smith2018], then [@who2021].", bib)
    assert env["cited"] == ["Smith2018", "vanderberg2020", "who2021"]
    groups = doc.xpath('//span[@class="citation"]')
    assert [g.text_content() for g in groups] == ["(1)", "(2,1)", "(3)"]
    assert [a.get("href") for a in groups[1].xpath('.//a')] == ["#ref-vanderberg2020", "#ref-Smith2018"]
    assert env["problems"] == []


def test_markers_follow_the_style(bib):
    doc, _ = render("See [@vanderberg2020, p. 4] and [@Smith2018].", bib, style="american-medical-association")
    sups = doc.xpath('//span[@class="citation"]/sup')
    assert [s.text_content() for s in sups] == ["1(p4)", "2"]
    doc, _ = render("See [@vanderberg2020, p. 4].", bib, style="apa")
    assert doc.xpath('//span[@class="citation"]')[0].text_content() == "(van der Berg et al., 2020, p. 4)"


def test_links_footnotes_and_emails_are_left_alone(bib):
    text = "A [link](https://example.org), [@handle](https://x.org), mail me@example.org, a note[^1].\n\n[^1]: Foot."
    doc, env = render(text, bib)
    assert env["cited"] == [] and env["problems"] == []
    assert doc.xpath('//span[@class="citation"]') == []
    assert [a.get("href") for a in doc.xpath('//a')][:2] == ["https://example.org", "https://x.org"]
    assert doc.xpath('//sup[@class="footnote-ref"]')
    assert "me@example.org" in doc.text_content()


def test_unknown_key_is_an_error_with_file_line_and_hint(bib):
    _, env = render("Intro.\n\nOne line\nthen [@smith2018] here.", bib, line_offset=6)
    (problem,) = env["problems"]
    assert (problem.path, problem.line, problem.severity) == ("content/posts/x.md", 10, "error")
    assert problem.message == "unknown citation key 'smith2018'"
    assert problem.hint == "did you mean 'Smith2018'?"


def test_references_section(bib):
    _, env = render("[@Smith2018] and [@vanderberg2020]", bib)
    html = references_html(env["cited"], bib, "nlm-citation-sequence")
    section = lxml.html.fragment_fromstring(html)
    assert section.get("id") == "references" and section.tag == "section"
    items = section.xpath('./ol/li')
    assert [li.get("id") for li in items] == ["ref-Smith2018", "ref-vanderberg2020"]
    assert items[0].text_content().startswith("Smith A, O’Brien S. Spaced <script>alert(1)</script>")
    assert [a.get("href") for a in items[0].xpath('.//a')] == ["https://doi.org/10.1111/medu.1"]
    assert not section.xpath('.//script')
    assert references_html([], bib, "apa") == ""


def test_author_date_references_are_sorted_by_the_style(bib):
    html = references_html(["who2021", "Smith2018", "single2019"], bib, "apa")
    ids = [li.get("id") for li in lxml.html.fragment_fromstring(html).xpath('.//li')]
    assert ids == ["ref-single2019", "ref-Smith2018", "ref-who2021"]
