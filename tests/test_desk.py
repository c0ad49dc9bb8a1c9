"""Editors' `/peerpress` comments (generator/desk/run.py), replayed from GitHub's published
`issue_comment` payload example (tests/fixtures/github/README.md) in real git repositories:
only editors have an effect, everyone else gets a polite refusal, and each effect is a file under
desk/ that becomes a review record (and changes the post's status) when the pull request is merged."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from generator import policy, reviews
from generator.cli import main
from generator.content import load as load_content
from generator.desk import commands, ledger, run
from generator.frontmatter import read_text, split
from tests.gitutil import commit, git, git_env, init  # noqa: F401 - git_env is a fixture
from tests.sitebuilder import SiteBuilder

FIXTURES = Path(__file__).parent / "fixtures" / "github"
REPO = "shiftnotes/blog"
TODAY = date(2026, 11, 1)  # conftest's SOURCE_DATE_EPOCH


def comment_event(tmp_path: Path, body: str, login: str, *, pr: int | None = 12, action: str = "created",
                  kind: str = "User", name: str = "comment.json") -> Path:
    """GitHub's example `issue_comment` payload, on this repository's pull request `pr` (None: on
    an issue, as the example itself is), by `login`, saying `body`.

    GitHub's example is a comment on an issue; a comment on a pull request carries, as GitHub
    documents, `issue.pull_request` with the pull request's links, which is added here."""
    data = json.loads((FIXTURES / "issue_comment.created.json").read_text(encoding="utf-8"))
    data["action"] = action
    data["comment"]["body"] = body
    data["comment"]["user"]["login"] = login
    data["comment"]["user"]["type"] = kind
    data["repository"]["full_name"] = REPO
    if pr is not None:
        data["issue"]["number"] = pr
        data["issue"]["html_url"] = f"https://github.com/{REPO}/pull/{pr}"
        data["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{REPO}/pulls/{pr}",
                                         "html_url": f"https://github.com/{REPO}/pull/{pr}",
                                         "diff_url": f"https://github.com/{REPO}/pull/{pr}.diff",
                                         "patch_url": f"https://github.com/{REPO}/pull/{pr}.patch",
                                         "merged_at": None}
        data["comment"]["html_url"] = f"https://github.com/{REPO}/pull/{pr}#issuecomment-{data['comment']['id']}"
    out = tmp_path / name
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


@pytest.fixture
def pr(tmp_path, git_env):  # noqa: F811 - the fixture imported above
    """main with a published post; pull request 12's branch (fetched as origin/pull/12, as the
    workflow does) adds the post 'chest-pain' by Ada and edits nothing else."""
    blog = SiteBuilder(tmp_path / "blog", {"review": {"editor_accept_required": True, "deadline_days": 14}})
    init(blog.root)
    (blog.root / ".gitignore").write_text("site/\n.peerpress-cache/\n", encoding="utf-8")
    blog.post("asthma", body="Asthma: peak flow.\n")
    blog.approve_twice("asthma")
    blog.decision("asthma", "ed", "accept")
    base = commit(blog.root, "main", "2025-01-07T09:00:00+00:00")
    git(blog.root, "update-ref", "refs/remotes/origin/main", base)
    git(blog.root, "checkout", "-q", "-b", "chest-pain")
    blog.post("chest-pain", body="Chest pain: take a history.\n")
    head = commit(blog.root, "Submit chest pain", "2025-01-08T09:00:00+00:00")
    git(blog.root, "update-ref", "refs/remotes/origin/pull/12", head)
    git(blog.root, "checkout", "-q", "main")
    return blog


def handle(blog, path: Path) -> run.Outcome:
    return run.handle(blog.config(), json.loads(path.read_text(encoding="utf-8")), "origin/pull/12", "origin/main",
                      TODAY)


def desk_files(blog) -> list[str]:
    root = blog.root / "desk"
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def front(path: Path) -> dict:
    text, _ = read_text(path, path.name)
    return split(text, path.name)[0].doc.data


def state_of(blog, post_id: str):
    """The post's review state as the build computes it, from the files as they are."""
    cfg = blog.config()
    posts, _ = load_content(cfg)
    records, problems = reviews.load(cfg, {p.id for p in posts})
    assert problems == []
    post = next(p for p in posts if p.id == post_id)
    mine = [r for r in records if r.post_id == post_id]
    return policy.assess_post(cfg, post, mine, datetime(2026, 11, 1, tzinfo=UTC))


def test_an_editor_assigns_a_reviewer_and_the_log_is_on_main(pr, tmp_path):
    out = handle(pr, comment_event(tmp_path, "Thanks!\n\n/peerpress assign @Rita-GH\n", "ed-gh"))
    assert desk_files(pr) == ["pr-12/assignments.yaml"]
    [entry] = yaml.safe_load((pr.root / "desk/pr-12/assignments.yaml").read_text(encoding="utf-8"))
    assert entry == {"action": "assign", "reviewer": "rita", "by": "ed", "date": TODAY, "posts": ["chest-pain"],
                     "source": f"https://github.com/{REPO}/pull/12#issuecomment-492700400"}
    lines = out.reply.splitlines()
    assert lines[0] == run.MARKER
    assert lines[1] == ("- `/peerpress assign @Rita-GH`: assigned Rita Reviewer (@Rita-GH) to review `chest-pain`, "
                        "due within 14 days.")
    assert out.problems == []


def test_logins_match_in_any_case_as_on_github(pr, tmp_path):
    handle(pr, comment_event(tmp_path, "/peerpress assign @rex-gh", "ED-GH"))
    log, _ = ledger.read_log(pr.config(), 12)
    assert [(a.reviewer, a.by) for a in log] == [("rex", "ed")]


@pytest.mark.parametrize(("login", "why"), [
    ("rita-gh", "Rita Reviewer does not have the editor role in `site.yaml`"),
    ("ada-gh", "Ada Author does not have the editor role in `site.yaml`"),
    ("Codertocat", "your GitHub account is not linked to anyone in this blog's `site.yaml`"),
])
@pytest.mark.parametrize("body", ["/peerpress accept", "/peerpress assign @rita-gh", "/peerpress waive-coi @rex-gh",
                                  "/peerpress unassign @rita-gh", "/peerpress status"])
def test_anyone_but_an_editor_gets_a_polite_refusal_and_no_effect(pr, tmp_path, login, why, body):
    out = handle(pr, comment_event(tmp_path, body, login))
    assert desk_files(pr) == [] and out.changed == []
    assert out.reply.splitlines() == [
        run.MARKER, f"Thank you, @{login}. Only the blog's editors can run `/peerpress` commands, and {why}, so "
        "nothing was changed. If you meant to ask for something (a reviewer, a decision), an editor will see your "
        "comment; if you are an editor, ask for your GitHub login to be added to your entry in `site.yaml`."]


@pytest.mark.parametrize("case", ["bot", "bot-login", "issue", "edited", "deleted", "no-command", "quoted", "fenced"])
def test_no_reply_at_all(pr, tmp_path, case):
    """Bots (our own replies too), comments on issues, edits and deletions, and comments that
    only mention or quote a command get no reply and have no effect."""
    body = {"no-command": "Looks good; an editor can run /peerpress accept later.",
            "quoted": "> /peerpress accept\n\nWhy did you say that?",
            "fenced": "Editors type:\n\n```\n/peerpress accept\n```\n"}.get(case, "/peerpress accept")
    path = comment_event(tmp_path, body, "github-actions[bot]" if case == "bot-login" else "ed-gh",
                         pr=None if case == "issue" else 12, kind="Bot" if case == "bot" else "User",
                         action=case if case in ("edited", "deleted") else "created")
    out = handle(pr, path)
    assert (out.reply, out.changed, desk_files(pr)) == ("", [], [])


def test_accept_waits_on_main_and_becomes_a_decision_record_when_merged(pr, tmp_path):
    """The post exists only on the pull request's branch: the decision waits under desk/ (main's
    build would refuse a record of a post it does not have) and `desk settle` makes it a record."""
    cfg = pr.config()
    out = handle(pr, comment_event(tmp_path, "/peerpress accept Two clear approvals; thank you all.", "ed-gh"))
    assert desk_files(pr) == ["pr-12/chest-pain/2026-11-01-ed-decision.md"]
    assert "recorded Ed Editor's decision to accept `chest-pain`" in out.reply.splitlines()[1]
    main_before = commit(pr.root, "Editorial desk: pull request #12", "2025-01-09T09:00:00+00:00")
    assert main(["check", "--config", str(cfg.path)]) == 0  # main still builds with the waiting decision
    # the editor merges; the record job settles the desk from main
    git(pr.root, "merge", "-q", "--no-ff", "-m", "Merge pull request #12", "origin/pull/12")
    written, problems = ledger.settle(cfg, 12, main_before)
    assert problems == [] and [p.relative_to(pr.root).as_posix() for p in written] == [
        "reviews/chest-pain/2026-11-01-ed-decision.md"]
    data = front(written[0])
    assert data == {"type": "decision", "editor": "ed", "date": TODAY, "decision": "accept",
                    "version": pr.hash_of("chest-pain"), "source": f"https://github.com/{REPO}/pull/12#issuecomment-492700400"}
    record, found = reviews.load_one(cfg, written[0], {"chest-pain", "asthma"})
    assert found == [] and record.body.strip() == "Two clear approvals; thank you all."
    # with two approvals the editor's accept is what the policy still wanted
    pr.approve_twice("chest-pain")
    assert state_of(pr, "chest-pain").needs == []
    assert state_of(pr, "chest-pain").status == "published"
    assert ledger.settle(cfg, 12, main_before) == ([], [])  # a second run changes nothing


def test_waive_coi_lets_a_declared_interest_count(pr, tmp_path):
    cfg = pr.config()
    handle(pr, comment_event(tmp_path, "/peerpress waive-coi @rex-gh", "ed-gh"))
    [path] = (pr.root / "desk/pr-12/chest-pain").glob("*.md")
    assert front(path)["decision"] == "waive" and front(path)["waives"] == ["rex"]
    git(pr.root, "add", "--all")
    git(pr.root, "commit", "-q", "-m", "desk")
    git(pr.root, "merge", "-q", "--no-ff", "-m", "Merge pull request #12", "origin/pull/12")
    ledger.settle(cfg, 12, "HEAD")
    pr.review("chest-pain", "rex", competing_interests="I co-teach the course this post is for")
    pr.review("chest-pain", "rita")
    assert sorted(c.record.person for c in state_of(pr, "chest-pain").approvals) == ["rex", "rita"]


def test_unassign_and_status(pr, tmp_path):
    handle(pr, comment_event(tmp_path, "/peerpress assign @rita-gh\n/peerpress assign @rex-gh", "ed-gh"))
    out = handle(pr, comment_event(tmp_path, "/peerpress unassign @rita-gh\n/peerpress status", "ed-gh"))
    log, _ = ledger.read_log(pr.config(), 12)
    assert [(a.action, a.reviewer) for a in log] == [("assign", "rita"), ("assign", "rex"), ("unassign", "rita")]
    assert list(ledger.current(log)) == ["rex"]
    lines = out.reply.splitlines()
    assert lines[1] == "- `/peerpress unassign @rita-gh`: unassigned Rita Reviewer."
    assert lines[2].startswith("- `/peerpress status`: posts: `chest-pain`; assigned reviewers: Rex Reviewer "
                               "(assigned 2026-11-01, due 2026-11-15).")


@pytest.mark.parametrize(("body", "says"), [
    ("/peerpress assign @nora-gh", "Nora Nobody does not have the reviewer role in `site.yaml`. Nothing was changed."),
    ("/peerpress assign @ada-gh", "Ada Author does not have the reviewer role in `site.yaml`. Nothing was changed."),
    ("/peerpress assign @ghost", "no one in `site.yaml` has `github: ghost`; add them to `people:` with the reviewer "
                                 "role first. Nothing was changed."),
    ("/peerpress assign", "`/peerpress assign` takes one GitHub user name, e.g. `/peerpress assign @octocat`; "
                          "nothing was changed."),
    ("/peerpress assign @a b", "`/peerpress assign` takes one GitHub user name, e.g. `/peerpress assign @octocat`; "
                               "nothing was changed."),
    ("/peerpress publish", "unknown command (the commands are `/peerpress assign`, `/peerpress unassign`, "
                           "`/peerpress waive-coi`, `/peerpress accept`, `/peerpress status`); nothing was changed."),
    ("/peerpress unassign @rex-gh", "@rex-gh is not assigned to this pull request. Nothing was changed."),
])
def test_commands_that_cannot_be_run_say_why(pr, tmp_path, body, says):
    out = handle(pr, comment_event(tmp_path, body, "ed-gh"))
    assert out.reply.splitlines()[1] == f"- `{body}`: {says}"
    assert desk_files(pr) == []


def test_an_editor_cannot_accept_their_own_post(tmp_path, git_env):  # noqa: F811
    blog = SiteBuilder(tmp_path / "blog")
    init(blog.root)
    blog.post("other")
    base = commit(blog.root, "main")
    git(blog.root, "update-ref", "refs/remotes/origin/main", base)
    git(blog.root, "checkout", "-q", "-b", "mine")
    blog.post("mine", authors=("ed",))
    git(blog.root, "update-ref", "refs/remotes/origin/pull/12", commit(blog.root, "mine"))
    git(blog.root, "checkout", "-q", "main")
    out = handle(blog, comment_event(tmp_path, "/peerpress accept\n/peerpress assign @ed-gh", "ed-gh"))
    assert out.reply.splitlines()[1:] == [
        "- `/peerpress accept`: Ed Editor is an author of `mine`: another editor must accept it. Nothing was changed.",
        "- `/peerpress assign @ed-gh`: Ed Editor is an author of `mine` and cannot review it. Nothing was changed."]
    assert desk_files(blog) == []


def test_parse_reads_only_lines_of_their_own():
    found = commands.parse("Hello\r\n  /PEERPRESS Assign @Rita-GH  \r\n/peerpressaccept\n~~~\n/peerpress accept\n~~~\n"
                           + "/peerpress status\n" * 20)
    assert [(c.verb, c.login) for c in found][:2] == [("assign", "Rita-GH"), ("status", "")]
    assert len(found) == commands.MAX_COMMANDS


def test_the_command_line_replies_to_a_file(pr, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(pr.root)
    reply = tmp_path / "reply.md"
    path = comment_event(tmp_path, "/peerpress assign @rita-gh", "ed-gh")
    assert main(["desk", "run", "--github-event", str(path), "--base", "origin/main", "--reply", str(reply)]) == 0
    assert capsys.readouterr().out == "wrote desk/pr-12/assignments.yaml\n"
    assert reply.read_text(encoding="utf-8").splitlines()[0] == run.MARKER
    other = comment_event(tmp_path, "hello", "ed-gh", name="other.json")
    assert main(["desk", "run", "--github-event", str(other), "--reply", str(reply)]) == 0
    assert reply.read_text(encoding="utf-8") == ""


def test_the_command_line_refuses_another_event(pr, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(pr.root)
    payload = tmp_path / "pr.json"
    payload.write_text((FIXTURES / "pull_request.opened.json").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["desk", "run", "--github-event", str(payload)]) == 1
    assert capsys.readouterr().err.strip() == (f"{payload}: error: not an issue_comment event payload (pass "
                                               "$GITHUB_EVENT_PATH from a workflow run 'on: issue_comment')")


def test_commits_that_cannot_be_read_are_said_so_and_change_nothing(pr, tmp_path):
    out = run.handle(pr.config(), json.loads(comment_event(tmp_path, "/peerpress accept", "ed-gh").read_text()),
                     "origin/pull/99", "origin/main", TODAY)
    assert out.reply.splitlines()[1].startswith("The desk could not read this pull request's commits")
    assert [p.message for p in out.problems] == ["the reviewed commit is not in this clone"]
    assert desk_files(pr) == []


def test_settle_on_the_command_line(pr, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(pr.root)
    handle(pr, comment_event(tmp_path, "/peerpress accept", "ed-gh"))
    commit(pr.root, "Editorial desk: pull request #12", "2025-01-09T09:00:00+00:00")
    assert main(["desk", "settle", "--pr", "12", "--base", "HEAD"]) == 0
    assert capsys.readouterr().out == "wrote reviews/chest-pain/2026-11-01-ed-decision.md\n"
    assert main(["desk", "settle", "--pr", "13", "--base", "HEAD"]) == 0  # no desk for it: nothing
    assert capsys.readouterr().out == ""


def test_a_negative_deadline_is_an_error_with_its_line(tmp_path, capsys):
    blog = SiteBuilder(tmp_path / "blog", {"review": {"deadline_days": -3}})
    assert main(["check", "--config", str(blog.root / "site.yaml")]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert re.fullmatch(r"site\.yaml:\d+: error: 'review\.deadline_days' must not be negative", line), line


def test_overdue_needs_a_deadline_an_open_assignment_and_no_review(tmp_path):
    from generator.desk import overdue
    log = [ledger.Assignment(12, "assign", "rita", "ed", date(2026, 10, 1), ("chest-pain",)),
           ledger.Assignment(12, "assign", "rex", "ed", date(2026, 10, 1), ("chest-pain",)),
           ledger.Assignment(12, "unassign", "rex", "ed", date(2026, 10, 3), ("chest-pain",)),
           ledger.Assignment(12, "assign", "bo", "ed", date(2026, 10, 1), ("chest-pain",))]
    reviewed = {("bo", "2026-10-09"), ("rita", "2026-09-30")}  # Rita's review predates her assignment
    with_deadline = SiteBuilder(tmp_path / "a", {"review": {"deadline_days": 30}}).config()
    late = overdue.find(with_deadline, log, reviewed, TODAY)
    assert [(o.assignment.reviewer, o.due, o.days) for o in late] == [("rita", date(2026, 10, 31), 1)]
    assert overdue.find(with_deadline, log, reviewed, date(2026, 10, 31)) == []  # due today is not late
    assert overdue.find(SiteBuilder(tmp_path / "b").config(), log, set(), TODAY) == []  # no deadline
