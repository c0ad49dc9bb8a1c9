"""Search: the Pagefind index built from the final HTML of published posts, and the /search/ page.

Pagefind's fragment files are gzip-compressed JSON behind a "pagefind_dcd" signature; the tests
read them to see exactly which pages, words and filters were indexed. Searching in a browser is
tested in tests/browser/.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cbor2
import lxml.etree
import lxml.html
import pytest

from generator import search, search_order
from generator.engine import build
from generator import config as config_mod
from generator.model import Output
from generator.readers import tag_label

ROOT = Path(__file__).resolve().parent.parent

SIGNATURE = b"pagefind_dcd"


def fragments(site: Path) -> dict[str, dict]:
    """Every indexed page by URL: its text, filters and metadata."""
    out = {}
    for f in sorted((site / "pagefind" / "fragment").iterdir()):
        data = gzip.decompress(f.read_bytes())
        assert data.startswith(SIGNATURE)
        record = json.loads(data[len(SIGNATURE):])
        out[record["url"]] = record
    return out


def entry(site: Path) -> dict:
    return json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample blog built with --drafts (so unpublished posts are rendered too), once per module."""
    root = Path(__file__).resolve().parent.parent
    dest = tmp_path_factory.mktemp("search") / "sample"
    shutil.copytree(root / "content", dest / "content")
    shutil.copytree(root / "reviews", dest / "reviews")
    shutil.copy(root / "site.yaml", dest / "site.yaml")
    report = build_sample(dest)
    assert report.problems == []
    return dest, report


def build_sample(dest: Path) -> build.BuildReport:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1793491200")  # the date the sample's review states assume
        return build.run(config_mod.load(dest / "site.yaml"), build.Options(out=dest / "site", drafts=True))


def test_sample_index_has_exactly_the_published_posts(sample):
    root, report = sample
    site = report.site
    published = {f"/posts/{p.id}/" for p in site.listed if site.states[p.id].status == "published"}
    unpublished = {f"/posts/{p.id}/" for p in site.listed} - published
    assert published and unpublished, "the sample should have both kinds for this test to mean anything"
    assert set(fragments(root / "site")) == published
    languages = entry(root / "site")["languages"]
    assert list(languages) == ["en"]
    assert languages["en"]["page_count"] == len(published)
    for rel in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js"):
        assert (root / "site" / "pagefind" / rel).is_file()


def test_only_published_post_pages_are_marked_for_indexing(sample):
    root, report = sample
    site = report.site
    for html in sorted((root / "site").rglob("*.html")):
        rel = html.relative_to(root / "site").as_posix()
        if rel.startswith("pagefind/"):
            continue
        marked = lxml.html.parse(str(html)).getroot().xpath("//*[@data-pagefind-body]")
        post_id = rel.split("/")[1] if rel.startswith("posts/") and rel.count("/") == 2 else None
        should = post_id is not None and site.states[post_id].status == "published"
        assert len(marked) == (1 if should else 0), rel


def test_filters_and_text_come_from_the_post(sample):
    root, report = sample
    site = report.site
    records = fragments(root / "site")
    labels = site.config.taxonomies["audience"]
    for url, record in records.items():
        post = site.posts[url.split("/")[2]]
        assert record["meta"]["title"] == post.title
        # Tags filter by the words readers see (tag_labels in site.yaml, else the tag in words).
        assert sorted(record["filters"]["tag"]) == sorted(tag_label(site, t) for t in post.tags)
        assert record["filters"]["status"] == ["Peer reviewed"]
        assert record["meta"]["status"].startswith("Peer reviewed · Reviewed by ")
        assert sorted(record["filters"].get("audience", [])) == sorted(labels[t] for t in post.audience)
        # The citation block, share links and table of contents are not searchable text.
        assert "Cite this post" not in record["content"]
        assert "Bluesky" not in record["content"]
    sepsis = records["/posts/sepsis-first-hour/"]
    assert "lactate" in sepsis["content"]
    # Heading anchors ("#") are not part of sub-result titles.
    assert all(not a["text"].endswith("#") for a in sepsis.get("anchors", []))


def test_search_page_loads_pagefind_from_the_same_site(sample):
    root, report = sample
    page = lxml.html.parse(str(root / "site/search/index.html")).getroot()
    scripts = page.xpath("//script/@src")
    assert "/pagefind/pagefind-ui.js" in scripts
    assert all(src.startswith("/") and not src.startswith("//") for src in scripts)
    assert page.xpath("//link[@rel='stylesheet']/@href")[-1] == "/pagefind/pagefind-ui.css"
    box = page.xpath("//*[@data-search]")[0]
    assert box.get("data-bundle") == "/pagefind/" and box.get("data-base-url") == "/"
    assert page.xpath("//noscript//a/@href") == ["/archive/", "/tags/"]
    assert page.xpath("//nav[@aria-label='Main']//a[@href='/search/']/@aria-current") == ["page"]


def test_rebuild_reuses_the_index_byte_for_byte(sample):
    """Pagefind orders some index data differently on every run; the cache keeps rebuilds stable."""
    root, report = sample
    before = {f.relative_to(root / "site"): f.read_bytes() for f in (root / "site/pagefind").rglob("*") if f.is_file()}
    again = build_sample(root)
    assert again.problems == []
    after = {f.relative_to(root / "site"): f.read_bytes() for f in (root / "site/pagefind").rglob("*") if f.is_file()}
    assert after == before
    assert again.written == 0


def test_base_path_is_passed_to_the_search_ui(blog):
    blog.__init__(blog.root, {"base_url": "https://example.org/notes/", "search": {"enabled": True}})
    blog.post("p", title="Lactate", body="Lactate is not specific.\n")
    blog.approve_twice("p")
    assert blog.build().problems == []
    page = lxml.html.parse(str(blog.root / "site/search/index.html")).getroot()
    box = page.xpath("//*[@data-search]")[0]
    assert (box.get("data-bundle"), box.get("data-base-url")) == ("/notes/pagefind/", "/notes/")
    # Pagefind stores URLs relative to the site; the UI prefixes the base path.
    assert set(fragments(blog.root / "site")) == {"/posts/p/"}


def test_search_disabled_builds_no_index_and_no_page(blog):
    blog.__init__(blog.root, {"search": {"enabled": False}})
    blog.post("p")
    blog.approve_twice("p")
    assert blog.build().problems == []
    site = blog.root / "site"
    assert not (site / "pagefind").exists()
    assert not (site / "search").exists()
    home = lxml.html.parse(str(site / "index.html")).getroot()
    assert home.xpath("//a[contains(@href, 'search')]") == []


def test_nothing_published_gives_a_page_without_an_index(blog):
    blog.__init__(blog.root, {"search": {"enabled": True}})
    blog.post("p")  # never reviewed, so never published
    assert blog.build().problems == []
    site = blog.root / "site"
    assert not (site / "pagefind").exists()
    page = lxml.html.parse(str(site / "search/index.html")).getroot()
    assert page.xpath("//script[contains(@src, 'pagefind')]") == []
    assert "Nothing has been published yet" in page.xpath("string(//main)")


def test_missing_pagefind_is_a_problem_not_a_traceback(blog, monkeypatch):
    blog.__init__(blog.root, {"search": {"enabled": True}})
    blog.post("p")
    blog.approve_twice("p")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(blog.root / "no-such-pagefind"))
    report = blog.build()
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.severity == "error" and problem.path == "site.yaml"
    assert problem.message.startswith("Pagefind could not index the site") and "no-such-pagefind" in problem.message
    assert not (blog.root / "site").exists()  # an error leaves the output folder untouched


def test_cache_key_changes_with_any_page(tmp_path):
    exe = search.executable()
    pages = [Output("posts/a/index.html", b"<p>a</p>"), Output("posts/b/index.html", b"<p>b</p>")]
    key = search.cache_key(exe, pages)
    assert key == search.cache_key(exe, list(pages))
    assert key != search.cache_key(exe, [pages[0], Output("posts/b/index.html", b"<p>B</p>")])
    assert key != search.cache_key(exe, pages[:1])


def test_search_page_is_listed_in_the_sitemap(sample):
    root, _ = sample
    tree = lxml.etree.parse(str(root / "site/sitemap.xml"))
    locs = tree.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    assert "https://shiftnotes.example.org/search/" in locs


def test_filter_index_is_in_a_fixed_order(tmp_path):
    """search_order: each filter's values sorted, files named after their content, links intact."""
    out = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--no-cache", "--out", str(out)],
                          cwd=ROOT, env={**os.environ, "SOURCE_DATE_EPOCH": "1793491200"},
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    bundle = out / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    meta = search_order.decode(bundle / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")
    names = [name for name, _ in meta[3]]
    assert names == sorted(names) and "tag" in names and "audience" in names
    for name, file_hash in meta[3]:
        path = bundle / "filter" / f"{file_hash}.pf_filter"
        raw = gzip.decompress(path.read_bytes())
        filter_name, values = cbor2.loads(raw[len(search_order.SIGNATURE):])
        assert filter_name == name
        assert [v[0] for v in values] == sorted(v[0] for v in values)
        assert file_hash.endswith(search_order.encode([filter_name, values])[1][:7])


def test_keep_reuses_the_previous_index_until_a_build_indexes_again(blog):
    """`build --search keep` (serve's rebuilds): the pages change at once, the index lags behind."""
    blog.__init__(blog.root, {"search": {"enabled": True}})
    blog.post("p", title="Lactate", body="Lactate is not specific.\n")
    blog.approve_twice("p")
    first = blog.build(search="keep")  # nothing to keep yet: it indexes
    assert first.problems == [] and not first.search_kept
    site = blog.root / "site"
    assert "specific" in fragments(site)["/posts/p/"]["content"]
    index_before = {f: f.read_bytes() for f in (site / "pagefind").rglob("*") if f.is_file()}

    blog.post("p", title="Lactate", body="Capillary refill time matters more.\n")
    blog.approve_twice("p")
    kept = blog.build(search="keep")
    assert kept.problems == [] and kept.search_kept
    page = lxml.html.parse(str(site / "posts/p/index.html")).getroot()
    assert "Capillary refill" in page.xpath("string(//article)")
    assert {f: f.read_bytes() for f in (site / "pagefind").rglob("*") if f.is_file()} == index_before

    fresh = blog.build()
    assert fresh.problems == [] and not fresh.search_kept
    assert "capillary" in fragments(site)["/posts/p/"]["content"].lower()


def test_a_kept_index_is_never_taken_for_an_up_to_date_site(blog):
    """The no-op check must not skip the build that brings a kept index up to date."""
    from generator.commands.build import fast_path

    blog.__init__(blog.root, {"search": {"enabled": True}})
    blog.post("p", title="Lactate", body="Lactate is not specific.\n")
    blog.approve_twice("p")
    assert blog.build(search="keep").problems == []
    old = os.stat(blog.root / "site.yaml").st_mtime - 60  # past the racy window
    for p in blog.root.rglob("*"):
        if ".peerpress-cache" not in p.parts and p.relative_to(blog.root).parts[0] != "site":
            os.utime(p, (old, old), follow_symlinks=False)
    assert blog.build(search="keep").problems == []
    argv = ["build", "--config", str(blog.root / "site.yaml"), "--out", str(blog.root / "site")]
    assert fast_path(argv) is None
    assert blog.build().problems == []
    assert fast_path(argv) == 0


def test_a_failing_pagefind_fails_the_build_and_leaves_the_site(blog, monkeypatch, tmp_path):
    """Pagefind runs beside the build; when it fails, its words reach the problem and nothing is swapped in."""
    blog.__init__(blog.root, {"search": {"enabled": True}})
    blog.post("p", title="Lactate", body="Lactate is not specific.\n")
    blog.approve_twice("p")
    assert blog.build().problems == []
    site = blog.root / "site"
    before = {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in site.rglob("*") if f.is_file()}

    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: the index exploded' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    blog.post("p", title="Lactate", body="Lactate is not specific, and other words.\n")
    blog.approve_twice("p")
    report = blog.build(no_cache=True)
    assert [(p.severity, p.path) for p in report.problems] == [("error", "site.yaml")]
    assert report.problems[0].message == "Pagefind failed to index the site: Error: the index exploded"
    assert {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in site.rglob("*") if f.is_file()} == before
    assert not list(blog.root.glob(".site.building-*"))  # the staged pages are gone again
