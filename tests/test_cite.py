"""Citing posts (generator/cite): formatted citations, exports, meta tags, JSON-LD, Crossref.

Outputs are read back with independent parsers (bibtexparser, rispy, jsonschema with the
CSL-JSON schema, extruct, xmlschema with the Crossref XSD) and checked value by value.
"""
from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from pathlib import Path

import bibtexparser
import commonmeta
import extruct
import jinja2
import jsonschema
import lxml.etree
import lxml.html
import pytest
import rispy
import xmlschema
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import splitname

from generator import cite, crossref
from generator.model import Config, Counted, Person, Post, ReviewPolicy, ReviewRecord, ReviewState, Site

ROOT = Path(__file__).resolve().parent.parent
COMMONMETA = Path(commonmeta.__file__).parent / "resources"
CR = "{http://www.crossref.org/schema/5.5.0}"
EVIL = 'Lactate </script><script>alert("x")</script> & <b>acidosis</b>'

PEOPLE = {
    "jan": Person("jan", "Jan van der Berg", given="Jan", family="van der Berg", orcid="0000-0009-0830-1664",
                  affiliation="Acute Medicine, Leiden"),
    "sofia": Person("sofia", "Sofía Núñez", given="Sofía", family="Núñez", orcid="0000-0001-3186-0917"),
    "mono": Person("mono", "Sukarno"),  # a single name: no given/family
    "helen": Person("helen", "Helen Strand", given="Helen", family="Strand", orcid="0000-0009-4821-993X",
                    roles=("reviewer",)),
    "kwame": Person("kwame", "Kwame Asante", given="Kwame", family="Asante", roles=("reviewer",)),
    "ed": Person("ed", "Margaret Lowe", given="Margaret", family="Lowe", email="editor@example.org",
                 roles=("editor",)),
    # eight authors with given names Ann, Bob, ... Hal: styles abbreviate long author lists
    **{f"a{n}": Person(f"a{n}", f"{g} Many", given=g, family="Many")
       for n, g in enumerate(("Ann", "Bob", "Cai", "Dev", "Eve", "Fay", "Gus", "Hal"), start=1)},
}


def make_site(posts: list[Post], visibility: str = "open", base_url: str = "https://blog.example.org/") -> Site:
    config = Config(root=ROOT, path=ROOT / "site.yaml", title="Shift Notes", base_url=base_url,
                    description="Peer-reviewed notes", language="en", license="CC-BY-4.0", people=PEOPLE,
                    review=ReviewPolicy(visibility=visibility),
                    taxonomies={"audience": {"residents": "Residents and trainees"}},
                    extra={"citation": {"styles": ["nlm-citation-sequence", "american-medical-association", "apa"],
                                        "default_style": "nlm-citation-sequence"}})
    states = {}
    for post in posts:
        records = [ReviewRecord(Path(f"reviews/{post.id}/{who}.md"), post.id, "review", who,
                                datetime(2024, 4, day, tzinfo=UTC), decision="approve")
                   for who, day in (("kwame", 20), ("helen", 18))]
        states[post.id] = ReviewState(post.id, "published", reviews=[Counted(r, True) for r in records],
                                      accepted_on=datetime(2024, 4, 21, tzinfo=UTC))
    return Site(config=config, posts={p.id: p for p in posts}, pages={}, states=states, records=[],
                listed=list(posts))


def make_post(**changes) -> Post:
    fields = dict(id="lactate", kind="post", source=Path("content/posts/lactate.md"), title="Lactate in sepsis",
                  body="", body_line=8, date=datetime(2024, 5, 1, tzinfo=UTC),
                  updated=datetime(2024, 6, 2, tzinfo=UTC), authors=("jan", "sofia", "mono"),
                  summary="What a raised lactate means.", tags=("sepsis", "acute-care"),
                  doi="10.59350/sn.lactate-2024", audience=("residents",),
                  objectives=("Interpret a raised lactate", "Name three causes"), word_count=1100,
                  references=[{"id": "r1", "type": "article-journal", "title": "Sepsis-3",
                               "author": [{"family": "Singer", "given": "Mervyn"}],
                               "container-title": "JAMA", "volume": "315", "issue": "8", "page": "801-810",
                               "issued": {"date-parts": [[2016]]}, "DOI": "10.1001/jama.2016.0287"}])
    fields.update(changes)
    return Post(**fields)


@pytest.fixture()
def site() -> Site:
    return make_site([make_post()])


@pytest.fixture()
def post(site) -> Post:
    return site.posts["lactate"]


# --- formatted citations ---------------------------------------------------------------------

def test_default_citation_in_three_styles(site, post):
    nlm = cite.formatted(site, post, "nlm-citation-sequence", "text")
    assert nlm == ("van der Berg J, Núñez S, Sukarno. Lactate in sepsis. Shift Notes [Internet]. 2024 May 1. "
                   "Available from: https://blog.example.org/posts/lactate/ doi:10.59350/sn.lactate-2024")
    ama = cite.formatted(site, post, "american-medical-association", "text")
    assert ama.startswith("van der Berg J, Núñez S, Sukarno. Lactate in sepsis. Shift Notes. May 1, 2024.")
    assert ama.endswith("doi:10.59350/sn.lactate-2024")
    apa = cite.formatted(site, post, "apa", "text")
    assert apa.startswith("van der Berg, J., Núñez, S., & Sukarno. (2024, May 1). Lactate in sepsis.")
    assert apa.endswith("https://doi.org/10.59350/sn.lactate-2024")


def test_html_citation_links_the_doi_and_escapes_the_title(site):
    post = make_post(title=EVIL)
    html = cite.formatted(make_site([post]), post, "nlm-citation-sequence")
    doc = lxml.html.fragment_fromstring(html, create_parent="p")
    assert doc.xpath("//script") == [] and doc.xpath("//b") == []
    # the title comes back as text, with typographic quotes as citeproc-js writes them
    assert EVIL.replace('"x"', "“x”") in doc.text_content()
    assert "https://doi.org/10.59350/sn.lactate-2024" in doc.xpath("//a/@href")


def test_many_authors_are_abbreviated_by_the_style():
    post = make_post(authors=tuple(f"a{n}" for n in range(1, 9)))
    site = make_site([post])
    nlm = cite.formatted(site, post, "nlm-citation-sequence", "text")
    assert nlm.startswith("Many A, Many B, Many C, Many D, Many E, Many F, et al. Lactate in sepsis.")
    ama = cite.formatted(site, post, "american-medical-association", "text")
    assert ama.startswith("Many A, Many B, Many C, et al. Lactate in sepsis.")


# --- exports ---------------------------------------------------------------------------------

def parse_bib(text: str) -> list[dict]:
    """bibtexparser skips @online unless told that non-standard (BibLaTeX) types are fine."""
    return bibtexparser.loads(text, parser=BibTexParser(ignore_nonstandard_types=False)).entries


def test_bibtex_export(site, post):
    (entry,) = parse_bib(cite.exports(site, post)["cite.bib"].decode())
    assert (entry["ENTRYTYPE"], entry["ID"]) == ("online", "lactate")
    names = [n.strip() for n in entry["author"].split(" and ")]
    assert names == ["van der Berg, Jan", "Núñez, Sofía", "{Sukarno}"]
    assert splitname(names[0]) == {"first": ["Jan"], "von": ["van", "der"], "last": ["Berg"], "jr": []}
    assert splitname(names[2])["last"] == ["{Sukarno}"]
    assert entry["title"] == "Lactate in sepsis"
    assert entry["booktitle"] == "Shift Notes" and "organization" not in entry
    assert entry["language"] == "en"  # issue 19: a language code, not "english"
    assert entry["date"] == "2024-05-01"
    assert entry["doi"] == "10.59350/sn.lactate-2024"
    assert entry["url"] == "https://blog.example.org/posts/lactate/"


def test_bibtex_escapes_special_characters():
    post = make_post(title="50% of {cases} & #1_top")
    site = make_site([post])
    (entry,) = parse_bib(cite.exports(site, post)["cite.bib"].decode())
    assert entry["title"] == r"50\% of \{cases\} \& \#1\_top"


def test_ris_export(site, post):
    data = cite.exports(site, post)["cite.ris"].decode()
    assert "\r\n" in data
    (entry,) = rispy.loads(data)
    assert entry["type_of_reference"] == "BLOG"
    assert entry["authors"] == ["van der Berg, Jan", "Núñez, Sofía", "Sukarno"]
    assert entry["title"] == "Lactate in sepsis"
    assert entry["secondary_title"] == "Shift Notes"
    assert entry["year"] == "2024"
    assert entry["date"] == "2024/05/01"
    assert entry["doi"] == "10.59350/sn.lactate-2024"
    assert entry["urls"] == ["https://blog.example.org/posts/lactate/"]
    assert entry["keywords"] == ["sepsis", "acute-care"]


def test_csl_json_export_is_valid(site, post):
    data = json.loads(cite.exports(site, post)["cite.json"])
    schema = json.loads((COMMONMETA / "csl-data.json").read_text())
    jsonschema.validate(data, schema)
    (item,) = data
    assert item["type"] == "post-weblog"
    assert item["container-title"] == "Shift Notes"
    assert item["author"] == [{"family": "van der Berg", "given": "Jan"}, {"family": "Núñez", "given": "Sofía"},
                              {"literal": "Sukarno"}]
    assert item["issued"] == {"date-parts": [[2024, 5, 1]]}
    assert item["DOI"] == "10.59350/sn.lactate-2024"


def test_outputs_cover_listed_posts_and_are_reproducible():
    site = make_site([make_post(), make_post(id="second", doi="")])
    first = cite.outputs(site)
    assert [o.path for o in first] == [f"posts/{pid}/cite.{ext}" for pid in ("lactate", "second")
                                       for ext in ("bib", "ris", "json")]
    assert [o.data for o in first] == [o.data for o in cite.outputs(site)]
    no_doi = {o.path: o.data.decode() for o in first if o.path.startswith("posts/second/")}
    assert "doi" not in no_doi["posts/second/cite.bib"] and "DO  -" not in no_doi["posts/second/cite.ris"]


# --- page metadata, read back with extruct ---------------------------------------------------

def render_page(site: Site, post: Post) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROOT / "themes/default/templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    cite.register(env, site)
    page = env.from_string('<!DOCTYPE html><html><head><title>t</title>{% include "partials/scholar_meta.html" %}'
                           '</head><body>{% include "partials/cite.html" %}</body></html>')
    return page.render(post=post)


def meta_values(html: str, name: str) -> list[str]:
    return lxml.html.fromstring(html).xpath(f'//meta[@name="{name}"]/@content')


def test_highwire_tags(site, post):
    html = render_page(site, post)
    assert meta_values(html, "citation_title") == ["Lactate in sepsis"]
    assert meta_values(html, "citation_author") == ["van der Berg, Jan", "Núñez, Sofía", "Sukarno"]
    assert meta_values(html, "citation_publication_date") == ["2024/05/01"]
    assert meta_values(html, "citation_doi") == ["10.59350/sn.lactate-2024"]
    assert meta_values(html, "citation_fulltext_html_url") == ["https://blog.example.org/posts/lactate/"]
    assert meta_values(html, "citation_language") == ["en"]
    assert meta_values(html, "citation_keywords") == ["sepsis; acute-care"]
    assert meta_values(html, "citation_journal_title") == []


def test_dublin_core_open_graph_and_twitter(site, post):
    html = render_page(site, post)
    data = extruct.extract(html, base_url="https://blog.example.org/posts/lactate/",
                           syntaxes=["opengraph", "dublincore"], uniform=True)
    assert data["dublincore"][0]["@type"] == "blogPost"  # extruct's uniform form lifts DC.type
    dc = {e["name"].lower(): e["content"] for e in data["dublincore"][0]["elements"]}
    assert dc["dc.rights"] == "https://creativecommons.org/licenses/by/4.0/"
    assert dc["dc.identifier"] == "https://doi.org/10.59350/sn.lactate-2024"
    og = data["opengraph"][0]
    assert og["@type"] == "article" and og["og:site_name"] == "Shift Notes"  # uniform form lifts og:type
    assert og["og:title"] == "Lactate in sepsis" and og["og:url"] == "https://blog.example.org/posts/lactate/"
    assert og["og:description"] == "What a raised lactate means."
    assert meta_values(html, "twitter:card") == ["summary"]
    with_image = make_post(image="card.png")
    html = render_page(make_site([with_image]), with_image)
    og = extruct.extract(html, syntaxes=["opengraph"], uniform=True)["opengraph"][0]
    assert og["og:image"] == "https://blog.example.org/posts/lactate/card.png"
    assert meta_values(html, "twitter:card") == ["summary_large_image"]


def json_ld(html: str) -> dict:
    (data,) = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    return {node["@type"] if isinstance(node["@type"], str) else "BlogPosting": node for node in data["@graph"]}


def test_json_ld(site, post):
    nodes = json_ld(render_page(site, post))
    article, page = nodes["BlogPosting"], nodes["WebPage"]
    assert article["@type"] == ["BlogPosting", "ScholarlyArticle"]
    assert article["@id"] == "https://doi.org/10.59350/sn.lactate-2024"
    assert article["identifier"]["value"] == "10.59350/sn.lactate-2024"
    assert [a["name"] for a in article["author"]] == ["Jan van der Berg", "Sofía Núñez", "Sukarno"]
    assert article["author"][0]["sameAs"] == "https://orcid.org/0000-0009-0830-1664"
    assert article["author"][0]["familyName"] == "van der Berg"
    assert "sameAs" not in article["author"][2]
    assert (article["datePublished"], article["dateModified"]) == ("2024-05-01T00:00:00+00:00",
                                                                   "2024-06-02T00:00:00+00:00")
    assert article["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert article["isPartOf"]["@type"] == "Blog" and article["isPartOf"]["name"] == "Shift Notes"
    assert article["educationalLevel"] == ["Residents and trainees"]
    assert article["audience"][0]["educationalRole"] == "Residents and trainees"
    assert article["teaches"] == ["Interpret a raised lactate", "Name three causes"]
    assert article["timeRequired"] == "PT5M"
    assert [(r["@type"], r["author"]["name"], r["datePublished"]) for r in article["review"]] == [
        ("Review", "Helen Strand", "2024-04-18"), ("Review", "Kwame Asante", "2024-04-20")]
    assert article["citation"][0]["sameAs"] == "https://doi.org/10.1001/jama.2016.0287"
    assert [p["name"] for p in page["reviewedBy"]] == ["Helen Strand", "Kwame Asante"]
    assert page["lastReviewed"] == "2024-04-20"
    assert page["mainEntity"]["@id"] == article["@id"]


def test_json_ld_is_safe_against_script_injection():
    post = make_post(title=EVIL, summary="a < b && c > d\u2028")
    html = render_page(make_site([post]), post)
    doc = lxml.html.fromstring(html)
    assert doc.xpath("//script[not(@type)]") == []  # nothing broke out of the JSON-LD script
    (raw,) = doc.xpath('//script[@type="application/ld+json"]/text()')
    assert "<" not in raw and ">" not in raw and "&" not in raw
    article = json_ld(html)["BlogPosting"]
    assert article["headline"] == EVIL and article["description"] == "a < b && c > d\u2028"
    assert meta_values(html, "citation_title") == [EVIL]


def test_anonymous_review_hides_reviewers():
    post = make_post()
    nodes = json_ld(render_page(make_site([post], visibility="anonymous"), post))
    assert "reviewedBy" not in nodes["WebPage"]
    assert {r["author"]["name"] for r in nodes["BlogPosting"]["review"]} == {"Anonymous reviewer"}


def test_cite_block(site, post):
    doc = lxml.html.fromstring(render_page(site, post))
    (section,) = doc.xpath('//section[@id="cite"]')
    heading = section.xpath(f'.//*[@id="{section.get("aria-labelledby")}"]')[0]
    assert heading.text_content() == "Cite this post"
    main = section.xpath('./figure//p[@class="citation"]')[0]
    assert main.text_content().startswith("van der Berg J, Núñez S, Sukarno. Lactate in sepsis.")
    buttons = section.xpath(".//button[@data-copy-target]")
    assert [b.get("data-copy-target") for b in buttons] == [
        "citation-nlm-citation-sequence", "citation-american-medical-association", "citation-apa"]
    assert all(doc.get_element_by_id(b.get("data-copy-target")) is not None for b in buttons)
    assert [b.get("type") for b in buttons] == ["button"] * 3
    others = section.xpath(".//details//p[@class='citation']")
    assert others[1].text_content().startswith("van der Berg, J., Núñez, S., & Sukarno. (2024, May 1).")
    assert section.xpath(".//a[@download]/@href") == [f"/posts/lactate/cite.{e}" for e in ("bib", "ris", "json")]


# --- Crossref ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def crossref_schema():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the XSD imports MathML from the network; not needed here
        return xmlschema.XMLSchema11(str(COMMONMETA / "crossref" / "crossref5.5.0.xsd"))


def test_crossref_deposit_validates_and_carries_the_metadata(site, post, crossref_schema):
    data = crossref.crossref_xml(site, [post])
    crossref_schema.validate(data)
    root = lxml.etree.fromstring(data)
    (pc,) = root.iter(f"{CR}posted_content")
    assert pc.get("type") == "blog"
    people = [(p.get("contributor_role"), p.get("sequence"), p.findtext(f"{CR}surname"), p.findtext(f"{CR}ORCID"))
              for p in pc.iter(f"{CR}person_name")]
    assert people == [("author", "first", "van der Berg", "https://orcid.org/0000-0009-0830-1664"),
                      ("author", "additional", "Núñez", "https://orcid.org/0000-0001-3186-0917"),
                      ("author", "additional", "Sukarno", None),
                      ("reviewer", "additional", "Strand", "https://orcid.org/0000-0009-4821-993X"),
                      ("reviewer", "additional", "Asante", None)]
    assert pc.findtext(f"{CR}titles/{CR}title") == "Lactate in sepsis"
    date = pc.find(f"{CR}posted_date")
    assert [date.findtext(f"{CR}{t}") for t in ("year", "month", "day")] == ["2024", "05", "01"]
    assert pc.findtext(f"{CR}doi_data/{CR}doi") == "10.59350/sn.lactate-2024"
    assert pc.findtext(f"{CR}doi_data/{CR}resource") == "https://blog.example.org/posts/lactate/"
    ai = "{http://www.crossref.org/AccessIndicators.xsd}"
    assert pc.findtext(f"{ai}program/{ai}license_ref") == "https://creativecommons.org/licenses/by/4.0/"
    (citation,) = pc.iter(f"{CR}citation")
    assert citation.findtext(f"{CR}doi") == "10.1001/jama.2016.0287"
    assert citation.findtext(f"{CR}first_page") == "801"
    assert root.findtext(f"{CR}head/{CR}depositor/{CR}email_address") == "editor@example.org"
    assert crossref.crossref_xml(site, [post]) == data  # reproducible


def test_crossref_anonymous_reviewers_and_awkward_names(crossref_schema):
    posts = [make_post(), make_post(id="many", doi="10.59350/sn.many", authors=tuple(f"a{n}" for n in range(1, 9)),
                                    references=[])]
    site = make_site(posts, visibility="anonymous")
    data = crossref.crossref_xml(site, posts)
    crossref_schema.validate(data)
    root = lxml.etree.fromstring(data)
    assert len(list(root.iter(f"{CR}posted_content"))) == 2
    assert [a.get("contributor_role") for a in root.iter(f"{CR}anonymous")] == ["reviewer"] * 4


def test_crossref_refuses_posts_without_doi(site):
    from generator.errors import ProblemError
    with pytest.raises(ProblemError, match="has no valid DOI"):
        crossref.crossref_xml(site, [make_post(doi="")])


# --- the built sample blog and the command line ------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from generator import config as config_mod
    from generator.engine import build
    out = tmp_path_factory.mktemp("site")
    report = build.run(config_mod.load(ROOT / "site.yaml"), build.Options(out=out))
    assert not [p for p in report.problems if p.severity == "error"], report.problems
    return out, report.site


def test_sample_blog_pages_and_exports(built):
    out, site = built
    post = site.posts["ecg-systematic"]
    html = (out / "posts/ecg-systematic/index.html").read_text()
    assert meta_values(html, "citation_author") == ["Okafor, Amara", "Núñez, Sofía"]
    assert meta_values(html, "citation_doi") == ["10.59350/shiftnotes.ecg-2025"]
    article = json_ld(html)["BlogPosting"]
    assert article["identifier"]["value"] == "10.59350/shiftnotes.ecg-2025"
    assert len(article["review"]) == len(site.states["ecg-systematic"].approvals)
    doc = lxml.html.fromstring(html)
    refs = doc.xpath('//section[@id="references"]/ol/li/@id')
    markers = doc.xpath('//span[@class="citation"]//a/@href')
    assert refs and set(markers) == {"#" + r for r in refs}
    (entry,) = parse_bib((out / "posts/ecg-systematic/cite.bib").read_text())
    assert entry["doi"] == post.doi
    (ris,) = rispy.loads((out / "posts/ecg-systematic/cite.ris").read_text())
    assert ris["secondary_title"] == "Shift Notes" and ris["doi"] == post.doi
    csl = json.loads((out / "posts/ecg-systematic/cite.json").read_text())
    jsonschema.validate(csl, json.loads((COMMONMETA / "csl-data.json").read_text()))
    for listed in site.listed:
        assert (out / f"posts/{listed.id}/cite.ris").is_file()


def test_cli_cite_and_crossref(built, capsys, tmp_path, crossref_schema):
    from generator import cli
    config = str(ROOT / "site.yaml")
    assert cli.main(["cite", "ecg-systematic", "--config", config, "--style", "apa"]) == 0
    assert capsys.readouterr().out.startswith("Okafor, A., & Núñez, S. (2025, March 12).")
    assert cli.main(["cite", "ecg-systematic", "--config", config, "--format", "ris"]) == 0
    assert rispy.loads(capsys.readouterr().out)[0]["type_of_reference"] == "BLOG"
    target = tmp_path / "deposit.xml"
    assert cli.main(["crossref", "ecg-systematic", "--config", config, "--out", str(target)]) == 0
    crossref_schema.validate(target.read_bytes())
    assert cli.main(["cite", "ecg-systematic", "--config", config, "--style", "nope"]) == 1
    assert "unknown citation style 'nope'" in capsys.readouterr().err
