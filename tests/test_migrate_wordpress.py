"""`peerpress import wordpress`: WordPress's own WXR test exports and a medical-education export."""
from __future__ import annotations

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

WP = FIXTURES / "wordpress"
EXPORT = WP / "shiftnotes-export.xml"


def render(root, post_id):
    _, body = front(root / f"content/posts/{post_id}/index.md")
    return lxml_html.fromstring(markup.render(body, config=config(root), path="x.md").html), body


def test_wordpress_export_front_matter_and_people(tmp_path, capsys):
    root = new_site(tmp_path)
    code, out, err = run_import(root, capsys, "wordpress", str(EXPORT), "--uploads", str(WP / "uploads"))
    assert code == 0, err
    posts = root / "content/posts"
    assert sorted(p.name for p in posts.iterdir()) == ["hyperkalaemia-the-ecg-first", "qsofa-at-triage", "tube-depth"]
    qsofa, _ = front(posts / "qsofa-at-triage/index.md")
    assert qsofa["title"] == "qSOFA at triage: a screening tool, not a diagnosis"
    assert qsofa["authors"] == ["amara-okafor"]  # 'Dr Amara Okafor', matched by her e-mail address
    assert qsofa["summary"] == "Why qSOFA belongs in prognosis, not at the front door."
    assert qsofa["doi"] == "10.59350/qsofa-2025" and qsofa["tags"] == ["Sepsis", "triage"]
    assert qsofa["aliases"] == ["/blog/2025/03/02/qsofa-at-triage/"]
    assert qsofa["image"] == "qsofa-card.png"  # the featured image (_thumbnail_id)
    tube, _ = front(posts / "tube-depth/index.md")
    assert tube["language"] == "pt" and tube["authors"] == ["tomas-varga"]  # Polylang's language term
    assert "language" not in qsofa  # the export's en-GB is the site's English
    draft, _ = front(posts / "hyperkalaemia-the-ecg-first/index.md")
    assert draft["draft"] is True and "aliases" not in draft  # only a ?p=40 address
    person = config(root).people["tomas-varga"]
    assert (person.name, person.email, list(person.roles)) == ("Tomás Varga", "tomas.varga@example.org", ["author"])
    copied = (posts / "qsofa-at-triage/qsofa-card.png").read_bytes()
    assert copied == (WP / "uploads/2025/03/qsofa-card.png").read_bytes()


def test_wordpress_html_shortcodes_and_blocks_become_markdown(tmp_path, capsys):
    root = new_site(tmp_path)
    run_import(root, capsys, "wordpress", str(EXPORT), "--uploads", str(WP / "uploads"))
    page, body = render(root, "qsofa-at-triage")
    img = page.xpath("//img")[0]  # [caption] around a resized copy → the original, in the bundle
    assert (img.get("src"), img.get("alt"), caption_of(img)) == (
        "qsofa-card.png", "The three qSOFA criteria on a pocket card", "The pocket card we handed out in 2019.")
    assert [li.text_content().strip() for li in page.xpath("//ul/li")] == [
        "respiratory rate of 22 or more", "altered mentation", "systolic blood pressure of 100 mmHg or less"]
    assert page.xpath("//strong/text()") == ["Three criteria"]
    assert page.xpath("//iframe/@src") == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]  # [embed]
    assert "/posts/tube-depth/" in page.xpath("//a/@href")  # a link to the old permalink of another post
    page, body = render(root, "tube-depth")
    assert "wp:" not in body  # block-editor comments are gone
    assert [t.strip() for t in page.xpath("//h2/text()")] == ["Profundidade aproximada"]
    assert page.xpath("//img/@src") == ["ett-depth.png"]
    assert caption_of(page.xpath("//img")[0]) == "Marca nos dentes: cerca de 21 cm na mulher adulta."
    assert page.xpath("//pre/code[@class='language-python']")[0].text_content().startswith("def profundidade")
    assert page.xpath("//iframe/@src") == ["https://player.vimeo.com/video/76979871"]  # wp:embed block


def test_wordpress_leftovers_reported_with_export_lines(tmp_path, capsys):
    root = new_site(tmp_path)
    _, _, err = run_import(root, capsys, "wordpress", str(EXPORT), "--uploads", str(WP / "uploads"))
    found = {(line, msg.split(" (")[0]) for _, line, msg in reported(err)}
    assert (line_of(EXPORT, "[contact-form-7"),
            "shortcode '[contact-form-7]' has no Peerpress equivalent; left as text") in found
    missing = "https://foamed.example.org/blog/wp-content/uploads/2025/03/ecg-k.png"
    assert (line_of(EXPORT, missing), f"{missing} not found under --uploads") in found
    assert (None, "1 item of type 'page' not imported") in found
    assert_clean_but_leftovers(root, err)


def test_wordpress_reviews_from_post_meta_pinned_and_counted(tmp_path, capsys):
    root = new_site(tmp_path)
    run_import(root, capsys, "wordpress", str(EXPORT), "--uploads", str(WP / "uploads"))
    site = build.run(config(root), build.Options(write=False, drafts=True)).site
    assert site.states["qsofa-at-triage"].status == "published"  # two reviewers in post meta
    tube = site.states["tube-depth"]  # one reviewer: the policy needs two
    assert tube.status == "in-review" and tube.needs == ["needs 1 more approval of the current version"]
    records = sorted((r.type, r.person, r.version) for r in site.records if r.post_id == "qsofa-at-triage")
    version = site.posts["qsofa-at-triage"].content_hash
    assert records == [("decision", "margaret-lowe", version), ("review", "helen-strand", version),
                       ("review", "kwame-asante", version)]
    data, _ = front(root / "reviews/qsofa-at-triage/2025-03-02-helen-strand.md")
    assert data["source"] == "https://foamed.example.org/blog/2025/03/02/qsofa-at-triage/" and data["imported"]


def test_wordpress_own_test_exports(tmp_path, capsys):
    """WordPress/wordpress-importer's wxr-simple.xml and wxr-flat-attachment-same-site.xml, unchanged."""
    root = new_site(tmp_path)
    code, out, err = run_import(root, capsys, "wordpress", str(WP / "wxr-simple.xml"))
    assert code == 0, err
    data, body = front(root / "content/posts/hello-world/index.md")
    assert data["title"] == '"The Road Not Taken" by Robert Frost' and data["authors"] == ["admin"]
    assert "tags" not in data  # 'Uncategorized' is WordPress's placeholder, not a topic
    assert "wp:paragraph" not in body and body.lstrip().startswith("Two roads diverged in a yellow wood,")
    assert "'https://playground.internal/path/one' matches no imported post or file" in err
    code, out, err = run_import(root, capsys, "wordpress", str(WP / "wxr-flat-attachment-same-site.xml"),
                                "--uploads", str(WP / "uploads-flat"))
    assert code == 0, err
    assert sorted(p.name for p in (root / "content/posts").iterdir()) == ["hello-world", "post-with-attachment"]
    page, _ = render(root, "post-with-attachment")
    assert page.xpath("//img/@src") == ["canola2.jpg"]  # found through _wp_attached_file
    assert (root / "content/posts/post-with-attachment/canola2.jpg").read_bytes() == \
        (WP / "uploads-flat/2008/06/canola2.jpg").read_bytes()
    assert_clean_but_leftovers(root, err)


def test_wordpress_twice_is_a_no_op_and_dry_run_writes_nothing(tmp_path, capsys):
    root = new_site(tmp_path)
    before = snapshot(root)
    run_import(root, capsys, "wordpress", str(EXPORT), "--uploads", str(WP / "uploads"), "--dry-run")
    assert snapshot(root) == before
    run_import(root, capsys, "wordpress", str(EXPORT), "--uploads", str(WP / "uploads"))
    first = snapshot(root)
    _, out, _ = run_import(root, capsys, "wordpress", str(EXPORT), "--uploads", str(WP / "uploads"))
    assert snapshot(root) == first and ": 0 files to write" in out


def test_a_cut_off_export_is_an_error_at_its_line(tmp_path, capsys):
    cut = tmp_path / "export.xml"
    lines = EXPORT.read_text(encoding="utf-8").split("\n")
    cut.write_text("\n".join(lines[:120]), encoding="utf-8")  # a download that stopped part-way
    root = new_site(tmp_path)
    before = snapshot(root)
    code, _, err = run_import(root, capsys, "wordpress", str(cut))
    assert code == 1 and "Traceback" not in err
    assert err.startswith(f"{cut.as_posix()}:120: error: not well-formed XML")
    assert snapshot(root) == before


def test_an_rss_feed_is_not_a_wordpress_export(tmp_path, capsys):
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>x</title></channel>\n</rss>\n')
    root = new_site(tmp_path)
    code, _, err = run_import(root, capsys, "wordpress", str(feed))
    assert code == 1
    assert err.startswith(f"{feed.as_posix()}:2: error: not a WordPress export (WXR)")


def test_gallery_and_code_shortcodes(tmp_path, capsys):
    root = new_site(tmp_path)
    run_import(root, capsys, "wordpress", str(EXPORT), "--uploads", str(WP / "uploads"))
    page, _ = render(root, "hyperkalaemia-the-ecg-first")
    # [gallery ids="21,31"]: one figure per attachment, copied into this post's bundle
    assert page.xpath("//img/@src")[1:] == ["qsofa-card.png", "ett-depth.png"]
    assert (root / "content/posts/hyperkalaemia-the-ecg-first/ett-depth.png").is_file()
    code = page.xpath("//pre/code[@class='language-r']")[0].text_content()
    assert code == 'k <- c(5.9, 6.4, 7.1)\nif (max(k) > 6.5) message("treat now")\n'


def test_relative_links_in_an_export_are_left_alone(tmp_path, capsys, monkeypatch):
    """WordPress content has no folder of its own: a relative link is never looked up in the working folder."""
    export = tmp_path / "export.xml"
    export.write_text((WP / "wxr-simple.xml").read_text(encoding="utf-8").replace(
        '<a href="https://w.org">third</a>', '<a href="notes.txt">third</a>'), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not part of the blog\n")
    monkeypatch.chdir(tmp_path)
    root = new_site(tmp_path)
    code, _, err = run_import(root, capsys, "wordpress", str(export))
    assert code == 0, err
    assert sorted(p.name for p in (root / "content/posts/hello-world").iterdir()) == ["index.md"]
    page, _ = render(root, "hello-world")
    assert "notes.txt" in page.xpath("//a/@href")


def test_an_author_named_as_reviewer_gets_no_record(tmp_path, capsys):
    export = tmp_path / "export.xml"
    export.write_text(EXPORT.read_text(encoding="utf-8").replace(
        "<![CDATA[Kwame Asante, Helen Strand]]>", "<![CDATA[Kwame Asante, Amara Okafor]]>"), encoding="utf-8")
    root = new_site(tmp_path)
    code, _, err = run_import(root, capsys, "wordpress", str(export), "--uploads", str(WP / "uploads"))
    assert code == 0, err
    item = line_of(export, "<title><![CDATA[qSOFA at triage") - 1  # the <item> holding the post
    assert (export.as_posix(), item, "'amara-okafor' is named both as an author and as a reviewer; no review "
            "record made (an author's own review never counts)") in reported(err)
    assert sorted(p.name for p in (root / "reviews/qsofa-at-triage").iterdir()) == [
        "2025-03-02-kwame-asante.md", "2025-03-02-margaret-lowe.md"]
