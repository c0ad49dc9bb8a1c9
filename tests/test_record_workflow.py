"""The review workflow replayed step by step: a bare origin repository stands in for GitHub's,
a local HTTP server for its REST API (answering with GitHub's published example of a review,
tests/fixtures/github/), and the very script publish.yml runs writes the records onto main.

An author pushes a branch; a reviewer asks for changes; the author pushes again while a second
reviewer approves; the editor merges before the first reviewer looks again, while another pull
request moved main on; the record run's first push is rejected because main moved again; the
first reviewer approves after the merge (review.yml starts publish.yml for it); a daily run
finds nothing new. At the end a build of origin's main publishes exactly the approved posts."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from generator.cli import main
from tests.gitutil import commit, git, isolate_git
from tests.sitebuilder import SiteBuilder

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".github" / "scripts" / "record-reviews.sh"
FIXTURES = Path(__file__).parent / "fixtures" / "github"
REPO = "shiftnotes/blog"

pytestmark = pytest.mark.skipif(not all(map(__import__("shutil").which, ("curl", "jq", "bash"))),
                                reason="the record script needs bash, curl and jq (as on GitHub's runners)")


class FakeGitHub:
    """GET /repos/shiftnotes/blog/... from `routes` (path → JSON), paginated like GitHub's REST API."""

    def __init__(self):
        self.routes: dict[str, object] = {}
        self.requests: list[str] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                url = urlsplit(self.path)
                api.requests.append(self.path)
                data = api.routes.get(url.path.removeprefix(f"/repos/{REPO}/"))
                if data is None:
                    self.send_error(404)
                    return
                query = parse_qs(url.query)
                if isinstance(data, list) and "page" in query:
                    size, page = int(query.get("per_page", ["30"])[0]), int(query["page"][0])
                    data = data[(page - 1) * size: page * size]
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def review(n: int, login: str, sha: str, state: str, when: str, body: str = "", pr: int = 12,
           kind: str = "User") -> dict:
    """GitHub's example review (pulls/list-reviews), this repository's, by `login` of `sha`."""
    [item] = json.loads((FIXTURES / "pulls-list-reviews.json").read_text(encoding="utf-8"))
    item = copy.deepcopy(item)
    item.update(id=n, state=state, body=body, submitted_at=when, commit_id=sha,
                html_url=f"https://github.com/{REPO}/pull/{pr}#pullrequestreview-{n}",
                pull_request_url=f"https://api.github.com/repos/{REPO}/pulls/{pr}")
    item["user"].update(login=login, type=kind)
    return item


def merged(number: int, hours: float = 0) -> dict:
    """A merged pull request as GitHub's REST API lists it, merged `hours` ago."""
    when = datetime.now(UTC) - timedelta(hours=hours)
    return {"number": number, "merged_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "base": {"ref": "main"}}


def run_script(runner: Path, github: FakeGitHub, tmp_path: Path, *args: str, race: str = "", **env: str):
    """The record job: .github/scripts/record-reviews.sh in a full clone, as publish.yml runs it."""
    wrapper = tmp_path / "peerpress"
    # The job installs peerpress; here it is this worktree's package. RACE runs once, as the first
    # import starts: someone pushes to main while the records are being written.
    wrapper.write_text("#!/bin/sh\n"
                       'if [ -n "$RACE" ] && [ ! -e "$RACE.done" ]; then touch "$RACE.done"; sh "$RACE"; fi\n'
                       f'exec "{sys.executable}" -m generator "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    output = tmp_path / "github-output"
    output.write_text("", encoding="utf-8")
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": github.url,
               "GH_TOKEN": "not-a-real-token", "PEERPRESS": str(wrapper), "GITHUB_OUTPUT": str(output),
               "RACE": race, **env}
    for key in ("PR", "BEFORE", "AFTER", "GITHUB_EVENT_NAME"):
        environ.setdefault(key, "")
    proc = subprocess.run(["bash", str(SCRIPT), *args], cwd=runner, capture_output=True, text=True, env=environ,
                          timeout=300)
    return proc, output.read_text(encoding="utf-8")


def published(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "posts").iterdir() if (p / "index.html").is_file())


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """The whole sequence (once for the tests below); a fresh clone of origin's main at the end."""
    tmp_path = tmp_path_factory.mktemp("flow")
    with pytest.MonkeyPatch.context() as env:
        isolate_git(tmp_path, env)  # an identity and no user git config, as in every git test
        github = FakeGitHub()
        try:
            yield sequence(tmp_path, github)
        finally:
            github.close()


def sequence(tmp_path: Path, github: FakeGitHub) -> Path:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(origin, "config", "uploadpack.allowAnySHA1InWant", "true")  # as GitHub: any commit can be fetched
    editor = SiteBuilder(tmp_path / "editor")
    git(editor.root, "init", "-q", "-b", "main")
    (editor.root / ".gitignore").write_text("site/\n.peerpress-cache/\n", encoding="utf-8")
    editor.post("other", body="Published long ago.\n")
    commit(editor.root, "The blog", "2019-05-01T09:00:00+00:00")
    editor.review("other", "rita", date="2019-05-01")
    editor.review("other", "rex", date="2019-05-01")
    commit(editor.root, "Reviews of other", "2019-05-01T10:00:00+00:00")
    git(editor.root, "remote", "add", "origin", str(origin))
    git(editor.root, "push", "-q", "origin", "main")

    # The author pushes a branch: pull request 12 (GitHub keeps its head as refs/pull/12/head).
    git(tmp_path, "clone", "-q", str(origin), str(tmp_path / "author"))
    author = SiteBuilder(tmp_path / "author")
    git(author.root, "checkout", "-q", "-b", "chest-pain")
    author.post("chest-pain", body="Chest pain: take a history.\n")
    c1 = commit(author.root, "Chest pain", "2019-05-02T09:00:00+00:00")
    git(author.root, "push", "-q", "origin", "chest-pain", "chest-pain:refs/pull/12/head")
    reviews = [review(1, "rex-gh", c1, "CHANGES_REQUESTED", "2019-05-03T09:00:00Z", "Examine the patient too."),
               review(2, "github-actions[bot]", c1, "COMMENTED", "2019-05-03T09:05:00Z", "Preview ready.", kind="Bot")]
    # The author pushes again while Rita approves the text she sees.
    author.post("chest-pain", body="Chest pain: take a history and examine.\n")
    c2 = commit(author.root, "Examine", "2019-05-04T09:00:00+00:00")
    git(author.root, "push", "-q", "origin", "chest-pain", "chest-pain:refs/pull/12/head")
    reviews.append(review(3, "rita-gh", c2, "APPROVED", "2019-05-04T10:00:00Z", "Clear and accurate."))
    reviews.append(review(4, "ada-gh", c2, "COMMENTED", "2019-05-04T11:00:00Z", "Thanks both!"))

    # Meanwhile another pull request (13, one approval: not enough) was merged: main moved on.
    git(editor.root, "checkout", "-q", "-b", "sepsis")
    editor.post("sepsis", body="Sepsis: lactate.\n")
    c13 = commit(editor.root, "Sepsis", "2019-05-02T12:00:00+00:00")
    git(editor.root, "push", "-q", "origin", "sepsis:refs/pull/13/head")
    git(editor.root, "checkout", "-q", "main")
    git(editor.root, "merge", "-q", "--no-ff", "-m", "Merge pull request #13", "sepsis")
    git(editor.root, "push", "-q", "origin", "main")

    # review.yml, during review: every review so far, read into a checkout of the pull request's
    # branch to show the status; nothing is committed.
    github.routes["pulls/12/reviews"] = reviews
    checkout = tmp_path / "review-run"
    git(tmp_path, "clone", "-q", str(origin), str(checkout))
    git(checkout, "checkout", "-q", c2)
    proc, _ = run_script(checkout, github, tmp_path, "--no-commit", "12")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(checkout, "status", "--porcelain").splitlines() == ["?? reviews/chest-pain/"]
    assert git(checkout, "rev-parse", "HEAD").strip() == c2
    assert git(origin, "rev-parse", "chest-pain").strip() == c2
    status = subprocess.run([sys.executable, "-m", "generator", "review", "status", "chest-pain", "--config",
                             str(checkout / "site.yaml")], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    row = status.stdout.splitlines()[1].split(maxsplit=4)
    assert row[1] == "in-review" and row[3] == "1", status.stdout + status.stderr
    assert row[4] == "needs 1 more approval of the current version; 1 review is of an earlier version"

    # The editor merges 12 early, before Rex looks again.
    before = git(editor.root, "rev-parse", "HEAD").strip()
    git(editor.root, "fetch", "-q", "origin")
    git(editor.root, "merge", "-q", "--no-ff", "-m", "Merge pull request #12", "origin/chest-pain")
    git(editor.root, "push", "-q", "origin", "main")
    after = git(editor.root, "rev-parse", "HEAD").strip()
    # GitHub's list of closed pull requests has 13 too, merged an hour ago: a push run records the
    # pull requests merged lately as well (a newer push may have replaced the run of 13's merge).
    github.routes.update({f"commits/{after}/pulls": [merged(12)], "pulls": [merged(12), merged(13, hours=1)],
                          "pulls/12/reviews": reviews,
                          "pulls/13/reviews": [review(5, "rita-gh", c13, "APPROVED", "2019-05-03T12:00:00Z",
                                                      "Fine.", pr=13)]})

    # publish.yml's record job (checkout of main with full history), on the push of the merge.
    # While it writes, someone else pushes to main: its first push is rejected.
    runner = tmp_path / "runner"
    git(tmp_path, "clone", "-q", str(origin), str(runner))
    race = tmp_path / "race.sh"
    about = tmp_path / "about.md"
    about.write_text("---\ntitle: About\n---\nAbout us.\n", encoding="utf-8")
    race.write_text(f'set -e\ncd "{editor.root}"\nmkdir -p content/pages\ncp "{about}" content/pages/about.md\n'
                    'git add -A && git commit -q -m "About page" && git push -q origin main\n', encoding="utf-8")
    proc, output = run_script(runner, github, tmp_path, race=str(race), GITHUB_EVENT_NAME="push", BEFORE=before,
                              AFTER=after)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "main moved on meanwhile: doing it again on the new main (attempt 2)" in proc.stderr
    assert "skipped the review by 'github-actions[bot]'" in proc.stderr
    assert "skipped the review by 'ada-gh'" in proc.stderr
    assert f"/repos/{REPO}/commits/{after}/pulls" in github.requests
    git(editor.root, "pull", "-q", "--ff-only", "origin", "main")
    tip = git(editor.root, "rev-parse", "HEAD").strip()
    assert output == f"sha={tip}\n"  # the build job checks this commit out
    assert git(editor.root, "log", "-1", "--format=%s").strip() == "Review records of pull requests: #12 #13"
    assert git(editor.root, "show", "--format=", "--name-only", "HEAD").split() == [
        "reviews/chest-pain/2019-05-03-rex.md", "reviews/chest-pain/2019-05-04-rita.md",
        "reviews/sepsis/2019-05-03-rita.md"]  # records only
    # The about page pushed during the race is there, under the records.
    assert git(editor.root, "log", "-2", "--format=%s").splitlines()[1] == "About page"

    # Rex approves after the merge: review.yml starts publish.yml with pr=12.
    reviews.append(review(6, "rex-gh", c2, "APPROVED", "2019-05-21T09:00:00Z", "Now complete."))
    proc, _ = run_script(runner, github, tmp_path, PR="12")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "Recorded the reviews of pull requests: #12"
    # The daily run goes over the pull requests merged in the last week: nothing new.
    proc, _ = run_script(runner, github, tmp_path, GITHUB_EVENT_NAME="schedule")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "No review records changed."
    assert sum("pulls?state=closed" in r for r in github.requests) == 2  # the push run's, the daily run's

    site_repo = tmp_path / "published"
    git(tmp_path, "clone", "-q", str(origin), str(site_repo))
    return site_repo


def test_records_reach_main_through_early_merge_races_and_late_reviews(recorded):
    site_repo = recorded
    assert sorted(git(site_repo, "ls-files", "reviews").split()) == [
        "reviews/chest-pain/2019-05-03-rex.md", "reviews/chest-pain/2019-05-04-rita.md",
        "reviews/chest-pain/2019-05-21-rex.md", "reviews/other/2019-05-01-rex.md",
        "reviews/other/2019-05-01-rita.md", "reviews/sepsis/2019-05-03-rita.md"]
    # 12 never touched sepsis: its one record is the review of 13
    assert "pull/13#pullrequestreview-5" in (site_repo / "reviews/sepsis/2019-05-03-rita.md").read_text("utf-8")


# The merge commit is dated after the reviews; a post's submission used to be dated by it, which
# made every record written at merge time "dated before the post was submitted". It is now dated
# by the first author date (history/submission.py).
def test_a_build_of_main_then_publishes_exactly_the_approved_posts(recorded, tmp_path):
    site_repo = recorded
    out = tmp_path / "site"
    assert main(["build", "--config", str(site_repo / "site.yaml"), "--out", str(out)]) == 0
    assert published(out) == ["chest-pain", "other"]  # sepsis has one approval of the two needed
    page = lxml.html.parse(str(out / "posts/chest-pain/reviews/index.html")).getroot()
    reasons = {li.get("id"): " ".join(li.xpath("string(.//li[@class='not-counted'])").split())
               for li in page.xpath("//li[contains(@class, 'event-review')]")}
    assert reasons == {"2019-05-03-rex": "Does not count towards acceptance: superseded by a later review from "
                                         "the same reviewer", "2019-05-04-rita": "", "2019-05-21-rex": ""}
