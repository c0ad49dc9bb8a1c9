"""Issue 13 (part B): no approval slips through the gate.

Duplicate YAML keys, approvals copied to another post, reviews dated in the future, untouched
scaffolds, Crossref deposits of unpublished posts, shallow clones and the submission date after
each way GitHub merges a pull request. Every case runs the real CLI or build on a real blog in a
temporary folder (git repositories where history matters).
"""
from __future__ import annotations

import shutil

import lxml.etree
import lxml.html
import pytest
import yaml

from generator import reviews, yamlio
from generator.errors import has_errors
from generator.cli import main
from tests.gitutil import commit, git, git_env, init  # noqa: F401 - git_env is a fixture
from tests.sitebuilder import SiteBuilder


def run(blog: SiteBuilder, capsys, *args: str) -> tuple[int, list[str]]:
    """Run `peerpress ARGS --config site.yaml`; (exit status, stderr lines)."""
    capsys.readouterr()
    code = main([*args, "--config", str(blog.root / "site.yaml")])
    return code, capsys.readouterr().err.splitlines()


def errors(lines: list[str]) -> list[str]:
    return [line for line in lines if ": error: " in line]


@pytest.fixture(params=["libyaml", "pure-python"])
def both_loaders(request, monkeypatch):
    """The check holds whether libyaml parses the document or the pure-Python fallback does."""
    if request.param == "pure-python":
        monkeypatch.setattr(yamlio, "FastLoader", None)
    elif yamlio.FastLoader is None:
        pytest.skip("PyYAML was built without libyaml")
    return request.param


# --- duplicate keys -------------------------------------------------------------------------------

def test_a_review_saying_revise_then_approve_is_refused_not_counted(blog, capsys, both_loaders):
    blog.post("p")
    blog.review("p", "rita")
    path = blog.review("p", "rex", decision="revise")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("decision: revise\n", "decision: revise\ndecision: approve\n"), encoding="utf-8")
    code, lines = run(blog, capsys, "build", "--out", str(blog.root / "site"))
    assert code == 1
    assert errors(lines) == ["reviews/p/2025-01-05-rex.md:5: error: duplicate key 'decision' "
                             "(first at line 4; keep one)"]
    assert not (blog.root / "site").exists()


def test_duplicate_keys_are_refused_at_any_depth_in_front_matter_and_site_yaml(blog, capsys, both_loaders):
    blog.write("content/posts/p.md", "---\ntitle: T\nauthors: [ada]\ndate: 2025-01-01\ncorrections:\n"
               "  - date: 2025-02-01\n    text: one\n    text: two\n---\nBody.\n")
    code, lines = run(blog, capsys, "check")
    assert code == 1
    assert errors(lines) == ["content/posts/p.md:8: error: duplicate key 'text' (first at line 7; keep one)"]

    blog.write("content/posts/p.md", "---\ntitle: T\nauthors: [ada]\ndate: 2025-01-01\n---\nBody.\n")
    site = (blog.root / "site.yaml").read_text(encoding="utf-8")
    blog.write("site.yaml", site + "review:\n  approvals_required: 0\n  approvals_required: 2\n")
    code, lines = run(blog, capsys, "check")
    n = site.count("\n")
    assert code == 1
    assert errors(lines) == [f"site.yaml:{n + 3}: error: duplicate key 'approvals_required' "
                             f"(first at line {n + 2}; keep one)"]


def test_same_key_spelled_two_ways_is_a_duplicate_but_merge_keys_are_not(both_loaders):
    with pytest.raises(yamlio.YamlError) as caught:
        yamlio.parse("round: 1\n\"round\": 2\n")
    assert (caught.value.message, caught.value.line, caught.value.hint) == \
        ("duplicate key 'round'", 2, "first at line 1; keep one")
    with pytest.raises(yamlio.YamlError):
        yamlio.parse("scores:\n  1: a\n  0x1: b\n")
    doc = yamlio.parse("base: &b {k: 1, j: 1}\nother:\n  <<: *b\n  k: 2\n")
    assert doc.data == {"base": {"k": 1, "j": 1}, "other": {"k": 2, "j": 1}}


# --- the version a review pins names the post -------------------------------------------------------

def test_an_approved_text_and_its_reviews_copied_to_another_id_do_not_publish_it(blog):
    blog.post("p", title="Chest pain", body="Take a history.\n")
    blog.approve_twice("p")
    shutil.copy(blog.root / "content/posts/p.md", blog.root / "content/posts/copy.md")
    shutil.copytree(blog.root / "reviews/p", blog.root / "reviews/copy")
    report = blog.build()
    assert not has_errors(report.problems)
    assert report.site.states["p"].status == "published"
    copied = report.site.states["copy"]
    assert copied.status == "in-review" and copied.approvals == []
    assert {c.reason for c in copied.reviews} == {"for an earlier version of the text"}
    assert (blog.root / "site/posts/p/index.html").is_file()
    assert not (blog.root / "site/posts/copy").exists()


def test_a_file_renamed_with_its_id_kept_stays_the_same_post(blog):
    blog.post("p", body="Take a history.\n", id="p")
    blog.approve_twice("p")
    (blog.root / "content/posts/p.md").rename(blog.root / "content/posts/renamed-file.md")
    report = blog.build()
    assert report.site.states["p"].status == "published" and len(report.site.states["p"].approvals) == 2


# --- scaffolds never publish themselves -------------------------------------------------------------

RUBRIC = {"review": {"rubric": {"scale": [0, 3],
                                "items": {"accuracy": {"label": "Accuracy"}, "clarity": {"label": "Clarity"}}}}}


def test_an_untouched_post_and_review_scaffolds_are_refused_by_check_and_build(tmp_path, capsys):
    blog = SiteBuilder(tmp_path / "blog", RUBRIC)
    assert run(blog, capsys, "new", "post", "Chest pain", "--author", "ada")[0] == 0
    for reviewer in ("rita", "rex"):
        code, _ = run(blog, capsys, "review", "new", "chest-pain", "--reviewer", reviewer,
                      "--decision", "approve", "--date", "2026-10-01")
        assert code == 0
    record = (blog.root / "reviews/chest-pain/2026-10-01-rita.md").read_text(encoding="utf-8")
    front = yaml.safe_load(record.split("---\n")[1])
    assert front["scores"] == {"accuracy": None, "clarity": None}  # nothing pre-filled
    assert record.split("---\n", 2)[2].strip().startswith("<!--")  # no text but a comment

    code, lines = run(blog, capsys, "check", "--strict")
    assert code == 1
    post = "content/posts/chest-pain.md"
    expected = [f"{post}:11: error: the post still holds the placeholder text of 'peerpress new post' "
                "(replace 'Write the post here, in Markdown. ...' with the post's own text)"]
    for reviewer in ("rex", "rita"):
        path = f"reviews/chest-pain/2026-10-01-{reviewer}.md"
        expected += [f"{path}:{n}: error: rubric score '{key}' was never filled in "
                     "(give a whole number from 0 to 3, or remove the line)" for n, key in ((9, "accuracy"),
                                                                                          (10, "clarity"))]
        expected.append(f"{path}:11: error: the review has no text of its own (write the review below the "
                        "front matter: what you checked and what the authors should change; readers see it "
                        "with the post)")
    assert sorted(errors(lines)) == sorted(expected)
    code, lines = run(blog, capsys, "build", "--out", str(blog.root / "site"))
    assert code == 1 and sorted(errors(lines)) == sorted(expected)
    assert not (blog.root / "site").exists()


def test_a_review_filled_in_by_its_reviewer_counts(tmp_path, capsys):
    blog = SiteBuilder(tmp_path / "blog", RUBRIC)
    blog.post("p")
    for reviewer in ("rita", "rex"):
        assert run(blog, capsys, "review", "new", "p", "--reviewer", reviewer, "--decision", "approve",
                   "--date", "2026-10-01")[0] == 0
        path = blog.root / f"reviews/p/2026-10-01-{reviewer}.md"
        text = path.read_text(encoding="utf-8")
        text = text.replace("  accuracy:\n", "  accuracy: 3\n").replace("  clarity:\n", "  clarity: 2\n")
        path.write_text(text + "Accurate; the second section could be shorter.\n", encoding="utf-8")
    report = blog.build()
    assert not has_errors(report.problems), [p.text() for p in report.problems]
    state = report.site.states["p"]
    assert state.status == "published" and {c.record.scores["clarity"] for c in state.approvals} == {2}


def test_old_review_placeholder_text_is_not_a_review(blog, capsys):
    blog.post("p")
    blog.review("p", "rita", body="Write the review here, in Markdown.\n")
    blog.review("p", "rex", body="\n\n")
    code, lines = run(blog, capsys, "check")
    assert code == 1
    assert sorted(errors(lines)) == [
        "reviews/p/2025-01-05-rex.md:6: error: the review has no text of its own (write the review below the "
        "front matter: what you checked and what the authors should change; readers see it with the post)",
        "reviews/p/2025-01-05-rita.md:7: error: the review still holds the placeholder text of 'peerpress "
        "review new' (replace it with the review itself: what you checked and what the authors should change)"]


# --- reviews dated in the future ------------------------------------------------------------------------

def test_a_review_dated_in_the_future_does_not_count_and_is_reported_with_its_line(blog, capsys):
    blog.post("p")
    blog.review("p", "rita")
    blog.review("p", "rex", date="2099-01-01")
    code, lines = run(blog, capsys, "check")
    assert code == 1
    assert errors(lines) == ["reviews/p/2099-01-01-rex.md:3: error: dated 2099-01-01, after today "
                             "(2026-11-01 in UTC): a review in the future does not count (give the date it "
                             "was written)"]
    report = blog.build(write=False, drafts=True)
    [future] = [c for c in report.site.states["p"].reviews if c.record.person == "rex"]
    assert (future.counts, future.reason) == (False, "dated in the future")
    assert report.site.states["p"].status != "published"


def test_today_is_the_build_clock_read_in_the_site_time_zone(tmp_path, capsys, monkeypatch):
    # 2026-11-01 20:00 UTC is already 2 November in Auckland (UTC+13) but not in UTC.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793563200")
    for zone, ok in (("Pacific/Auckland", True), ("UTC", False)):
        blog = SiteBuilder(tmp_path / zone.replace("/", "-"), {"timezone": zone})
        blog.post("p")
        blog.review("p", "rita", date="2026-11-02")
        blog.review("p", "rex", date="2026-11-01")
        code, lines = run(blog, capsys, "check")
        assert (code == 0) is ok, lines
        if not ok:
            assert errors(lines) == ["reviews/p/2026-11-02-rita.md:3: error: dated 2026-11-02, after today "
                                     "(2026-11-01 in UTC): a review in the future does not count (give the "
                                     "date it was written)"]


# --- crossref -------------------------------------------------------------------------------------------

def test_crossref_refuses_a_post_that_is_not_published_unless_forced(blog, capsys):
    blog.post("done", doi="10.59350/test.done")
    blog.approve_twice("done")
    blog.post("pending", doi="10.59350/test.pending")
    blog.review("pending", "rita")
    out = blog.root / "deposit.xml"
    code, lines = run(blog, capsys, "crossref", "done", "pending", "--out", str(out))
    assert code == 1 and not out.exists()
    assert errors(lines) == ["content/posts/pending.md: error: post 'pending' is in-review, not published: its DOI "
                             "would point at a page that does not exist (deposit it once it is published, or "
                             "pass --force if you are an editor and mean to register it now)"]

    assert run(blog, capsys, "crossref", "done", "--out", str(out))[0] == 0
    ns = {"cr": "http://www.crossref.org/schema/5.5.0"}
    assert lxml.etree.parse(str(out)).xpath("//cr:doi_data/cr:doi/text()", namespaces=ns) == ["10.59350/test.done"]
    assert run(blog, capsys, "crossref", "done", "pending", "--force", "--out", str(out))[0] == 0
    assert sorted(lxml.etree.parse(str(out)).xpath("//cr:doi_data/cr:doi/text()", namespaces=ns)) == \
        ["10.59350/test.done", "10.59350/test.pending"]


# --- the submission date, however the pull request was merged -------------------------------------------

def at(when: str) -> dict:
    """Both git dates at `when` (a merge button sets both)."""
    return {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}


@pytest.fixture
def pull_request(blog, git_env):  # noqa: F811 - the fixture imported above
    """main with one earlier post; branch `submit` adds post p on 10 January; main moves on meanwhile."""
    init(blog.root)
    blog.write(".gitignore", "site/\n.peerpress-cache/\n")
    blog.post("older", body="An older post.\n")
    commit(blog.root, "Start", "2025-01-01T09:00:00+00:00")
    git(blog.root, "checkout", "-q", "-b", "submit")
    blog.post("p", title="Chest pain", body="Take a history.\n")
    commit(blog.root, "Submit p", "2025-01-10T09:00:00+00:00")
    git(blog.root, "checkout", "-q", "main")
    blog.write("content/pages/about.md", "---\ntitle: About\n---\nAbout us.\n")
    commit(blog.root, "About page", "2025-01-15T09:00:00+00:00")
    return blog


def merge(blog: SiteBuilder, how: str) -> None:
    """Merge `submit` into main on 20 January the way GitHub's merge button does."""
    env = at("2025-01-20T09:00:00+00:00")
    if how == "rebase":  # "Rebase and merge": new commits on main, each keeping its author date
        git(blog.root, "checkout", "-q", "submit")
        git(blog.root, "rebase", "-q", "main", env={"GIT_COMMITTER_DATE": env["GIT_COMMITTER_DATE"]})
        git(blog.root, "checkout", "-q", "main")
        git(blog.root, "merge", "-q", "--ff-only", "submit")
    elif how == "merge":  # "Create a merge commit"
        git(blog.root, "merge", "-q", "--no-ff", "-m", "Merge pull request #1", "submit", env=env)
    else:  # "Squash and merge": one new commit, authored and committed at the merge
        git(blog.root, "merge", "-q", "--squash", "submit")
        git(blog.root, "commit", "-q", "-m", "Chest pain (#1)", env=env)


@pytest.mark.parametrize("how", ["rebase", "merge", "squash"])
def test_reviews_recorded_after_merging_count_however_the_pull_request_was_merged(pull_request, how):
    blog = pull_request
    merge(blog, how)
    blog.review("p", "rita", date="2025-01-12")  # reviewed on the pull request, recorded after the merge
    blog.review("p", "rex", date="2025-01-13")
    commit(blog.root, "Record the reviews of #1", "2025-01-21T09:00:00+00:00")
    report = blog.build()
    assert [p.text() for p in report.problems if p.severity == "error"] == []
    assert report.site.states["p"].status == "published"
    [submitted] = [e for e in timeline_of(report, "p") if e["kind"] == "submitted"] or [None]
    if how == "squash":  # GitHub dates a squashed commit at the merge: git cannot know the submission
        assert submitted is None
    else:
        assert submitted["date"].isoformat() == "2025-01-10T09:00:00+00:00"


def test_reviews_committed_on_the_branch_survive_rebase_and_merge(pull_request):
    blog = pull_request
    git(blog.root, "checkout", "-q", "submit")
    blog.review("p", "rita", date="2025-01-12")
    blog.review("p", "rex", date="2025-01-13")
    commit(blog.root, "Reviews", "2025-01-13T09:00:00+00:00")
    git(blog.root, "checkout", "-q", "main")
    merge(blog, "rebase")
    report = blog.build()
    assert [p.text() for p in report.problems if p.severity == "error"] == []
    assert report.site.states["p"].status == "published"


def test_a_record_dated_before_the_authors_first_commit_is_still_an_error(pull_request):
    blog = pull_request
    merge(blog, "merge")
    blog.review("p", "rita", date="2025-01-12")
    blog.review("p", "rex", date="2025-01-05")  # before the author wrote the post on the branch
    commit(blog.root, "Record the reviews", "2025-01-21T09:00:00+00:00")
    problems = [p.text() for p in blog.build(write=False).problems if p.severity == "error"]
    assert problems == ["reviews/p/2025-01-05-rex.md:3: error: dated 2025-01-05, before the post was submitted "
                        "on 2025-01-10 (fix the record's date)"]


def test_a_post_renamed_with_its_reviews_folder_keeps_its_submission_date(pull_request):
    blog = pull_request
    merge(blog, "rebase")
    blog.review("p", "rita", date="2025-01-12")
    blog.review("p", "rex", date="2025-01-13")
    commit(blog.root, "Record the reviews", "2025-01-21T09:00:00+00:00")
    git(blog.root, "mv", "content/posts/p.md", "content/posts/chest-pain.md")
    git(blog.root, "mv", "reviews/p", "reviews/chest-pain")
    commit(blog.root, "Rename p", "2025-02-01T09:00:00+00:00")
    blog.review("chest-pain", "rita", date="2025-02-02")  # the new URL is approved again (docs: `id:`)
    blog.review("chest-pain", "rex", date="2025-02-03")
    commit(blog.root, "Approve the renamed post", "2025-02-04T09:00:00+00:00")
    report = blog.build()
    assert [p.text() for p in report.problems if p.severity == "error"] == []
    state = report.site.states["chest-pain"]
    assert state.status == "published" and len(state.approvals) == 2
    [submitted] = [e for e in timeline_of(report, "chest-pain") if e["kind"] == "submitted"]
    assert submitted["date"].isoformat() == "2025-01-10T09:00:00+00:00"


def timeline_of(report, pid: str) -> list[dict]:
    site = report.site
    return reviews.timeline(site.posts[pid], site.states[pid], site.versions.get(pid, []))


# --- shallow clones ---------------------------------------------------------------------------------------

SHALLOW = ("site.yaml: error: this is a shallow git clone: the history of 1 post (p) reaches back past its oldest "
           "commit, so earlier versions, approvals and submission dates cannot be read (run 'git fetch "
           "--unshallow'; in GitHub Actions give actions/checkout 'fetch-depth: 0')")


def published_then_revised(blog: SiteBuilder) -> None:
    """p approved and published, then its text edited (the site keeps the approved text)."""
    init(blog.root)
    blog.write(".gitignore", "site/\n.peerpress-cache/\n")
    commit(blog.root, "Start", "2025-01-01T09:00:00+00:00")
    blog.post("p", title="Chest pain", body="Take a history.\n")
    commit(blog.root, "Submit p", "2025-01-02T09:00:00+00:00")
    blog.approve_twice("p")
    commit(blog.root, "Approve p", "2025-01-05T09:00:00+00:00")
    blog.post("p", title="Chest pain", body="Take a careful history.\n")
    commit(blog.root, "Revise p", "2025-01-08T09:00:00+00:00")


@pytest.mark.usefixtures("git_env")
def test_a_build_in_a_shallow_clone_fails_naming_the_fix_and_keeps_the_site(blog, tmp_path, capsys):
    published_then_revised(blog)
    assert blog.build().site.states["p"].status == "published"  # the full clone publishes the approved text
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{blog.root}", str(clone))
    shallow = SiteBuilder.__new__(SiteBuilder)
    shallow.root, shallow.settings = clone, {}
    (clone / "site").mkdir()
    (clone / "site/index.html").write_text("the previous site", encoding="utf-8")
    for command in (["build", "--out", str(clone / "site")], ["check"]):
        code, lines = run(shallow, capsys, *command)
        assert code == 1 and errors(lines) == [SHALLOW]
    assert (clone / "site/index.html").read_text(encoding="utf-8") == "the previous site"

    git(clone, "fetch", "-q", "--unshallow")  # the fix the message names
    code, lines = run(shallow, capsys, "build", "--out", str(clone / "site"))
    assert code == 0 and errors(lines) == []
    assert lxml.html.parse(str(clone / "site/posts/p/index.html")).xpath("string(//h1)").strip() == "Chest pain"


@pytest.mark.usefixtures("git_env")
def test_a_shallow_clone_holding_every_posts_history_builds(blog, tmp_path, capsys):
    published_then_revised(blog)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "3", f"file://{blog.root}", str(clone))  # from "Submit p" on
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    shallow = SiteBuilder.__new__(SiteBuilder)
    shallow.root, shallow.settings = clone, {}
    code, lines = run(shallow, capsys, "check")
    assert code == 1 and errors(lines) == [SHALLOW]  # "Submit p" is its oldest commit: p may be older
    git(clone, "fetch", "-q", "--deepen", "1")  # now "Start", with no post, is the oldest commit
    code, lines = run(shallow, capsys, "check")
    assert code == 0 and errors(lines) == []


def test_a_duplicate_key_in_a_csl_yaml_bibliography_is_refused(blog, capsys):
    blog.post("p", body="As shown [@smith2020].\n")
    blog.write("content/bibliography.yaml", "- id: smith2020\n  type: article-journal\n  title: One\n"
               "  title: Two\n")
    code, lines = run(blog, capsys, "check")
    assert code == 1
    assert errors(lines) == [  # the file is refused whole, so its keys are unknown too
        "content/bibliography.yaml:4: error: duplicate key 'title' (first at line 3; keep one)",
        "content/posts/p.md:7: error: unknown citation key 'smith2020' (no bibliography: add "
        "content/bibliography.bib or `bibliography:`)"]


def test_a_duplicate_key_in_theme_yaml_is_refused(blog, capsys):
    blog.post("p")
    blog.write("themes/mine/theme.yaml", "name: mine\nextends: default\nextends: clinic\n")
    site = (blog.root / "site.yaml").read_text(encoding="utf-8")
    blog.write("site.yaml", site + "theme: mine\n")
    code, lines = run(blog, capsys, "check")
    assert code == 1
    assert errors(lines) == ["themes/mine/theme.yaml:3: error: duplicate key 'extends' (first at line 2; keep one)"]


@pytest.mark.usefixtures("git_env")
def test_in_git_copied_approvals_are_reviews_of_another_post_not_a_missing_version(blog):
    init(blog.root)
    blog.write(".gitignore", "site/\n.peerpress-cache/\n")
    blog.post("p", title="Chest pain", body="Take a history.\n")
    commit(blog.root, "Submit p", "2025-01-02T09:00:00+00:00")
    blog.approve_twice("p")
    commit(blog.root, "Approve p", "2025-01-05T09:00:00+00:00")
    shutil.copy(blog.root / "content/posts/p.md", blog.root / "content/posts/copy.md")
    shutil.copytree(blog.root / "reviews/p", blog.root / "reviews/copy")
    commit(blog.root, "Copy p with its reviews", "2025-01-06T09:00:00+00:00")
    report = blog.build()
    assert [p.text() for p in report.problems] == []
    assert report.site.states["copy"].status == "in-review" and report.site.states["p"].status == "published"
    assert not (blog.root / "site/posts/copy").exists()
