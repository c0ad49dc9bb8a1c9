"""Hostile content: every untrusted field comes out as text in every output, never as markup.

The fixture blog (tests/hostile.py) puts injection payloads in titles, names, affiliations, tags,
summaries, objectives, review and response texts, an editor's reason, bibliography fields and
page titles. Each output is parsed with the parser its readers use (lxml for HTML and XML,
feedparser for feeds, json for JSON-LD and JSON Feed, bibtexparser and rispy for citations) and
checked twice: nothing executable appeared, and the payload survived exactly, as text.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser
import feedparser
import lxml.etree
import lxml.html
import pytest
import rispy

from generator.markup import render
from tests.hostile import (
    AFFILIATION,
    NAME,
    OBJECTIVE,
    PAYLOAD,
    RUN,
    SITE_TITLE,
    SUMMARY,
    TAG,
    TITLE,
    make_hostile_blog,
)

DANGEROUS_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "xlink:href", "srcset", "background", "cite")
PLAIN = str.maketrans({"\u2028": " "})
TAG_SHOWN = TAG[:1].upper() + TAG[1:]  # tags are shown in words (generator/readers.py: tag_label)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    import os
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1793491200")
    b = make_hostile_blog(tmp_path_factory.mktemp("hostile") / "blog")
    report = b.build()
    # The template-injection probes ({{7*7}}) are rightly reported as leftover template tags.
    others = [p for p in report.problems if not p.message.startswith("leftover template tag")]
    assert others == [], [p.text() for p in others]
    return b.root / "site"


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def parse_html(path: Path):
    return lxml.html.parse(str(path)).getroot()


# --- nothing executable, anywhere ----------------------------------------------------------------

def test_there_are_pages_to_check(hostile_site):
    assert len(html_pages(hostile_site)) >= 10
    assert (hostile_site / "posts/evil/index.html").is_file()


def test_no_injected_script_elements(hostile_site):
    for path in html_pages(hostile_site):
        for script in parse_html(path).iter("script"):
            inline = (script.text or "").strip()
            if script.get("type") == "application/ld+json":
                json.loads(inline)  # data (the payload is in there, as JSON strings), and valid
                assert "</script" not in inline.lower() and "<!--" not in inline, path
            else:
                assert "__pwned" not in inline and "PWNED" not in inline, path
            assert not script.get("src") or not DANGEROUS_URL.match(script.get("src")), path


def test_no_event_handlers_or_dangerous_urls(hostile_site):
    for path in html_pages(hostile_site):
        for el in parse_html(path).iter():
            if not isinstance(el.tag, str):
                continue
            for name, value in el.attrib.items():
                assert not name.lower().startswith("on"), (path, el.tag, name, value)
                if name.lower() in URL_ATTRIBUTES:
                    assert not DANGEROUS_URL.match(value), (path, el.tag, name, value)
                assert name.lower() != "srcdoc", (path, el.tag)
            assert el.tag not in ("base", "form", "object", "embed"), (path, el.tag)
            if el.tag == "meta":
                assert el.get("http-equiv", "").lower() != "refresh", path


# --- the payload survives as text ------------------------------------------------------------------

def text_of(el) -> str:
    return el.text_content().strip()


def test_post_page_text_and_attributes(hostile_site):
    page = parse_html(hostile_site / "posts/evil/index.html")
    assert text_of(page.xpath("//h1")[0]) == TITLE
    assert page.xpath("//title")[0].text == f"{TITLE} · {SITE_TITLE}"
    assert page.xpath("//meta[@name='description']/@content") == [SUMMARY]
    assert page.xpath("//meta[@property='og:title']/@content") == [TITLE]
    assert page.xpath("//meta[@name='citation_title']/@content") == [TITLE]
    assert page.xpath("//meta[@name='twitter:description']/@content") == [SUMMARY]
    assert AFFILIATION in page.xpath("//meta[@name='citation_author_institution']/@content")
    assert NAME in page.xpath("//meta[@name='DC.creator']/@content")
    assert TAG_SHOWN in [text_of(a) for a in page.xpath("//ul[@class='tag-list']//a")]
    assert OBJECTIVE in [text_of(li) for li in page.xpath("//aside[@class='objectives']//li")]
    assert any(NAME in text_of(el) for el in page.xpath("//*[contains(@class,'byline') or @class='authors']")) \
        or NAME in page.text_content()
    assert text_of(page.xpath("//a[@class='site-title']")[0]) == SITE_TITLE


def test_json_ld_carries_the_payload_as_data(hostile_site):
    page = parse_html(hostile_site / "posts/evil/index.html")
    [script] = page.xpath("//script[@type='application/ld+json']")
    raw = script.text
    assert "</script" not in raw.lower() and "<!--" not in raw and "\u2028" not in raw
    graph = json.loads(raw)["@graph"]
    article = next(n for n in graph if "headline" in n)
    assert article["headline"] == TITLE and article["description"] == SUMMARY
    assert TAG in article["keywords"]
    assert article["author"][0]["name"] == NAME
    assert article["author"][0]["affiliation"]["name"] == AFFILIATION


def test_review_texts_are_sanitised_but_keep_their_words(hostile_site):
    page = parse_html(hostile_site / "posts/evil/reviews/index.html")
    texts = [d for d in page.xpath("//div[@class='review-text']") if "Looks fine." in d.text_content()]
    assert len(texts) == 4  # two reviews, the author's response and the imported pull-request review
    for div in texts:
        assert "Looks fine." in div.text_content()
        assert "{{7*7}}" in div.text_content() and "49" not in div.text_content()
        assert not div.xpath(".//script|.//iframe|.//style|.//form")
        links = div.xpath(".//a[not(@class='header-anchor')]")
        assert [a.get("href") for a in links if a.get("href")] == []
        assert [a.text_content() for a in links][:3] == ["js link", "data link", "vb link"]
        assert not div.xpath(".//*[@style]")
    assert "Rita <script>" + RUN + "</script>" in page.text_content()


def test_post_body_allow_policy_keeps_markup_but_not_script(hostile_site):
    body = parse_html(hostile_site / "posts/evil/index.html").xpath("//div[@class='post-body']")[0]
    assert body.xpath(".//div[@class='note']")[0].text == "allowed div"
    assert body.xpath(".//iframe/@src") == ["https://www.youtube-nocookie.com/embed/abc"]
    assert "{{7*7}}" in body.xpath(".//code")[0].text
    assert [a.text_content() for a in body.xpath(".//a[not(@href)]")][:3] == ["js", "spaced", "entity"]
    assert not body.xpath(".//img[starts-with(@src,'data:')]")
    # The bibliography entry is rendered as text by the citation engine.
    refs = body.xpath(".//section[@class='references']")
    assert refs and "<script>" in refs[0].text_content() and not refs[0].xpath(".//script")


def test_listing_pages(hostile_site):
    for rel in ("index.html", "archive/index.html", "tags/index.html", "authors/ada/index.html",
                "reviewers/index.html", "feeds/index.html", "about/index.html"):
        page = parse_html(hostile_site / rel)
        assert text_of(page.xpath("//a[@class='site-title']")[0]) == SITE_TITLE, rel
    home = parse_html(hostile_site / "index.html")
    assert TITLE in [text_of(a) for a in home.xpath("//h3[@class='card-title']/a")]
    tags = parse_html(hostile_site / "tags/index.html")
    assert any(TAG_SHOWN in text_of(a) for a in tags.xpath("//main//a"))
    about = parse_html(hostile_site / "about/index.html")
    assert text_of(about.xpath("//h1")[0]) == "About " + PAYLOAD


# --- feeds ----------------------------------------------------------------------------------------

FEEDS = ["feed.xml", "rss.xml", "tags/plain/feed.xml", "authors/ada/feed.xml"]


@pytest.mark.parametrize("name", FEEDS)
def test_xml_feeds_are_well_formed_and_keep_the_payload(hostile_site, name):
    path = hostile_site / name
    if not path.exists():
        pytest.skip(f"{name} not built (feeds not in this build)")
    lxml.etree.parse(str(path))  # well-formed: a ]]> or & in a title did not break the XML
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert TITLE.translate(PLAIN) in [t.translate(PLAIN) for t in titles]
    assert feed.feed.title.startswith(SITE_TITLE)
    for entry in feed.entries:
        for content in entry.get("content", []) + [entry.get("summary_detail", {})]:
            if content.get("type") != "text/html" or not content.get("value"):
                continue  # text/plain is shown as text by readers
            frag = lxml.html.fragment_fromstring(content["value"], create_parent="div")
            assert not frag.xpath(".//script|.//*[@onerror]|.//*[@onclick]")
            assert not [h for h in frag.xpath(".//@href|.//@src") if DANGEROUS_URL.match(h)]
    evil = next(e for e in feed.entries if e.title.translate(PLAIN) == TITLE.translate(PLAIN))
    summary = evil.summary_detail
    shown = summary.value if summary.type == "text/plain" else \
        lxml.html.fragment_fromstring(summary.value, create_parent="div").text_content()
    assert shown.translate(PLAIN).endswith(SUMMARY.translate(PLAIN))  # a status notice may lead


def test_review_activity_feed(hostile_site):
    path = hostile_site / "reviews/feed.xml"
    if not path.exists():
        pytest.skip("no review feed in this build")
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.bozo_exception
    for entry in feed.entries:
        for content in entry.get("content", []):
            frag = lxml.html.fragment_fromstring(content["value"], create_parent="div")
            assert not frag.xpath(".//script|.//iframe|.//*[@onerror]")


def test_json_feed_keeps_the_payload(hostile_site):
    path = hostile_site / "feed.json"
    if not path.exists():
        pytest.skip("no JSON Feed in this build")
    feed = json.loads(path.read_text(encoding="utf-8"))
    item = next(i for i in feed["items"] if i["url"].endswith("/posts/evil/"))
    assert item["title"] == TITLE
    assert feed["title"] == SITE_TITLE
    assert NAME in [a["name"] for a in item.get("authors", [])]
    frag = lxml.html.fragment_fromstring(item.get("content_html", "<p></p>"), create_parent="div")
    assert not frag.xpath(".//script|.//*[@onclick]")


# --- citation exports -----------------------------------------------------------------------------

def test_bibtex_export_cannot_grow_fields(hostile_site):
    parser = bibtexparser.bparser.BibTexParser(ignore_nonstandard_types=False)  # @online is biblatex
    db = bibtexparser.loads((hostile_site / "posts/evil/cite.bib").read_text(encoding="utf-8"), parser)
    [entry] = db.entries
    assert "7*7" in entry["title"] and entry["title"].count("{") == entry["title"].count("}")
    assert "note" not in entry  # "}, note = {x" in the title stayed inside the title
    assert set(entry) <= {"ID", "ENTRYTYPE", "author", "title", "booktitle", "date", "url", "language",
                          "issn", "keywords", "abstract", "doi"}


def test_ris_export_cannot_start_new_records(hostile_site):
    entries = rispy.loads((hostile_site / "posts/lines/cite.ris").read_text(encoding="utf-8"))
    assert len(entries) == 1
    assert entries[0]["type_of_reference"] == "BLOG"
    assert "ER" not in entries[0].get("title", "").split()[-1:]


def test_csl_json_export_keeps_the_title(hostile_site):
    items = json.loads((hostile_site / "posts/evil/cite.json").read_text(encoding="utf-8"))
    items = items if isinstance(items, list) else [items]
    assert items[0]["title"] == TITLE


def test_sitemap_is_well_formed(hostile_site):
    lxml.etree.parse(str(hostile_site / "sitemap.xml"))


# --- the raw HTML policy, on its own ------------------------------------------------------------------

HOSTILE_HTML = (f'<div class="keep" style="color:red" onclick="{RUN}">text</div>\n\n'
                f'<script>{RUN}</script>\n\n'
                f'<a href="javascript:{RUN}">a</a> <a href="data:text/html,x">b</a> <a href="vbscript:x">c</a> '
                f'<a href="https://example.org/" onmouseover="{RUN}">ok</a> <img src="x" onerror="{RUN}">\n\n'
                f'<iframe src="https://example.org/embed" srcdoc="x"></iframe>\n\n'
                '[md](javascript:alert(1)) [md2](data:text/html,x) ![img](data:image/png;base64,iVBO) '
                '[fine](https://example.org/a?b=1&c=2) [rel](../other/) [mail](mailto:a@example.org)\n')


def fragment(html: str):
    return lxml.html.fragment_fromstring(html, create_parent="div")


def hrefs(doc) -> list[str]:
    return doc.xpath("//a/@href")


@pytest.mark.parametrize("policy", ["allow", "sanitize", "escape"])
def test_no_policy_lets_script_through(policy):
    doc = fragment(render(HOSTILE_HTML, raw_html=policy).html)
    assert not doc.xpath("//script|//*[@onclick]|//*[@onerror]|//*[@onmouseover]|//*[@srcdoc]")
    assert not [u for u in doc.xpath("//@href|//@src") if DANGEROUS_URL.match(u)]
    assert "https://example.org/a?b=1&c=2" in hrefs(doc) and "../other/" in hrefs(doc)
    assert "mailto:a@example.org" in hrefs(doc)


def test_allow_keeps_the_authors_markup():
    doc = fragment(render(HOSTILE_HTML, raw_html="allow").html)
    [div] = doc.xpath("//div[@class='keep']")
    assert div.get("style") == "color:red" and div.text == "text"
    assert doc.xpath("//iframe/@src") == ["https://example.org/embed"]
    assert "https://example.org/" in hrefs(doc)


def test_sanitize_keeps_ordinary_markup_only():
    doc = fragment(render(HOSTILE_HTML, raw_html="sanitize").html)
    assert doc.xpath("//div[@class='keep']") and not doc.xpath("//*[@style]|//iframe")


def test_escape_shows_html_as_text():
    doc = fragment(render(HOSTILE_HTML, raw_html="escape").html)
    assert not doc.xpath("//div[@class='keep']|//iframe")
    assert "<div class=" in doc.text_content() and "<script>" in doc.text_content()


def test_allow_without_raw_html_is_untouched():
    """The scrubbing pass runs only when a post has raw HTML, so ordinary posts render as before."""
    text = 'Plain "quotes" & ampersands, a <https://example.org/> autolink and *Markdown* here.\n'
    assert render(text, raw_html="allow").html == render(text, raw_html="escape").html


def test_imported_pull_request_review_stays_text(hostile_site):
    """The body of an imported review cannot reopen the front matter or name another reviewer."""
    record = next((hostile_site.parent / "reviews/evil").glob("2025-01-06-bo*.md"))
    from generator import config as config_mod
    from generator import reviews as reviews_mod
    cfg = config_mod.load(hostile_site.parent / "site.yaml")
    loaded, problems = reviews_mod.load_one(cfg, record, {"evil", "lines"})
    assert [p for p in problems if p.severity == "error"] == []
    assert (loaded.person, loaded.decision, loaded.competing_interests) == ("bo", "approve", "none\nreviewer: rex")
    assert loaded.source == "https://github.com/o/r/pull/1#pullrequestreview-1"
    page = parse_html(hostile_site / "posts/evil/reviews/index.html")
    [div] = [d for d in page.xpath("//div[@class='review-text']") if "Imported review." in d.text_content()]
    assert "reviewer: rex" in div.text_content()
    assert not div.xpath(".//script|.//iframe|.//*[@onerror]")


def test_print_margins_keep_a_hostile_site_title_inside_a_css_string(hostile_site):
    """The site name is printed in the page margins through CSS (partials/print_margins.html): it must stay
    one quoted CSS string, with no "<" that could close the <style> element, and read back as the title."""
    page = parse_html(hostile_site / "posts/evil/index.html")
    [style] = page.xpath("//head/style[@media='print']")
    css = style.text
    assert "<" not in css and "</" not in css
    [top] = re.findall(r'@top-left \{ content: ("(?:[^"\\]|\\.)*");', css)
    unescaped = re.sub(r"\\([0-9a-f]{1,6}) ?", lambda m: chr(int(m.group(1), 16)), top[1:-1])
    assert unescaped == SITE_TITLE


# --- srcset and CSS under the default `allow` policy (issue 18) --------------------------------------
# Each case is one raw-HTML block in a real post; what survives is read back from the built page
# with lxml, and every CSS text with tinycss2 (escapes decoded, as a browser would read them).

CSS_CASES = {  # name: (raw HTML inside <div id="case-NAME">, what must survive)
    "srcset-javascript": ('<img src="a.png" alt="" srcset="a.png 1x, javascript:alert(1) 2x">', "a.png 1x"),
    "srcset-only-vbscript": ('<img src="a.png" alt="" srcset="vbscript:msgbox(1) 1x">', None),
    "srcset-data-svg": ('<picture><source srcset="data:image/svg+xml,%3Csvg onload=alert(1)%3E 1x">'
                        '<img src="a.png" alt=""></picture>', None),
    "srcset-spaced-scheme": ('<img src="a.png" alt="" srcset="b.png 2x,  JaVaScRiPt:alert(1) 3x">', "b.png 2x"),
    "style-url-javascript": ('<p style="color: red; background: url(javascript:alert(1))">x</p>', "color: red"),
    "style-url-escaped-scheme": ("<p style=\"color: red; background-image: url('jav\\61script:alert(1)')\">x</p>",
                                 "color: red"),
    "style-url-tab-in-scheme": ('<p style="color: red; background: url(&quot;java&#9;script:x&quot;)">x</p>',
                                "color: red"),
    "style-url-data": ('<p style="background: url(data:text/html;base64,PHNjcmlwdD4=)">x</p>', None),
    "style-expression": ('<p style="width: expression(alert(1)); color: blue">x</p>', "color: blue"),
    "style-moz-binding": ('<p style="-moz-binding: url(https://evil.example/x.xml#xss); color: red">x</p>',
                          "color: red"),
    "style-behavior": ('<p style="behavior: url(x.htc); color: red">x</p>', "color: red"),
    "style-image-set": ("<p style=\"color: red; background: image-set('javascript:x' 1x)\">x</p>", "color: red"),
    "style-element-import": ("<style>@import url(javascript:alert(1)); .x { color: red }</style>",
                             ".x { color: red }"),
    "style-element-import-https": ('<style>@import "https://evil.example/x.css"; .y { color: red }</style>',
                                   ".y { color: red }"),
    "style-element-media-url": ("<style>@media screen { .z { background: url(javascript:x); color: red } }</style>",
                                "@media screen {\n.z { color: red }\n}"),
    "style-element-font-face": ("<style>@font-face { font-family: x; src: url(javascript:x) }</style>",
                                "@font-face { font-family: x }"),
    "style-element-escaped-close": ('<style>.a::after { content: "\\3c /style><script>window.__pwned=1</script>";'
                                    ' -moz-binding: url(x) }</style>', None),
    "style-element-safe-untouched": ("<style>.keep { color: #333; margin: 0 auto }</style>",
                                     ".keep { color: #333; margin: 0 auto }"),
}


def css_threats(css: str) -> list[str]:
    """Every URL that is not http(s) or relative, and every at-rule or function that loads or runs
    something, in `css` (a stylesheet or a declaration list), read by tinycss2."""
    import tinycss2
    found: list[str] = []

    def walk(tokens):
        for t in tokens or ():
            if t.type == "url" and DANGEROUS_URL.match("".join(c for c in t.value if c > " ")):
                found.append(t.value)
            elif t.type == "string" and DANGEROUS_URL.match("".join(c for c in t.value if c > " ")):
                found.append(t.value)
            elif t.type == "at-keyword" and t.lower_value == "import":
                found.append("@import")
            elif t.type == "ident" and t.lower_value in ("-moz-binding", "behavior"):
                found.append(t.value)
            elif t.type == "function":
                if t.lower_name == "expression":
                    found.append("expression()")
                walk(t.arguments)
            elif t.type in ("() block", "[] block", "{} block"):
                walk(t.content)
    walk(tinycss2.parse_component_value_list(css))
    return found


@pytest.fixture(scope="module")
def css_page(tmp_path_factory):
    from tests.sitebuilder import SiteBuilder
    b = SiteBuilder(tmp_path_factory.mktemp("css") / "blog")
    body = "Intro.\n\n" + "\n\n".join(f'<div id="case-{name}">{html}</div>' for name, (html, _) in CSS_CASES.items())
    b.post("css", body=body + "\n")
    b.approve_twice("css")
    report = b.build()
    # The cases name images that are not there, which the link check rightly reports.
    others = [p for p in report.problems if not p.message.startswith("link to ")]
    assert others == [], [p.text() for p in others]
    return parse_html(b.root / "site/posts/css/index.html")


@pytest.mark.parametrize("name", sorted(CSS_CASES))
def test_srcset_and_css_keep_only_safe_urls(css_page, name):
    _, kept = CSS_CASES[name]
    [case] = css_page.xpath(f"//div[@id='case-{name}']")
    srcsets = case.xpath(".//@srcset")
    styles = case.xpath(".//@style") + [s.text or "" for s in case.iter("style")]
    for value in srcsets:
        assert not [c for c in value.split(",") if DANGEROUS_URL.match(c.strip())], value
    for css in styles:
        assert css_threats(css) == [], css
    assert not case.xpath(".//script") and "__pwned" not in lxml.html.tostring(case, encoding="unicode").replace(
        "\\3c script>window.__pwned", "")
    if kept is None:
        assert srcsets == [] and [s for s in case.xpath(".//@style")] == [], (srcsets, styles)
    else:
        assert kept in srcsets + [s.strip() for s in styles], (srcsets, styles)


def test_sanitize_policy_filters_table_cell_styles():
    doc = fragment(render('<table><tr><td style="background: url(javascript:x); text-align: right">1</td>'
                          '<td style="text-align: left">2</td></tr></table>', raw_html="sanitize").html)
    assert doc.xpath("//td/@style") == ["text-align: right", "text-align: left"]
