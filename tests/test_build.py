"""Full builds: the sample blog, a fixture site, failures that leave site/ untouched, the CLI."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parse(path: Path):
    return lxml.html.parse(str(path)).getroot()


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    """The bundled sample blog, built once for this module."""
    out = tmp_path_factory.mktemp("sample") / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1793491200"}
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def test_sample_writes_every_page_kind(sample_site):
    for rel in ["index.html", "archive/index.html", "tags/index.html", "authors/index.html",
                "reviewers/index.html", "review-policy/index.html", "about/index.html",
                "contribute/index.html", "404.html", "sitemap.xml", "robots.txt",
                "assets/css/main.css", "assets/css/pygments.css"]:
        assert (sample_site / rel).is_file(), rel
    home = parse(sample_site / "index.html")
    posts = home.xpath("//section[@class='recent']//h3[@class='card-title']/a/@href")
    assert posts and all(h.startswith("/posts/") for h in posts)
    for href in posts:
        page = parse(sample_site / href.strip("/") / "index.html")
        assert page.xpath("//p[@class='review-badge']"), href
        assert (sample_site / href.strip("/") / "reviews/index.html").is_file()


def test_sample_unpublished_posts_are_absent(sample_site):
    assert not (sample_site / "posts/handover-psychological-safety").exists()
    assert not (sample_site / "posts/venous-blood-gas").exists()


def test_sample_bundle_image_is_copied(sample_site):
    page = parse(sample_site / "posts/ecg-systematic/index.html")
    [src] = page.xpath("//div[@class='post-body']//img/@src")[:1]
    assert (sample_site / "posts/ecg-systematic" / src).is_file()


def test_sitemap_and_robots(sample_site):
    tree = lxml.etree.parse(str(sample_site / "sitemap.xml"))
    locs = tree.xpath("//s:loc/text()", namespaces=SITEMAP_NS)
    assert "https://shiftnotes.example.org/" in locs
    assert "https://shiftnotes.example.org/posts/ecg-systematic/" in locs
    assert not any("404" in loc for loc in locs)
    robots = (sample_site / "robots.txt").read_text().splitlines()
    assert "Sitemap: https://shiftnotes.example.org/sitemap.xml" in robots


def test_sample_check_is_clean():
    proc = subprocess.run([sys.executable, "-m", "generator", "check", "--strict"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1793491200"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_post_page_structure(blog):
    blog.post("p", title="On ECGs", tags=["ECG", "Bedside teaching"], summary="Read ECGs well.",
              objectives=["Name the ten steps"],
              body="## One\n\nx\n\n## Two\n\ny\n\n## Three\n\nz[^1]\n\n[^1]: Note.\n")
    blog.approve_twice("p")
    blog.post("q", title="Older", date="2024-12-01")
    blog.approve_twice("q")
    report = blog.build()
    assert report.problems == []
    page = parse(blog.root / "site/posts/p/index.html")
    assert page.xpath("string(//h1)") == "On ECGs"
    assert page.xpath("//title/text()") == ["On ECGs · Test Blog"]
    assert page.xpath("//link[@rel='canonical']/@href") == ["https://blog.example.org/posts/p/"]
    assert page.xpath("//meta[@name='description']/@content") == ["Read ECGs well."]
    assert page.xpath("//ul[@class='tag-list']/li/a/@href") == ["/tags/ecg/", "/tags/bedside-teaching/"]
    assert [a.text for a in page.xpath("//nav[@class='toc']//a")] == ["One", "Two", "Three"]
    assert page.xpath("//aside[@class='objectives']//li/text()") == ["Name the ten steps"]
    assert page.xpath("//nav[@class='prev-next']/a[@rel='prev']/@href") == ["/posts/q/"]
    assert page.xpath("//a[@class='orcid']/@href") == ["https://orcid.org/0000-0002-1825-0097"]
    tag = parse(blog.root / "site/tags/ecg/index.html")
    assert tag.xpath("//h2[@class='card-title']/a/text()") == ["On ECGs"]  # h1 → h2: no skipped level
    author = parse(blog.root / "site/authors/ada/index.html")
    assert author.xpath("//h3[@class='card-title']/a/text()") == ["On ECGs", "Older"]
    archive = parse(blog.root / "site/archive/index.html")
    assert archive.xpath("//h2/text()") == ["2025", "2024"]


def test_pagination(blog):
    blog.__init__(blog.root, {"per_page": 2})
    for i in range(5):
        blog.post(f"p{i}", date=f"2025-01-1{i}")
        blog.approve_twice(f"p{i}")
    blog.build()
    out = blog.root / "site"
    assert (out / "page/2/index.html").is_file() and (out / "page/3/index.html").is_file()
    assert not (out / "page/4").exists()
    page2 = parse(out / "page/2/index.html")
    assert page2.xpath("//section[@class='recent']//h3/a/@href") == ["/posts/p2/", "/posts/p1/"]
    assert page2.xpath("//nav[@class='pager']/a[@rel='prev']/@href") == ["/"]
    assert page2.xpath("//nav[@class='pager']/a[@rel='next']/@href") == ["/page/3/"]


def test_base_url_with_path(blog):
    blog.__init__(blog.root, {"base_url": "https://example.org/blog"})
    blog.post("p")
    blog.approve_twice("p")
    blog.build()
    home = parse(blog.root / "site/index.html")
    assert home.xpath("//h3[@class='card-title']/a/@href") == ["/blog/posts/p/"]
    assert home.xpath("//link[@rel='stylesheet']/@href")[0].startswith("/blog/assets/css/main.css?v=")


def run_cli(blog, *args):
    return main([*args, "--config", str(blog.root / "site.yaml")])


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("breakage, expected", [
    ("---\ntitle: [broken\nauthors: [ada]\n---\n",
     "content/posts/bad.md:2: error: this list is never closed (add ']' at the end of the line)"),
    ("---\ntitle: T\nauthors: [jdoe]\ndate: 2025-01-01\n---\n", "content/posts/bad.md:3: error: unknown author 'jdoe'"),
    ("---\ntitle: T\nauthors: [ada]\ndate: 2025-01-01\nid: p\n---\n",
     "content/posts/p.md:1: error: duplicate post id 'p' (content/posts/bad.md has the same id"),
])
def test_bad_input_fails_cleanly_and_keeps_site(blog, capsys, breakage, expected):
    blog.post("p")
    blog.approve_twice("p")
    assert run_cli(blog, "build") == 0
    before = snapshot(blog.root / "site")
    blog.write("content/posts/bad.md", breakage)
    capsys.readouterr()
    assert run_cli(blog, "build") == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err
    assert snapshot(blog.root / "site") == before


def test_check_formats(blog, capsys):
    blog.post("p", authors=["jdoe"])
    assert run_cli(blog, "check", "--format", "json") == 1
    [problem] = json.loads(capsys.readouterr().err)
    assert problem["path"] == "content/posts/p.md" and problem["line"] == 4 and problem["severity"] == "error"
    assert run_cli(blog, "check", "--format", "github") == 1
    assert capsys.readouterr().err.strip().startswith("::error file=content/posts/p.md,line=4::unknown author 'jdoe'")


def test_check_strict_fails_on_warnings(blog, capsys):
    blog.post("p")
    blog.review("p", "rita", name="not-a-date-name")
    assert run_cli(blog, "check") == 0
    assert run_cli(blog, "check", "--strict") == 1
    assert "warning: file name should be" in capsys.readouterr().err


def test_unchanged_files_keep_mtime_and_stale_pages_go(blog):
    blog.post("p")
    blog.approve_twice("p")
    blog.post("q", title="Q")
    blog.approve_twice("q")
    blog.build()
    out = blog.root / "site"
    css_mtime = (out / "assets/css/main.css").stat().st_mtime_ns
    (blog.root / "content/posts/q.md").unlink()
    shutil.rmtree(blog.root / "reviews/q")
    report = blog.build()
    assert report.problems == []
    assert report.unchanged > 0
    assert (out / "assets/css/main.css").stat().st_mtime_ns == css_mtime
    assert not (out / "posts/q").exists()


def test_refuses_dangerous_output(blog, capsys):
    blog.post("p")
    assert run_cli(blog, "build", "--out", str(blog.root)) == 1
    assert run_cli(blog, "build", "--out", str(blog.root / "content")) == 1
    assert "refusing to build into" in capsys.readouterr().err
    assert (blog.root / "content/posts/p.md").is_file()


def test_new_post_scaffold(blog, capsys):
    assert run_cli(blog, "new", "post", "Giving Feedback: 5 Tips", "--author", "ada") == 0
    path = blog.root / "content/posts/giving-feedback-5-tips.md"
    assert path.is_file()
    assert run_cli(blog, "check") == 1  # until the author replaces the placeholder text
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("Write the post here")] + "Feedback, in five tips.\n", encoding="utf-8")
    assert run_cli(blog, "check") == 0


def test_python_m_and_console_script_agree():
    proc = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "build" in proc.stdout and "check" in proc.stdout
    script = shutil.which("peerpress", path=str(Path(sys.executable).parent))
    assert script, "the peerpress console script is installed beside this Python"
    console = subprocess.run([script, "--help"], capture_output=True, text=True, check=False)
    assert console.returncode == 0 and console.stdout == proc.stdout


def test_home_shows_featured_posts_once(sample_site):
    home = parse(sample_site / "index.html")
    featured = home.xpath("//section[@class='featured']//h3[@class='card-title']/a/@href")
    recent = home.xpath("//section[@class='recent']//h3[@class='card-title']/a/@href")
    assert featured and recent and not set(featured) & set(recent)
