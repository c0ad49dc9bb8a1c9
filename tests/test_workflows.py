"""The GitHub workflows: valid against GitHub's workflow schema, least privilege, safe with forks."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("check.yml", "review.yml", "publish.yml")
SCRIPT = ROOT / ".github" / "scripts" / "record-reviews.sh"
# uses: owner/action@<40 hex digits> # vN[.N[.N]]
PINNED = re.compile(r"(?:- )?uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v\d+(?:\.\d+){0,2})")
# Expressions that carry text an outsider controls (titles, bodies, branch names, logins, ...).
UNTRUSTED = re.compile(r"\$\{\{\s*(github\.event\.|github\.head_ref|inputs\.)", re.IGNORECASE)
SCOPES = {"actions", "attestations", "checks", "contents", "deployments", "id-token", "issues", "discussions",
          "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses", "models"}


def load(name: str) -> dict:
    return YAML(typ="safe").load((WORKFLOWS / name).read_text(encoding="utf-8"))  # YAML 1.2: `on` stays a string


def steps(doc: dict):
    for job_id, job in doc["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, job, step


def test_workflows_match_githubs_schema():
    """check-jsonschema's vendored copy of SchemaStore's github-workflow schema."""
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           *[str(WORKFLOWS / n) for n in NAMES]], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_catches_a_broken_workflow(tmp_path):
    """The check above can fail: a job without runs-on is rejected."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    steps:\n      - run: echo hi\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(bad)], capture_output=True, text=True)
    assert proc.returncode != 0


@pytest.mark.parametrize("name", NAMES)
def test_least_privilege_permissions(name):
    doc = load(name)
    assert doc["permissions"] == {"contents": "read"}, "the default token is read-only"
    for job_id, job in doc["jobs"].items():
        granted = job.get("permissions", {})
        assert isinstance(granted, dict) and set(granted) <= SCOPES, job_id
        assert "write-all" not in str(granted)


@pytest.mark.parametrize("name", NAMES)
def test_no_pull_request_target_and_no_untrusted_text_in_scripts(name):
    doc = load(name)
    assert "pull_request_target" not in doc["on"]
    assert "workflow_run" not in doc["on"]
    for job_id, _, step in steps(doc):
        script = step.get("run", "")
        assert not UNTRUSTED.search(script), f"{name}:{job_id}: pass untrusted values through env:, not inline"


def test_jobs_that_can_write_run_no_pull_request_code():
    """review.yml runs on pull requests (forks too): its only job that may write runs no code."""
    doc = load("review.yml")
    for job_id, job, step in steps(doc):
        if "write" in job.get("permissions", {}).values():
            script = step.get("run", "")
            assert "pip install" not in script and "peerpress" not in script and "python" not in script, job_id
            assert "uses" not in step, job_id
            assert job.get("if"), f"{job_id} must be limited to merged pull requests"
    # the job that writes records runs only on main's own events, never on a pull request's
    assert set(load("publish.yml")["on"]) == {"push", "schedule", "workflow_dispatch"}


@pytest.mark.parametrize("name", NAMES)
def test_every_action_is_pinned_to_a_commit_with_its_version(name):
    """A tag can be moved to other code; a commit cannot. The comment says which release it is."""
    lines = [line for line in (WORKFLOWS / name).read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        assert PINNED.fullmatch(line.strip()), f"{name}: {line.strip()}"
    uses = [str(step["uses"]) for _, _, step in steps(load(name)) if "uses" in step]
    assert len(uses) == len(lines)


def test_pins_agree_across_workflows():
    pins: dict[str, set[str]] = {}
    for name in NAMES:
        for line in (WORKFLOWS / name).read_text(encoding="utf-8").splitlines():
            m = PINNED.fullmatch(line.strip())
            if m:
                pins.setdefault(m.group(1), set()).add(m.group(2) + " " + m.group(3))
    assert all(len(v) == 1 for v in pins.values()), pins


def test_review_workflow_shows_the_status_and_commits_nothing():
    """It used to commit records onto the pull request's branch: lost on an early merge, rejected
    when two reviews or an author's push raced, and starting no check run (a required check blocked)."""
    doc = load("review.yml")
    assert set(doc["on"]["pull_request_review"]["types"]) == {"submitted", "edited", "dismissed"}
    assert set(doc["on"]["pull_request"]["types"]) == {"opened", "synchronize", "reopened"}  # an author's push
    scripts = [step.get("run", "") for _, _, step in steps(doc)]
    assert '.github/scripts/record-reviews.sh --no-commit "$PR"' in scripts  # tests/test_record_workflow.py
    assert any("peerpress review status" in s and "$GITHUB_STEP_SUMMARY" in s for s in scripts)
    assert not any(re.search(r"\bgit\s+(commit|push)\b", s) for s in scripts)
    assert all(job.get("permissions", {}).get("contents", "read") == "read" for job in doc["jobs"].values())
    checkouts = [s for _, _, s in steps(doc) if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkouts[0]["with"]["fetch-depth"] == 0 and checkouts[0]["with"]["persist-credentials"] is False
    late = doc["jobs"]["record-late"]
    assert late["if"] == "github.event_name == 'pull_request_review' && github.event.pull_request.merged_at"
    assert late["permissions"] == {"actions": "write"}
    assert late["steps"][0]["run"] == 'gh workflow run publish.yml --ref "$BASE" -f pr="$PR"'
    assert "pr" in load("publish.yml")["on"]["workflow_dispatch"]["inputs"]


def test_publish_records_the_reviews_then_builds_what_it_recorded():
    doc = load("publish.yml")
    record, build = doc["jobs"]["record"], doc["jobs"]["build"]
    assert doc["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert record["permissions"] == {"contents": "write", "pull-requests": "read"}
    [run] = [s for s in record["steps"] if "run" in s and "record-reviews" in s["run"]]
    assert run["run"] == ".github/scripts/record-reviews.sh" and (ROOT / run["run"]).stat().st_mode & 0o111
    assert set(run["env"]) == {"GH_TOKEN", "BEFORE", "AFTER", "PR", "FORMAT"}
    assert record["outputs"]["sha"] == "${{ steps.record.outputs.sha }}"
    checkout = next(s for s in record["steps"] if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0 and checkout["with"]["ref"] == "main"
    assert build["needs"] == "record" and build["if"] == "${{ !cancelled() }}"
    checkout = next(s for s in build["steps"] if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["ref"] == "${{ needs.record.outputs.sha || github.sha }}"


def test_record_script_passes_shellcheck():
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed")
    proc = subprocess.run([shellcheck, str(SCRIPT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_check_workflow_annotates_builds_and_uploads_a_preview():
    doc = load("check.yml")
    assert "pull_request" in doc["on"]
    scripts = [step.get("run", "") for _, _, step in steps(doc)]
    assert any("peerpress check --format github" in s for s in scripts)
    assert any(s.startswith("peerpress build") for s in scripts)
    uses = [str(step.get("uses", "")) for _, _, step in steps(doc)]
    assert any(u.startswith("actions/upload-artifact@") for u in uses)


def test_publish_workflow_builds_full_history_and_deploys_pages():
    doc = load("publish.yml")
    assert doc["on"]["push"]["branches"] == ["main"]
    all_steps = list(steps(doc))
    checkouts = [s for _, _, s in all_steps if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkouts and all(c["with"]["fetch-depth"] == 0 for c in checkouts)
    assert any(s.get("run", "").startswith("peerpress build") for _, _, s in all_steps)
    deploy = doc["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in deploy["steps"])


def test_publish_keeps_the_cache_signed_with_a_key_that_is_never_cached():
    doc = load("publish.yml")
    build_steps = [s for _, _, s in steps(doc)]
    cached = next(s for s in build_steps if str(s.get("uses", "")).startswith("actions/cache@"))
    assert cached["with"]["path"].split() == [".peerpress-cache", "site"]
    assert "steps.cache-key.outputs.prefix" in cached["with"]["key"]
    assert cached["with"]["restore-keys"] == "${{ steps.cache-key.outputs.prefix }}"
    key_step = next(s for s in build_steps if s.get("id") == "cache-key")
    assert "hashFiles('site.yaml')" in key_step["run"] and 'version("peerpress")' in key_step["run"]
    assert key_step["env"]["PEERPRESS_CACHE_KEY"] == "${{ secrets.PEERPRESS_CACHE_KEY }}"
    names = [s.get("id") or s.get("name") or s.get("uses") for s in build_steps]
    # The key file is written before the build, and lives outside the cached folder.
    assert names.index("cache-key") < names.index("Build the site")
    assert "~/.cache/peerpress/cache-key" in key_step["run"]
    assert ".peerpress-cache" not in key_step["run"]


def test_pull_request_checks_restore_the_cache_but_never_save_it_or_see_the_key():
    doc = load("check.yml")
    uses = [str(s.get("uses", "")) for _, _, s in steps(doc)]
    assert any(u.startswith("actions/cache/restore@") for u in uses)
    assert not any(u.startswith("actions/cache@") or u.startswith("actions/cache/save@") for u in uses)
    assert "${{ secrets." not in (WORKFLOWS / "check.yml").read_text(encoding="utf-8")
    restore = next(s for _, _, s in steps(doc) if str(s.get("uses", "")).startswith("actions/cache/restore@"))
    publish = next(s for _, _, s in steps(load("publish.yml")) if str(s.get("uses", "")).startswith("actions/cache@"))
    assert restore["with"]["path"] == publish["with"]["path"]  # else actions/cache finds no entry
