"""`review import`: GitHub review payloads, the REST review list and Reviewed-by trailers, in real repos."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import importers
from generator.cli import main
from generator.errors import ProblemError, has_errors
from generator.frontmatter import read_text, split
from tests.gitutil import commit, git, git_env, init  # noqa: F401 - git_env is a fixture

FIXTURES = Path(__file__).parent / "fixtures" / "github"
V1 = "Chest pain: take a history.\n"
V2 = "Chest pain: take a history and examine.\n"


def record(path: Path) -> tuple[dict, str]:
    text, _ = read_text(path, path.name)
    source, problems = split(text, path.name)
    assert problems == []
    return source.doc.data, source.body.strip()


def payload(tmp_path: Path, name: str, **replacements) -> Path:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for key, value in replacements.items():
        text = text.replace(key, value)
    out = tmp_path / name
    out.write_text(text, encoding="utf-8")
    return out


@pytest.fixture
def pr(blog, git_env):  # noqa: F811 - the fixture imported above
    """main with one post; branch chest-pain adds a post in two commits (V1, then V2), plus an edit of the other."""
    init(blog.root)
    (blog.root / ".gitignore").write_text("site/\n.peerpress-cache/\n", encoding="utf-8")
    blog.post("other", body="Unrelated.\n")
    base = commit(blog.root, "main", "2025-01-01T09:00:00+00:00")
    git(blog.root, "checkout", "-q", "-b", "chest-pain")
    blog.post("chest-pain", body=V1)
    first = commit(blog.root, "Submit chest pain", "2025-01-02T09:00:00+00:00")
    h1 = blog.hash_of("chest-pain")
    blog.post("chest-pain", body=V2)
    second = commit(blog.root, "Add the examination", "2025-01-03T09:00:00+00:00")
    return {"blog": blog, "base": base, "first": first, "second": second, "h1": h1, "h2": blog.hash_of("chest-pain")}


def test_approval_event_pins_the_reviewed_commit_text(pr, tmp_path):
    blog = pr["blog"]
    event = payload(tmp_path, "pull_request_review.json", REVIEWED_COMMIT=pr["first"], BASE_COMMIT=pr["base"],
                    HEAD_COMMIT=pr["second"])
    result = importers.github_event(blog.config(), event)
    [path] = result.written
    assert path == blog.root / "reviews/chest-pain/2025-01-05-rita.md"
    data, body = record(path)
    # the commit the reviewer saw decides the version, not the newer text in the working tree
    assert data["version"] == pr["h1"] != pr["h2"]
    assert (data["reviewer"], data["decision"]) == ("rita", "approve")
    assert data["source"] == "https://github.com/shiftnotes/blog/pull/7#pullrequestreview-2001"
    assert data["competing_interests"] == "none declared"
    assert body.startswith("Clear and accurate; the history-taking section is well referenced.")
    report = blog.build(write=False, drafts=True)
    assert not has_errors(report.problems), report.problems
    [verdict] = report.site.states["chest-pain"].reviews
    assert verdict.stale  # the branch moved on after the review
    assert not (blog.root / "reviews/other").exists()  # unchanged by the pull request


def test_importing_again_rewrites_the_same_record_and_dismissal_removes_it(pr, tmp_path):
    blog = pr["blog"]
    event = payload(tmp_path, "pull_request_review.json", REVIEWED_COMMIT=pr["second"], BASE_COMMIT=pr["base"],
                    HEAD_COMMIT=pr["second"])
    [first] = importers.github_event(blog.config(), event).written
    [again] = importers.github_event(blog.config(), event).written
    assert first == again and sorted(p.name for p in (blog.root / "reviews/chest-pain").iterdir()) == [first.name]
    assert record(first)[0]["version"] == pr["h2"]
    data = json.loads(event.read_text(encoding="utf-8"))
    data["action"], data["review"]["state"] = "dismissed", "dismissed"
    event.write_text(json.dumps(data), encoding="utf-8")
    result = importers.github_event(blog.config(), event)
    assert result.removed == [first] and not first.exists()


@pytest.mark.parametrize(("state", "decision"), [("changes_requested", "revise"), ("commented", "comment")])
def test_states_map_to_decisions(pr, tmp_path, state, decision):
    blog = pr["blog"]
    event = payload(tmp_path, "pull_request_review.json", REVIEWED_COMMIT=pr["second"], BASE_COMMIT=pr["base"],
                    HEAD_COMMIT=pr["second"])
    data = json.loads(event.read_text(encoding="utf-8"))
    data["review"]["state"] = state
    event.write_text(json.dumps(data), encoding="utf-8")
    [path] = importers.github_event(blog.config(), event).written
    assert record(path)[0]["decision"] == decision


def test_unknown_github_user_writes_nothing_and_is_named(pr, tmp_path):
    blog = pr["blog"]
    event = payload(tmp_path, "pull_request_review.json", REVIEWED_COMMIT=pr["second"], BASE_COMMIT=pr["base"],
                    HEAD_COMMIT=pr["second"], **{'"login": "Rita-GH"': '"login": "stranger"'})
    with pytest.raises(ProblemError) as exc:
        importers.github_event(blog.config(), event)
    [problem] = exc.value.problems
    assert "unknown GitHub user 'stranger'" in problem.message and "people:" in problem.hint
    assert not (blog.root / "reviews").exists()


def test_github_user_without_the_reviewer_role_writes_nothing(pr, tmp_path):
    blog = pr["blog"]
    event = payload(tmp_path, "pull_request_review.json", REVIEWED_COMMIT=pr["second"], BASE_COMMIT=pr["base"],
                    HEAD_COMMIT=pr["second"], **{'"login": "Rita-GH"': '"login": "ada-gh"'})
    with pytest.raises(ProblemError) as exc:
        importers.github_event(blog.config(), event)
    assert "does not have the reviewer role" in exc.value.problems[0].message
    assert not (blog.root / "reviews").exists()


def test_rest_list_latest_review_per_reviewer_counts(pr, tmp_path):
    blog = pr["blog"]
    reviews = payload(tmp_path, "pull_request_reviews.json", FIRST_COMMIT=pr["first"], SECOND_COMMIT=pr["second"])
    result = importers.github_reviews(blog.config(), reviews, 7, base="main")
    got = {record(p)[0]["reviewer"]: record(p)[0] for p in result.written}
    # rita: APPROVED then COMMENTED -> the approval stands; rex: CHANGES_REQUESTED then APPROVED;
    # ed: DISMISSED -> nothing; nora: another pull request; bo: PENDING (a draft) -> nothing
    assert sorted(got) == ["rex", "rita"]
    assert got["rita"]["decision"] == got["rex"]["decision"] == "approve"
    assert got["rex"]["version"] == pr["h2"]
    assert got["rita"]["source"].endswith("pullrequestreview-3002")
    report = blog.build(write=False, drafts=True)
    assert report.site.states["chest-pain"].status == "published"


def test_rest_list_cli_needs_pr(pr, tmp_path, capsys):
    reviews = payload(tmp_path, "pull_request_reviews.json", FIRST_COMMIT=pr["first"], SECOND_COMMIT=pr["second"])
    config = str(pr["blog"].root / "site.yaml")
    assert main(["review", "import", "--config", config, "--github-reviews", str(reviews)]) == 1
    assert "--github-reviews needs --pr N" in capsys.readouterr().err
    assert main(["review", "import", "--config", config, "--github-reviews", str(reviews), "--pr", "7",
                 "--base", "main"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sorted(out) == ["wrote reviews/chest-pain/2025-01-05-rita.md", "wrote reviews/chest-pain/2025-01-06-rex.md"]


def test_reviewed_by_trailers_match_people_by_email(pr):
    blog = pr["blog"]
    blog.post("chest-pain", body=V2 + "\nA third paragraph.\n")
    third = commit(blog.root, "Tidy\n\nReviewed-by: Rita Reviewer <RITA@example.org>\n"
                   "Reviewed-by: Rex Reviewer <rex@example.org>", "2025-01-07T09:00:00+00:00")
    result = importers.git_trailers(blog.config(), "main..chest-pain")
    datas = sorted((record(p)[0] for p in result.written), key=lambda d: d["reviewer"])
    assert [d["reviewer"] for d in datas] == ["rex", "rita"]
    assert {d["version"] for d in datas} == {blog.hash_of("chest-pain")}
    assert record(result.written[0])[1].startswith(f"Reviewed-by trailer in commit {third[:12]}: Tidy")
    # running it again finds the records it wrote
    assert sorted(importers.git_trailers(blog.config(), "main..chest-pain").written) == sorted(result.written)
    assert len(list((blog.root / "reviews/chest-pain").iterdir())) == 2


def test_unknown_trailer_email_is_an_error(pr):
    blog = pr["blog"]
    blog.post("chest-pain", body=V2 + "\nMore.\n")
    commit(blog.root, "Tidy\n\nReviewed-by: Someone <someone@else.org>", "2025-01-07T09:00:00+00:00")
    with pytest.raises(ProblemError) as exc:
        importers.git_trailers(blog.config(), "main..chest-pain")
    assert "unknown e-mail address 'someone@else.org'" in exc.value.problems[0].message
    assert not (blog.root / "reviews").exists()


def test_github_event_cli(pr, tmp_path, capsys):
    event = payload(tmp_path, "pull_request_review.json", REVIEWED_COMMIT=pr["second"], BASE_COMMIT=pr["base"],
                    HEAD_COMMIT=pr["second"])
    assert main(["review", "import", "--config", str(pr["blog"].root / "site.yaml"), "--github-event", str(event)]) == 0
    assert capsys.readouterr().out == "wrote reviews/chest-pain/2025-01-05-rita.md\n"
