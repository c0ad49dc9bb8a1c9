"""Feeds: every feed of real builds parsed with feedparser, Atom validated against RFC 4287's RELAX NG
grammar, JSON Feed against a schema written from its spec, and the rules subscribers rely on."""
import json
import re
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import jsonschema
import lxml.etree
import lxml.html
import pytest
import rnc2rng
import yaml
from feedgen.feed import FeedGenerator

from generator.engine import build
from generator import config as config_mod
from generator.errors import has_errors

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM, "s": "http://www.ascc.net/xml/schematron", "cc": "http://backend.userland.com/creativeCommonsRssModule",
      "dc": "http://purl.org/dc/elements/1.1/", "content": "http://purl.org/rss/1.0/modules/content/"}
FEED_FILES = re.compile(r"(^|/)(feed\.xml|rss\.xml|feed\.json)$")


# ---------------------------------------------------------------- helpers


def atom_rng_text() -> str:
    """The .rng as rnc2rng makes it from the .rnc, less the `xmlns:local=""` XML forbids."""
    return re.sub(r'\s*xmlns:local=""', "", rnc2rng.dumps(rnc2rng.load(str(SCHEMAS / "atom.rnc"))))


@pytest.fixture(scope="module")
def atom_schema():
    return lxml.etree.RelaxNG(lxml.etree.parse(str(SCHEMAS / "atom.rng")))


def atom_problems(schema, data: bytes) -> list[str]:
    """RELAX NG errors plus the Schematron rules of RFC 4287 (evaluated as XPath, as Schematron does)."""
    doc = lxml.etree.fromstring(data)
    problems = [] if schema.validate(doc) else [str(e) for e in schema.error_log]
    grammar = lxml.etree.parse(str(SCHEMAS / "atom.rng"))
    for rule in grammar.iterfind(".//s:rule", NS):
        for node in doc.xpath("//" + rule.get("context"), namespaces={"atom": ATOM}):
            for check in rule.iterfind("s:assert", NS):
                if not node.xpath(f"boolean({check.get('test')})", namespaces={"atom": ATOM}):
                    problems.append(check.text)
    return problems


def build_site(blog, **options):
    report = blog.build(**options)
    assert not has_errors(report.problems), report.problems
    return report.out


def feed_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if FEED_FILES.search(
        p.relative_to(out).as_posix())}


def atom(out: Path, rel: str = "feed.xml"):
    return lxml.etree.parse(str(out / rel)).getroot()


def entries(root) -> list:
    return root.findall("a:entry", NS)


def entry_ids(root) -> list[str]:
    return [e.findtext("a:id", namespaces=NS) for e in entries(root)]


def is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "mailto") and (parts.scheme == "mailto" or bool(parts.netloc))


def html_urls(fragment: str) -> list[str]:
    """Every URL in an HTML fragment: href, src and each srcset candidate."""
    if not fragment.strip():
        return []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    found = [url for _, _, url, _ in root.iterlinks()]
    for el in root.iter():
        found += [c.strip().split()[0] for c in (el.get("srcset") or "").split(",") if c.strip()]
    return found


def alternates(page: Path) -> dict[str, str]:
    head = lxml.html.parse(str(page)).getroot().find("head")
    return {link.get("href"): link.get("type") for link in head.iterfind("link") if link.get("rel") == "alternate"}


# ---------------------------------------------------------------- the sample blog


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory) -> Path:
    """The bundled sample blog (its text and reviews; the built-in theme), built once in a temp folder."""
    root = Path(__file__).resolve().parent.parent
    copy = tmp_path_factory.mktemp("feeds")
    shutil.copy(root / "site.yaml", copy)
    for folder in ("content", "reviews"):
        shutil.copytree(root / folder, copy / folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1793491200")
        report = build.run(config_mod.load(copy / "site.yaml"), build.Options(out=copy / "site"))
    assert not has_errors(report.problems), report.problems
    return copy / "site"


def test_sample_builds_every_feed(sample_out):
    files = feed_files(sample_out)
    for rel in ("feed.xml", "rss.xml", "feed.json", "reviews/feed.xml", "tags/meded/feed.xml",
                "authors/amara-okafor/feed.xml"):
        assert rel in files
    assert (sample_out / "feeds/index.html").is_file()


def test_sample_feeds_parse_without_bozo(sample_out):
    for rel, data in feed_files(sample_out).items():
        if rel.endswith(".xml"):
            parsed = feedparser.parse(data)
            assert not parsed.bozo, (rel, parsed.get("bozo_exception"))
            assert parsed.entries, rel
            assert parsed.version in ("atom10", "rss20"), rel


def test_sample_atom_feeds_are_valid_rfc4287(sample_out, atom_schema):
    for rel, data in feed_files(sample_out).items():
        if rel.endswith(".xml") and rel != "rss.xml":
            assert atom_problems(atom_schema, data) == [], rel


def test_sample_json_feed_meets_the_spec(sample_out):
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.json").read_text())
    doc = json.loads((sample_out / "feed.json").read_bytes())
    jsonschema.validate(doc, schema)
    assert list(doc)[0] == "version"  # the spec asks for it at the very top
    assert doc["version"] == "https://jsonfeed.org/version/1.1" and doc["title"] == "Shift Notes"
    for item in doc["items"]:
        assert item["id"] and (item.get("content_html") or item.get("content_text"))


def test_sample_feed_urls_are_absolute(sample_out):
    for rel, data in feed_files(sample_out).items():
        urls = []
        if rel.endswith(".json"):
            doc = json.loads(data)
            urls += [doc["home_page_url"], doc["feed_url"]]
            for item in doc["items"]:
                urls += [item["url"], *html_urls(item.get("content_html", ""))]
        else:
            root = lxml.etree.fromstring(data)
            urls += [el.get("href") for el in root.iter(f"{{{ATOM}}}link")]
            urls += [el.text for el in root.iter(f"{{{ATOM}}}id", f"{{{ATOM}}}uri", "link", "guid", "comments")]
            for el in root.iter(f"{{{ATOM}}}content", f"{{{NS['content']}}}encoded"):
                urls += html_urls(el.text or "")
        assert urls
        relative = [u for u in urls if not is_absolute(u)]
        assert relative == [], rel


def test_sample_bundle_image_is_absolute_in_feeds(sample_out):
    doc = json.loads((sample_out / "feed.json").read_bytes())
    [ecg] = [i for i in doc["items"] if i["url"].endswith("/posts/ecg-systematic/")]
    assert "https://shiftnotes.example.org/posts/ecg-systematic/ecg-grid.svg" in html_urls(ecg["content_html"])
    assert ecg["id"] == "https://shiftnotes.example.org/posts/ecg-systematic/"  # the page, even with a DOI
    assert ecg["_peerpress"]["cite_as"] == "https://doi.org/10.59350/shiftnotes.ecg-2025"


def test_sample_feeds_page_lists_every_feed(sample_out):
    page = lxml.html.parse(str(sample_out / "feeds/index.html")).getroot()
    listed = {a.get("href") for a in page.iterfind(".//main//a[@type]")}
    built = {"https://shiftnotes.example.org/" + rel for rel in feed_files(sample_out)}
    assert listed == built


def test_schema_files_agree_and_reject_feedgen_cdata(atom_schema):
    assert (SCHEMAS / "atom.rng").read_text() == atom_rng_text()
    fg = FeedGenerator()
    fg.id("https://example.org/")
    fg.title("t")
    fg.author(name="Ada")
    fe = fg.add_entry()
    fe.id("https://example.org/1")
    fe.title("one")
    fe.content("<p>x</p>", type="CDATA")  # the feedgen pitfall the feeds avoid
    assert any("content" in p for p in atom_problems(atom_schema, fg.atom_str()))
    fe.content("<p>x</p>", type="html")
    assert atom_problems(atom_schema, fg.atom_str()) == []


# ---------------------------------------------------------------- rules, on small fixture sites


def configure(blog, **changes) -> None:
    """site.yaml with these top-level keys changed."""
    data = yaml.safe_load((blog.root / "site.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    blog.write("site.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def publish(blog, post_id, **front):
    blog.post(post_id, **front)
    blog.approve_twice(post_id)


def test_two_builds_give_identical_feeds_whatever_the_clock(blog, monkeypatch):
    publish(blog, "a", title="First", date="2025-01-10", tags=["ecg"])
    publish(blog, "b", title="Second", date="2025-02-10", authors=["bo"])
    first = feed_files(build_site(blog, out=blog.root / "one"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # another "today", years later
    second = feed_files(build_site(blog, out=blog.root / "two"))
    assert first and first == second
    assert atom(blog.root / "one").findtext("a:updated", namespaces=NS) == "2025-02-10T00:00:00+00:00"


def test_content_links_and_images_become_absolute(blog):
    blog.post("fig", bundle=True, body="""\
        See [the other post](../other/), [a section](#method), [about](/about/) and ![A chart](chart.png).

        <img src="small.png" srcset="small.png 1x, big.png 2x" alt="x">
        """)
    blog.write("content/posts/fig/chart.png", "png")
    blog.approve_twice("fig")
    out = build_site(blog)
    content = atom(out).find("a:entry/a:content", NS)
    assert content.get("type") == "html"
    base = "https://blog.example.org/posts/fig/"
    assert set(html_urls(content.text)) >= {
        "https://blog.example.org/posts/other/", base + "#method", "https://blog.example.org/about/",
        base + "chart.png", base + "small.png", base + "big.png"}
    assert all(is_absolute(u) for u in html_urls(content.text))


def test_base_url_with_a_path_keeps_it(blog):
    configure(blog, base_url="https://example.org/blog/")
    publish(blog, "p", body="[about](/blog/about/) and [next](../q/)\n")
    out = build_site(blog)
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert parsed.feed.links[0].href == "https://example.org/blog/feed.xml"
    assert parsed.entries[0].link == "https://example.org/blog/posts/p/"
    assert set(html_urls(parsed.entries[0].content[0].value)) == {  # the status line links the review history
        "https://example.org/blog/about/", "https://example.org/blog/posts/q/", "https://example.org/blog/posts/p/reviews/"}


def test_order_newest_first_ties_by_id_and_the_limit(blog):
    configure(blog, feeds={"limit": 2})
    for pid, day in (("old", "2024-05-01"), ("zeta", "2025-03-01"), ("alpha", "2025-03-01")):
        publish(blog, pid, date=day)
    out = build_site(blog)
    base = "https://blog.example.org/posts/"
    expected = [base + "alpha/", base + "zeta/"]
    assert entry_ids(atom(out)) == expected
    assert [i["id"] for i in json.loads((out / "feed.json").read_bytes())["items"]] == expected
    assert [e.link for e in feedparser.parse((out / "rss.xml").read_bytes()).entries] == expected


def test_only_published_posts_even_in_drafts_mode(blog):
    publish(blog, "live")
    blog.post("pending", date="2025-02-01")
    blog.review("pending", "rita")
    out = build_site(blog, drafts=True)
    assert (out / "posts/pending/index.html").is_file()  # the preview has it...
    assert entry_ids(atom(out)) == ["https://blog.example.org/posts/live/"]  # ...the feeds do not


def test_retracted_entry_stays_with_a_notice(blog, atom_schema):
    publish(blog, "bad", title="Bad advice", date="2025-01-10")
    blog.decision("bad", "ed", "retract", date="2025-04-02", reason="The dosing table was wrong.")
    out = build_site(blog)
    [entry] = entries(atom(out))
    assert entry.findtext("a:title", namespaces=NS) == "Retracted: Bad advice"
    assert entry.findtext("a:updated", namespaces=NS) == "2025-04-02T00:00:00+00:00"
    body = lxml.html.fragment_fromstring(entry.findtext("a:content", namespaces=NS), create_parent="div")
    notice = body[0]
    assert notice.get("class") == "retraction-notice"
    assert notice.text_content().startswith("Retracted on 2 April 2025. Reason: The dosing table was wrong.")
    assert notice.find("a").get("href") == "https://blog.example.org/posts/bad/reviews/"
    item = json.loads((out / "feed.json").read_bytes())["items"][0]
    assert item["content_html"].startswith(lxml.html.tostring(notice, encoding="unicode"))
    assert item["_peerpress"]["retracted"] is True
    assert atom_problems(atom_schema, (out / "feed.xml").read_bytes()) == []


def test_corrections_and_updates_bump_updated_not_published(blog):
    publish(blog, "p", date="2025-01-10", updated=date(2025, 2, 1),
            corrections=[{"date": date(2025, 3, 5), "text": "Fixed a unit."}])
    out = build_site(blog)
    [entry] = entries(atom(out))
    assert entry.findtext("a:published", namespaces=NS) == "2025-01-10T00:00:00+00:00"
    assert entry.findtext("a:updated", namespaces=NS) == "2025-03-05T00:00:00+00:00"
    assert atom(out).findtext("a:updated", namespaces=NS) == "2025-03-05T00:00:00+00:00"
    body = lxml.html.fragment_fromstring(entry.findtext("a:content", namespaces=NS), create_parent="div")
    [section] = body.find_class("corrections")
    assert section.findtext("ul/li/time") == "5 March 2025" and "Fixed a unit." in section.text_content()
    item = json.loads((out / "feed.json").read_bytes())["items"][0]
    assert (item["date_published"], item["date_modified"]) == ("2025-01-10T00:00:00+00:00", "2025-03-05T00:00:00+00:00")


def test_ids_survive_a_new_title_and_a_doi_added_later(blog):
    publish(blog, "p", title="Old title")
    first = entry_ids(atom(build_site(blog)))
    publish(blog, "p", title="A better title")  # re-reviewed under the new title
    second = atom(build_site(blog))
    assert entry_ids(second) == first == ["https://blog.example.org/posts/p/"]
    assert second.findtext("a:entry/a:title", namespaces=NS) == "A better title"
    rss = feedparser.parse((blog.root / "site/rss.xml").read_bytes())
    assert rss.entries[0].id == "https://blog.example.org/posts/p/"
    publish(blog, "p", title="A better title", doi="10.5555/abc-1")
    third = atom(build_site(blog))
    assert entry_ids(third) == first  # issue 19: a DOI added later used to change the id
    assert third.find("a:entry/a:link[@rel='cite-as']", NS).get("href") == "https://doi.org/10.5555/abc-1"
    rss = lxml.etree.parse(str(blog.root / "site/rss.xml")).getroot()
    assert rss.findtext("channel/item/guid") == "https://blog.example.org/posts/p/"
    assert rss.find("channel/item/guid").get("isPermaLink") == "true"
    assert rss.find("channel/item/a:link[@rel='cite-as']", NS).get("href") == "https://doi.org/10.5555/abc-1"
    item = json.loads((blog.root / "site/feed.json").read_bytes())["items"][0]
    assert (item["id"], item["_peerpress"]["cite_as"]) == (first[0], "https://doi.org/10.5555/abc-1")
    assert rss.findtext("channel/item/dc:identifier", namespaces=NS) == "https://doi.org/10.5555/abc-1"


def test_tag_and_author_feeds_hold_only_their_posts(blog, atom_schema):
    publish(blog, "ecg-1", date="2025-01-01", tags=["ECG"], authors=["ada"])
    publish(blog, "ecg-2", date="2025-01-02", tags=["ECG", "Teaching"], authors=["bo"])
    publish(blog, "other", date="2025-01-03", tags=["Teaching"], authors=["ada", "bo"])
    out = build_site(blog)
    base = "https://blog.example.org/posts/"
    assert entry_ids(atom(out, "tags/ecg/feed.xml")) == [base + "ecg-2/", base + "ecg-1/"]
    assert entry_ids(atom(out, "tags/teaching/feed.xml")) == [base + "other/", base + "ecg-2/"]
    assert entry_ids(atom(out, "authors/ada/feed.xml")) == [base + "other/", base + "ecg-1/"]
    assert entry_ids(atom(out, "authors/bo/feed.xml")) == [base + "other/", base + "ecg-2/"]
    ada = feedparser.parse((out / "authors/ada/feed.xml").read_bytes())
    assert ada.feed.author == "Ada Author" and ada.feed.links[0].href.endswith("/authors/ada/feed.xml")
    for rel in ("tags/ecg/feed.xml", "authors/ada/feed.xml"):
        assert atom_problems(atom_schema, (out / rel).read_bytes()) == []


def test_authors_categories_license_and_hub(blog):
    configure(blog, feeds={"websub_hub": "https://hub.example.net/"})
    publish(blog, "p", authors=["ada", "bo"], tags=["ECG"], license="CC-BY-SA-4.0")
    out = build_site(blog)
    rss = lxml.etree.parse(str(out / "rss.xml")).getroot()
    item = rss.find("channel/item")
    assert [c.text for c in item.iterfind("dc:creator", NS)] == ["Ada Author", "Bo Writer"]
    assert item.find("author") is None  # no e-mail published unless asked
    assert item.findtext("cc:license", namespaces=NS) == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert rss.findtext("channel/cc:license", namespaces=NS) == "https://creativecommons.org/licenses/by/4.0/"
    assert rss.findtext("channel/link") == "https://blog.example.org/"
    assert rss.find("channel/atom:link[@rel='hub']", {"atom": ATOM}).get("href") == "https://hub.example.net/"
    assert item.findtext("category") == "ECG" and item.findtext("comments").endswith("/posts/p/reviews/")
    feed = atom(out)
    assert feed.find("a:link[@rel='hub']", NS).get("href") == "https://hub.example.net/"
    entry = feed.find("a:entry", NS)
    assert entry.find("a:link[@rel='license']", NS).get("href") == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert entry.find("a:link[@rel='alternate']", NS).get("type") == "text/html"
    assert [a.findtext("a:name", namespaces=NS) for a in entry.iterfind("a:author", NS)] == ["Ada Author", "Bo Writer"]
    assert entry.find("a:author/a:email", NS) is None
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert parsed.entries[0].license == "https://creativecommons.org/licenses/by-sa/4.0/"
    policy = "https://blog.example.org/review-policy/"
    assert [t.term for t in parsed.entries[0].tags if t.scheme != policy] == ["ECG"]
    doc = json.loads((out / "feed.json").read_bytes())
    assert doc["hubs"] == [{"type": "WebSub", "url": "https://hub.example.net/"}]
    assert [a["name"] for a in doc["items"][0]["authors"]] == ["Ada Author", "Bo Writer"]


def test_emails_only_when_asked(blog):
    configure(blog, feeds={"emails": True})
    publish(blog, "p", authors=["ada", "nora"])  # nora has no e-mail
    out = build_site(blog)
    item = lxml.etree.parse(str(out / "rss.xml")).getroot().find("channel/item")
    assert [a.text for a in item.iterfind("author")] == ["ada@example.org (Ada Author)"]
    assert [c.text for c in item.iterfind("dc:creator", NS)] == ["Ada Author", "Nora Nobody"]
    assert feedparser.parse((out / "rss.xml").read_bytes()).bozo is False


def test_summary_mode_leaves_out_the_text(blog, atom_schema):
    configure(blog, feeds={"content": "summary"})
    publish(blog, "p", summary="Short and sweet.", body="The whole long text.\n")
    out = build_site(blog)
    entry = atom(out).find("a:entry", NS)
    assert entry.find("a:content", NS) is None and entry.findtext("a:summary", namespaces=NS) == "Short and sweet."
    item = lxml.etree.parse(str(out / "rss.xml")).getroot().find("channel/item")
    assert item.find("content:encoded", NS) is None and item.findtext("description") == "Short and sweet."
    [json_item] = json.loads((out / "feed.json").read_bytes())["items"]
    assert json_item["content_text"] == "Short and sweet." and "content_html" not in json_item
    assert atom_problems(atom_schema, (out / "feed.xml").read_bytes()) == []


def test_review_activity_feed(blog, atom_schema):
    publish(blog, "p", title="Teaching ECGs")
    blog.post("wip", date="2025-02-01")
    blog.review("wip", "rex", date="2025-02-03")  # under review: not public yet
    out = build_site(blog)
    feed = atom(out, "reviews/feed.xml")
    titles = [e.findtext("a:title", namespaces=NS) for e in entries(feed)]
    assert sorted(titles) == ["Approved: review of “Teaching ECGs” by Rex Reviewer",
                              "Approved: review of “Teaching ECGs” by Rita Reviewer"]
    history = lxml.html.parse(str(out / "posts/p/reviews/index.html")).getroot()
    for e in entries(feed):
        link = e.find("a:link[@rel='alternate']", NS).get("href")
        page, anchor = link.split("#")
        assert page == "https://blog.example.org/posts/p/reviews/" and link == e.findtext("a:id", namespaces=NS)
        assert history.xpath(f"//li[@id='{anchor}']"), f"no anchor #{anchor} on the review-history page"
        assert "Clear and accurate." in e.findtext("a:content", namespaces=NS)
    assert len(set(entry_ids(feed))) == 2
    assert atom_problems(atom_schema, (out / "reviews/feed.xml").read_bytes()) == []
    assert not feedparser.parse((out / "reviews/feed.xml").read_bytes()).bozo


def test_anonymous_reviews_name_nobody(blog, atom_schema):
    configure(blog, review={"visibility": "anonymous"})
    publish(blog, "p")
    data = (build_site(blog) / "reviews/feed.xml").read_bytes()
    assert b"Rita" not in data and b"Rex" not in data
    feed = lxml.etree.fromstring(data)
    assert all(e.find("a:author", NS) is None for e in entries(feed))
    assert atom_problems(atom_schema, data) == []  # the feed's own author covers the entries


def test_autodiscovery_on_every_page_and_own_feeds(blog):
    publish(blog, "p", tags=["ECG"], authors=["ada"])
    out = build_site(blog)
    site_feeds = {"https://blog.example.org/feed.xml": "application/atom+xml",
                  "https://blog.example.org/rss.xml": "application/rss+xml",
                  "https://blog.example.org/feed.json": "application/feed+json"}
    for page in ("index.html", "posts/p/index.html", "archive/index.html", "feeds/index.html", "404.html"):
        assert alternates(out / page) == site_feeds, page
    assert alternates(out / "tags/ecg/index.html") == {
        **site_feeds, "https://blog.example.org/tags/ecg/feed.xml": "application/atom+xml"}
    assert alternates(out / "authors/ada/index.html") == {
        **site_feeds, "https://blog.example.org/authors/ada/feed.xml": "application/atom+xml"}
    assert alternates(out / "posts/p/reviews/index.html") == {
        **site_feeds, "https://blog.example.org/reviews/feed.xml": "application/atom+xml"}
    advertised = {href for page in out.rglob("*.html") for href in alternates(page)}
    assert {"https://blog.example.org/" + rel for rel in feed_files(out)} == advertised


def test_empty_blog_has_valid_feeds(blog, atom_schema):
    out = build_site(blog)
    assert atom(out).findtext("a:updated", namespaces=NS) == "1970-01-01T00:00:00+00:00"
    assert atom_problems(atom_schema, (out / "feed.xml").read_bytes()) == []
    assert not feedparser.parse((out / "rss.xml").read_bytes()).bozo
    assert json.loads((out / "feed.json").read_bytes())["items"] == []


# ---------------------------------------------------------------- issue 16: feeds for people


def feed_page(out: Path, rel: str) -> lxml.etree._Element:
    """The page a browser shows for a feed: the stylesheet its <?xml-stylesheet?> names, applied with
    libxslt (lxml), as Chromium's XSLT does."""
    doc = lxml.etree.parse(str(out / rel))
    pi = doc.getroot().getprevious()
    assert isinstance(pi, lxml.etree._ProcessingInstruction) and pi.target == "xml-stylesheet", rel
    assert pi.get("type") == "text/xsl"
    href = pi.get("href")
    assert href.startswith("/") and not href.startswith("//")  # same origin, or browsers refuse it
    transform = lxml.etree.XSLT(lxml.etree.parse(str(out / href.removeprefix(urlsplit(BASE).path))))
    return lxml.html.fromstring(str(transform(doc)))


BASE = "https://blog.example.org/"
# Both fixture reviewers approve every published post (SiteBuilder.approve_twice), in either order.
REVIEWED = {"Peer reviewed · Reviewed by Rita Reviewer and Rex Reviewer",
            "Peer reviewed · Reviewed by Rex Reviewer and Rita Reviewer"}


@pytest.mark.parametrize("rel", ["feed.xml", "rss.xml", "tags/ecg/feed.xml"])
def test_each_feed_names_a_stylesheet_that_shows_it_as_a_page(blog, rel):
    publish(blog, "a", title="First <post>", date="2025-01-10", tags=["ecg"])
    publish(blog, "b", title="Second", date="2025-02-10", tags=["ecg"])
    out = build_site(blog)
    parsed = feedparser.parse((out / rel).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")  # feed readers still read it as before
    page = feed_page(out, rel)
    assert page.findtext(".//h1") == parsed.feed.title
    assert [h.text_content() for h in page.iterfind(".//article//h3")] == [e.title for e in parsed.entries]
    assert [a.get("href") for a in page.iterfind(".//article//h3/a")] == [e.link for e in parsed.entries]
    metas = [" ".join(p.text_content().split()) for p in page.xpath("//article//p[@class='meta']")]
    assert metas == ["10 Feb 2025 · Ada Author", "10 Jan 2025 · Ada Author"]  # Atom and RSS alike
    statuses = [" ".join(p.text_content().split()) for p in page.xpath("//article//p[@class='review-line']")]
    assert len(statuses) == len(parsed.entries), statuses
    assert {s.replace("Peer reviewed Reviewed", "Peer reviewed · Reviewed") for s in statuses} <= REVIEWED, statuses
    self_link = next(link.href for link in parsed.feed.links if link.rel == "self")
    assert page.get_element_by_id("feed-address").text == self_link
    [button] = page.xpath("//button[@data-copy-target='feed-address']")
    assert button.get("aria-label").startswith(button.text_content())  # the visible label is in the name
    assert page.xpath("//script/@src")[0].startswith("/assets/js/site.js?v=")


def test_a_base_path_reaches_the_stylesheet_and_its_assets(blog):
    configure(blog, base_url="https://example.org/blog/")
    publish(blog, "p")
    out = build_site(blog)
    pi = lxml.etree.parse(str(out / "feed.xml")).getroot().getprevious()
    assert pi.get("href") == "/blog/feeds/feed.xsl" and (out / "feeds/feed.xsl").is_file()
    xsl = lxml.etree.parse(str(out / "feeds/feed.xsl"))
    hrefs = xsl.xpath("//*[local-name()='link']/@href | //*[local-name()='script']/@src")
    assert hrefs and all(h.startswith("/blog/assets/") for h in hrefs), hrefs


def test_feed_headings_carry_no_anchor_links(blog):
    publish(blog, "p", body="Intro.\n\n## Dosing in `kids`\n\nText.\n\n### Why\n\nMore.\n")
    out = build_site(blog)
    site_page = lxml.html.parse(str(out / "posts/p/index.html")).getroot()
    assert site_page.xpath("//h2/a[@class='header-anchor']")  # the site keeps them (hover and focus)
    for rel in ("feed.xml", "rss.xml"):
        content = feedparser.parse((out / rel).read_bytes()).entries[0].content[0].value
        fragment = lxml.html.fragment_fromstring(content, create_parent="div")
        headings = [" ".join(h.text_content().split()) for h in fragment.iter("h2", "h3")]
        assert headings == ["Dosing in kids", "Why"], (rel, headings)
        assert fragment.xpath(".//a[contains(@class,'header-anchor')]") == []


def test_entries_say_how_the_post_was_reviewed(blog):
    publish(blog, "p")
    out = build_site(blog)
    policy = BASE + "review-policy/"
    entry = atom(out).find("a:entry", NS)
    [status] = [c for c in entry.iterfind("a:category", NS) if c.get("scheme") == policy]
    words = status.get("label")
    assert status.get("term") == "published" and words in REVIEWED
    rss = lxml.etree.parse(str(out / "rss.xml")).getroot()
    assert [c.text for c in rss.iterfind("channel/item/category") if c.get("domain") == policy] == [words]
    content = feedparser.parse((out / "feed.xml").read_bytes()).entries[0].content[0].value
    first = lxml.html.fragment_fromstring(content, create_parent="div")[0]
    assert first.get("class") == "review-status" and first.text_content().startswith(words)
    assert first.find("a").get("href") == BASE + "posts/p/reviews/"
    doc = json.loads((out / "feed.json").read_bytes())
    assert doc["items"][0]["_peerpress"]["review_status"] == words


def test_anonymous_reviews_are_counted_not_named_in_feeds(blog):
    data = yaml.safe_load((blog.root / "site.yaml").read_text(encoding="utf-8"))
    configure(blog, review={**data.get("review", {}), "visibility": "anonymous"})
    publish(blog, "p")
    out = build_site(blog)
    text = (out / "feed.xml").read_text(encoding="utf-8") + (out / "rss.xml").read_text(encoding="utf-8")
    assert "Peer reviewed · Reviewed by 2 reviewers" in text
    assert "Rita" not in text and "Rex" not in text


def test_tag_feeds_use_the_tag_labels_readers_see(blog):
    configure(blog, tag_labels={"ecg": "ECG"})
    publish(blog, "a", tags=["ecg", "point-of-care"])
    out = build_site(blog)
    assert feedparser.parse((out / "tags/ecg/feed.xml").read_bytes()).feed.title.endswith(": ECG")
    assert feedparser.parse((out / "tags/point-of-care/feed.xml").read_bytes()).feed.title.endswith(": Point of care")
    page = lxml.html.parse(str(out / "feeds/index.html")).getroot()
    labels = [a.text_content() for a in page.xpath("//section[@aria-labelledby='feeds-tag']//li/a[1]")]
    assert labels == ["ECG", "Point of care"]
    assert lxml.html.parse(str(out / "tags/ecg/index.html")).getroot().findtext(".//h1") == "Topic: ECG"
