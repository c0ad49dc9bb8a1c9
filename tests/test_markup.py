"""The Markdown pipeline, asserted on parsed HTML."""
import lxml.html

from generator.markup import pygments_css, render


def html_of(text: str, **kw):
    r = render(text, **kw)
    return r, lxml.html.fragment_fromstring(r.html, create_parent="div")


def test_gfm_table_strikethrough_tasklist():
    _r, doc = html_of("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n- [ ] todo\n")
    assert [td.text for td in doc.iter("td")] == ["1", "2"]
    assert doc.xpath("//div[@class='table-wrap']/table")
    assert doc.xpath("//s")[0].text == "old"
    boxes = doc.xpath("//input[@type='checkbox']")
    assert len(boxes) == 2 and boxes[0].get("checked") is not None and boxes[1].get("checked") is None


def test_footnotes_and_definition_lists():
    _r, doc = html_of("Claim.[^1]\n\n[^1]: Source.\n\nTerm\n: Definition\n")
    assert doc.xpath("//sup[contains(@class,'footnote-ref')]/a/@href") == ["#fn1"]
    assert "Source." in doc.xpath("string(//section[contains(@class,'footnotes')])")
    assert doc.xpath("//dl/dt")[0].text == "Term"
    assert doc.xpath("//dl/dd")[0].text_content().strip() == "Definition"


def test_heading_anchors_and_toc():
    r, doc = html_of("## First part\n\ntext\n\n### Detail `x`\n\n## First part\n")
    ids = [h.get("id") for h in doc.xpath("//h2|//h3")]
    assert ids == ["first-part", "detail-x", "first-part-1"]
    assert doc.xpath("//h2[@id='first-part']/a[@class='header-anchor']/@href") == ["#first-part"]
    assert [(h.level, h.text, h.anchor) for h in r.toc] == [
        (2, "First part", "first-part"), (3, "Detail x", "detail-x"), (2, "First part", "first-part-1")]


def test_callouts():
    _r, doc = html_of("::: key-points\n- one\n:::\n\n::: warning Check the dose\nCareful.\n:::\n")
    asides = doc.xpath("//aside")
    assert [a.get("class") for a in asides] == ["callout callout-key-points", "callout callout-warning"]
    assert asides[0].xpath("string(p[@class='callout-title'])") == "Key points"
    assert asides[1].xpath("string(p[@class='callout-title'])") == "Check the dose"
    assert asides[0].xpath("ul/li")[0].text == "one"


def test_pygments_classes_and_unknown_language():
    _r, doc = html_of("```python\ndef f():\n    return 1\n```\n\n```nolang\n<b>x</b>\n```\n")
    pres = doc.xpath("//pre[@class='highlight']")
    assert len(pres) == 2
    assert pres[0].xpath(".//span[@class='k']")[0].text == "def"
    assert pres[1].xpath("string(code)") == "<b>x</b>\n"  # escaped, not markup
    css = pygments_css()
    assert ".highlight .k" in css and 'data-theme="dark"' in css and "prefers-color-scheme: dark" in css


def test_words_and_summary():
    r, _ = html_of("First *paragraph* here.\n\nSecond one with more words.\n")
    assert r.summary == "First paragraph here."
    assert r.words == 8


def test_javascript_links_are_not_links():
    _r, doc = html_of("[click](javascript:alert(1))\n")
    assert not doc.xpath("//a[starts-with(@href,'javascript')]")


def test_raw_html_policies():
    text = "<div class='x'>hi</div>\n\n<script>alert(1)</script>\n"
    _, allowed = html_of(text, raw_html="allow")
    assert allowed.xpath("//div[@class='x']")
    _, sanitized = html_of(text, raw_html="sanitize")
    assert sanitized.xpath("//div[@class='x']") and not sanitized.xpath("//script")
    _, escaped = html_of(text, raw_html="escape")
    assert not escaped.xpath("//div[@class='x']") and "<div" in escaped.text_content()
