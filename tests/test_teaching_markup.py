"""The Markdown teaching posts use (issue 15): headings, TeX → MathML, figures, leftovers of a
migration and footnotes; asserted on lxml-parsed HTML and on the problems' file:line."""
import lxml.etree
import lxml.html

from generator.markup import render

MATHML = "http://www.w3.org/1998/Math/MathML"


def html_of(text: str, **kw):
    r = render(text, path="content/posts/p.md", **kw)
    return r, lxml.html.fragment_fromstring(r.html, create_parent="div")


def problems(r):
    return [(p.line, p.severity, p.message) for p in r.problems]


def maths(doc):
    """<math> elements, however the HTML parser names them."""
    return [el for el in doc.iter() if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "math"]


def test_body_h1_is_demoted_and_every_level_gets_an_id_and_a_contents_entry():
    r, doc = html_of("# Assessment\n\ntext\n\n## Airway\n\n### Signs\n\n#### Stridor\n\n##### Note\n\n###### Deep\n")
    assert not doc.xpath("//h1")
    assert [(h.tag, h.get("id")) for h in doc.xpath("//h2|//h3|//h4|//h5|//h6")] == [
        ("h2", "assessment"), ("h3", "airway"), ("h4", "signs"), ("h5", "stridor"), ("h6", "note"), ("h6", "deep")]
    assert [(h.level, h.anchor) for h in r.toc] == [
        (2, "assessment"), (3, "airway"), (4, "signs"), (5, "stridor"), (6, "note"), (6, "deep")]


def test_headings_never_take_an_id_the_page_template_uses():
    _r, doc = html_of("## Cite\n\n## Main\n\n## Contents\n")
    assert doc.xpath("//h2/@id") == ["cite-section", "main-section", "contents"]


def test_bodies_without_h1_keep_their_levels():
    r, doc = html_of("## Airway\n\n#### Deep\n")
    assert [h.tag for h in doc.xpath("//h2|//h4")] == ["h2", "h4"]
    assert [h.level for h in r.toc] == [2, 4]


def test_math_in_four_notations_becomes_mathml():
    text = ("The anion gap is $\\mathrm{Na}^+ - \\mathrm{Cl}^-$ and \\(x^2\\).\n\n"
            "$$\n\\frac{a}{b}\n$$\n\n\\[\nA = \\sqrt{b}\n\\]\n")
    r, doc = html_of(text)
    found = maths(doc)
    assert [m.get("display") for m in found] == ["inline", "inline", "block", "block"]
    assert doc.xpath("count(//div[@class='math-display'])") == 2
    assert found[2].xpath(".//*[local-name()='mfrac']")
    assert found[3].xpath(".//*[local-name()='msqrt']")
    assert r.problems == []
    # Well-formed MathML in its namespace (what feed readers and browsers need), checked by a real XML parser.
    block = r.html.split('<div class="math-display">')[1].split("</div>")[0]
    assert lxml.etree.fromstring(block).tag == f"{{{MATHML}}}math"


def test_dollar_amounts_stay_text():
    text = "A tube costs $5 and a kit $10. Prices $5-$10, from $5 to $20; US$ 30 or $ 40."
    r, doc = html_of(text + "\n")
    assert not maths(doc) and r.problems == []
    assert doc.text_content().strip() == text


def test_escaped_brackets_from_converters_stay_text():
    # turndown (WordPress → Markdown) writes every [ as \[: only TeX-like contents make a formula.
    r, doc = html_of("See \\[1\\] and \\[sic\\].\n\n\\[Editor's note\\]\n\nBut \\[x^2\\] is one.\n")
    assert [m.get("display") for m in maths(doc)] == ["block"]
    assert [p.text_content() for p in doc.xpath("//p")][:2] == ["See [1] and [sic].", "[Editor’s note]"]
    assert r.problems == []


def test_tex_that_cannot_be_rendered_is_an_error_with_its_line():
    r, doc = html_of("Intro.\n\nThe gap is $\\frac{a}{$ here.\n\n$$\nx^\n$$\n", line_offset=5)
    assert [(line, sev) for line, sev, _ in problems(r)] == [(8, "error"), (10, "error")]
    assert "cannot render the TeX formula" in r.problems[0].message
    assert doc.xpath("//code[@class='math-error']/text()")[0] == "\\frac{a}{"


def test_raw_html_smuggled_into_tex_text_is_refused():
    r, doc = html_of("$\\text{<img src=x onerror=alert(1)>}$\n")
    assert not doc.xpath("//img") and not maths(doc)
    assert [sev for _, sev, _ in problems(r)] == ["error"]


def test_math_survives_the_sanitize_policy():
    _r, doc = html_of("Raw <b>bold</b> and $y_1$.\n", raw_html="sanitize")
    assert [m.get("display") for m in maths(doc)] == ["inline"]


def test_figures_are_numbered_with_markdown_captions():
    text = ("::: figure\n![Inferior STEMI ECG](stemi.png)\n"
            "ST elevation in the **inferior** leads; see [the grid](#grid).\n:::\n\ntext\n\n"
            "::: figure\n![Lateral](lat.png)\n\nFirst caption paragraph.\n\nSecond one.\n:::\n")
    r, doc = html_of(text)
    figures = doc.xpath("//figure")
    assert [f.get("id") for f in figures] == ["figure-1", "figure-2"]
    assert figures[0].xpath("img/@alt") == ["Inferior STEMI ECG"]  # the image sits directly in <figure>
    caption = figures[0].xpath("figcaption")[0]
    assert caption.xpath("span[@class='figure-label']/text()") == ["Figure 1."]
    assert caption.xpath("strong/text()") == ["inferior"]
    assert caption.xpath("a/@href") == ["#grid"]
    assert figures[1].xpath("figcaption/span/text()") == ["Figure 2."]
    assert [p.text for p in figures[1].xpath("figcaption/p")] == ["First caption paragraph.", "Second one."]
    assert not doc.xpath("//figure/p")
    assert ("#grid", 3) in r.links and r.problems == []


def test_a_figure_without_a_caption_is_reported_and_not_numbered():
    r, doc = html_of("Text.\n\n::: figure\n![Alone](a.png)\n:::\n")
    assert doc.xpath("//figure/@id") == [] and not doc.xpath("//figcaption")
    assert problems(r) == [(3, "warning", "a figure without a caption")]


def test_leftover_template_tags_and_shortcodes_with_their_lines():
    text = ("Intro {% post_url 2019-01-01-x %} and {{ site.url }}.\n\n"
            "{{< figure src=\"a.png\" >}}\n\n"
            "[caption id=\"attachment_5\" align=\"alignnone\"]An image[/caption]\n\n"
            "`{{ in code }}` is fine, so is [sic] and [a link](x.html).\n\n"
            "```\n{% raw %}\n```\n")
    r, _ = html_of(text, line_offset=4)
    found = [(line, msg.split(" '")[0], msg.split("'")[1]) for line, sev, msg in problems(r) if sev == "warning"]
    assert found == [(5, "leftover template tag", "{% post_url 2019-01-01-x %}"),
                     (5, "leftover template tag", "{{ site.url }}"),
                     (7, "leftover template tag", '{{< figure src="a.png" >}}'),
                     (9, "leftover shortcode", '[caption id="attachment_5" align="alignnone"]'),
                     (9, "leftover shortcode", "[/caption]")]


def test_footnotes_missing_and_unused():
    r, doc = html_of("A claim.[^1] Another.[^gone]\n\n[^1]: Used.\n[^spare]: Never cited.\n")
    assert sorted(problems(r)) == [
        (1, "warning", "footnote [^gone] has no definition"),
        (4, "warning", "footnote [^spare] is defined but never referred to")]
    assert doc.xpath("//sup[contains(@class,'footnote-ref')]/a/@href") == ["#fn1"]


def test_markdown_inside_a_raw_html_caption_is_rendered():
    text = ("Text.\n\n<figure><img src=\"a.png\" alt=\"x\">\n"
            "<figcaption>The *red* line; see [the table](#t) and <a href=\"/y/\">y</a></figcaption></figure>\n")
    r, doc = html_of(text)
    caption = doc.xpath("//figure/figcaption")[0]
    assert caption.xpath("em/text()") == ["red"] and caption.xpath("a/@href") == ["#t", "/y/"]
    assert "*" not in caption.text_content()
    assert r.problems == [] and r.links == [("a.png", 3), ("#t", 4), ("/y/", 4)]


def test_links_are_collected_with_their_source_lines():
    r, _ = html_of("Para one [a](/posts/x/).\nSecond line ![i](pic.png)\n\n## H\n\n<a href='/old/'>old</a>\n",
                   line_offset=2)
    assert r.links == [("/posts/x/", 3), ("pic.png", 4), ("/old/", 8)]


def test_template_text_kept_literal_by_an_importer_renders_as_written_and_is_no_leftover():
    from generator.migrate import body

    kept = ["{{ page.title }}", "{% include x.html %}"]
    text = body.restore("Prose \x000\x00 and `\x001\x00`.\n\n```\n\x001\x00\n```\n", kept)
    assert text == "Prose \\{{ page.title }} and `{% include x.html %}`.\n\n```\n{% include x.html %}\n```\n"
    r, doc = html_of(text)
    assert doc.xpath("string(//p)") == "Prose {{ page.title }} and {% include x.html %}."
    assert doc.xpath("string(//pre)") == "{% include x.html %}\n"
    assert r.problems == []
