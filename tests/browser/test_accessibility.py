"""axe-core finds no accessibility violations on any kind of page, in light and in dark mode, in both
bundled themes (default, and clinic, which extends it with its own header, home page and palette).

axe-core (npm, pinned in package-lock.json) is injected into each page as served; it checks the
rendered DOM with the page's computed styles, so colour contrast is checked in both colour schemes.
"""
from __future__ import annotations

import pytest

from . import harness

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Every page kind of the default theme; page_kinds() in harness.py finds a built URL for each.
KINDS = ["home", "home page 2", "post", "review history", "review record", "tag", "tags index", "author",
         "authors index", "reviewers", "archive", "taxonomy index", "taxonomy term", "about page", "review policy",
         "feeds", "search", "404", "draft post", "feed as a page"]
# Chromium (since 2025) puts its own warning about XSLT's coming removal above a page made by XSLT: not ours.
BROWSER_OWN = ["xslt-warning-banner"]
# WCAG 2.2 A and AA, plus axe's best practices (landmarks, one h1, heading order, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe_js(node_modules) -> str:
    return str(harness.AXE_JS)


@pytest.fixture(scope="module")
def clinic_kinds(clinic_site) -> dict[str, str]:
    return harness.page_kinds(clinic_site.root)


@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_violations_in_light_and_dark(kind, site, kinds, drafts_site, open_page, axe_js):
    served = drafts_site if kind == "draft post" else site
    check_page(kind, served, kinds, drafts_site, open_page, axe_js)


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "draft post"])
def test_axe_finds_no_violations_in_the_clinic_theme(kind, clinic_site, clinic_kinds, open_page, axe_js):
    check_page(kind, clinic_site, clinic_kinds, None, open_page, axe_js)


def check_page(kind, served, kinds, drafts_site, open_page, axe_js) -> None:
    if kind == "draft post":
        path = harness.draft_post(drafts_site.root)
    elif kind == "404":
        path = "no-such-page/"
    elif kind == "feed as a page":  # feed.xml through feeds/feed.xsl
        path = "feed.xml"
    else:
        path = kinds[kind]
    page, watch = open_page(served, color_scheme="light")
    if kind == "404":
        watch.expected_404.add(served.url(path))
    response = page.goto(served.url(path))
    assert response.status == (404 if kind == "404" else 200)
    if kind == "search":  # check the search UI as a reader sees it, with results and filters showing
        page.get_by_role("search").get_by_role("textbox").fill("feedback")
        page.locator(".pagefind-ui__result").first.wait_for()
    page.add_script_tag(path=axe_js)  # once per page: parsing axe costs as much as a run
    report = []
    for scheme in ("light", "dark"):  # the same page in the other scheme: only the colours change
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        result = page.evaluate("([tags, skip]) => axe.run({exclude: skip.map(s => [s])}, "
                               "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                               [TAGS, BROWSER_OWN])
        if result["violations"]:
            report.append(f"/{path} in {scheme} mode:\n{describe(result['violations'])}")
    assert report == [], "\n".join(report)
    watch.assert_clean()
