"""`peerpress import jekyll`: a real Jekyll site's config and post, and medical-education posts in its format.

Also what every importer shares: dry run, idempotence, edited files kept, people merged in site.yaml,
review records pinned to the imported text and counted by the real review policy.
"""
from __future__ import annotations

import difflib

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

JEKYLL = FIXTURES / "jekyll"


def test_jekyll_posts_front_matter_and_bundles(tmp_path, capsys):
    root = new_site(tmp_path)
    code, out, err = run_import(root, capsys, "jekyll", str(JEKYLL))
    assert code == 0, err
    posts = root / "content" / "posts"
    assert sorted(p.name for p in posts.iterdir()) == ["gasometria-venosa", "lactate-in-sepsis",
                                                      "sepsis-first-hour", "welcome-zoe-leblanc"]
    data, _ = front(posts / "lactate-in-sepsis" / "index.md")
    assert data["authors"] == ["amara-okafor", "rahul-mehta"]
    assert data["summary"] == "Why a raised lactate is a prompt to look harder, not a diagnosis."
    assert data["doi"] == "10.59350/lact-2024"  # https://doi.org/ prefix dropped
    assert data["tags"] == ["posts", "sepsis", "lactate"]  # categories, then tags
    # permalink ':categories/:title' under baseurl /jekyll, then redirect_from
    assert data["aliases"] == ["/jekyll/posts/lactate-in-sepsis", "/jekyll/lessons/lactate"]
    assert (data["series"], data["series_part"]) == ("Sepsis basics", 2)
    assert data["image"] == "lactate-curve.png"  # the theme's image.feature, now the social-card image
    assert "language" not in data  # English, as the site
    spanish, _ = front(posts / "gasometria-venosa" / "index.md")
    assert spanish["language"] == "es"  # _config.yml defaults: scope path "es" → lang es
    assert spanish["aliases"] == ["/jekyll/es/posts/gasometria-venosa"]  # folder above _posts is a category
    # files the posts link to are copied into the bundles, byte for byte
    assert (posts / "lactate-in-sepsis" / "lactate-curve.png").read_bytes() == \
        (JEKYLL / "assets/img/lactate-curve.png").read_bytes()
    assert (posts / "welcome-zoe-leblanc" / "zoe-leblanc.png").read_bytes() == \
        (JEKYLL / "avatars/zoe-leblanc.png").read_bytes()
    assert "imported 4 posts and 8 review records" in out


def test_jekyll_tags_become_markdown_that_renders(tmp_path, capsys):
    root = new_site(tmp_path)
    run_import(root, capsys, "jekyll", str(JEKYLL))
    cfg = config(root)
    _, body = front(root / "content/posts/lactate-in-sepsis/index.md")
    page = lxml_html.fromstring(markup.render(body, config=cfg, path="x.md").html)
    img = page.xpath("//img")[0]
    assert (img.get("src"), img.get("alt")) == ("lactate-curve.png", "Lactate falling over six hours")
    assert page.xpath("//aside[contains(@class, 'callout-warning')]//text()[contains(., 'chase the lactate')]")
    code = page.xpath("//pre/code[@class='language-python']")[0].text_content()
    assert code.startswith("def clearance(first, second):")
    hrefs = page.xpath("//a/@href")
    assert "/posts/sepsis-first-hour/" in hrefs  # {% post_url %}
    assert "lactate-handout.pdf" in hrefs  # {{ site.baseurl }}/assets/… copied into the bundle
    assert "{{ page.title }}" in page.text_content()  # {% raw %} text kept literally, tags gone
    assert "{% raw %}" not in body and "{% highlight" not in body
    _, zoe = front(root / "content/posts/welcome-zoe-leblanc/index.md")
    figure = lxml_html.fromstring(markup.render(zoe, config=cfg, path="x.md").html).xpath("//img")[0]
    assert figure.get("src") == "zoe-leblanc.png"
    assert caption_of(figure) == "Zoe LeBlanc has joined the Programming Historian"  # a numbered figure's caption
    _, first = front(root / "content/posts/sepsis-first-hour/index.md")
    callout = lxml_html.fromstring(markup.render(first, config=cfg, path="x.md").html)
    assert callout.xpath("//aside[contains(@class, 'callout-note')]")  # <div class="alert alert-info">


def test_jekyll_leftovers_reported_at_their_line_and_check_is_otherwise_clean(tmp_path, capsys):
    root = new_site(tmp_path)
    _, _, err = run_import(root, capsys, "jekyll", str(JEKYLL))
    source = JEKYLL / "_posts/2024-03-04-lactate-in-sepsis.md"
    found = {(f, line, msg.split("'")[1]) for f, line, msg in reported(err)}
    assert ("jekyll/_posts/2024-03-04-lactate-in-sepsis.md", line_of(source, "{% include quiz.html"),
            '{% include quiz.html id="lactate-1" %}') in found
    assert ("jekyll/_posts/2024-03-04-lactate-in-sepsis.md", line_of(source, '"/lessons/sepsis-course"'),
            "/lessons/sepsis-course") in found  # an old page that was not imported
    assert "'/posts/sepsis-first-hour/'" not in err  # {% post_url %}, already converted, is no leftover
    assert_clean_but_leftovers(root, err)


def test_review_records_pinned_and_counted_by_the_policy(tmp_path, capsys):
    root = new_site(tmp_path)
    run_import(root, capsys, "jekyll", str(JEKYLL))
    result = build.run(config(root), build.Options(write=False, drafts=True))
    site = result.site
    assert {pid: s.status for pid, s in site.states.items()} == {
        "lactate-in-sepsis": "published", "sepsis-first-hour": "published", "gasometria-venosa": "published",
        "welcome-zoe-leblanc": "submitted"}  # no reviewers named: held back
    records = [r for r in site.records if r.post_id == "lactate-in-sepsis"]
    assert sorted((r.type, r.person, r.decision) for r in records) == [
        ("decision", "margaret-lowe", "accept"), ("review", "isabel-fernandes", "approve"),
        ("review", "kwame-asante", "approve")]
    post = site.posts["lactate-in-sepsis"]
    assert {r.version for r in records} == {post.content_hash}
    assert {r.date.date().isoformat() for r in records} == {"2024-03-04"}  # dated by the source
    assert all(c.counts for c in site.states["lactate-in-sepsis"].reviews)
    data, _ = front(root / "reviews/lactate-in-sepsis/2024-03-04-kwame-asante.md")
    assert data["imported"] is True
    assert data["source"] == "http://programminghistorian.org/jekyll/posts/lactate-in-sepsis"
    assert not [p for p in result.problems if p.path.startswith("reviews/")]


def test_people_added_and_near_duplicates_merged_keeping_site_yaml(tmp_path, capsys):
    root = new_site(tmp_path)
    before = (root / "site.yaml").read_text(encoding="utf-8")
    _, out, _ = run_import(root, capsys, "jekyll", str(JEKYLL))
    after = (root / "site.yaml").read_text(encoding="utf-8")
    added = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]
    # only additions: comments, order and every existing line survive the round trip
    assert added == ["+   brandon-walsh:", "+     name: Brandon Walsh", "+     roles: [author]"]
    people = config(root).people
    assert list(people["brandon-walsh"].roles) == ["author"]
    # "Kwame Assante" is taken for Kwame Asante, and the import says so; "Sofia Nunez" is Sofía Núñez
    assert "'Kwame Assante' taken for 'kwame-asante' (Kwame Asante): did you mean them?" in out
    data, _ = front(root / "content/posts/gasometria-venosa/index.md")
    assert data["authors"] == ["sofia-nunez"]


def test_person_override_keeps_a_near_duplicate_apart(tmp_path, capsys):
    root = new_site(tmp_path)
    run_import(root, capsys, "jekyll", str(JEKYLL), "--person", "Kwame Assante=kwame-assante")
    people = config(root).people
    assert people["kwame-assante"].name == "Kwame Assante"
    data = sorted(p.name for p in (root / "reviews/lactate-in-sepsis").iterdir())
    assert data == ["2024-03-04-isabel-fernandes.md", "2024-03-04-kwame-assante.md", "2024-03-04-margaret-lowe.md"]
    assert "reviewer" in config(root).people["kwame-assante"].roles


def test_dry_run_writes_nothing_and_lists_what_a_run_writes(tmp_path, capsys):
    root = new_site(tmp_path)
    before = snapshot(root)
    code, dry, _ = run_import(root, capsys, "jekyll", str(JEKYLL), "--dry-run")
    assert code == 0
    assert snapshot(root) == before
    _, real, _ = run_import(root, capsys, "jekyll", str(JEKYLL))
    would = sorted(line.split()[2] for line in dry.splitlines() if line.startswith("would write "))
    wrote = sorted(line.split()[1] for line in real.splitlines() if line.startswith("wrote "))
    assert would == wrote and "site.yaml" in wrote
    assert set(wrote) == set(snapshot(root)) - set(before) | {"site.yaml"}


def test_running_twice_changes_nothing(tmp_path, capsys):
    root = new_site(tmp_path)
    run_import(root, capsys, "jekyll", str(JEKYLL))
    first = snapshot(root)
    code, out, _ = run_import(root, capsys, "jekyll", str(JEKYLL))
    assert code == 0
    assert snapshot(root) == first
    assert not [line for line in out.splitlines() if line.startswith("wrote ")]
    assert ": 0 files to write, 15 unchanged" in out


def test_an_edited_post_is_kept_unless_forced(tmp_path, capsys):
    root = new_site(tmp_path)
    run_import(root, capsys, "jekyll", str(JEKYLL))
    post = root / "content/posts/sepsis-first-hour/index.md"
    edited = post.read_text(encoding="utf-8") + "\nAn edit made after the import.\n"
    post.write_text(edited, encoding="utf-8")
    _, _, err = run_import(root, capsys, "jekyll", str(JEKYLL))
    assert post.read_text(encoding="utf-8") == edited
    assert "kept content/posts/sepsis-first-hour/index.md: it differs from the import" in err
    run_import(root, capsys, "jekyll", str(JEKYLL), "--force")
    assert "An edit made after the import." not in post.read_text(encoding="utf-8")


def test_malformed_front_matter_is_an_error_with_its_line_and_nothing_is_written(tmp_path, capsys):
    src = tmp_path / "blog"
    (src / "_posts").mkdir(parents=True)
    (src / "_posts/2024-01-02-good.md").write_text("---\ntitle: Good\nauthor: A Person\n---\nText.\n")
    (src / "_posts/2024-01-03-bad.md").write_text("---\ntitle: Bad\ntags: [a, b\nauthor: A Person\n---\nText.\n")
    root = new_site(tmp_path)
    before = snapshot(root)
    code, _, err = run_import(root, capsys, "jekyll", str(src))
    assert code == 1
    assert err.startswith("blog/_posts/2024-01-03-bad.md:3: error: this list is never closed")
    assert "Traceback" not in err
    assert snapshot(root) == before


def test_a_post_without_any_author_is_an_error(tmp_path, capsys):
    src = tmp_path / "blog"
    (src / "_posts").mkdir(parents=True)
    (src / "_posts/2024-01-02-lonely.md").write_text("---\ntitle: Lonely\n---\nText.\n")
    root = new_site(tmp_path)
    code, _, err = run_import(root, capsys, "jekyll", str(src))
    assert code == 1
    assert "blog/_posts/2024-01-02-lonely.md:1: error: the post names no author" in err


def test_jekyll_default_permalink_and_site_author(tmp_path, capsys):
    """No permalink in _config.yml: Jekyll's default /:categories/:year/:month/:day/:title.html."""
    src = tmp_path / "blog"
    (src / "_posts").mkdir(parents=True)
    (src / "_config.yml").write_text("title: Ward Notes\nauthor:\n  name: Ada Lovelace\nurl: https://ward.example\n")
    (src / "_posts/2023-07-04-fluids.markdown").write_text(
        "---\ntitle: Fluids\ncategories: [Renal Care, icu]\nslug: iv-fluids\n---\nText.\n")
    root = new_site(tmp_path)
    code, out, err = run_import(root, capsys, "jekyll", str(src))
    assert code == 0, err
    data, _ = front(root / "content/posts/iv-fluids/index.md")
    # :categories downcased, not slugified (a space is %20); :title is the front matter's slug
    assert data["aliases"] == ["/renal%20care/icu/2023/07/04/iv-fluids.html"]
    assert data["authors"] == ["ada-lovelace"] and data["tags"] == ["Renal Care", "icu"]
    record_source = "people: new person 'ada-lovelace' (Ada Lovelace)"
    assert record_source in out


def test_a_link_out_of_the_site_folder_copies_nothing(tmp_path, capsys):
    """A post linking '../../secret.txt' (or through a symbolic link) must not publish a private file."""
    (tmp_path / "secret.txt").write_text("private key\n")
    src = tmp_path / "blog"
    (src / "_posts").mkdir(parents=True)
    (src / "images").mkdir()
    (src / "images/leak.txt").symlink_to(tmp_path / "secret.txt")
    (src / "_posts/2024-01-02-x.md").write_text(
        "---\ntitle: X\nauthor: A Person\ntags: airway sepsis\n---\n[a](../../secret.txt) [b](/images/leak.txt)\n")
    root = new_site(tmp_path)
    code, _, err = run_import(root, capsys, "jekyll", str(src))
    assert code == 0, err
    assert sorted(p.name for p in (root / "content/posts/x").iterdir()) == ["index.md"]
    assert "link to the old site '/images/leak.txt' matches no imported post or file" in err
    data, _ = front(root / "content/posts/x/index.md")
    assert data["tags"] == ["airway", "sepsis"]  # Jekyll's space-separated tags


def test_a_lessons_folder_outside_posts(tmp_path, capsys):
    """The Programming Historian keeps its peer-reviewed lessons in en/lessons/, not _posts/."""
    root = new_site(tmp_path)
    code, out, err = run_import(root, capsys, "jekyll", str(JEKYLL), "--posts", "en/lessons")
    assert code == 0, err
    data, body = front(root / "content/posts/json-and-jq/index.md")
    assert data["authors"] == ["matthew-lincoln"] and data["doi"] == "10.46430/phen0055"
    assert data["summary"].startswith("Working with data from an art museum API")  # abstract
    assert data["tags"] == ["data-manipulation"]  # topics
    assert data["aliases"] == ["/jekyll/en/lessons/json-and-jq.html", "/jekyll/lessons/json-and-jq"]
    assert "{% include toc.html %}" not in body  # Peerpress lists the contents itself
    page = lxml_html.fromstring(markup.render(body, config=config(root), path="x.md").html)
    assert page.xpath("//img/@src") == ["jqplay-screenshot.png"]  # found in /images/<lesson>/
    assert page.xpath("//aside[contains(@class, 'callout-warning')]")
    review, _ = front(root / "reviews/json-and-jq/2016-05-24-nick-ruest.md")
    assert review["source"] == "https://github.com/programminghistorian/ph-submissions/issues/23"  # review-ticket
    decision, _ = front(root / "reviews/json-and-jq/2016-05-24-ian-milligan.md")
    assert (decision["type"], decision["decision"]) == ("decision", "accept")
    site = build.run(config(root), build.Options(write=False, drafts=True)).site
    assert site.states["json-and-jq"].status == "published"
    assert set(config(root).people["ian-milligan"].roles) == {"editor", "reviewer"}


def test_posts_folder_must_be_inside_the_site(tmp_path, capsys):
    root = new_site(tmp_path)
    code, _, err = run_import(root, capsys, "jekyll", str(JEKYLL), "--posts", "../hugo")
    assert code == 1 and err.startswith("../hugo: error: --posts names no folder inside the site")


def test_tags_inside_list_items_are_converted_and_code_is_left_alone(tmp_path, capsys):
    src = tmp_path / "blog"
    (src / "_posts").mkdir(parents=True)
    (src / "img").mkdir()
    (src / "img/step.png").write_bytes(b"\x89PNG placeholder")
    (src / "_posts/2024-01-02-steps.md").write_text(
        "---\ntitle: Steps\nauthor: A Person\n---\n"
        "1. Open the airway.\n\n"
        "    {% include figure.html image=\"/img/step.png\" caption=\"Head tilt, chin lift.\" %}\n\n"
        "{% comment %}draft note: add the jaw thrust{% endcomment %}\n"
        "The tag in this code block is an example:\n\n"
        "    {% include example.html %}\n")
    root = new_site(tmp_path)
    code, _, err = run_import(root, capsys, "jekyll", str(src))
    assert code == 0, err
    _, body = front(root / "content/posts/steps/index.md")
    page = lxml_html.fromstring(markup.render(body, config=config(root), path="x.md").html)
    assert page.xpath("//ol/li//img/@src") == ["step.png"]  # the figure stays in its list item
    assert page.xpath("//pre/code/text()") == ["{% include example.html %}\n"]  # code: untouched, not reported
    assert "draft note" not in body
    assert "example.html" not in err
