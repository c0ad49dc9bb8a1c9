"""The pull request's status comment (`peerpress review status --format github-comment`), made
from GitHub's published `pull_request` payload examples (opened, synchronize) in a real git
repository, rendered with markdown-it-py and read back with lxml; and overdue reviews."""
from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
import yaml
from markdown_it import MarkdownIt

from generator.cli import main
from generator.desk import comment
from tests.gitutil import commit, git, git_env, init  # noqa: F401 - git_env is a fixture
from tests.sitebuilder import PEOPLE, SiteBuilder

FIXTURES = Path(__file__).parent / "fixtures" / "github"
REPO = "shiftnotes/blog"
PREVIEW = "https://github.com/shiftnotes/blog/pull/{pr}/checks"


def pull_request_event(tmp_path: Path, head: str, action: str = "synchronize", number: int = 12) -> Path:
    """GitHub's example `pull_request` payload (or `pull_request_review`, for action "review") for
    this repository's pull request at `head`."""
    name = "pull_request_review.submitted.json" if action == "review" else f"pull_request.{action}.json"
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    data["pull_request"]["number"] = number
    if "number" in data:  # pull_request payloads repeat it at the top; pull_request_review ones do not
        data["number"] = number
    data["pull_request"]["head"]["sha"] = head
    data["pull_request"]["base"]["ref"] = "main"
    data["repository"]["full_name"] = REPO
    out = tmp_path / f"{action}.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def render(markdown: str):
    """GitHub-flavoured Markdown as GitHub shows it (tables on), parsed back into elements."""
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    return lxml.html.fragment_fromstring(html, create_parent="div")


def text(el) -> str:
    return " ".join(el.text_content().split())


@pytest.fixture
def checkout(tmp_path, git_env, monkeypatch):  # noqa: F811 - the fixture imported above
    """The pull request's checkout as review.yml has it: main moved on with another post; the
    branch adds 'chest-pain' in two versions; Rita approved the first, Rex asked for changes and
    then approved the second, Bo declared a competing interest; a post on main is untouched."""
    people = {**PEOPLE, "rita": {**PEOPLE["rita"], "name": "Dr Rita Okafor"}}
    blog = SiteBuilder(tmp_path / "blog", {"people": people, "review": {"deadline_days": 14}})
    init(blog.root)
    (blog.root / ".gitignore").write_text("site/\n.peerpress-cache/\n", encoding="utf-8")
    blog.post("asthma", body="Asthma: peak flow.\n")
    commit(blog.root, "main", "2026-09-01T09:00:00+00:00")
    git(blog.root, "checkout", "-q", "-b", "chest-pain")
    blog.post("chest-pain", title="Taking a chest pain history", body="Chest pain: take a history.\n")
    commit(blog.root, "v1", "2026-10-01T09:00:00+00:00")
    first = blog.hash_of("chest-pain")
    blog.post("chest-pain", title="Taking a chest pain history", body="Chest pain: take a history and examine.\n")
    blog.review("chest-pain", "rita", date="2026-10-02", version=first)
    blog.review("chest-pain", "rex", decision="revise", date="2026-10-03", version=first)
    blog.review("chest-pain", "rex", date="2026-10-10", name="2026-10-10-rex")
    blog.review("chest-pain", "bo", date="2026-10-11", competing_interests="I teach with the author")
    head = commit(blog.root, "v2 and reviews", "2026-10-09T09:00:00+00:00")
    git(blog.root, "checkout", "-q", "main")
    blog.post("sepsis", body="Sepsis: lactate.\n")
    commit(blog.root, "another post", "2026-10-05T09:00:00+00:00")
    # the editor's assignments, committed onto main by the desk after the branch began
    blog.write("desk/pr-12/assignments.yaml", yaml.safe_dump([
        {"action": "assign", "reviewer": "rita", "by": "ed", "date": "2026-10-01", "posts": ["chest-pain"]},
        {"action": "assign", "reviewer": "ed", "by": "ed", "date": "2026-10-01", "posts": ["chest-pain"]},
        {"action": "assign", "reviewer": "rex", "by": "ed", "date": "2026-10-01", "posts": ["chest-pain"]}]))
    moved = commit(blog.root, "Editorial desk: pull request #12", "2026-10-06T09:00:00+00:00")
    git(blog.root, "update-ref", "refs/remotes/origin/main", moved)
    git(blog.root, "checkout", "-q", "chest-pain")
    assert not (blog.root / "desk").exists()  # the pull request's checkout has none of it
    monkeypatch.chdir(blog.root)
    return {"blog": blog, "head": head, "first": first, "second": blog.hash_of("chest-pain")}


@pytest.mark.parametrize("action", ["synchronize", "opened", "review"])
def test_the_comment_says_where_each_post_of_the_pull_request_stands(checkout, tmp_path, capsys, action):
    event = pull_request_event(tmp_path, checkout["head"], action)
    assert main(["review", "status", "--format", "github-comment", "--github-event", str(event),
                 "--preview-url", PREVIEW]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == comment.MARKER
    doc = render(out)
    # only the pull request's post: not 'asthma' (untouched) nor 'sepsis' (main moved on)
    assert [text(h) for h in doc.iter("h3")][:1] == ["Taking a chest pain history (chest-pain)"]
    assert [text(h) for h in doc.iter("h2")] == ["Peer review status"]
    status = doc.xpath("//p[strong][1]")[0]
    assert text(status) == ("In review: needs 1 more approval of the current version; Dr Rita Okafor's approval "
                            "is for an earlier version; Bo Writer's approval "
                            "does not count (declared a competing interest that no editor has waived).")
    [table] = doc.iter("table")
    rows = [[text(td) for td in tr.iter("td")] for tr in table.iter("tr")][1:]
    assert rows == [
        ["Dr Rita Okafor", "approve", "2026-10-02", f"{checkout['first']} (an earlier one)",
         "no: for an earlier version of the text"],
        ["Rex Reviewer", "revise", "2026-10-03", f"{checkout['first']} (an earlier one)",
         "no: superseded by a later review from the same reviewer"],
        ["Rex Reviewer", "approve", "2026-10-10", f"{checkout['second']} (this one)", "yes"],
        ["Bo Writer", "approve", "2026-10-11", f"{checkout['second']} (this one)",
         "no: declared a competing interest that no editor has waived"]]
    interests = [text(li) for li in doc.xpath("//p[strong='Competing interests:']/following-sibling::ul[1]/li")]
    assert interests == ["Bo Writer: I teach with the author — not waived, so the review does not count (an editor "
                         "may reply /peerpress waive-coi @bo-gh)"]
    overdue = [text(li) for li in doc.xpath("//p[strong='Overdue reviews:']/following-sibling::ul[1]/li")]
    assert overdue == ["Ed Editor: assigned 2026-10-01, due 2026-10-15, 17 days overdue"]  # Rita and Rex reviewed
    [link] = doc.xpath("//a[contains(., 'the site as it would be built')]")
    assert link.get("href") == "https://github.com/shiftnotes/blog/pull/12/checks"
    # the reviewer checklist rides along, ready to copy, with the rubric-free blog's checks
    assert doc.xpath("//details/summary/text()") == []  # no rubric here, so no checklist block


def test_the_comment_without_changed_posts_and_a_hostile_name(tmp_path, git_env, monkeypatch, capsys):  # noqa: F811
    """Names are text: a name with Markdown, HTML or a table bar neither links, runs nor breaks a row."""
    hostile = "Rita | <img src=x onerror=alert(1)> [x](javascript:y) **b**"
    people = {**PEOPLE, "rita": {**PEOPLE["rita"], "name": hostile}}
    blog = SiteBuilder(tmp_path / "blog", {"people": people, "review": {
        "rubric": {"scale": [0, 3], "items": {"accuracy": {"label": "Accuracy"}}}}})
    init(blog.root)
    blog.post("asthma", body="Asthma.\n")
    blog.review("asthma", "rita", scores={"accuracy": 3})
    commit(blog.root, "main")
    monkeypatch.chdir(blog.root)
    assert main(["review", "status", "--format", "github-comment", "asthma"]) == 0
    doc = render(capsys.readouterr().out)
    assert doc.xpath("//img") == [] and doc.xpath("//a") == [] and doc.xpath("//td//strong") == []
    [row] = [tr for tr in doc.iter("tr") if tr.xpath("td")]
    cells = row.xpath("td")
    assert len(cells) == 5 and text(cells[0]) == hostile
    # with a rubric, the reviewer checklist is in a collapsed block, as a Markdown block to copy
    [details] = doc.iter("details")
    assert "- accuracy: _/3" in details.xpath("string(.//code)").splitlines()


def test_an_empty_pull_request_says_so(tmp_path, git_env, monkeypatch, capsys):  # noqa: F811
    blog = SiteBuilder(tmp_path / "blog")
    init(blog.root)
    blog.post("asthma", body="Asthma.\n")
    git(blog.root, "update-ref", "refs/remotes/origin/main", commit(blog.root, "main"))
    git(blog.root, "checkout", "-q", "-b", "readme")
    blog.write("README.md", "Hello\n")
    head = commit(blog.root, "readme")
    monkeypatch.chdir(blog.root)
    assert main(["review", "status", "--format", "github-comment", "--github-event",
                 str(pull_request_event(tmp_path, head))]) == 0
    doc = render(capsys.readouterr().out)
    assert doc.xpath("//h3") == []
    assert "This pull request changes no post, so there is nothing to review." in [text(p) for p in doc.iter("p")]


def test_review_status_lists_overdue_reviews(checkout, capsys):
    """From main's assignments (the pull request's branch began before them), by the records here."""
    assert main(["review", "status"]) == 0
    assert "overdue reviews (review.deadline_days: 14):" not in capsys.readouterr().out  # none in this checkout
    assert main(["review", "status", "--changed-from", "origin/main"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("overdue reviews (review.deadline_days: 14):")
    assert lines[start + 1:] == ["  pull request #12: Ed Editor (chest-pain) assigned 2026-10-01, due 2026-10-15, "
                                 "17 days overdue"]


def test_a_payload_that_is_not_a_pull_request_is_refused(checkout, tmp_path, capsys):
    path = tmp_path / "comment.json"
    path.write_text((FIXTURES / "issue_comment.created.json").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["review", "status", "--format", "github-comment", "--github-event", str(path)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"{path}: error: not a pull_request or pull_request_review event payload (pass $GITHUB_EVENT_PATH from a "
        "workflow run 'on: pull_request')")
