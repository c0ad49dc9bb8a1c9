"""`peerpress import hugo`: gohugoio/hugoBasicExample's config and posts, and a medical-education bundle."""
from __future__ import annotations

import shutil

from lxml import html as lxml_html

from generator import markup
from generator.engine import build

from .migrateutil import (
    caption_of,
    FIXTURES,
    assert_clean_but_leftovers,
    config,
    front,
    line_of,
    new_site,
    reported,
    run_import,
    snapshot,
)

HUGO = FIXTURES / "hugo"


def render(root, post_id):
    _, body = front(root / f"content/posts/{post_id}/index.md")
    return lxml_html.fromstring(markup.render(body, config=config(root), path="x.md").html), body


def test_hugo_front_matter_languages_and_aliases(tmp_path, capsys):
    root = new_site(tmp_path)
    code, out, err = run_import(root, capsys, "hugo", str(HUGO))
    assert code == 0, err
    posts = root / "content/posts"
    assert sorted(p.name for p in posts.iterdir()) == ["airway-bundle", "chariot-voies-aeriennes-fr",
                                                      "migrate-from-jekyll", "rich-content"]
    rich, _ = front(posts / "rich-content/index.md")  # TOML front matter
    assert rich["authors"] == ["hugo-authors"] and rich["summary"] == "A brief description of Hugo Shortcodes"
    assert rich["tags"] == ["shortcodes", "privacy"] and rich["aliases"] == ["/post/rich-content/"]
    moved, _ = front(posts / "migrate-from-jekyll/index.md")
    assert moved["aliases"] == ["/post/migrate-from-jekyll/", "/blog/migrate-from-jekyll/"]
    assert moved["series"] == "Hugo 101"  # Hugo's series taxonomy: the first series
    bundle, _ = front(posts / "airway-bundle/index.md")
    assert bundle["authors"] == ["helen-strand", "jan-van-der-berg"]
    assert bundle["tags"] == ["airway", "anaesthesia", "procedures"]
    assert (bundle["series"], bundle["series_part"]) == ("Airway week", 1)
    assert bundle["image"] == "trolley.png"  # images[0]
    french, _ = front(posts / "chariot-voies-aeriennes-fr/index.md")
    assert french["language"] == "fr" and french["aliases"] == ["/fr/post/chariot-voies-aeriennes/"]
    # Helen Strand was only a reviewer: writing a post makes her an author too
    assert "people: 'helen-strand' gets the author role" in out
    assert set(config(root).people["helen-strand"].roles) == {"reviewer", "author"}
    assert (posts / "airway-bundle/trolley.png").read_bytes() == \
        (HUGO / "content/post/airway-bundle/trolley.png").read_bytes()  # a page-bundle resource
    assert (posts / "airway-bundle/labels.png").read_bytes() == (HUGO / "static/images/labels.png").read_bytes()


def test_hugo_shortcodes_become_markdown_that_renders(tmp_path, capsys):
    root = new_site(tmp_path)
    run_import(root, capsys, "hugo", str(HUGO))
    page, _ = render(root, "rich-content")
    frames = page.xpath("//iframe/@src")
    assert frames == ["https://www.youtube-nocookie.com/embed/ZJthWmvUzzc", "https://player.vimeo.com/video/48912912"]
    assert page.xpath("//iframe/@title") == ["YouTube video", "Vimeo video"]
    assert "https://x.com/SanDiegoZoo/status/1453110110599868418" in page.xpath("//a/@href")
    page, body = render(root, "airway-bundle")
    img = page.xpath("//img")[0]
    assert (img.get("src"), caption_of(img)) == ("trolley.png", "Drawer A to D, as stocked in our department.")
    assert page.xpath("//aside[contains(@class, 'callout-warning')]//text()[contains(., 'missing bougie')]")
    assert page.xpath("//pre/code[@class='language-python']")[0].text_content().startswith("DRAWERS = {")
    assert "/posts/chariot-voies-aeriennes-fr/" in page.xpath("//a/@href")  # {{< ref >}}
    assert "labels.png" in page.xpath("//img/@src")  # /images/labels.png from static/
    # an escaped shortcode ({{%/* … */%}}) is the shortcode shown as text, in its code block
    page, body = render(root, "migrate-from-jekyll")
    assert any(c.text_content().lstrip().startswith('{{% fig class="full"') for c in page.xpath("//pre/code"))


def test_hugo_leftovers_and_skipped_pages_are_reported(tmp_path, capsys):
    root = new_site(tmp_path)
    _, _, err = run_import(root, capsys, "hugo", str(HUGO))
    found = reported(err)
    source = HUGO / "content/post/airway-bundle/index.md"
    assert ("hugo/content/post/airway-bundle/index.md", line_of(source, "{{< param"),
            "shortcode '{{< param \"audit_year\" >}}' has no Peerpress equivalent; left as text "
            "(rewrite it in Markdown, or remove it)") in found
    assert ("hugo/content/about.md", None, "a top-level page, not a post; not imported "
            "(copy it into content/pages/ by hand)") in found
    assert_clean_but_leftovers(root, err)


def test_hugo_reviews_counted_and_twice_is_a_no_op(tmp_path, capsys):
    root = new_site(tmp_path)
    run_import(root, capsys, "hugo", str(HUGO))
    first = snapshot(root)
    run_import(root, capsys, "hugo", str(HUGO))
    assert snapshot(root) == first
    site = build.run(config(root), build.Options(write=False, drafts=True)).site
    assert site.states["airway-bundle"].status == "published"
    assert site.states["chariot-voies-aeriennes-fr"].status == "published"
    assert site.states["rich-content"].status == "submitted"


def test_hugo_yaml_that_hugo_accepts_but_yaml_does_not_is_a_clear_error(tmp_path, capsys):
    """hugoBasicExample's own migrate-from-jekyll.md lists a tag as '-jekyll': go-yaml reads it, PyYAML not."""
    src = tmp_path / "hugo"
    shutil.copytree(HUGO, src)
    post = src / "content/post/migrate-from-jekyll.md"
    post.write_text(post.read_text(encoding="utf-8").replace("- jekyll\n", "-jekyll\n"), encoding="utf-8")
    root = new_site(tmp_path)
    before = snapshot(root)
    code, _, err = run_import(root, capsys, "hugo", str(src))
    assert code == 1
    assert err.startswith("hugo/content/post/migrate-from-jekyll.md:11: error: "
                          "a list item needs a space after the dash (write '- jekyll')")
    assert snapshot(root) == before


def test_hugo_broken_toml_names_its_line(tmp_path, capsys):
    src = tmp_path / "hugo"
    (src / "content/post").mkdir(parents=True)
    (src / "content/post/x.md").write_text('+++\ntitle = "X"\nauthor = "A B"\ndate = 2024-01-0x\n+++\nText\n')
    root = new_site(tmp_path)
    code, _, err = run_import(root, capsys, "hugo", str(src))
    assert code == 1
    assert err.startswith("hugo/content/post/x.md:4: error: invalid TOML")


def test_hugo_url_and_permalinks_config_give_the_old_address(tmp_path, capsys):
    src = tmp_path / "hugo"
    (src / "content/posts").mkdir(parents=True)
    (src / "hugo.yaml").write_text("baseURL: https://notes.example/teaching/\nparams:\n  author: Bea Ward\n"
                                   "permalinks:\n  posts: /:year/:month/:slug/\n")
    (src / "content/posts/a.md").write_text("---\ntitle: A\ndate: 2022-05-06\nslug: shock-index\n---\nA.\n")
    (src / "content/posts/b.md").write_text('{\n  "title": "B",\n  "date": "2022-06-01",\n  "url": "/b-old"\n}\nB.\n')
    root = new_site(tmp_path)
    code, _, err = run_import(root, capsys, "hugo", str(src))
    assert code == 0, err
    a, _ = front(root / "content/posts/shock-index/index.md")
    assert a["aliases"] == ["/teaching/2022/05/shock-index/"] and a["authors"] == ["bea-ward"]
    b, body = front(root / "content/posts/b/index.md")  # JSON front matter
    assert b["aliases"] == ["/teaching/b-old/"] and body.strip() == "B."
