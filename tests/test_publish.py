"""`peerpress publish`: build, then commit site/ to gh-pages with ghp-import and push to a (local bare) remote."""
from __future__ import annotations

import lxml.html
import pytest

from generator import publish
from generator.cli import main
from generator.errors import ProblemError
from tests.gitutil import commit, git, git_env, init  # noqa: F401 - git_env is a fixture
from tests.sitebuilder import SiteBuilder


@pytest.fixture
def published_blog(tmp_path, git_env):  # noqa: F811 - the fixture imported above
    blog = SiteBuilder(tmp_path / "blog", {"cname": "notes.example.org"})
    init(blog.root)
    (blog.root / ".gitignore").write_text("site/\n.peerpress-cache/\n", encoding="utf-8")
    blog.post("p", title="On ECGs")
    blog.approve_twice("p")
    commit(blog.root, "A post", "2025-01-01T09:00:00+00:00")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(blog.root, "remote", "add", "origin", str(remote))
    return blog, remote


def test_publish_pushes_the_site_to_gh_pages(published_blog, capsys):
    blog, remote = published_blog
    assert main(["publish", "--config", str(blog.root / "site.yaml")]) == 0
    assert capsys.readouterr().out.startswith("published 1 posts, ")
    files = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert {".nojekyll", "CNAME", "index.html", "posts/p/index.html", "posts/p/reviews/index.html"} <= set(files)
    assert git(remote, "show", "gh-pages:CNAME").strip() == "notes.example.org"
    page = lxml.html.fromstring(git(remote, "show", "gh-pages:posts/p/index.html"))
    assert page.xpath("string(//h1)") == "On ECGs"
    assert git(remote, "show", "gh-pages:.nojekyll") == ""
    assert git(remote, "branch", "--format=%(refname:short)").split() == ["gh-pages"]


def test_second_publication_is_a_new_commit_on_top(published_blog):
    blog, remote = published_blog
    first = publish.publish(blog.config())
    blog.post("q", title="Second post", date="2025-01-12")
    blog.approve_twice("q")
    commit(blog.root, "Another post", "2025-01-02T09:00:00+00:00")
    second = publish.publish(blog.config())
    assert git(remote, "rev-parse", "gh-pages^").strip() == first.commit
    assert git(remote, "rev-parse", "gh-pages").strip() == second.commit
    assert "posts/q/index.html" in git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()


def test_publish_refuses_without_a_git_identity(published_blog, monkeypatch):
    blog, remote = published_blog
    for var in ("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"):
        monkeypatch.delenv(var)
    with pytest.raises(ProblemError) as exc:
        publish.publish(blog.config())
    [problem] = exc.value.problems
    assert "git does not know who you are" in problem.message and "git config user.email" in problem.hint
    assert git(remote, "branch", "--list") == ""  # nothing was pushed
    assert not (blog.root / "site").exists()  # nor even built


def test_publish_without_push_commits_the_local_branch_only(published_blog):
    blog, remote = published_blog
    result = publish.publish(blog.config(), push=False, branch="pages")
    assert not result.pushed
    assert "index.html" in git(blog.root, "ls-tree", "--name-only", "pages").split()
    assert git(remote, "branch", "--list") == ""


def test_publish_refuses_a_build_with_errors(published_blog):
    blog, remote = published_blog
    blog.post("bad", authors=["nobody"])
    with pytest.raises(ProblemError) as exc:
        publish.publish(blog.config())
    assert any("unknown author 'nobody'" in p.message for p in exc.value.problems)
    assert git(remote, "branch", "--list") == ""


def test_publish_outside_git_says_so(tmp_path):
    blog = SiteBuilder(tmp_path / "blog")
    with pytest.raises(ProblemError) as exc:
        publish.publish(blog.config())
    assert "not in a git repository" in exc.value.problems[0].message
