"""Issue 13 (part B): no approval slips through the gate.

Duplicate YAML keys, approvals copied to another post, reviews dated in the future, untouched
scaffolds, Crossref deposits of unpublished posts, shallow clones and the submission date after
each way GitHub merges a pull request. Every case runs the real CLI or build on a real blog in a
temporary folder (git repositories where history matters).
"""
from __future__ import annotations

import shutil

import pytest

from generator import yamlio
from generator.errors import has_errors
from generator.cli import main
from tests.sitebuilder import SiteBuilder


def run(blog: SiteBuilder, capsys, *args: str) -> tuple[int, list[str]]:
    """Run `peerpress ARGS --config site.yaml`; (exit status, stderr lines)."""
    capsys.readouterr()
    code = main([*args, "--config", str(blog.root / "site.yaml")])
    return code, capsys.readouterr().err.splitlines()


def errors(lines: list[str]) -> list[str]:
    return [line for line in lines if ": error: " in line]


@pytest.fixture(params=["libyaml", "pure-python"])
def both_loaders(request, monkeypatch):
    """The check holds whether libyaml parses the document or the pure-Python fallback does."""
    if request.param == "pure-python":
        monkeypatch.setattr(yamlio, "FastLoader", None)
    elif yamlio.FastLoader is None:
        pytest.skip("PyYAML was built without libyaml")
    return request.param


# --- duplicate keys -------------------------------------------------------------------------------

def test_a_review_saying_revise_then_approve_is_refused_not_counted(blog, capsys, both_loaders):
    blog.post("p")
    blog.review("p", "rita")
    path = blog.review("p", "rex", decision="revise")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("decision: revise\n", "decision: revise\ndecision: approve\n"), encoding="utf-8")
    code, lines = run(blog, capsys, "build", "--out", str(blog.root / "site"))
    assert code == 1
    assert errors(lines) == ["reviews/p/2025-01-05-rex.md:5: error: duplicate key 'decision' "
                             "(first at line 4; keep one)"]
    assert not (blog.root / "site").exists()


def test_duplicate_keys_are_refused_at_any_depth_in_front_matter_and_site_yaml(blog, capsys, both_loaders):
    blog.write("content/posts/p.md", "---\ntitle: T\nauthors: [ada]\ndate: 2025-01-01\ncorrections:\n"
               "  - date: 2025-02-01\n    text: one\n    text: two\n---\nBody.\n")
    code, lines = run(blog, capsys, "check")
    assert code == 1
    assert errors(lines) == ["content/posts/p.md:8: error: duplicate key 'text' (first at line 7; keep one)"]

    blog.write("content/posts/p.md", "---\ntitle: T\nauthors: [ada]\ndate: 2025-01-01\n---\nBody.\n")
    site = (blog.root / "site.yaml").read_text(encoding="utf-8")
    blog.write("site.yaml", site + "review:\n  approvals_required: 0\n  approvals_required: 2\n")
    code, lines = run(blog, capsys, "check")
    n = site.count("\n")
    assert code == 1
    assert errors(lines) == [f"site.yaml:{n + 3}: error: duplicate key 'approvals_required' "
                             f"(first at line {n + 2}; keep one)"]


def test_same_key_spelled_two_ways_is_a_duplicate_but_merge_keys_are_not(both_loaders):
    with pytest.raises(yamlio.YamlError) as caught:
        yamlio.parse("round: 1\n\"round\": 2\n")
    assert (caught.value.message, caught.value.line, caught.value.hint) == \
        ("duplicate key 'round'", 2, "first at line 1; keep one")
    with pytest.raises(yamlio.YamlError):
        yamlio.parse("scores:\n  1: a\n  0x1: b\n")
    doc = yamlio.parse("base: &b {k: 1, j: 1}\nother:\n  <<: *b\n  k: 2\n")
    assert doc.data == {"base": {"k": 1, "j": 1}, "other": {"k": 2, "j": 1}}


# --- the version a review pins names the post -------------------------------------------------------

def test_an_approved_text_and_its_reviews_copied_to_another_id_do_not_publish_it(blog):
    blog.post("p", title="Chest pain", body="Take a history.\n")
    blog.approve_twice("p")
    shutil.copy(blog.root / "content/posts/p.md", blog.root / "content/posts/copy.md")
    shutil.copytree(blog.root / "reviews/p", blog.root / "reviews/copy")
    report = blog.build()
    assert not has_errors(report.problems)
    assert report.site.states["p"].status == "published"
    copied = report.site.states["copy"]
    assert copied.status == "in-review" and copied.approvals == []
    assert {c.reason for c in copied.reviews} == {"for an earlier version of the text"}
    assert (blog.root / "site/posts/p/index.html").is_file()
    assert not (blog.root / "site/posts/copy").exists()


def test_a_file_renamed_with_its_id_kept_stays_the_same_post(blog):
    blog.post("p", body="Take a history.\n", id="p")
    blog.approve_twice("p")
    (blog.root / "content/posts/p.md").rename(blog.root / "content/posts/renamed-file.md")
    report = blog.build()
    assert report.site.states["p"].status == "published" and len(report.site.states["p"].approvals) == 2
