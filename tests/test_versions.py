"""Review histories list versions in readers' words (issue 16): "Version 2 — 1 February 2025", the author's
summary of what changed (the post's `changes:`, else the commit's `Changes:` trailer, never a developer's
commit subject), and the hashes kept, small, for those who verify."""
from __future__ import annotations

import lxml.html
import pytest

from generator.errors import has_errors
from tests.gitutil import commit, git_env, init  # noqa: F401 - git_env is a fixture

V1 = "Chest pain.\n\nTake a history.\n"
V2 = "Chest pain.\n\nTake a careful history and examine.\n"
V3 = "Chest pain.\n\nTake a careful history, examine, and record an ECG.\n"


@pytest.fixture
def repo(blog, git_env):  # noqa: F811 - the fixture imported above
    init(blog.root)
    (blog.root / ".gitignore").write_text("site/\n.peerpress-cache/\n", encoding="utf-8")
    return blog


def versions(blog) -> list[dict]:
    doc = lxml.html.parse(str(blog.root / "site/posts/p/reviews/index.html")).getroot()
    out = []
    for li in doc.xpath("//ol[@class='versions']/li"):
        out.append({"title": " ".join(li.xpath("string(p[@class='version-title'])").split()),
                    "summary": " ".join(li.xpath("string(p[@class='version-summary'])").split()),
                    "ids": " ".join(li.xpath("string(p[@class='version-ids'])").split())})
    return out


def test_versions_are_numbered_dated_and_summarised_for_readers(repo):
    blog = repo
    blog.post("p", title="Chest pain", body=V1)
    first = commit(blog.root, "Add chest pain post (WIP, fix lint)", "2025-01-01T09:00:00+00:00")
    blog.post("p", title="Chest pain", body=V2)
    commit(blog.root, "refactor: tidy p.md\n\nChanges: Asks for an examination as well as a history.",
           "2025-02-01T09:00:00+00:00")
    blog.post("p", title="Chest pain", body=V3, changes="Adds the ECG to the first steps.")
    commit(blog.root, "bump", "2025-03-14T09:00:00+00:00")
    blog.approve_twice("p")
    commit(blog.root, "Approvals", "2025-03-20T09:00:00+00:00")
    report = blog.build()
    assert not has_errors(report.problems), report.problems
    shown = versions(blog)
    assert [v["title"] for v in shown] == ["Version 1 — 1 January 2025", "Version 2 — 1 February 2025",
                                           "Version 3 — 14 March 2025 (current)"]
    assert [v["summary"] for v in shown] == ["First version submitted for review.",
                                             "Asks for an examination as well as a history.",
                                             "Adds the ECG to the first steps."]
    # Developers' subjects never reach readers; the hashes stay for those who verify.
    page = (blog.root / "site/posts/p/reviews/index.html").read_text(encoding="utf-8")
    for subject in ("WIP", "refactor", "bump"):
        assert subject not in page
    assert f"commit {first[:10]}" in shown[0]["ids"]
    assert report.site.versions["p"][0].content_hash in shown[0]["ids"]
    # The timeline names versions by number too, with the hash beside it.
    doc = lxml.html.parse(str(blog.root / "site/posts/p/reviews/index.html")).getroot()
    reviewed = [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@class='review-facts']/li[2]")]
    assert reviewed == [f"Reviewed version 3 ({blog.hash_of('p')})"] * 2


def test_a_version_without_a_summary_says_nothing_rather_than_the_commit_subject(repo):
    blog = repo
    blog.post("p", title="Chest pain", body=V1)
    commit(blog.root, "Submit", "2025-01-01T09:00:00+00:00")
    blog.post("p", title="Chest pain", body=V2)
    commit(blog.root, "fix typo lol", "2025-02-01T09:00:00+00:00")
    blog.approve_twice("p")
    commit(blog.root, "Approvals", "2025-02-05T09:00:00+00:00")
    assert not has_errors(blog.build().problems)
    shown = versions(blog)
    assert [v["title"] for v in shown] == ["Version 1 — 1 January 2025", "Version 2 — 1 February 2025 (current)"]
    assert shown[1]["summary"] == ""
