"""Issue 15 on whole builds, in both bundled themes: one <h1>, formulas and figures in pages and
feeds, per-post language, aliases and `_redirects`, series, and the link checks of `check`."""
import json
import os

import feedparser
import lxml.html
import pytest

from generator.cli import main
from generator.commands.build import fast_path
from generator.errors import has_errors
from tests.sitebuilder import SiteBuilder

THEMES = ("default", "clinic")
TEACHING = """\
# Anion gap

The gap is $\\mathrm{Na}^+ - (\\mathrm{Cl}^- + \\mathrm{HCO}_3^-)$.

## Interpretation

::: figure
![A bar chart of cations and anions](gap.png)
The gap: unmeasured **anions**.
:::

See [the interpretation](#interpretation) and [part two](/posts/p2/).
"""


def themed(tmp_path, theme: str) -> SiteBuilder:
    return SiteBuilder(tmp_path / "blog", {"theme": theme})


def page(site, rel: str):
    return lxml.html.parse(str(site / rel)).getroot()


def run_cli(blog, *args):
    return main([*args, "--config", str(blog.root / "site.yaml")])


def publish(blog, post_id, **kw):
    blog.post(post_id, **kw)
    blog.approve_twice(post_id)


def series_blog(blog):
    publish(blog, "p1", title="Acid-base, part one", date="2025-01-01", body=TEACHING, bundle=True,
            series="Acid-base basics", language="es")
    blog.write("content/posts/p1/gap.png", "not really a png")
    publish(blog, "p2", title="Acid-base, part two", date="2025-02-01", series="Acid-base basics",
            aliases=["/2019/03/part-two/", "/old-part-two.html"])
    publish(blog, "p3", title="Acid-base, part three", date="2025-03-01", series="Acid-base basics")


@pytest.mark.parametrize("theme", THEMES)
def test_teaching_post_renders_in_each_theme(tmp_path, theme):
    blog = themed(tmp_path, theme)
    series_blog(blog)
    report = blog.build()
    assert not has_errors(report.problems), report.problems
    site = blog.root / "site"
    doc = page(site, "posts/p1/index.html")
    assert doc.get("lang") == "es"
    assert [h.text for h in doc.xpath("//h1")] == ["Acid-base, part one"]
    body = doc.xpath("//div[@class='post-body']")[0]
    assert body.xpath(".//h2/@id") == ["anion-gap"] and body.xpath(".//h3/@id") == ["interpretation"]
    assert [m.get("display") for m in body.iter("math")] == ["inline"]
    assert body.xpath(".//figure[@id='figure-1']/figcaption/span/text()") == ["Figure 1."]
    assert body.xpath(".//figure/figcaption/strong/text()") == ["anions"]
    nav = doc.xpath("//nav[@class='series-nav']")[0]
    assert " ".join(nav.xpath("string(p)").split()) == "Part 1 of 3 in the series Acid-base basics"
    assert nav.xpath("p/a/@href") == ["/series/acid-base-basics/"]
    assert nav.xpath(".//a[@rel='next']/@href") == ["/posts/p2/"] and not nav.xpath(".//a[@rel='prev']")
    middle = page(site, "posts/p2/index.html")
    assert middle.get("lang") == "en"
    assert "Part 2 of 3" in middle.xpath("string(//nav[@class='series-nav']/p)")
    assert middle.xpath("//nav[@class='series-nav']//a[@rel='prev']/@href") == ["/posts/p1/"]
    listing = page(site, "series/acid-base-basics/index.html")
    assert listing.xpath("//ol[@class='series-parts']/li/a/@href") == ["/posts/p1/", "/posts/p2/", "/posts/p3/"]
    assert page(site, "series/index.html").xpath("//ul[@class='series-list']/li/a/@href") == [
        "/series/acid-base-basics/"]


def test_formulas_and_figures_reach_the_feeds(tmp_path):
    blog = themed(tmp_path, "default")
    series_blog(blog)
    assert not has_errors(blog.build().problems)
    atom = feedparser.parse((blog.root / "site/feed.xml").read_bytes())
    entry = next(e for e in atom.entries if e.link.endswith("/posts/p1/"))
    content = lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")
    assert [m.get("display") for m in content.iter("math")] == ["inline"]
    assert content.xpath(".//figure/figcaption/span/text()") == ["Figure 1."]
    items = json.loads((blog.root / "site/feed.json").read_text())["items"]
    html = next(i for i in items if i["url"].endswith("/posts/p1/"))["content_html"]
    assert lxml.html.fragment_fromstring(html, create_parent="div").xpath("count(.//math)") == 1


def test_aliases_become_redirect_pages_and_a_redirects_file(tmp_path):
    blog = themed(tmp_path, "default")
    series_blog(blog)
    assert not has_errors(blog.build().problems)
    site = blog.root / "site"
    for rel in ("2019/03/part-two/index.html", "old-part-two.html"):
        doc = page(site, rel)
        assert doc.xpath("//link[@rel='canonical']/@href") == ["https://blog.example.org/posts/p2/"]
        assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
        assert doc.xpath("//meta[@http-equiv='refresh']/@content") == ["0; url=https://blog.example.org/posts/p2/"]
        assert doc.xpath("//body//a/@href") == ["https://blog.example.org/posts/p2/"]
    rules = [line.split() for line in (site / "_redirects").read_text().splitlines()]
    assert rules == [["/2019/03/part-two/", "/posts/p2/", "301"], ["/old-part-two.html", "/posts/p2/", "301"]]
    sitemap = (site / "sitemap.xml").read_text()
    assert "part-two/" not in sitemap.replace("/posts/p2/", "")


@pytest.mark.parametrize("aliases, expected", [
    (["/tags/"], "alias '/tags/' is the address of a page of this site"),
    (["/posts/p1/"], "alias '/posts/p1/' is the address of a page of this site"),
])
def test_alias_onto_a_real_page_is_an_error(tmp_path, aliases, expected):
    blog = themed(tmp_path, "default")
    publish(blog, "p1")
    publish(blog, "p2", aliases=aliases)
    report = blog.build()
    found = [(p.path, p.line, p.message) for p in report.problems if p.severity == "error"]
    assert found == [("content/posts/p2.md", 7, expected)]  # the alias's own line
    assert not (blog.root / "site").exists()


def test_an_alias_claimed_twice_and_bad_aliases_and_languages(tmp_path):
    blog = themed(tmp_path, "default")
    publish(blog, "p1", aliases=["/old/"])
    publish(blog, "p2", aliases=["/old/"])
    found = [(p.path, p.line, p.message) for p in blog.build().problems if p.severity == "error"]
    assert found == [("content/posts/p2.md", 7, "alias '/old/' is also claimed by content/posts/p1.md")]
    blog.post("p3", aliases=["old-no-slash/", "/?p=12"], language="english")
    blog.post("p4", language="pt_BR")
    found = sorted((p.path, p.line, p.message.split(" (")[0]) for p in blog.build().problems
                   if p.path.startswith("content/posts/p3") or p.path.startswith("content/posts/p4"))
    assert found == [
        ("content/posts/p3.md", 7, "'aliases.0' must be a path on this site starting with /, e.g. "
                                   "/2019/03/old-slug/ or /old-page.html"),
        ("content/posts/p3.md", 8, "'aliases.1' has a query string, which a static site cannot redirect"),
        ("content/posts/p3.md", 9, "'language' is not a BCP 47 language tag, e.g. en, es, fr, pt-BR"),
        ("content/posts/p4.md", 6, "'language' is not a BCP 47 language tag"),
    ]


def test_check_reports_broken_links_files_and_anchors_with_lines(tmp_path, capsys):
    blog = themed(tmp_path, "default")
    body = ("## Dosing\n\n"
            "[ok](#dosing) [ok](/posts/other/#steps) [ok](../other/) [old ok](/2019/03/old/)\n"
            "[gone](/2019/03/gone/) ![missing](chart.png) [asset](/assets/old.pdf)\n"
            "[no heading](#nothing) [no heading there](/posts/other/#nothing) [md](other.md)\n"
            "[tag](/tags/ecg/) [outside](https://elsewhere.example.com/x) [mail](mailto:a@b.org)\n")
    publish(blog, "post", body=body, tags=["ECG"], bundle=True)
    publish(blog, "other", body="## Steps\n\ntext\n", aliases=["/2019/03/old/"])
    assert run_cli(blog, "check", "--format", "json") == 0  # warnings: the site still builds
    capsys.readouterr()
    assert run_cli(blog, "check", "--strict", "--format", "json") == 1
    found = [(p["line"], p["severity"], p["message"]) for p in json.loads(capsys.readouterr().err)
             if p["path"] == "content/posts/post/index.md"]
    assert found == [
        (12, "warning", "link to '/2019/03/gone/', which does not exist on this site"),
        (12, "warning", "link to '/assets/old.pdf', which does not exist on this site"),
        (12, "warning", "link to 'chart.png', which does not exist on this site"),
        (13, "warning", "link to '#nothing', which is not an id on this page"),
        (13, "warning", "link to '/posts/other/#nothing': the page has no id '#nothing'"),
        (13, "warning", "link to 'other.md', which does not exist on this site"),
    ]


def test_links_to_posts_not_yet_published_are_warnings(tmp_path, capsys):
    blog = themed(tmp_path, "default")
    publish(blog, "post", body="See [the draft](/posts/draft/).\n")
    blog.post("draft", body="Also see [post](/posts/post/) and [self](/posts/draft/).\n")
    blog.write("content/pages/about.md", "---\ntitle: About\n---\nStart with [the draft](/posts/draft/).\n")
    assert run_cli(blog, "check") == 0
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "content/pages/about.md:4: warning: link to '/posts/draft/', which is not published yet "
        "(publish it first or link later)",
        "content/posts/post.md:7: warning: link to '/posts/draft/', which is not published yet "
        "(publish it first or link later)"]
    assert run_cli(blog, "check", "--strict") == 1


def test_leftover_template_tags_fail_check_strict(tmp_path, capsys):
    blog = themed(tmp_path, "default")
    publish(blog, "post", body="Text.\n\n{% include cta.html %}\n")
    assert run_cli(blog, "check") == 0
    assert run_cli(blog, "check", "--strict") == 1
    assert "content/posts/post.md:9: warning: leftover template tag '{% include cta.html %}'" in \
        capsys.readouterr().err.splitlines()[-1]


def test_build_says_which_posts_it_held_back_in_review_status_words(tmp_path, capsys):
    blog = themed(tmp_path, "default")
    publish(blog, "done")
    blog.post("waiting")
    blog.review("waiting", "rita")
    blog.post("draft", draft=True)
    assert run_cli(blog, "review", "status") == 0
    status = {line.split()[0]: line.split("  ")[-1].strip() for line in capsys.readouterr().out.splitlines()[1:]}
    expected = (f"held back 2 posts: draft ({status['draft'] if status['draft'] != '-' else 'draft'}), "
                f"waiting ({status['waiting']})")
    assert run_cli(blog, "build") == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == expected
    # A build with nothing changed is answered from the no-op manifest before Peerpress loads:
    # it ends with the same line (inputs aged past the racy window, as tests/test_cache.py does).
    old = os.stat(blog.root / "site.yaml").st_mtime - 60
    for p in blog.root.rglob("*"):
        if ".peerpress-cache" not in p.parts and p.relative_to(blog.root).parts[0] != "site":
            os.utime(p, (old, old), follow_symlinks=False)
    assert run_cli(blog, "build") == 0
    capsys.readouterr()
    assert fast_path(["build", "--config", str(blog.root / "site.yaml")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-2].endswith("(nothing changed)") and out[-1] == expected


def test_duplicate_series_parts_are_an_error(tmp_path):
    blog = themed(tmp_path, "default")
    publish(blog, "a", series="Shock", series_part=1)
    publish(blog, "b", series="Shock", series_part=1)
    found = [(p.path, p.line, p.message) for p in blog.build().problems if p.severity == "error"]
    assert found == [("content/posts/b.md", 7, "series 'Shock' already has a part 1: content/posts/a.md")]


def test_pagefind_indexes_a_post_in_its_own_language(tmp_path):
    blog = SiteBuilder(tmp_path / "blog", {"search": {"enabled": True}})
    publish(blog, "en-post", title="Sepsis in the first hour", body="Fluids and antibiotics early.\n")
    publish(blog, "es-post", title="La sepsis en la primera hora", language="es",
            body="Líquidos y antibióticos tempranos.\n")
    assert not has_errors(blog.build().problems)
    entry = json.loads((blog.root / "site/pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    assert {lang: info["page_count"] for lang, info in entry["languages"].items()} == {"en": 1, "es": 1}


def test_a_posts_language_reaches_citations_metadata_and_feeds(tmp_path):
    import lxml.etree
    import rispy

    blog = themed(tmp_path, "default")
    publish(blog, "es-post", title="La sepsis en la primera hora", language="es", body="Antibióticos tempranos.\n")
    publish(blog, "en-post", title="Sepsis in the first hour", body="Early antibiotics.\n")
    assert not has_errors(blog.build().problems)
    site = blog.root / "site"
    doc = page(site, "posts/es-post/index.html")
    ld = json.loads(doc.xpath("//script[@type='application/ld+json']/text()")[0])
    article = next(n for n in ld["@graph"] if "ScholarlyArticle" in n["@type"])
    assert article["inLanguage"] == "es"
    assert doc.xpath("//meta[@name='citation_language']/@content") == ["es"]
    assert doc.xpath("//meta[@name='DC.language']/@content") == ["es"]
    # The CSL locale follows the post: NLM's "Available from" becomes "Disponible en".
    assert "Disponible en:" in doc.xpath("string(//p[@id='citation-nlm-citation-sequence'])")
    english = page(site, "posts/en-post/index.html")
    assert "Available from:" in english.xpath("string(//p[@id='citation-nlm-citation-sequence'])")
    assert json.loads((site / "posts/es-post/cite.json").read_text())[0]["language"] == "es"
    assert rispy.loads((site / "posts/es-post/cite.ris").read_text())[0]["language"] == "es"
    assert "langid = {spanish}" in (site / "posts/es-post/cite.bib").read_text()
    atom = lxml.etree.parse(str(site / "feed.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    langs = {e.findtext("a:title", namespaces=ns): e.get("{http://www.w3.org/XML/1998/namespace}lang")
             for e in atom.findall("a:entry", ns)}
    assert langs == {"La sepsis en la primera hora": "es", "Sepsis in the first hour": None}
    assert atom.getroot().get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    parsed = feedparser.parse((site / "feed.xml").read_bytes())
    assert {e.title: e.content[0].language for e in parsed.entries} == {
        "La sepsis en la primera hora": "es", "Sepsis in the first hour": "en"}
    items = {i["title"]: i.get("language") for i in json.loads((site / "feed.json").read_text())["items"]}
    assert items == {"La sepsis en la primera hora": "es", "Sepsis in the first hour": None}


@pytest.mark.parametrize("theme", THEMES)
def test_contents_nest_every_heading_level(tmp_path, theme):
    blog = themed(tmp_path, theme)
    publish(blog, "deep", body="# Assess\n\n## Airway\n\n### Stridor\n\n## Breathing\n\n# Treat\n\ntext\n")
    assert not has_errors(blog.build().problems)
    doc = page(blog.root / "site", "posts/deep/index.html")
    assert len(doc.xpath("//h1")) == 1
    toc = doc.xpath("//nav[@class='toc']/ol")[0]

    def tree(ol):
        return [(li.xpath("string(a/@href)"), [tree(sub) for sub in li.xpath("ol")]) for li in ol.xpath("li")]

    assert tree(toc) == [
        ("#assess", [[("#airway", [[("#stridor", [])]]), ("#breathing", [])]]),
        ("#treat", []),
    ]


def test_site_language_is_checked_too(tmp_path, capsys):
    blog = SiteBuilder(tmp_path / "blog", {"language": "English"})
    line = (blog.root / "site.yaml").read_text().splitlines().index("language: English") + 1
    assert run_cli(blog, "check") == 1
    assert capsys.readouterr().err.strip() == (
        f"site.yaml:{line}: error: 'language' is not a BCP 47 language tag, e.g. en, es, fr, pt-BR")
