"""What a reader does on the sample blog, in a real Chromium (issue 7: "Tests in a real browser").

Every journey also checks that no request left the local server (no third-party fonts, scripts or
analytics) and that the browser logged no errors (see Watch in conftest.py).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from . import harness

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
expect = pytest.importorskip("playwright.sync_api").expect

PHONE_WIDTHS = (320, 390)


# ---- helpers ---------------------------------------------------------------------------------------

def reviewer_names(blog: Path, post_id: str) -> list[str]:
    """The names of everyone who wrote a review of `post_id`, read from the review records."""
    people = yaml.safe_load((blog / "site.yaml").read_text(encoding="utf-8"))["people"]
    names = []
    for record in sorted((blog / "reviews" / post_id).glob("*.md")):
        meta = yaml.safe_load(record.read_text(encoding="utf-8").split("---")[1])
        if "reviewer" in meta:
            names.append(people[meta["reviewer"]]["name"])
    assert names, f"the sample has no reviews of {post_id}"
    return names


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def distinctive_body_word(site: Path, post: str) -> str:
    """A word from the post's body, not its title, whose first six letters appear in no other post,
    so only this post can match it (Pagefind stems words, hence the prefix)."""
    doc = harness.parse(site, post)
    body = " ".join(doc.xpath("//div[contains(@class,'post-body')]//p//text()"))
    title = doc.xpath("string(//h1)")
    elsewhere = " ".join(harness.parse(site, p).text_content().lower() for p in harness.post_paths(site) if p != post)
    title_words = words(title)
    candidates = sorted(w for w in words(body) if len(w) >= 8 and w not in title_words and w[:6] not in elsewhere)
    assert candidates, f"no word in /{post} is unique to it"
    return candidates[0]


def background(page) -> tuple[int, ...]:
    """The colour the reader sees behind the text: the first opaque background from <body> up."""
    css = page.evaluate("""() => {
      for (let el = document.body; el; el = el.parentElement) {
        const bg = getComputedStyle(el).backgroundColor;
        if (bg && bg !== "transparent" && !bg.endsWith(", 0)")) return bg;
      }
      return "rgb(255, 255, 255)";
    }""")
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", css)[:3])


def luminance(rgb: tuple[int, ...]) -> float:
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


# ---- journeys --------------------------------------------------------------------------------------

def test_home_to_post_to_review_history_to_citation_to_tag(site, sample_blog, open_page):
    page, watch = open_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(site.url())
    link = page.get_by_role("region", name="Recent posts").locator("a[href*='/posts/']").first
    title = link.inner_text().strip()
    link.click()
    page.wait_for_url(re.compile(r"/posts/[^/]+/$"))
    post = site.path_of(page.url)
    post_id = post.split("/")[1]
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    # The review badge leads to the public review history, which names every reviewer.
    page.get_by_role("link", name=re.compile("review history", re.I)).first.click()
    page.wait_for_url(site.url(post + "reviews/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review history")
    for name in reviewer_names(sample_blog, post_id):
        expect(page.get_by_role("main").get_by_role("link", name=name, exact=True).first).to_be_visible()

    # Back to the post; "Copy" puts exactly the citation shown on the clipboard.
    page.get_by_role("main").get_by_role("link", name=title).first.click()
    page.wait_for_url(site.url(post))
    cite = page.get_by_role("region", name="Cite this post")
    citation = cite.locator(".citation").first
    cite.get_by_role("button", name=re.compile("copy", re.I)).first.click()
    copied = page.wait_for_function("() => navigator.clipboard.readText()").json_value()
    shown = citation.inner_text()
    assert " ".join(copied.split()) == " ".join(shown.split())
    assert title in copied

    # A topic on the post leads to its tag page, which lists the post.
    tag = page.get_by_role("list", name="Topics").get_by_role("link").first
    tag_name = tag.inner_text().strip()
    tag.click()
    page.wait_for_url(re.compile(r"/tags/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(tag_name)
    expect(page.get_by_role("main").locator(f'a[href="/{post}"]').first).to_be_visible()
    watch.assert_clean()


def test_search_finds_a_post_by_a_word_in_its_body(site, kinds, open_page):
    post = kinds["post"]
    word = distinctive_body_word(site.root, post)
    page, watch = open_page()
    page.goto(site.url("search/"))
    box = page.get_by_role("search").get_by_role("textbox")
    box.fill(word)
    results = page.locator(".pagefind-ui__result-link")
    expect(results.first).to_be_visible(timeout=15_000)
    found = [site.path_of(u) for u in results.evaluate_all("links => links.map(a => a.href)")]
    assert post in found, f"searching {word!r} found {found}"
    # The results can be narrowed by topic and by audience (issue 7: "filters by tag and audience").
    names = page.locator(".pagefind-ui__filter-name")  # the filter panel loads after the results
    for name in ("tag", "audience"):
        expect(names.filter(has_text=re.compile(rf"^\s*{name}\s*$", re.I))).not_to_have_count(0)
    filters = {t.strip().lower() for t in names.all_inner_texts()}
    assert {"tag", "audience"} <= filters, filters
    # A filter really narrows the results: the post is found under its own tag, not under another.
    narrowed = page.evaluate("""async (word) => {
      const pf = await import(new URL("/pagefind/pagefind.js", location.href).href);
      const tags = Object.keys((await pf.filters()).tag);
      const hits = async (tag) => Promise.all((await pf.search(word, {filters: {tag}})).results
                                                .map(async r => (await r.data()).url));
      const out = {};
      for (const tag of tags) out[tag] = await hits(tag);
      return out;
    }""", word)
    own = {t for t, hits in narrowed.items() if "/" + post in hits}  # Pagefind gives root-relative URLs
    assert own and own < set(narrowed), narrowed
    watch.assert_clean()


def test_dark_mode_toggle_is_remembered_across_reload_and_navigation(site, kinds, open_page):
    page, watch = open_page(color_scheme="light")
    page.goto(site.url(kinds["post"]))
    toggle = page.get_by_role("button", name=re.compile("dark", re.I))
    expect(toggle).to_have_attribute("aria-pressed", "false")
    light = background(page)

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    dark = background(page)
    assert luminance(dark) < luminance(light) / 2, (light, dark)

    page.reload()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert background(page) == dark
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Archive").click()
    page.wait_for_url(site.url("archive/"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert background(page) == dark

    toggle.click()  # and back: light is remembered too, although the system says nothing
    page.reload()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert background(page) == light
    watch.assert_clean()


def test_dark_mode_follows_the_system_setting(site, open_page):
    page, watch = open_page(color_scheme="dark")
    page.goto(site.url())
    expect(page.get_by_role("button", name=re.compile("dark", re.I))).to_have_attribute("aria-pressed", "true")
    assert luminance(background(page)) < 64
    watch.assert_clean()


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_phone_viewport_has_no_horizontal_scroll(site, kinds, open_page, width):
    page, watch = open_page(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    paths = sorted(set(kinds.values()) | set(harness.post_paths(site.root)) | {"no-such-page/"})
    watch.expected_404.add(site.url("no-such-page/"))
    overflowing = {}
    for path in paths:
        page.goto(site.url(path))
        if "search" in path:  # the search UI, with results open, must fit too
            page.get_by_role("search").get_by_role("textbox").fill("feedback")
            page.locator(".pagefind-ui__result").first.wait_for()
        # A phone zooms out to fit content wider than the screen, so innerWidth must stay the device width.
        widths = page.evaluate("""(device) => {
          const wide = [...document.querySelectorAll("body *")]
            .filter(el => el.getBoundingClientRect().right > device + 0.5)
            .map(el => el.tagName.toLowerCase() + (typeof el.className === "string" && el.className.trim()
                 ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
          return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide: wide.slice(0, 5)};
        }""", width)
        if widths["inner"] != width or widths["scroll"] > widths["inner"]:
            overflowing[path] = widths
    assert overflowing == {}, overflowing
    watch.assert_clean()


def test_print_hides_navigation_but_keeps_references_and_citation(site, kinds, open_page):
    page, watch = open_page()
    page.goto(site.url(kinds["post"]))
    nav = page.get_by_role("navigation", name="Main", include_hidden=True)
    references = page.get_by_role("region", name="References", include_hidden=True)
    citation = page.get_by_role("region", name="Cite this post", include_hidden=True).locator(".citation").first
    for on_screen in (nav, references, citation):
        expect(on_screen).to_be_visible()  # so "hidden in print" below cannot pass by accident

    page.emulate_media(media="print")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("navigation", name="More posts", include_hidden=True)).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(references).to_be_visible()
    expect(citation).to_be_visible()
    watch.assert_clean()


def test_a_post_reads_fully_without_javascript(site, kinds, open_page):
    page, watch = open_page(java_script_enabled=False)
    page.goto(site.url(kinds["post"]))
    for part in (page.get_by_role("heading", level=1), page.get_by_role("region", name="References"),
                 page.get_by_role("region", name="Cite this post").locator(".citation").first,
                 page.get_by_role("navigation", name="Main")):
        expect(part).to_be_visible()
    # Controls that only work with JavaScript stay out of the way when it is off.
    expect(page.locator("[data-theme-toggle]")).to_be_hidden()
    watch.assert_clean()
