"""The desk's workflows: actionlint on every workflow, least privilege, fork safety read from the
workflow files (the jobs that may write never check out or run the pull request's code), and the
very scripts replayed: status-comment.yml's step on the artifact it is given (a stand-in `gh` for
GitHub's API), desk.sh against a bare origin repository, remind.sh and crossref-deposit.sh."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.etree
import pytest
import yaml as pyyaml
from ruamel.yaml import YAML

from tests.gitutil import commit, git, git_env, init  # noqa: F401 - git_env is a fixture
from tests.sitebuilder import SiteBuilder
from tests.test_desk import comment_event

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
SCRIPTS = ROOT / ".github" / "scripts"
FIXTURES = Path(__file__).parent / "fixtures" / "github"
NEW = ("desk.yml", "status-comment.yml", "remind.yml")
PINNED = re.compile(r"(?:- )?uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v\d+(?:\.\d+){0,2})")
UNTRUSTED = re.compile(r"\$\{\{\s*(github\.event\.|github\.head_ref|inputs\.)", re.IGNORECASE)
REPO = "shiftnotes/blog"
MARKER = "<!-- peerpress:status -->"
needs_tools = pytest.mark.skipif(not all(map(shutil.which, ("jq", "bash"))), reason="needs bash and jq")


def load(name: str) -> dict:
    return YAML(typ="safe").load((WORKFLOWS / name).read_text(encoding="utf-8"))


def actionlint() -> str | None:
    """The actionlint of the test extras; in CI (which installs them) a missing one is a failure."""
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.exists() else shutil.which("actionlint")
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("actionlint is missing: pip install -e '.[test]' installs it")
    return found


# --- static checks -----------------------------------------------------------------------------------

def test_actionlint_passes_on_every_workflow():
    tool = actionlint()
    if tool is None:
        pytest.skip("actionlint is not installed (pip install -e '.[test]')")
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) >= 6
    proc = subprocess.run([tool, "-no-color", *files], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_script_injection(tmp_path):
    """The check above can fail: a comment's body pasted into a script is flagged."""
    tool = actionlint()
    if tool is None:
        pytest.skip("actionlint is not installed")
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text("on: issue_comment\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo \"${{ github.event.comment.body }}\"\n", encoding="utf-8")
    proc = subprocess.run([tool, "-no-color", str(bad)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1 and "github.event.comment.body" in proc.stdout and "untrusted" in proc.stdout


def test_new_workflows_match_githubs_schema_and_pins():
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           *[str(WORKFLOWS / n) for n in NEW]], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                m = PINNED.fullmatch(line.strip())
                assert m, f"{path.name}: {line.strip()}"
                pins.setdefault(m.group(1), set()).add(m.group(2))
    assert all(len(v) == 1 for v in pins.values()), pins


@pytest.mark.parametrize(("name", "job", "granted"), [
    ("desk.yml", "desk", {"contents": "write", "pull-requests": "write"}),
    ("status-comment.yml", "post", {"actions": "read", "pull-requests": "write"}),
    ("remind.yml", "remind", {"contents": "read", "pull-requests": "write"}),
])
def test_least_privilege(name, job, granted):
    doc = load(name)
    assert doc["permissions"] == {"contents": "read"}
    assert list(doc["jobs"]) == [job] and doc["jobs"][job]["permissions"] == granted


def all_steps():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        doc = load(path.name)
        for job_id, job in doc["jobs"].items():
            for step in job.get("steps", []):
                yield path.name, doc, job_id, job, step


def test_jobs_that_can_write_never_check_out_or_run_pull_request_code():
    """Fork safety, read from every workflow: a job with a write permission, or started by an event
    that runs with the base repository's rights (issue_comment, workflow_run), checks out only the
    default branch, never the pull request's head, and never pastes untrusted text into a script."""
    privileged_events = {"issue_comment", "workflow_run", "pull_request_target"}
    seen = set()
    for name, doc, job_id, job, step in all_steps():
        writes = "write" in (job.get("permissions") or {}).values()
        privileged = bool(privileged_events & set(doc["on"]))
        assert "pull_request_target" not in doc["on"], name
        assert not UNTRUSTED.search(step.get("run", "")), f"{name}:{job_id}: untrusted text in a script"
        if not (writes or privileged):
            continue
        seen.add(name)
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            ref = str((step.get("with") or {}).get("ref", ""))
            assert ref in ("main", "${{ github.event.repository.default_branch }}"), f"{name}:{job_id}: {ref}"
        assert not re.search(r"\bgit (checkout|switch|worktree)\b|refs/pull", step.get("run", "")), f"{name}:{job_id}"
    assert {"desk.yml", "status-comment.yml", "remind.yml", "publish.yml", "review.yml"} <= seen
    post = load("status-comment.yml")["jobs"]["post"]
    # the job that posts what a pull request's run wrote runs no code at all: no checkout, no Python
    assert not any(str(s.get("uses", "")).startswith("actions/checkout@") for s in post["steps"])
    assert not any(re.search(r"\b(pip|python|peerpress|bash \.|\./)", s.get("run", "")) for s in post["steps"])
    assert load("status-comment.yml")["on"] == {"workflow_run": {"workflows": ["Review"], "types": ["completed"]}}


def test_desk_script_reads_the_pull_request_as_data_only():
    """desk.sh fetches the pull request's commits but checks out, resets and cleans only main
    (its commits go through on-main.sh, which it sources: read as one script)."""
    script = "".join((SCRIPTS / name).read_text(encoding="utf-8") for name in ("desk.sh", "on-main.sh"))
    moves = re.findall(r"^\s*git (?:checkout|switch|reset|worktree|merge|rebase|cherry-pick)\b.*$", script, re.M)
    assert moves == ['        git checkout --quiet --force -B "$BRANCH" "$REMOTE/$BRANCH"']
    assert 'source "$(dirname "${BASH_SOURCE[0]}")/on-main.sh"' in script
    assert re.findall(r"git fetch[^\n]*refs/pull[^\n]*", script) == [
        'git fetch --quiet "$REMOTE" "+refs/pull/$PR/head:refs/remotes/$REMOTE/pull/$PR"']
    desk = load("desk.yml")
    assert desk["on"] == {"issue_comment": {"types": ["created"]}}
    condition = desk["jobs"]["desk"]["if"]
    assert "github.event.issue.pull_request" in condition and "github.event.comment.user.type != 'Bot'" in condition
    [run] = [s for s in desk["jobs"]["desk"]["steps"] if "run" in s and "desk.sh" in s["run"]]
    assert run["env"]["PR"] == "${{ github.event.issue.number }}" and "GITHUB_EVENT_PATH" not in run["env"]


def test_review_workflow_writes_the_comment_as_an_artifact_and_the_poster_takes_it():
    review = load("review.yml")["jobs"]["status"]
    [write] = [s for s in review["steps"] if "github-comment" in s.get("run", "")]
    assert 'peerpress review status --format github-comment --github-event "$GITHUB_EVENT_PATH"' in write["run"]
    [upload] = [s for s in review["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert upload["with"]["name"] == "status-comment" and upload["with"]["path"] == "status-comment/"
    assert review["permissions"] == {"contents": "read", "pull-requests": "read"}
    [download] = load("status-comment.yml")["jobs"]["post"]["steps"][:1]
    assert download["with"]["name"] == "status-comment"
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"


@pytest.mark.parametrize("script", ["desk.sh", "remind.sh", "crossref-deposit.sh", "record-reviews.sh", "on-main.sh"])
def test_scripts_pass_shellcheck(script):
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed")
    proc = subprocess.run(["shellcheck", str(SCRIPTS / script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    if script != "on-main.sh":  # sourced, not run
        assert (SCRIPTS / script).stat().st_mode & 0o111


# --- a stand-in for `gh api` --------------------------------------------------------------------------

GH = r'''#!PYTHON
"""`gh api [--paginate] [-X METHOD] PATH [-F body=@FILE]` against FAKE_GH_ROUTES; calls logged."""
import json, os, sys
args = sys.argv[1:]
assert args[0] == "api", args
args = args[1:]
method, body, path = "GET", None, None
while args:
    a = args.pop(0)
    if a == "-X":
        method = args.pop(0)
    elif a == "-F":
        key, _, value = args.pop(0).partition("=")
        body = open(value[1:], encoding="utf-8").read() if value.startswith("@") else value
    elif a == "--paginate":
        pass
    else:
        path = a
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({"method": method, "path": path, "body": body}) + "\n")
routes = json.load(open(os.environ["FAKE_GH_ROUTES"], encoding="utf-8"))
key = f"{method} {path.split('?')[0]}"
if key not in routes:
    sys.exit(0 if method != "GET" else f"gh: Not Found (HTTP 404) {key}")
print(json.dumps(routes[key]))
'''


@pytest.fixture
def gh(tmp_path):
    """A `gh` on PATH answering from `routes` and logging each call."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "gh").write_text(GH.replace("PYTHON", sys.executable), encoding="utf-8")
    (folder / "gh").chmod(0o755)
    routes, log = tmp_path / "routes.json", tmp_path / "gh.log"
    log.write_text("", encoding="utf-8")

    class Stand:
        env = {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "FAKE_GH_ROUTES": str(routes),
               "FAKE_GH_LOG": str(log), "GH_TOKEN": "not-a-real-token", "GITHUB_REPOSITORY": REPO}

        def answer(self, table: dict) -> None:
            routes.write_text(json.dumps(table), encoding="utf-8")

        def calls(self) -> list[dict]:
            return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    stand = Stand()
    stand.answer({})
    return stand


# --- status-comment.yml's step, on the artifact it is handed -----------------------------------------------

def post_step(tmp_path: Path, gh, pr: str, body: str, head: str = "a" * 40):
    step = load("status-comment.yml")["jobs"]["post"]["steps"][1]
    folder = tmp_path / "artifact"
    folder.mkdir(exist_ok=True)
    (folder / "pr").write_text(pr, encoding="utf-8")
    (folder / "body.md").write_text(body, encoding="utf-8")
    env = {**os.environ, **gh.env, "REPO": REPO, "HEAD_SHA": head, "DIR": str(folder), "MARKER": MARKER}
    # as GitHub runs a `run:` step: bash -e with pipefail
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], env=env,
                          capture_output=True, text=True, timeout=60)


@needs_tools
def test_the_poster_creates_then_updates_its_one_comment(tmp_path, gh):
    body = MARKER + "\n## Peer review status\n"
    gh.answer({f"GET repos/{REPO}/pulls/12": {"head": {"sha": "a" * 40}}, f"GET repos/{REPO}/issues/12/comments": []})
    proc = post_step(tmp_path, gh, "12\n", body)
    assert proc.returncode == 0, proc.stderr
    assert gh.calls()[-1] == {"method": "POST", "path": f"repos/{REPO}/issues/12/comments", "body": body}
    # the second time the comment is there (as GitHub lists it; someone quoting it is not it)
    others = [{"id": 5, "user": {"login": "rita-gh"}, "body": MARKER + " quoted"},
              {"id": 7, "user": {"login": "github-actions[bot]"}, "body": body}]
    gh.answer({f"GET repos/{REPO}/pulls/12": {"head": {"sha": "a" * 40}},
               f"GET repos/{REPO}/issues/12/comments": others})
    assert post_step(tmp_path, gh, "12", body + "more\n").returncode == 0
    assert gh.calls()[-1] == {"method": "PATCH", "path": f"repos/{REPO}/issues/comments/7", "body": body + "more\n"}


@needs_tools
@pytest.mark.parametrize(("pr", "body", "says"), [
    ("12; rm -rf /", MARKER + "\nx", "not a pull request number: '12;rm-rf/'"),
    ("", MARKER + "\nx", "not a pull request number: ''"),
    ("../12", MARKER + "\nx", "not a pull request number: '../12'"),
    ("12", "Hello\n" + MARKER, "not a status comment"),
    ("12", MARKER + "\n" + "x" * 65_001, "the comment is too long (65027 bytes)"),
])
def test_the_poster_refuses_an_artifact_that_is_not_what_it_should_be(tmp_path, gh, pr, body, says):
    proc = post_step(tmp_path, gh, pr, body)
    assert proc.returncode == 1 and proc.stderr.strip() == says
    assert gh.calls() == []


@needs_tools
def test_the_poster_posts_nothing_for_a_pull_request_that_moved_on(tmp_path, gh):
    """A number that names another pull request (or one pushed to since) is not posted to."""
    gh.answer({f"GET repos/{REPO}/pulls/13": {"head": {"sha": "b" * 40}}})
    proc = post_step(tmp_path, gh, "13", MARKER + "\nx")
    assert proc.returncode == 0 and "a newer Review run will post its status" in proc.stdout
    assert [c["method"] for c in gh.calls()] == ["GET"]


# --- desk.sh against a bare origin ------------------------------------------------------------------------

@pytest.fixture
def origin(tmp_path, git_env):  # noqa: F811 - the fixture imported above
    """origin (bare) with main, and pull request 12 as GitHub keeps it (refs/pull/12/head); the
    runner's clone of main, as actions/checkout leaves it."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    # a blog where an editor's accept is all a post needs, so that the flow below shows its effect
    editor = SiteBuilder(tmp_path / "editor", {"review": {"editor_accept_required": True, "approvals_required": 0,
                                                          "passing": []}})
    init(editor.root)
    editor.post("asthma", body="Asthma.\n")
    commit(editor.root, "main")
    git(editor.root, "remote", "add", "origin", str(bare))
    git(editor.root, "push", "-q", "origin", "main")
    git(editor.root, "checkout", "-q", "-b", "chest-pain")
    editor.post("chest-pain", body="Chest pain.\n")
    commit(editor.root, "Submit")
    git(editor.root, "push", "-q", "origin", "chest-pain:refs/pull/12/head")
    runner = tmp_path / "runner"
    git(tmp_path, "clone", "-q", str(bare), str(runner))
    return bare, runner


def run_script(name: str, cwd: Path, gh, tmp_path: Path, **env: str):
    wrapper = tmp_path / "peerpress"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m generator "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    environ = {**os.environ, **gh.env, "PYTHONPATH": str(ROOT), "PEERPRESS": str(wrapper), **env}
    return subprocess.run(["bash", str(SCRIPTS / name)], cwd=cwd, env=environ, capture_output=True, text=True,
                          timeout=300)


@needs_tools
def test_desk_script_commits_an_editors_assignment_to_main_and_replies(origin, tmp_path, gh):
    bare, runner = origin
    event = comment_event(tmp_path, "/peerpress assign @rita-gh", "ed-gh")
    proc = run_script("desk.sh", runner, gh, tmp_path, PR="12", GITHUB_EVENT_PATH=str(event))
    assert proc.returncode == 0, proc.stderr
    assert git(bare, "log", "-1", "--format=%s", "main").strip() == "Editorial desk: pull request #12"
    log = pyyaml.safe_load(git(bare, "show", "main:desk/pr-12/assignments.yaml"))
    assert [(e["action"], e["reviewer"], e["by"], e["posts"]) for e in log] == [
        ("assign", "rita", "ed", ["chest-pain"])]
    assert git(bare, "ls-tree", "-r", "--name-only", "main").split() == [
        "content/posts/asthma.md", "desk/pr-12/assignments.yaml", "site.yaml"]  # nothing of the pull request's
    [reply] = gh.calls()
    assert reply["method"] == "POST" and reply["path"] == f"repos/{REPO}/issues/12/comments"
    assert reply["body"].splitlines()[1].startswith("- `/peerpress assign @rita-gh`: assigned Rita Reviewer")


@needs_tools
def test_desk_script_refuses_a_non_editor_and_commits_nothing(origin, tmp_path, gh):
    bare, runner = origin
    before = git(bare, "rev-parse", "main")
    event = comment_event(tmp_path, "/peerpress accept", "rita-gh")
    proc = run_script("desk.sh", runner, gh, tmp_path, PR="12", GITHUB_EVENT_PATH=str(event))
    assert proc.returncode == 0, proc.stderr
    assert git(bare, "rev-parse", "main") == before
    [reply] = gh.calls()
    assert reply["body"].splitlines()[1].startswith("Thank you, @rita-gh. Only the blog's editors can run")


@needs_tools
def test_desk_script_retries_when_main_moved_on(origin, tmp_path, gh):
    """Someone pushes to main between the runner's fetch and its push: the push is rejected, and
    the script does it again on the new main; both commits end up on main."""
    bare, runner = origin
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(bare), str(other))
    wrapper = tmp_path / "racing-peerpress"
    wrapper.write_text("#!/bin/sh\n"
                       f'if [ ! -e "{tmp_path}/raced" ]; then touch "{tmp_path}/raced"; '
                       f'cd "{other}" && echo x > NOTES.md && git add NOTES.md && git commit -qm "meanwhile" && '
                       'git push -q origin main; cd - >/dev/null; fi\n'
                       f'exec "{sys.executable}" -m generator "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    event = comment_event(tmp_path, "/peerpress assign @rex-gh", "ed-gh")
    proc = run_script("desk.sh", runner, gh, tmp_path, PR="12", GITHUB_EVENT_PATH=str(event),
                      PEERPRESS=str(wrapper))
    assert proc.returncode == 0, proc.stderr
    assert "moved on meanwhile" in proc.stderr
    assert git(bare, "log", "--format=%s", "main").splitlines()[:2] == ["Editorial desk: pull request #12", "meanwhile"]
    assert len(gh.calls()) == 1


# --- remind.sh and crossref-deposit.sh ------------------------------------------------------------------

def rest_review(login: str, when: str) -> dict:
    [item] = json.loads((FIXTURES / "pulls-list-reviews.json").read_text(encoding="utf-8"))
    item.update(state="APPROVED", submitted_at=when)
    item["user"]["login"] = login
    return item


@needs_tools
def test_remind_mentions_only_the_overdue_reviewers_of_open_pull_requests(tmp_path, gh, git_env):  # noqa: F811
    blog = SiteBuilder(tmp_path / "blog", {"review": {"deadline_days": 14}})
    blog.post("chest-pain")
    for pr in (12, 13):
        blog.write(f"desk/pr-{pr}/assignments.yaml", pyyaml.safe_dump([
            {"action": "assign", "reviewer": r, "by": "ed", "date": "2026-10-01", "posts": ["chest-pain"]}
            for r in ("rita", "rex")]))
    gh.answer({f"GET repos/{REPO}/pulls/12": {"state": "open"}, f"GET repos/{REPO}/pulls/13": {"state": "closed"},
               f"GET repos/{REPO}/pulls/12/reviews": [rest_review("rita-gh", "2026-10-20T10:00:00Z")]})
    proc = run_script("remind.sh", blog.root, gh, tmp_path)
    assert proc.returncode == 0, proc.stderr
    posts = [c for c in gh.calls() if c["method"] == "POST"]
    assert [c["path"] for c in posts] == [f"repos/{REPO}/issues/12/comments"]
    mentions = [line for line in posts[0]["body"].splitlines() if line.startswith("- ")]
    assert mentions == ["- @rex-gh: assigned 2026-10-01, due 2026-10-15 (17 days ago)"]


@needs_tools
def test_crossref_deposit_of_a_newly_published_post(tmp_path, gh, git_env):  # noqa: F811
    blog = SiteBuilder(tmp_path / "blog", {"doi_prefix": "10.5555"})
    init(blog.root)
    blog.post("asthma", body="Asthma.\n")
    before = commit(blog.root, "main")
    blog.post("chest-pain", doi="10.5555/blog.chest-pain", date="2026-10-01")
    blog.approve_twice("chest-pain")
    commit(blog.root, "Merge pull request #12 and its records")
    proc = run_script("crossref-deposit.sh", blog.root, gh, tmp_path, BEFORE=before)
    assert proc.returncode == 0, proc.stderr
    tree = lxml.etree.parse(str(blog.root / "crossref" / "deposit.xml"))
    ns = {"c": "http://www.crossref.org/schema/5.5.0"}
    assert tree.xpath("//c:posted_content/c:doi_data/c:doi/text()", namespaces=ns) == ["10.5555/blog.chest-pain"]
    helped = subprocess.run([sys.executable, "-m", "generator", "crossref", "--help"], capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    has_submit = "--submit" in helped.stdout
    if not has_submit:
        assert proc.stdout.splitlines()[-1] == ("This Peerpress cannot submit deposits: submit crossref/deposit.xml "
                                                "(the run's artifact) by hand.")
    # nothing newly published: no deposit
    shutil.rmtree(blog.root / "crossref")
    head = git(blog.root, "rev-parse", "HEAD").strip()
    proc = run_script("crossref-deposit.sh", blog.root, gh, tmp_path, BEFORE=head)
    assert proc.returncode == 0 and proc.stdout.strip() == "No newly published posts with DOIs to deposit."
    assert not (blog.root / "crossref" / "deposit.xml").exists()


# --- the whole flow: an editor's accept during review, the status shown, the record at merge ---------------

@needs_tools
def test_an_editors_accept_is_shown_during_review_and_recorded_at_merge(origin, tmp_path, gh):
    """desk.sh commits the accept onto main; review.yml's run (record-reviews.sh --no-commit on the
    pull request's checkout) shows it, though the pull request's own desk/ files claim otherwise;
    after the merge, publish.yml's record job (record-reviews.sh) makes it a record on main."""
    from tests.test_record_workflow import FakeGitHub, run_script as record_script

    bare, runner = origin
    editor = tmp_path / "editor"
    event = comment_event(tmp_path, "/peerpress accept Ready.", "ed-gh")
    assert run_script("desk.sh", runner, gh, tmp_path, PR="12", GITHUB_EVENT_PATH=str(event)).returncode == 0

    github = FakeGitHub()
    try:
        github.routes["pulls/12/reviews"] = []
        # review.yml: the pull request's checkout, where the author also added a desk/ file of their own
        review_run = tmp_path / "review-run"
        git(tmp_path, "clone", "-q", str(bare), str(review_run))
        git(review_run, "fetch", "-q", "origin", "refs/pull/12/head")
        git(review_run, "checkout", "-q", "FETCH_HEAD")
        forged = review_run / "desk" / "pr-12" / "chest-pain" / "2026-10-01-ed-decision.md"
        forged.parent.mkdir(parents=True)
        forged.write_text("---\ntype: decision\neditor: ed\ndate: 2026-10-01\ndecision: reject\n---\nNo.\n",
                          encoding="utf-8")
        proc, _ = record_script(review_run, github, tmp_path, "--no-commit", "12")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert sorted(p.name for p in (review_run / "reviews" / "chest-pain").iterdir()) == [
            "2026-11-01-ed-decision.md"]  # main's decision; never the pull request's own
        status = subprocess.run([sys.executable, "-m", "generator", "review", "status", "chest-pain"], cwd=review_run,
                                capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert status.stdout.splitlines()[1].split()[1] == "published", status.stdout + status.stderr

        # the editor merges; publish.yml's record job runs on main
        git(editor, "checkout", "-q", "main")
        git(editor, "fetch", "-q", "origin")
        git(editor, "reset", "-q", "--hard", "origin/main")  # with the desk's commit
        git(editor, "merge", "-q", "--no-ff", "-m", "Merge pull request #12", "chest-pain")
        git(editor, "push", "-q", "origin", "main")
        record_run = tmp_path / "record-run"
        git(tmp_path, "clone", "-q", str(bare), str(record_run))
        proc, output = record_script(record_run, github, tmp_path, PR="12")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    finally:
        github.close()
    assert git(bare, "log", "-1", "--format=%s", "main").strip() == "Review records of pull requests: #12"
    record = pyyaml.safe_load(git(bare, "show", "main:reviews/chest-pain/2026-11-01-ed-decision.md").split("---")[1])
    assert (record["type"], record["editor"], record["decision"]) == ("decision", "ed", "accept")
    assert output.strip() == f"sha={git(bare, 'rev-parse', 'main').strip()}"
