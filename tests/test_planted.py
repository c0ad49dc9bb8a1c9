"""`peerpress check --pull-request BASE`: a pull request cannot bring its own approvals.

Each test is a real repository: main with an approved post, then a branch a pull request would
push, checked against main as check.yml does."""
from __future__ import annotations

import pytest

from generator.cli import main

from .gitutil import commit, git, git_env, init  # noqa: F401 (git_env is a fixture)
from .sitebuilder import SiteBuilder


@pytest.fixture
def repo(tmp_path, git_env):  # noqa: F811 - the fixture imported above
    """main: post 'p' approved by rita and rex; post 'q' in review with a request for revisions."""
    blog = SiteBuilder(tmp_path / "blog")
    init(blog.root)
    blog.post("p", title="Approved")
    blog.approve_twice("p")
    blog.post("q", title="In review", date="2025-01-20")
    blog.review("q", "rex", decision="revise", date="2025-01-15")
    commit(blog.root, "Blog with two posts")
    git(blog.root, "checkout", "-q", "-b", "pr")
    return blog


def check(blog, capsys, *extra: str) -> tuple[int, list[str]]:
    code = main(["check", "--config", str(blog.root / "site.yaml"), "--pull-request", "main", *extra])
    return code, capsys.readouterr().err.splitlines()


def test_an_edit_of_a_post_alone_passes(repo, capsys):
    repo.post("q", title="In review", date="2025-01-20", body="A revised text.\n")
    commit(repo.root, "Revise q", "2025-01-21T09:00:00+00:00")
    assert check(repo, capsys) == (0, [])


def test_a_review_record_added_by_the_pull_request_is_refused(repo, capsys):
    repo.review("q", "rita", date="2025-01-16")
    commit(repo.root, "My own approval", "2025-01-21T09:00:00+00:00")
    code, err = check(repo, capsys)
    assert code == 1
    assert err == ["reviews/q/2025-01-16-rita.md: error: this pull request adds a review record (reviews and "
                   "editors' decisions are recorded on main when the pull request is merged; remove this change "
                   f"from the pull request (git checkout {git(repo.root, 'rev-parse', 'main').strip()[:12]} -- "
                   "reviews/q/2025-01-16-rita.md))"]


def test_an_editors_decision_and_a_desk_file_are_refused(repo, capsys):
    repo.decision("q", "ed", "accept", date="2025-01-17")
    repo.write("desk/pr-7/assignments.yaml", "- reviewer: rita\n")
    commit(repo.root, "Accept myself", "2025-01-21T09:00:00+00:00")
    code, err = check(repo, capsys)
    assert code == 1
    assert sorted(line.split(": error: ")[:2][0] for line in err) == [
        "desk/pr-7/assignments.yaml", "reviews/q/2025-01-17-ed.md"]
    assert {line.split(": error: ")[1].split(" (")[0] for line in err} == {
        "this pull request adds a file of the editors' desk", "this pull request adds a decision record"}


def test_deleting_or_changing_a_review_is_refused(repo, capsys):
    (repo.root / "reviews/q/2025-01-15-rex.md").unlink()
    path = repo.root / "reviews/p/2025-01-05-rita.md"
    path.write_text(path.read_text("utf-8").replace("Clear and accurate.", "Edited text."), encoding="utf-8")
    commit(repo.root, "Tidy the reviews", "2025-01-21T09:00:00+00:00")
    code, err = check(repo, capsys)
    assert code == 1
    assert [line.split(": error: ")[0] for line in err] == ["reviews/p/2025-01-05-rita.md",
                                                            "reviews/q/2025-01-15-rex.md"]
    assert ["changes a review record" in err[0], "deletes a review record" in err[1]] == [True, True]


def test_an_authors_response_is_allowed(repo, capsys):
    repo.write("reviews/q/2025-01-18-ada.md",
               "---\ntype: response\nauthor: ada\ndate: 2025-01-18\n---\nThank you; revised as asked.\n")
    commit(repo.root, "Reply to the review", "2025-01-21T09:00:00+00:00")
    assert check(repo, capsys) == (0, [])


def test_records_written_on_main_after_the_branch_left_it_are_not_the_branchs(repo, capsys):
    git(repo.root, "checkout", "-q", "main")
    repo.review("q", "rita", date="2025-01-16")
    commit(repo.root, "Review records of pull requests: #3", "2025-01-22T09:00:00+00:00")
    git(repo.root, "checkout", "-q", "pr")
    repo.post("q", title="In review", date="2025-01-20", body="A revised text.\n")
    commit(repo.root, "Revise q", "2025-01-21T09:00:00+00:00")
    assert check(repo, capsys) == (0, [])


def test_an_unknown_base_is_a_clear_error(repo, capsys):
    code, err = check(repo, capsys)  # nothing committed on the branch yet
    assert code == 1 and err[0].startswith("main: error: this branch has no commit of its own")
    code = main(["check", "--config", str(repo.root / "site.yaml"), "--pull-request", "origin/nowhere"])
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        "origin/nowhere: error: no such branch or commit in this clone (fetch the base branch with full "
        "history (actions/checkout 'fetch-depth: 0'))"]
