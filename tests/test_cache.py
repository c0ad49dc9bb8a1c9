"""The build cache, parallel rendering and the no-op check: an incremental build must give the
very same site as a clean build, byte for byte, after every kind of change."""
from __future__ import annotations

import io
import os
import pickle
import shutil
from pathlib import Path

import jinja2.bccache
import lxml.html
import pytest
import yaml

from generator import cache, render, theme
from generator.commands.build import fast_path
from generator.engine import build, noop
from tests.sitebuilder import SiteBuilder

BUILTIN_BASE = Path(__file__).resolve().parent.parent / "themes/default/templates/base.html"


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(b: SiteBuilder, tmp_path: Path) -> dict[str, bytes]:
    """The same project copied without its cache or site, built from nothing."""
    copy = tmp_path / f"clean-{len(list(tmp_path.glob('clean-*')))}"
    shutil.copytree(b.root, copy, ignore=shutil.ignore_patterns(".peerpress-cache", "site", ".site*"))
    report = build.run(_config(copy), build.Options(out=copy / "site", no_cache=True))
    assert not [p for p in report.problems if p.severity == "error"], report.problems
    return files(copy / "site")


def _config(root: Path):
    from generator import config as config_mod
    return config_mod.load(root / "site.yaml")


@pytest.fixture
def counted(monkeypatch):
    """How many pages the renderer really renders (jobs=1 keeps them in this process)."""
    calls = []
    real = render.Renderer.page

    def page(self, template, path, **context):
        calls.append(path)
        return real(self, template, path, **context)

    monkeypatch.setattr(render.Renderer, "page", page)
    return calls


def sample(b: SiteBuilder) -> None:
    b.write("content/bibliography.bib", "@article{smith2020,\n  author = {Smith, Jo},\n  title = {Triage},\n"
                                        "  journal = {EMJ},\n  year = {2020}\n}\n")
    for n, tag in enumerate(["sepsis", "ecg", "sepsis"]):
        b.post(f"p{n}", title=f"Post {n}", date=f"2025-01-1{n}", tags=[tag],
               body=f"Text {n} citing [@smith2020].\n\n## A heading\n\nMore.\n")
        b.approve_twice(f"p{n}")


def incremental(b: SiteBuilder) -> build.BuildReport:
    report = b.build(jobs=1)
    assert not [p for p in report.problems if p.severity == "error"], report.problems
    return report


def use_theme(b: SiteBuilder, base_text: str) -> None:
    b.write("themes/mine/theme.yaml", "extends: default\n")
    b.write("themes/mine/templates/base.html", base_text)
    data = yaml.safe_load((b.root / "site.yaml").read_text())
    data["theme"] = "mine"
    b.write("site.yaml", yaml.safe_dump(data, sort_keys=False))


def edit_body(b):
    b.post("p1", title="Post 1", date="2025-01-11", tags=["ecg"], body="A new text for one.\n")
    b.approve_twice("p1")


def edit_title(b):
    b.post("p2", title="Post two, renamed", date="2025-01-12", tags=["sepsis", "new-tag"],
           body="Text 2 citing [@smith2020].\n")
    b.approve_twice("p2")


def edit_review(b):
    b.review("p0", "ed", decision="comment", date="2025-01-20", body="A late comment.\n")


def unpublish(b):
    b.review("p0", "rita", decision="revise", body="Please revise.\n")


def edit_config(b):
    data = yaml.safe_load((b.root / "site.yaml").read_text())
    data["title"] = "A renamed blog"
    b.write("site.yaml", yaml.safe_dump(data, sort_keys=False))


def edit_template(b):
    use_theme(b, BUILTIN_BASE.read_text(encoding="utf-8").replace("</body>", "<!-- mine --></body>"))


def edit_static(b):
    b.write("themes/mine/static/css/main.css", "body { color: teal }\n")


def edit_bibliography(b):
    b.write("content/bibliography.bib", "@article{smith2020,\n  author = {Smith, Jo},\n  title = {Triage again},\n"
                                        "  journal = {EMJ},\n  year = {2021}\n}\n")


def delete_post(b):
    (b.root / "content/posts/p2.md").unlink()
    shutil.rmtree(b.root / "reviews/p2")


CHANGES = [edit_body, edit_title, edit_review, unpublish, edit_config, edit_template, edit_static,
           edit_bibliography, delete_post]


def test_incremental_equals_clean_after_each_kind_of_change(blog, tmp_path):
    sample(blog)
    use_theme(blog, BUILTIN_BASE.read_text(encoding="utf-8"))
    incremental(blog)
    assert files(blog.root / "site") == clean_build(blog, tmp_path)
    for change in CHANGES:
        before = files(blog.root / "site")
        change(blog)
        incremental(blog)
        after = files(blog.root / "site")
        assert after == clean_build(blog, tmp_path), change.__name__
        assert after != before, f"{change.__name__} changed nothing: the test would prove nothing"


def test_a_body_edit_renders_only_the_pages_that_show_it(blog, counted):
    sample(blog)
    incremental(blog)
    assert len(counted) > 15
    counted.clear()
    incremental(blog)
    # Nothing changed: every page of the render step is kept (a step rendering on its own, such
    # as the feeds page, may still render its page).
    assert not [p for p in counted if p == "" or p.startswith(("posts/", "tags/", "authors/", "archive/"))]
    edit_body(blog)
    incremental(blog)
    # p1's page and review page, the home page and the listing pages it is on (its tag, its author,
    # the archive), and its neighbours, whose "older / newer" links show it.
    assert "posts/p1/" in counted and "posts/p1/reviews/" in counted and "posts/p0/" in counted
    assert "tags/sepsis/" not in counted


def test_kept_pages_keep_their_mtime(blog):
    sample(blog)
    incremental(blog)
    page = blog.root / "site/posts/p0/index.html"
    mtime = page.stat().st_mtime_ns
    edit_body(blog)
    incremental(blog)
    assert page.stat().st_mtime_ns == mtime


def test_parallel_rendering_is_deterministic(blog, tmp_path):
    for n in range(30):  # 60+ pages: above parallel.SERIAL_BELOW, so workers are forked
        blog.post(f"p{n:02d}", title=f"Post {n}", date=f"2025-02-{n % 28 + 1:02d}", tags=[f"t{n % 4}"],
                  body=f"Body {n}.\n\n```python\nprint({n})\n```\n")
        blog.approve_twice(f"p{n:02d}")
    one = blog.build(out=tmp_path / "one", jobs=1, no_cache=True)
    two = blog.build(out=tmp_path / "two", jobs=2, no_cache=True)
    assert one.problems == two.problems
    assert files(tmp_path / "one") == files(tmp_path / "two")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign-version", "other-key"])
def test_a_damaged_or_foreign_cache_is_ignored(blog, tmp_path, damage, counted):
    sample(blog)
    incremental(blog)
    folder = blog.root / cache.FOLDER
    packs = sorted(folder.glob("*.pickle"))
    assert packs
    for pack in packs:
        data = pack.read_bytes()
        if damage == "garbage":
            pack.write_bytes(os.urandom(len(data)))
        elif damage == "truncated":
            pack.write_bytes(data[: len(data) // 2])
        elif damage == "foreign-version":
            pack.write_bytes(data.replace(f" {cache.FORMAT} ".encode(), f" {cache.FORMAT + 1} ".encode(), 1))
        else:  # made by someone else: a valid header, but their key
            pack.write_bytes(data[: data.index(b"\n") + 1] + os.urandom(32) + data[data.index(b"\n") + 33:])
    edit_body(blog)
    counted.clear()
    incremental(blog)
    assert len(counted) > 15  # everything rendered again, nothing trusted
    assert files(blog.root / "site") == clean_build(blog, tmp_path)


class Boom:
    def __reduce__(self):
        return (Path.write_text, (Path(os.environ["BOOM_FILE"]), "unpickled!"))


def test_a_tampered_cache_is_never_unpickled(blog, tmp_path, monkeypatch):
    sample(blog)
    incremental(blog)
    boom = tmp_path / "boom"
    monkeypatch.setenv("BOOM_FILE", str(boom))
    for pack in (blog.root / cache.FOLDER).glob("*.pickle"):
        data = pack.read_bytes()
        header = data[: data.index(b"\n") + 1]
        pack.write_bytes(header + data[len(header):len(header) + 32] + pickle.dumps(Boom()))
    edit_body(blog)
    incremental(blog)
    assert not boom.exists()
    assert files(blog.root / "site") == clean_build(blog, tmp_path)


def argv(b: SiteBuilder) -> list[str]:
    return ["build", "--config", str(b.root / "site.yaml"), "--out", str(b.root / "site")]


def settle(b: SiteBuilder) -> None:
    """Age every input past the racy window, as if written a while ago."""
    old = os.stat(b.root / "site.yaml").st_mtime - 60
    for p in b.root.rglob("*"):
        if ".peerpress-cache" not in p.parts and "site" not in p.relative_to(b.root).parts[:1]:
            os.utime(p, (old, old), follow_symlinks=False)


def test_noop_check_recognises_an_unchanged_site_and_nothing_else(blog, capsys):
    sample(blog)
    settle(blog)
    incremental(blog)
    assert fast_path(argv(blog)) == 0
    assert "(0 written, " in capsys.readouterr().out
    assert fast_path(argv(blog) + ["--drafts"]) is None  # other options
    assert fast_path(argv(blog) + ["--no-cache"]) is None
    (blog.root / "site/index.html").write_text("tampered")
    assert fast_path(argv(blog)) is None  # an output file touched
    incremental(blog)
    assert fast_path(argv(blog)) == 0
    edit_review(blog)
    assert fast_path(argv(blog)) is None  # an input changed (and just now: racy anyway)


def test_noop_fast_path_reads_arguments_with_builds_own_parser(blog, capsys):
    """Every spelling `build` accepts is understood (it once hand-parsed a subset); what would
    not be up to date, or what the real CLI must report, goes to the ordinary build."""
    sample(blog)
    settle(blog)
    incremental(blog)
    config, out = str(blog.root / "site.yaml"), str(blog.root / "site")
    for same in (["build", f"--config={config}", f"--out={out}"], argv(blog) + ["--search", "index"],
                 argv(blog) + ["--jobs", "2", "--format", "text"], argv(blog) + ["--search=index", "--timings"]):
        assert fast_path(same) == 0, same
    capsys.readouterr()
    for other in (argv(blog) + ["--search", "keep"], argv(blog) + ["--format", "json"], argv(blog) + ["--help"],
                  argv(blog) + ["--jobs", "many"], argv(blog) + ["--outt", out], ["check", "--config", config]):
        assert fast_path(other) is None, other
    assert capsys.readouterr().out == ""  # nothing printed on the way to the real CLI

def test_noop_check_expires_when_a_scheduled_post_comes_due(blog, monkeypatch):
    sample(blog)
    blog.post("later", title="Scheduled", date="2026-11-20")  # after the frozen "today" (2026-11-01)
    blog.approve_twice("later")
    settle(blog)
    incremental(blog)
    assert not (blog.root / "site/posts/later").exists()
    monkeypatch.setattr(noop, "_now", lambda: 1795000000.0)  # 2026-11-18: not yet
    assert fast_path(argv(blog)) == 0
    monkeypatch.setattr(noop, "_now", lambda: 1795700000.0)  # 2026-11-26: the post is due
    assert fast_path(argv(blog)) is None


class FakeTerminal:
    def __init__(self, tty: bool):
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_progress_shows_on_a_terminal_only_and_erases_itself(monkeypatch):
    from generator.engine.progress import DELAY, Progress
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert Progress.wanted(FakeTerminal(True)) and not Progress.wanted(FakeTerminal(False))
    monkeypatch.setenv("CI", "true")
    assert not Progress.wanted(FakeTerminal(True))
    now = [0.0]
    term = FakeTerminal(True)
    progress = Progress(True, term, clock=lambda: now[0])
    with progress.phase("rendering pages") as tick:
        tick(5)
        assert term.text == ""  # a quick build prints nothing
        now[0] = DELAY + 1
        tick(5)
        assert term.text.startswith("\rrendering pages: 10 done")
    assert term.text.endswith("\r") and term.text.rsplit("\r", 2)[-2].strip() == ""  # erased


def test_corrupt_compiled_templates_are_ignored(blog):
    """Jinja's bytecode cache: damaged entries are recompiled, and the output does not change."""
    blog.post("p")
    blog.approve_twice("p")
    assert blog.build().problems == []
    before = {p.relative_to(blog.root / "site"): p.read_bytes() for p in (blog.root / "site").rglob("*") if p.is_file()}
    entries = list((blog.root / ".peerpress-cache" / "jinja").glob("*.pickle"))
    assert entries, "templates were not cached"
    for entry in entries:  # a signed header kept, the rest damaged: the signature no longer matches
        entry.write_bytes(entry.read_bytes()[:-8] + b"\x80garbage")
    shutil.rmtree(blog.root / "site")
    assert blog.build().problems == []
    after = {p.relative_to(blog.root / "site"): p.read_bytes() for p in (blog.root / "site").rglob("*") if p.is_file()}
    assert after == before


def test_a_planted_compiled_template_never_runs(blog):
    """A .peerpress-cache/ from a pull request holds compiled code for the real templates, in the
    cache's own file names: it is not signed with this machine's key, so it is never loaded."""
    blog.post("p")
    blog.approve_twice("p")
    assert blog.build().problems == []
    folder = blog.root / ".peerpress-cache" / "jinja"
    planted = jinja2.Environment(autoescape=True).compile("<p id='planted'>PLANTED</p>", "x", "x")
    entries = list(folder.glob("*.pickle"))
    assert entries, "templates were not cached"
    for entry in entries:  # the real template's checksum (anyone can compute it), the planted code
        stored = io.BytesIO(cache.load(entry, theme.SignedBytecodeCache.SALT)[len(jinja2.bccache.bc_magic):])
        bucket = jinja2.bccache.Bucket(jinja2.Environment(), entry.stem, pickle.load(stored))
        bucket.code = planted
        entry.write_bytes(bucket.bytecode_to_string())  # what an unsigned cache would hold
    shutil.rmtree(blog.root / "site")
    assert blog.build().problems == []
    page = lxml.html.fromstring((blog.root / "site/posts/p/index.html").read_bytes())
    assert page.xpath("//p[@id='planted']") == [] and page.xpath("//h1")
