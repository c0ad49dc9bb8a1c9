"""`serve` keeps the site resident: an edit of a post re-parses that file, re-renders the pages
whose keys changed and writes them in place; what it cannot take falls back to a full build.
After every step the served folder must equal a clean build's, byte for byte."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import render, serve
from generator.engine import build
from generator.errors import has_errors
from tests.gitutil import commit, git_env, init  # noqa: F401 - git_env is a fixture

BASE = "http://127.0.0.1:8123/"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_clean(blog, builder, tmp_path: Path) -> None:
    clean = tmp_path / f"clean-{builder.state.version}"
    report = build.run(blog.config(), build.Options(out=clean, drafts=True, base_url=BASE, no_cache=True))
    assert not has_errors(report.problems)
    served, wanted = tree(builder.out), tree(clean)
    assert sorted(served) == sorted(wanted)
    differ = [path for path in wanted if served[path] != wanted[path]]
    assert differ == []


@pytest.fixture
def served(blog, git_env, tmp_path):  # noqa: F811 - the fixture
    blog.post("pub", title="Published post", tags=["airway"], body="The approved text.\n")
    blog.approve_twice("pub")
    blog.post("draft", title="A draft", tags=["airway", "shock"], body="Draft text.\n\nMore text.\n")
    blog.post("other", title="Other", authors=["bo"], tags=["sepsis"], body="Unrelated.\n")
    init(blog.root)
    commit(blog.root, "the blog")
    out = tmp_path / "served"
    out.mkdir()
    builder = serve.Builder(blog.root / "site.yaml", out, BASE, jobs=1, log=lambda m: None)
    assert builder.build() == []
    assert builder.resident.mode == "full"
    return builder


def change(builder, kind: str, *paths: Path) -> list[str]:
    """What the watcher loop does with the changes it collected."""
    return builder.build(serve.content_only({kind: {str(p.absolute()) for p in paths}}))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_resident_output_equals_a_clean_build_through_a_sequence_of_edits(blog, served, tmp_path):
    draft, pub = blog.root / "content/posts/draft.md", blog.root / "content/posts/pub.md"
    steps = [
        ("body", lambda: edit(draft, "Draft text.", "Draft text, rewritten."), "content", [draft], "resident"),
        ("title", lambda: edit(pub, "title: Published post", "title: Published post, renamed"), "content", [pub],
         "resident"),
        ("tags", lambda: edit(draft, "- shock", "- trauma"), "content", [draft], "resident"),
        ("review", lambda: blog.review("draft", "rita"), "review", [blog.root / "reviews/draft/2025-01-05-rita.md"],
         "full"),
        ("new post", lambda: blog.post("fresh", title="Fresh", tags=["new-tag"], body="New.\n"), "content",
         [blog.root / "content/posts/fresh.md"], "full"),
        ("body again", lambda: edit(draft, "Draft text, rewritten.", "Draft text."), "content", [draft], "resident"),
        ("deleted", lambda: (blog.root / "content/posts/fresh.md").unlink(), "content",
         [blog.root / "content/posts/fresh.md"], "full"),
        ("title back", lambda: edit(pub, "title: Published post, renamed", "title: Published post"), "content",
         [pub], "resident"),
        ("tags back", lambda: edit(draft, "- trauma", "- shock"), "content", [draft], "resident"),
    ]
    for name, act, kind, paths, mode in steps:
        act()
        assert change(served, kind, *paths) == [], name
        assert served.resident.mode == mode, name
        assert_same_as_clean(blog, served, tmp_path)


def test_resident_builds_write_in_place_and_leave_other_pages_alone(blog, served, tmp_path):
    draft = blog.root / "content/posts/draft.md"
    untouched = served.out / "posts/other/index.html"
    before = os.stat(untouched)
    page = served.out / "posts/draft/index.html"
    edit(draft, "Draft text.", "Draft text, edited in place.")
    assert change(served, "content", draft) == []
    assert served.resident.mode == "resident"
    after = os.stat(untouched)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert b"edited in place" in page.read_bytes()
    edit(draft, "- shock", "- trauma")  # the tag page of "shock" is gone, the one of "trauma" new
    assert change(served, "content", draft) == []
    assert served.resident.mode == "resident"
    assert not (served.out / "tags/shock").exists()
    assert (served.out / "tags/trauma/index.html").is_file()
    assert_same_as_clean(blog, served, tmp_path)


def test_a_broken_post_falls_back_to_the_full_build_and_its_problems(blog, served, tmp_path):
    draft = blog.root / "content/posts/draft.md"
    good = draft.read_text(encoding="utf-8")
    draft.write_text(good.replace("title: A draft\n", ""), encoding="utf-8")
    shown = change(served, "content", draft)
    assert served.resident.mode == "full"
    assert any("draft.md" in line and "title" in line for line in shown)
    draft.write_text(good, encoding="utf-8")
    assert change(served, "content", draft) == []
    assert served.resident.mode == "full"  # nothing of the failed build was kept in memory
    edit(draft, "More text.", "More text, again.")
    assert change(served, "content", draft) == []
    assert served.resident.mode == "resident"
    assert_same_as_clean(blog, served, tmp_path)


def test_what_the_resident_path_does_not_take(blog, served, tmp_path):
    draft = blog.root / "content/posts/draft.md"
    edit(draft, "Draft text.", "Draft text, committed.")
    commit(blog.root, "an edit", "2025-01-20T12:00:00+00:00")
    assert change(served, "content", draft) == []
    assert served.resident.mode == "full"  # git's HEAD moved: history may differ
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text.replace("title: A draft\n", "title: A draft\nid: renamed\n"), encoding="utf-8")
    assert change(served, "content", draft) == []
    assert served.resident.mode == "full"  # a post's id changed
    assert_same_as_clean(blog, served, tmp_path)
    blog.write("site.yaml", (blog.root / "site.yaml").read_text(encoding="utf-8").replace("Test Blog", "Tested"))
    assert served.build(serve.content_only({"config": {str(blog.root / "site.yaml")}})) == []
    assert served.resident.mode == "full"
    assert_same_as_clean(blog, served, tmp_path)


def test_the_first_edit_of_an_approved_post_re_renders_its_pages_only(blog, served, tmp_path, monkeypatch):
    """The edit makes the post need approving again (its review state's `needs`): shown on the
    post's own pages, so the pages of the other posts are neither rendered nor written."""
    rendered = []
    page = render.Renderer.page
    monkeypatch.setattr(render.Renderer, "page", lambda self, template, path, **context: (
        rendered.append(path), page(self, template, path, **context))[1])
    pub = blog.root / "content/posts/pub.md"
    edit(pub, "The approved text.", "The approved text, revised.")
    assert change(served, "content", pub) == []
    assert served.resident.mode == "resident"
    assert "posts/pub/" in rendered and "posts/pub/reviews/" in rendered
    assert "posts/draft/" not in rendered and "tags/shock/" not in rendered, rendered  # pub is not on them
    assert b"revised" in (served.out / "posts/pub/index.html").read_bytes()
    assert_same_as_clean(blog, served, tmp_path)


def test_a_date_coming_due_sends_the_next_edit_to_the_full_build(blog, served, tmp_path, monkeypatch):
    """A post dated after "today" may change status when that date comes, with no file changing:
    the resident path is not taken from that moment on (the clock is SOURCE_DATE_EPOCH's)."""
    blog.post("scheduled", title="Scheduled", date="2026-11-20", body="Later.\n")  # "today" is 2026-11-01
    assert change(served, "content", blog.root / "content/posts/scheduled.md") == []
    assert served.resident.mode == "full"
    draft = blog.root / "content/posts/draft.md"
    edit(draft, "Draft text.", "Draft text, before the date.")
    assert change(served, "content", draft) == []
    assert served.resident.mode == "resident"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795737600")  # 2026-11-21: the post is due
    edit(draft, "before the date", "after the date")
    assert change(served, "content", draft) == []
    assert served.resident.mode == "full"
    assert_same_as_clean(blog, served, tmp_path)
