"""Issue 16, as readers meet it in Chromium: the reading face and type scale, heading anchors, feeds shown
as a page, copy buttons that say "Copied" to screen readers, the printed post, review status where
readers choose what to read, and a phone menu that fits.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import feedparser
import pytest
import yaml

from . import harness

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
expect = pytest.importorskip("playwright.sync_api").expect
CLIPBOARD = {"permissions": ["clipboard-read", "clipboard-write"]}


def approving_reviewers(blog: Path, post_id: str) -> set[str]:
    """Names of the people whose review records of `post_id` approve it."""
    people = yaml.safe_load((blog / "site.yaml").read_text(encoding="utf-8"))["people"]
    names = set()
    for record in (blog / "reviews" / post_id).glob("*.md"):
        meta = yaml.safe_load(record.read_text(encoding="utf-8").split("---")[1])
        if str(meta.get("decision", "")).startswith("approve"):
            names.add(people[meta["reviewer"]]["name"])
    return names


def named(text: str) -> set[str]:
    """The names in "Reviewed by A, B and C"."""
    m = re.search(r"Reviewed by (.+)$", " ".join(text.split()))
    assert m, text
    return {n.strip() for n in re.split(r",| and ", m.group(1)) if n.strip()}


# ---- typography -------------------------------------------------------------------------------------

def test_post_text_uses_the_self_hosted_face_at_one_scale(site, kinds, open_page):
    page, watch = open_page()
    page.goto(site.url(kinds["post"]))
    page.evaluate("() => document.fonts.ready")
    assert page.evaluate("() => document.fonts.check('1em \"Source Serif 4\"')")
    loaded = page.evaluate("() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("Source Serif 4" in f for f in loaded), loaded
    styles = page.evaluate("""() => {
      const body = document.querySelector('.post-body');
      const pick = sel => { const el = body.querySelector(sel); if (!el) return null;
        const s = getComputedStyle(el); return {family: s.fontFamily, size: parseFloat(s.fontSize)}; };
      return {p: pick(':scope > p'), li: pick('li'), callout: pick('.callout p:not(.callout-title)'), td: pick('td')};
    }""")
    assert all(styles.values()), styles  # the richest post has each of them
    for part in ("li", "callout", "td"):
        assert styles[part]["family"] == styles["p"]["family"], (part, styles)
    assert styles["p"]["family"].startswith('"Source Serif 4"')
    assert styles["li"]["size"] == styles["callout"]["size"] == styles["p"]["size"], styles
    assert styles["td"]["size"] < styles["p"]["size"]  # one step down on the same scale
    assert 0.85 < styles["td"]["size"] / styles["p"]["size"] < 0.95
    watch.assert_clean()


def test_heading_anchors_show_only_on_hover_and_focus(site, kinds, open_page):
    page, watch = open_page()
    page.goto(site.url(kinds["post"]))
    heading = page.locator(".post-body h2").first
    anchor = heading.locator(".header-anchor")
    opacity = lambda: float(anchor.evaluate("a => getComputedStyle(a).opacity"))  # noqa: E731
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    assert opacity() == 0
    heading.hover()
    page.wait_for_timeout(300)
    assert opacity() == 1
    page.mouse.move(0, 0)
    anchor.focus()
    page.wait_for_timeout(300)
    assert opacity() == 1
    expect(anchor).to_have_attribute("aria-label", re.compile(r"^Link to section: "))
    watch.assert_clean()


def test_nothing_blocks_the_first_paint(site, kinds):
    for path in ("", kinds["post"], kinds["review history"]):
        head = harness.parse(site.root, path).find("head")
        blocking = head.xpath("link[@rel='stylesheet'][not(@media) or @media='all' or @media='screen']"
                              " | script[@src][not(@defer) and not(@async)]")
        assert blocking == [], f"/{path}: {[b.get('href') or b.get('src') for b in blocking]}"
        assert head.xpath("style[contains(., '.site-header')]"), f"/{path} has no inlined critical CSS"


# ---- feeds ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("feed", ["feed.xml", "rss.xml"])
def test_a_feed_opened_in_the_browser_reads_as_a_page(feed, site, open_page):
    parsed = feedparser.parse((site.root / feed).read_bytes())
    assert parsed.entries and not parsed.bozo, parsed.get("bozo_exception")
    page, watch = open_page(**CLIPBOARD)
    page.goto(site.url(feed))
    expect(page.get_by_role("heading", level=1)).to_have_text(parsed.feed.title)
    titles = page.locator("article h3").all_inner_texts()
    assert [t.strip() for t in titles] == [e.title for e in parsed.entries]
    links = page.locator("article h3 a").evaluate_all("as => as.map(a => a.href)")
    assert links == [e.link for e in parsed.entries]
    statuses = page.locator("article .review-line").all_inner_texts()
    assert len(statuses) == len(titles) and all(s.strip().startswith("Peer reviewed") for s in statuses), statuses
    # The page's copy button puts the feed's own address on the clipboard, and says so.
    page.get_by_role("button", name="Copy address of this feed").click()
    copied = page.wait_for_function("() => navigator.clipboard.readText()").json_value()
    assert copied == next(link.href for link in parsed.feed.links if link.rel == "self")
    expect(page.get_by_role("status")).to_have_text("Copied the feed's address")
    watch.assert_clean()


def test_feeds_page_copy_buttons_copy_each_address_and_announce_it(site, open_page):
    page, watch = open_page(**CLIPBOARD)
    page.goto(site.url("feeds/"))
    items = page.locator(".feed-list li")
    assert items.count() > 3
    for i in (0, items.count() - 1):
        item = items.nth(i)
        href = item.locator("a[type]").first.get_attribute("href")
        button = item.get_by_role("button", name=re.compile("^Copy address")).first
        button.click()
        expect(button).to_have_text("Copied")
        copied = page.wait_for_function("(h) => navigator.clipboard.readText().then(t => t === h ? t : null)",
                                        arg=href).json_value()
        assert copied == href
        status = page.get_by_role("status")
        expect(status).to_have_attribute("aria-live", "polite")
        expect(status).to_have_text(re.compile(r"^Copied the address of the .+ feed$"))
    watch.assert_clean()


def test_citation_copy_is_announced_to_screen_readers(site, kinds, open_page):
    page, watch = open_page(**CLIPBOARD)
    page.goto(site.url(kinds["post"]))
    status = page.get_by_role("status")
    expect(status).to_have_text("")  # the live region is there before the copy, empty
    page.get_by_role("region", name="Cite this post").get_by_role("button", name=re.compile("^Copy")).first.click()
    expect(status).to_have_text(re.compile(r"^Copied the .+ citation$"))
    watch.assert_clean()


# ---- print ------------------------------------------------------------------------------------------

def test_printed_post_names_its_source_and_wastes_no_pages(site, kinds, open_page):
    pypdf = pytest.importorskip("pypdf")
    page, watch = open_page()
    post = kinds["post"]
    page.goto(site.url(post))
    page.evaluate("() => document.fonts.ready")
    doc = harness.parse(site.root, post)
    canonical = doc.xpath("string(//link[@rel='canonical']/@href)")
    doi = doc.xpath("string(//a[@class='doi'])")
    assert canonical and doi, "the richest sample post should have a DOI"
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    count = len(texts)
    assert count >= 3, count
    # Every page says where it came from and which page it is; the first names the URL and the DOI.
    for n, text in enumerate(texts, start=1):
        assert "Shift Notes" in text and f"{n} / {count}" in text and f"doi.org/{doi}" in text, (n, text[:200])
    assert canonical in texts[0] and doi in texts[0]
    # No page is mostly blank (a table pushed whole to the next page left two-thirds of one empty),
    # and the last page holds more than the licence line.
    body = sorted(len(t) for t in texts[:-1])
    median = body[len(body) // 2]
    for n, text in enumerate(texts[:-1], start=1):
        assert len(text) > 0.5 * median, f"page {n} of {count} is mostly blank: {len(text)} vs {median} characters"
    last = texts[-1]
    licence = doc.xpath("string(//p[@class='license'])")
    assert " ".join(licence.split()) in last
    assert len(last) > 3 * len(" ".join(licence.split())), f"the last page holds only the licence line: {last!r}"
    # Callouts print at the size of the text around them.
    page.emulate_media(media="print")
    sizes = page.evaluate("""() => ['.post-body > p', '.callout p:not(.callout-title)', '.post-body li']
        .map(s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))""")
    assert len(set(sizes)) == 1, sizes
    watch.assert_clean()


# ---- review status where readers choose --------------------------------------------------------------

def test_cards_and_lists_show_review_status_and_reviewers(site, sample_blog, kinds, open_page):
    page, watch = open_page()
    for path in ("", kinds["tag"], kinds["author"]):
        page.goto(site.url(path))
        cards = page.locator("main article.card")
        assert cards.count() > 0, path
        for i in range(cards.count()):
            card = cards.nth(i)
            post_id = card.locator(".card-title a").get_attribute("href").strip("/").split("/")[1]
            line = card.locator(".review-line").inner_text()
            assert line.startswith("Peer reviewed"), (path, line)
            names = named(line)
            assert names and names <= approving_reviewers(sample_blog, post_id), (path, post_id, line)
    page.goto(site.url("archive/"))
    rows = page.locator(".archive-list li")
    assert rows.count() == len(harness.post_paths(site.root))
    for text in rows.all_inner_texts():
        assert "Peer reviewed" in text and named(text), text
    watch.assert_clean()


def test_tags_show_human_labels(site, kinds):
    config = yaml.safe_load((harness.ROOT / "site.yaml").read_text(encoding="utf-8"))
    labels = config.get("tag_labels") or {}
    doc = harness.parse(site.root, "tags/")
    links = doc.xpath("//ul[@class='term-cloud']//a")
    shown = {a.get("href").strip("/").split("/")[1]: a.text_content() for a in links}
    assert shown
    for slug, label in shown.items():
        want = labels.get(slug) or slug.replace("-", " ").capitalize()
        assert label == want, (slug, label)
        assert label != slug


def test_search_results_show_review_status_and_filter_by_it(site, sample_blog, open_page):
    page, watch = open_page()
    page.goto(site.url("search/"))
    page.get_by_role("search").get_by_role("textbox").fill("feedback")
    results = page.locator(".pagefind-ui__result")
    expect(results.first).to_be_visible(timeout=15_000)
    for i in range(results.count()):
        result = results.nth(i)
        result.scroll_into_view_if_needed()  # Pagefind loads a result's data when it scrolls into view
        shown = result.locator(".pagefind-ui__result-tag[data-pagefind-ui-meta='status']")
        expect(shown).to_be_visible()
        post_id = result.locator(".pagefind-ui__result-link").first.get_attribute("href").strip("/").split("/")[1]
        status = shown.inner_text()
        assert status.startswith("Status: Peer reviewed · Reviewed by"), status
        assert named(status) <= approving_reviewers(sample_blog, post_id)
    names = page.locator(".pagefind-ui__filter-name")
    expect(names.filter(has_text=re.compile(r"^\s*status\s*$", re.I))).to_have_count(1)
    filters = page.evaluate("""async () => {
      const pf = await import(new URL("/pagefind/pagefind.js", location.href).href);
      return (await pf.filters()).status; }""")
    assert filters == {"Peer reviewed": len(harness.post_paths(site.root))}
    watch.assert_clean()


# ---- phones -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("width", (320, 390))
def test_phone_menu_shows_every_item_whole(site, open_page, width):
    page, watch = open_page(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(site.url())
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    assert "Search" in links.all_inner_texts()
    clipped = page.evaluate("""(width) => [...document.querySelectorAll('.site-nav a')].filter(a => {
        const r = a.getBoundingClientRect();
        let el = a.parentElement, cut = false;
        for (; el; el = el.parentElement) {
          const b = el.getBoundingClientRect(), s = getComputedStyle(el);
          if (s.overflowX !== 'visible' && (r.left < b.left - .5 || r.right > b.right + .5)) cut = true;
        }
        return cut || r.left < 0 || r.right > width + .5;
      }).map(a => a.textContent.trim())""", width)
    assert clipped == [], clipped
    watch.assert_clean()
