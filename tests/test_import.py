"""`review import` replaying GitHub's own published payload examples (tests/fixtures/github/README.md)
in real git repositories: webhook events, the REST list of reviews, and Reviewed-by trailers."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import lxml.html
import pytest

from generator import importers
from generator.cli import main
from generator.errors import ProblemError, has_errors
from generator.frontmatter import read_text, split
from tests.gitutil import commit, git, git_env, init  # noqa: F401 - git_env is a fixture

FIXTURES = Path(__file__).parent / "fixtures" / "github"
V1 = "Chest pain: take a history.\n"
V2 = "Chest pain: take a history and examine.\n"
STATES = {"approve": "APPROVED", "revise": "CHANGES_REQUESTED", "comment": "COMMENTED"}


def record(path: Path) -> tuple[dict, str]:
    text, _ = read_text(path, path.name)
    source, problems = split(text, path.name)
    assert problems == []
    return source.doc.data, source.body.strip()


def records(blog) -> dict[str, dict]:
    return {p.relative_to(blog.root / "reviews").as_posix(): record(p)[0]
            for p in sorted((blog.root / "reviews").rglob("*.md"))} if (blog.root / "reviews").exists() else {}


def event(tmp_path: Path, *, login: str, commit: str, base: str, action: str = "submitted", state: str | None = None,
          body: str | None = None, submitted: str | None = None, review_id: int | None = None,
          name: str = "event.json") -> Path:
    """GitHub's example webhook payload, with this repository's commits and people's logins.

    `action`, `state`, `body`, `submitted` and `review_id` vary the one published example into the
    other reviews GitHub sends (its example is an empty COMMENTED review)."""
    source = "pull_request_review.dismissed.json" if action == "dismissed" else "pull_request_review.submitted.json"
    data = json.loads((FIXTURES / source).read_text(encoding="utf-8"))
    review = data["review"]
    review["user"]["login"], review["commit_id"] = login, commit
    data["pull_request"]["base"]["sha"] = base
    data["pull_request"]["head"]["sha"] = commit
    data["action"] = action
    if action == "edited":  # GitHub documents the edited payload as the review plus changes.body.from
        data["changes"] = {"body": {"from": review["body"] or ""}}
    for key, value in (("state", state), ("body", body), ("submitted_at", submitted)):
        if value is not None:
            review[key] = value
    if review_id is not None:
        review["id"] = review_id
        review["html_url"] = review["html_url"].split("#")[0] + f"#pullrequestreview-{review_id}"
    out = tmp_path / name
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def rest_list(tmp_path: Path, reviews: list[dict], name: str = "reviews.json") -> Path:
    """GitHub's example response of GET /repos/{owner}/{repo}/pulls/{N}/reviews, one item per review."""
    [example] = json.loads((FIXTURES / "pulls-list-reviews.json").read_text(encoding="utf-8"))
    items = []
    for n, r in enumerate(reviews, start=1):
        item = copy.deepcopy(example)
        item["id"] = 80 + n
        item["html_url"] = item["html_url"].split("#")[0] + f"#pullrequestreview-{80 + n}"
        item["user"]["login"] = r["login"]
        item["commit_id"] = r["commit"]
        for key in ("state", "body", "submitted_at"):
            if key in r:
                item[key] = r[key]
        if "type" in r:
            item["user"]["type"] = r["type"]
        items.append(item)
    out = tmp_path / name
    out.write_text(json.dumps(items, indent=2), encoding="utf-8")
    return out


@pytest.fixture
def pr(blog, git_env):  # noqa: F811 - the fixture imported above
    """main with a post; branch chest-pain (pull request 12, GitHub's example number) adds a post in
    two commits (V1, then V2) and edits a second one; meanwhile main moves on with another post."""
    init(blog.root)
    (blog.root / ".gitignore").write_text("site/\n.peerpress-cache/\n", encoding="utf-8")
    blog.post("other", body="Unrelated.\n")
    blog.post("asthma", body="Asthma: peak flow.\n")
    base = commit(blog.root, "main", "2019-05-01T09:00:00+00:00")
    git(blog.root, "checkout", "-q", "-b", "chest-pain")
    blog.post("chest-pain", body=V1)
    first = commit(blog.root, "Submit chest pain", "2019-05-02T09:00:00+00:00")
    h1 = blog.hash_of("chest-pain")
    blog.post("chest-pain", body=V2)
    blog.post("asthma", body="Asthma: peak flow and oxygen.\n")
    second = commit(blog.root, "Add the examination", "2019-05-03T09:00:00+00:00")
    git(blog.root, "checkout", "-q", "main")
    blog.post("sepsis", body="Sepsis: lactate.\n")
    blog.post("other", body="Unrelated, edited on main.\n")
    moved = commit(blog.root, "Merge another pull request", "2019-05-04T09:00:00+00:00")
    git(blog.root, "checkout", "-q", "chest-pain")
    return {"blog": blog, "base": base, "first": first, "second": second, "moved": moved, "h1": h1,
            "h2": blog.hash_of("chest-pain"), "asthma": blog.hash_of("asthma")}


def test_event_with_a_moved_base_records_only_the_posts_the_pull_request_changed(pr, tmp_path):
    """GitHub sends the base branch's current tip as pull_request.base.sha: comparing against it
    recorded approvals of posts the pull request never touched (here 'sepsis' and 'other')."""
    blog = pr["blog"]
    path = event(tmp_path, login="Rita-GH", commit=pr["second"], base=pr["moved"], state="approved",
                 body="Clear.\r\n\r\nCompeting interests: none declared")
    result = importers.github_event(blog.config(), path)
    assert sorted(records(blog)) == ["asthma/2019-05-15-rita.md", "chest-pain/2019-05-15-rita.md"]
    assert result.problems == []
    data = records(blog)["chest-pain/2019-05-15-rita.md"]
    assert (data["reviewer"], data["decision"], data["version"]) == ("rita", "approve", pr["h2"])
    assert data["source"] == "https://github.com/Codertocat/Hello-World/pull/2#pullrequestreview-237895671"
    assert data["competing_interests"] == "none declared"


def test_a_review_of_an_old_commit_pins_the_text_seen_then(pr, tmp_path):
    blog = pr["blog"]
    path = event(tmp_path, login="rita-gh", commit=pr["first"], base=pr["moved"], state="approved", body="Good.")
    [written] = importers.github_event(blog.config(), path).written
    assert written == blog.root / "reviews/chest-pain/2019-05-15-rita.md"
    assert record(written)[0]["version"] == pr["h1"] != pr["h2"]  # not the newer text in the working tree
    report = blog.build(write=False, drafts=True)
    assert not has_errors(report.problems), report.problems
    [verdict] = report.site.states["chest-pain"].reviews
    assert verdict.stale and not verdict.counts


@pytest.mark.parametrize(("state", "decision"), [("approved", "approve"), ("changes_requested", "revise"),
                                                 ("commented", "comment")])
def test_every_webhook_state(pr, tmp_path, state, decision):
    blog = pr["blog"]
    path = event(tmp_path, login="rex-gh", commit=pr["second"], base=pr["moved"], state=state, body="Read it all.")
    result = importers.github_event(blog.config(), path)
    assert {record(p)[0]["decision"] for p in result.written} == {decision}
    assert len(result.written) == 2  # chest-pain and asthma


def test_githubs_example_empty_comment_is_skipped_with_a_notice(pr, tmp_path, capsys):
    """GitHub's own example is a COMMENTED review with no text (what one inline comment makes)."""
    blog = pr["blog"]
    path = event(tmp_path, login="rita-gh", commit=pr["second"], base=pr["moved"])
    assert main(["review", "import", "--config", str(blog.root / "site.yaml"), "--github-event", str(path)]) == 0
    out = capsys.readouterr()
    assert out.out == "no review records written\n"
    assert out.err.strip() == (f"{path}: warning: skipped the review by 'rita-gh' (https://github.com/Codertocat/"
                               "Hello-World/pull/2#pullrequestreview-237895671): a comment with no text")
    assert records(blog) == {}


def test_edited_review_rewrites_the_same_record(pr, tmp_path):
    blog = pr["blog"]
    first = event(tmp_path, login="rita-gh", commit=pr["second"], base=pr["moved"], state="approved", body="Good.")
    written = importers.github_event(blog.config(), first).written
    edited = event(tmp_path, login="rita-gh", commit=pr["second"], base=pr["moved"], action="edited",
                   state="approved", body="Good; the examination section is now complete.", name="edited.json")
    assert importers.github_event(blog.config(), edited).written == written
    assert sorted(records(blog)) == ["asthma/2019-05-15-rita.md", "chest-pain/2019-05-15-rita.md"]
    assert record(written[0])[1] == "Good; the examination section is now complete."


def test_dismissed_review_is_kept_shown_as_dismissed_and_not_counted(pr, tmp_path, capsys):
    """A dismissal used to delete the record: the public history lost the review."""
    blog = pr["blog"]
    for login, n in (("rita-gh", 1), ("rex-gh", 2)):
        importers.github_event(blog.config(), event(
            tmp_path, login=login, commit=pr["second"], base=pr["moved"], state="approved", body=f"Fine {n}.",
            review_id=237895671 if n == 1 else 500))
    assert blog.build(write=False, drafts=True).site.states["chest-pain"].status == "published"
    dismissal = event(tmp_path, login="rita-gh", commit=pr["second"], base=pr["moved"], action="dismissed",
                      body="Fine 1.", name="dismissed.json")
    result = importers.github_event(blog.config(), dismissal)
    data = records(blog)["chest-pain/2019-05-15-rita.md"]
    assert (data["dismissed"], data["decision"]) == (True, "approve")  # what was dismissed, from the record
    assert result.problems == [] and len(result.written) == 2
    report = blog.build(drafts=True)
    assert not has_errors(report.problems), report.problems
    state = report.site.states["chest-pain"]
    assert state.status == "in-review" and len(state.approvals) == 1
    assert "1 review was dismissed (not counted)" in state.needs
    page = lxml.html.parse(str(blog.root / "site/posts/chest-pain/reviews/index.html")).getroot()
    [item] = page.xpath('//li[@id="2019-05-15-rita"]')
    assert " ".join(item.xpath("string(.//h3)").split()) == "Dismissed (approved) — Rita Reviewer"
    assert item.xpath("string(.//li[@class='not-counted'])") == "Does not count towards acceptance: dismissed on GitHub"
    capsys.readouterr()
    assert main(["review", "status", "chest-pain", "--config", str(blog.root / "site.yaml")]) == 0
    row = capsys.readouterr().out.splitlines()[1].split(maxsplit=4)
    assert row[:4] == ["chest-pain", "in-review", pr["h2"], "1"]
    assert row[4].split("; ") == ["needs 1 more approval of the current version",
                                  "1 review was dismissed (not counted)"]


def test_dismissed_review_seen_first_as_dismissed_has_no_decision(pr, tmp_path):
    """The REST list says only DISMISSED: the record says so, and check accepts it."""
    blog = pr["blog"]
    listing = rest_list(tmp_path, [{"login": "rita-gh", "commit": pr["second"], "state": "DISMISSED"}])
    importers.github_reviews(blog.config(), listing, 12, base="main")
    data = records(blog)["chest-pain/2019-11-17-rita.md"]
    assert data["dismissed"] is True and "decision" not in data
    report = blog.build(write=False, drafts=True)
    assert not has_errors(report.problems), report.problems
    [verdict] = report.site.states["chest-pain"].reviews
    assert (verdict.counts, verdict.reason) == (False, "dismissed on GitHub")


def test_comment_then_approval_on_one_version_builds_and_supersedes(pr, tmp_path, capsys):
    """One reviewer commenting, then approving, the same version used to fail check and build
    with "duplicate review ... in round 1"."""
    blog = pr["blog"]
    listing = rest_list(tmp_path, [
        {"login": "rita-gh", "commit": pr["second"], "state": "CHANGES_REQUESTED", "body": "Add oxygen targets.",
         "submitted_at": "2019-05-15T09:00:00Z"},
        {"login": "rita-gh", "commit": pr["second"], "state": "APPROVED", "submitted_at": "2019-05-15T17:00:00Z"},
        {"login": "rex-gh", "commit": pr["second"], "state": "APPROVED", "submitted_at": "2019-05-15T18:00:00Z"},
        {"login": "rex-gh", "commit": pr["second"], "state": "COMMENTED", "body": "One more thought.",
         "submitted_at": "2019-05-16T08:00:00Z"},
    ])
    config = str(blog.root / "site.yaml")
    assert main(["review", "import", "--config", config, "--github-reviews", str(listing), "--pr", "12",
                 "--base", "main"]) == 0
    assert main(["check", "--config", config]) == 0, capsys.readouterr().err
    state = blog.build(write=False, drafts=True).site.states["chest-pain"]
    verdicts = {c.record.path.name: (c.record.decision, c.counts, c.reason) for c in state.reviews}
    assert verdicts == {
        "2019-05-15-rita.md": ("revise", False, "superseded by a later review from the same reviewer"),
        "2019-05-15-rita-2.md": ("approve", True, ""),
        "2019-05-15-rex.md": ("approve", True, ""),
        "2019-05-16-rex.md": ("comment", False, "a comment, not a decision"),  # leaves the approval standing
    }
    assert state.status == "published"


def test_bots_strangers_authors_and_empty_comments_are_skipped_and_the_rest_imported(pr, tmp_path, capsys):
    """Such a review used to fail the whole import, losing every other review of the pull request."""
    blog = pr["blog"]
    c = pr["second"]
    listing = rest_list(tmp_path, [
        {"login": "ada-gh", "commit": c, "state": "COMMENTED", "body": "Thanks, fixed!"},  # the author: no role
        {"login": "dependabot[bot]", "commit": c, "state": "COMMENTED", "body": "Bump."},
        {"login": "copilot-pull-request-reviewer", "commit": c, "state": "COMMENTED", "body": "Looks ok.",
         "type": "Bot"},
        {"login": "passer-by", "commit": c, "state": "APPROVED", "body": "LGTM"},
        {"login": "rex-gh", "commit": c, "state": "COMMENTED", "body": ""},
        {"login": "rita-gh", "commit": c, "state": "APPROVED", "body": "Good."},
    ])
    config = str(blog.root / "site.yaml")
    assert main(["review", "import", "--config", config, "--github-reviews", str(listing), "--pr", "12",
                 "--base", "main"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == ["wrote reviews/asthma/2019-11-17-rita.md",
                                    "wrote reviews/chest-pain/2019-11-17-rita.md"]
    notices = sorted(line.split(": warning: ", 1)[1] for line in out.err.strip().splitlines())
    link = "https://github.com/octocat/Hello-World/pull/12#pullrequestreview-"
    assert notices == sorted([
        f"skipped the review by 'dependabot[bot]' ({link}82): a bot, not a reviewer",
        f"skipped the review by 'copilot-pull-request-reviewer' ({link}83): a bot, not a reviewer",
        f"skipped the review by 'rex-gh' ({link}85): a comment with no text",
        f"skipped the review by 'ada-gh' ({link}81): 'ada' does not have the reviewer role (add 'reviewer' "
        "to people.ada.roles in site.yaml if their reviews should count)",
        f"skipped the review by 'passer-by' ({link}84): no one in people: has 'github: passer-by' (add them to "
        "people: in site.yaml with 'github: passer-by' and the reviewer role if their reviews should count)",
    ])


@pytest.mark.parametrize(("when", "message"), [
    ("yesterday", "has submitted_at 'yesterday', which is not a time with a zone"),
    ("2019-05-15T10:00:00", "has submitted_at '2019-05-15T10:00:00', which is not a time with a zone"),
    ("2099-01-01T00:00:00Z", "is dated 2099-01-01T00:00:00+00:00, in the future"),
])
def test_invalid_or_future_time_is_refused_and_the_others_recorded(pr, tmp_path, capsys, when, message):
    """An invalid time used to become a record dated 1970 that counted."""
    blog = pr["blog"]
    listing = rest_list(tmp_path, [{"login": "rita-gh", "commit": pr["second"], "submitted_at": when},
                                   {"login": "rex-gh", "commit": pr["second"]}])
    config = str(blog.root / "site.yaml")
    assert main(["review", "import", "--config", config, "--github-reviews", str(listing), "--pr", "12",
                 "--base", "main"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{listing}: error: the review by 'rita-gh' (https://github.com/octocat/Hello-World/pull/"
                          f"12#pullrequestreview-81) {message}"), err
    assert sorted(records(blog)) == ["asthma/2019-11-17-rex.md", "chest-pain/2019-11-17-rex.md"]


def test_rest_list_without_base_on_the_branch_and_on_main_after_each_kind_of_merge(pr, tmp_path, git_env):  # noqa: F811
    """--github-reviews used to write nothing and exit 0 unless --base was given. Here a clone of a
    bare origin (origin/HEAD known) imports on the pull request's branch, then on main after a merge
    commit, a squash merge and a rebase merge: always the two posts the pull request changed."""
    blog = pr["blog"]
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(blog.root, "remote", "add", "origin", str(origin))
    git(blog.root, "push", "-q", "origin", "main", "chest-pain", "chest-pain:refs/pull/12/head")
    listing = rest_list(tmp_path, [{"login": "rita-gh", "commit": pr["second"]},
                                   {"login": "rex-gh", "commit": pr["first"], "state": "CHANGES_REQUESTED",
                                    "body": "Examine too.", "submitted_at": "2019-11-16T10:00:00Z"}])
    expected = ["chest-pain/2019-11-16-rex.md", "asthma/2019-11-17-rita.md", "chest-pain/2019-11-17-rita.md"]
    merges = {
        "branch": [],
        "merge commit": [["merge", "-q", "--no-ff", "-m", "Merge pull request #12", "origin/chest-pain"]],
        "squash": [["merge", "-q", "--squash", "origin/chest-pain"], ["commit", "-q", "-m", "Chest pain (#12)"]],
        "rebase": [["cherry-pick", f"{pr['base']}..{pr['second']}"]],
    }
    for kind, steps in merges.items():
        clone = tmp_path / kind.replace(" ", "-")
        git(tmp_path, "clone", "-q", str(origin), str(clone))
        git(clone, "fetch", "-q", "origin", "+refs/pull/12/head:refs/remotes/origin/pull/12")
        git(clone, "checkout", "-q", "chest-pain" if kind == "branch" else "main")
        for step in steps:
            git(clone, *step, env={"GIT_EDITOR": "true"})
        if steps:  # as if GitHub merged it and the clone fetched
            git(clone, "update-ref", "refs/remotes/origin/main", "HEAD")
        from generator import config as config_mod
        result = importers.github_reviews(config_mod.load(clone / "site.yaml"), listing, 12)
        got = sorted(p.relative_to(clone / "reviews").as_posix() for p in result.written)
        assert got == sorted(expected), kind
        assert result.problems == [], kind


def test_github_base_ref_names_the_base_branch(pr, tmp_path, monkeypatch):
    """On a pull-request run GitHub Actions sets GITHUB_BASE_REF; the clone has no main here."""
    blog = pr["blog"]
    git(blog.root, "branch", "-q", "-m", "main", "release")
    assert importers.default_base(blog.config()) is None
    monkeypatch.setenv("GITHUB_BASE_REF", "release")
    assert importers.default_base(blog.config()) == "release"
    listing = rest_list(tmp_path, [{"login": "rita-gh", "commit": pr["second"]}])
    result = importers.github_reviews(blog.config(), listing, 12)
    assert sorted(records(blog)) == ["asthma/2019-11-17-rita.md", "chest-pain/2019-11-17-rita.md"]
    assert result.problems == []


def test_after_a_fast_forward_merge_the_error_says_what_to_pass(pr, tmp_path):
    """Where the branch began is lost: an error naming the way out, never records of nothing."""
    blog = pr["blog"]
    git(blog.root, "checkout", "-q", "-B", "ff", pr["second"])
    listing = rest_list(tmp_path, [{"login": "rita-gh", "commit": pr["first"]}])
    result = importers.github_reviews(blog.config(), listing, 12, base="ff")
    [problem] = result.problems
    assert (problem.path, problem.severity, problem.message, problem.hint) == (
        pr["first"], "error", "cannot tell where the pull request's branch left ff: the reviewed commit is on "
        "ff's own line of history (merged by fast-forward?)", "pass --base with the commit the branch started from")
    assert result.written == []
    result = importers.github_reviews(blog.config(), listing, 12, base=pr["base"])
    assert [p.relative_to(blog.root).as_posix() for p in result.written] == ["reviews/chest-pain/2019-11-17-rita.md"]


def test_without_a_base_branch_the_error_says_what_to_pass(blog, tmp_path, git_env):  # noqa: F811
    init(blog.root)
    blog.post("p")
    git(blog.root, "checkout", "-q", "-b", "work")
    sha = commit(blog.root, "p", "2019-05-01T09:00:00+00:00")
    listing = rest_list(tmp_path, [{"login": "rita-gh", "commit": sha}])
    with pytest.raises(ProblemError) as exc:
        importers.github_reviews(blog.config(), listing, 12)
    [problem] = exc.value.problems
    assert (problem.message, problem.hint) == ("cannot tell which branch the pull request goes into",
                                               "pass --base BRANCH (e.g. --base origin/main), or fetch the base branch")


def test_rest_list_cli_needs_pr(pr, tmp_path, capsys):
    listing = rest_list(tmp_path, [{"login": "rita-gh", "commit": pr["second"]}])
    config = str(pr["blog"].root / "site.yaml")
    assert main(["review", "import", "--config", config, "--github-reviews", str(listing)]) == 1
    assert "--github-reviews needs --pr N" in capsys.readouterr().err


def test_reviews_of_another_pull_request_in_the_file_are_left_out(pr, tmp_path):
    blog = pr["blog"]
    listing = rest_list(tmp_path, [{"login": "rita-gh", "commit": pr["second"]}])
    assert importers.github_reviews(blog.config(), listing, 13, base="main").written == []


def test_reviewed_by_trailers_match_people_by_email(pr):
    blog = pr["blog"]
    blog.post("chest-pain", body=V2 + "\nA third paragraph.\n")
    third = commit(blog.root, "Tidy\n\nReviewed-by: Rita Reviewer <RITA@example.org>\n"
                   "Reviewed-by: Rex Reviewer <rex@example.org>", "2019-05-07T09:00:00+00:00")
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
    commit(blog.root, "Tidy\n\nReviewed-by: Someone <someone@else.org>", "2019-05-07T09:00:00+00:00")
    with pytest.raises(ProblemError) as exc:
        importers.git_trailers(blog.config(), "main..chest-pain")
    assert exc.value.problems[0].message == ("nothing was imported: the review by 'someone@else.org': "
                                             "no one in people: has 'email: someone@else.org'")
    assert not (blog.root / "reviews").exists()
