"""Versions from git, the last approved version kept published, corrections, and the diff."""
from __future__ import annotations

import lxml.html
import pytest

from generator import content, history
from generator.errors import has_errors
from tests.gitutil import commit, git, git_env, init  # noqa: F401 - git_env is a fixture

V1 = "First text about chest pain.\n\nTake a history.\n"
V2 = "First text about chest pain.\n\nTake a careful history and examine.\n"


def page(path):
    return lxml.html.parse(str(path)).getroot()


def body_text(root) -> str:
    return " ".join(root.xpath("string(//div[@class='post-body'])").split())


@pytest.fixture
def repo(blog, git_env):  # noqa: F811 - the fixture imported above
    init(blog.root)
    (blog.root / ".gitignore").write_text("site/\n.peerpress-cache/\n", encoding="utf-8")
    return blog


def test_versions_from_one_log_pass_with_edits_renames_and_metadata_edits(repo, monkeypatch):
    blog = repo
    blog.post("chest-pain", body=V1)
    c1 = commit(blog.root, "Submit chest pain", "2025-01-01T09:00:00+00:00")
    h1 = blog.hash_of("chest-pain")
    blog.post("chest-pain", body=V2)
    c2 = commit(blog.root, "Revise chest pain", "2025-01-03T09:00:00+00:00")
    h2 = blog.hash_of("chest-pain")
    blog.post("chest-pain", body=V2, tags=["cardiology"])  # not part of the reviewed text
    c3 = commit(blog.root, "Tag it", "2025-01-04T09:00:00+00:00")
    git(blog.root, "mv", "content/posts/chest-pain.md", "content/posts/acute-chest-pain.md")  # no id: → new id
    c4 = commit(blog.root, "Rename", "2025-01-05T09:00:00+00:00")
    blog.post("stable", body="Stable.\n", id="stable-id")
    commit(blog.root, "Add stable", "2025-01-06T09:00:00+00:00")
    git(blog.root, "mv", "content/posts/stable.md", "content/posts/other-name.md")  # id: keeps identity
    commit(blog.root, "Rename stable", "2025-01-07T09:00:00+00:00")

    calls = []
    real = history.git

    def counting(cwd, *args, data=None):
        calls.append(args[0] if args[0] != "-c" else args[2])
        return real(cwd, *args, data=data)
    monkeypatch.setattr(history.gitlog, "git", counting)
    cfg = blog.config()
    posts, _ = content.load(cfg)
    versions, problems = history.scan(cfg, posts)
    assert problems == []
    assert calls.count("log") == 1 and calls.count("cat-file") <= 2

    moved = versions["acute-chest-pain"]
    h3 = blog.hash_of("acute-chest-pain")  # a rename without `id:` is a new URL: a new version to approve
    assert [(v.commit, v.content_hash) for v in moved] == [(c1, h1), (c2, h2), (c4, h3)]
    assert moved[0].committer == "Test Committer" and moved[0].subject == "Submit chest pain"
    assert moved[0].date.isoformat() == "2025-01-01T09:00:00+00:00"
    # the tags-only commit is no new version, but its file is the one to re-read
    assert moved[1].blob == git(blog.root, "rev-parse", f"{c3}:content/posts/chest-pain.md").strip()
    assert moved[2].blob == git(blog.root, "rev-parse", f"{c4}:content/posts/acute-chest-pain.md").strip()
    assert h3 != h2 and h3 == next(p for p in posts if p.id == "acute-chest-pain").content_hash
    assert [v.path for v in versions["stable-id"]] == ["content/posts/stable.md"]
    assert "chest-pain" not in versions and "stable" not in versions


def test_cached_hashes_give_the_same_versions_without_reading_blobs(repo, monkeypatch):
    blog = repo
    blog.post("p", body=V1)
    commit(blog.root, "one")
    cfg = blog.config()
    posts, _ = content.load(cfg)
    first = history.read(cfg, posts).versions
    monkeypatch.setattr(history.blobs, "read_blobs", lambda root, shas: pytest.fail(f"read {shas}") if shas else {})
    assert history.read(cfg, posts).versions == first


def test_bundle_bibliography_edits_make_a_version(repo):
    blog = repo
    blog.post("b", body="Text [@a].\n", bundle=True, bibliography=["refs.bib"])
    blog.write("content/posts/b/refs.bib", "@article{a, title={One}, author={X, Y}, year={2020}, journal={J}}\n")
    commit(blog.root, "one")
    blog.write("content/posts/b/refs.bib", "@article{a, title={Two}, author={X, Y}, year={2021}, journal={J}}\n")
    commit(blog.root, "two", "2025-01-02T12:00:00+00:00")
    cfg = blog.config()
    posts, _ = content.load(cfg)
    versions, _ = history.scan(cfg, posts)
    assert len(versions["b"]) == 2
    assert versions["b"][-1].content_hash == posts[0].content_hash


def test_shallow_clone_is_an_error_that_says_how_to_fetch(repo, tmp_path):
    blog = repo
    blog.post("p", body=V1)
    commit(blog.root, "one")
    blog.post("p", body=V2)
    commit(blog.root, "two", "2025-01-02T12:00:00+00:00")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{blog.root}", str(clone))
    from generator import config as config_mod
    cfg = config_mod.load(clone / "site.yaml")
    posts, _ = content.load(cfg)
    versions, problems = history.scan(cfg, posts)
    [problem] = problems
    assert problem.severity == "error" and "shallow" in problem.message
    assert "git fetch --unshallow" in problem.hint and "fetch-depth: 0" in problem.hint
    assert len(versions["p"]) == 1


def test_outside_git_versions_come_from_the_files(blog):
    blog.post("p", body=V1)
    cfg = blog.config()
    posts, _ = content.load(cfg)
    versions, problems = history.scan(cfg, posts)
    assert problems == []
    [v] = versions["p"]
    assert v.commit == "" and v.content_hash == posts[0].content_hash and v.path == "content/posts/p.md"


def approved_then_edited(blog):
    """p approved at V1 (committed), then its text edited to V2 (committed)."""
    blog.post("p", title="Chest pain", body=V1)
    commit(blog.root, "Submit", "2025-01-01T09:00:00+00:00")
    blog.approve_twice("p")
    commit(blog.root, "Approvals", "2025-01-05T09:00:00+00:00")
    approved = blog.hash_of("p")
    blog.post("p", title="Chest pain", body=V2)
    commit(blog.root, "Revise after publication", "2025-02-01T09:00:00+00:00")
    return approved


def test_edited_published_post_keeps_its_last_approved_text(repo):
    blog = repo
    approved = approved_then_edited(blog)
    revision = blog.hash_of("p")
    report = blog.build()
    assert not has_errors(report.problems)
    [warn] = [p for p in report.problems if p.path == "content/posts/p.md"]
    assert warn.severity == "warning" and approved in warn.message and revision in warn.message
    state = report.site.states["p"]
    assert (state.status, state.approved_hash, state.revision_hash) == ("published", approved, revision)
    assert len(state.approvals) == 2

    post = page(blog.root / "site/posts/p/index.html")
    assert "Take a history." in body_text(post) and "careful" not in body_text(post)
    note = " ".join(post.xpath("string(//p[@class='revision-note'])").split())
    assert note.startswith("A revision of this post is under review; this is the last version the reviewers approved")
    reviews = page(blog.root / "site/posts/p/reviews/index.html")
    listed = [" ".join(li.text_content().split()) for li in reviews.xpath("//ol[@class='versions']/li")]
    assert len(listed) == 2 and "(under review)" in listed[1] and "Seen by 2 reviews" in listed[0]
    assert reviews.xpath("//table[@class='diff-table']") == []  # public: nothing unapproved is shown


def test_check_strict_reports_the_kept_version(repo, capsys):
    from generator.cli import main
    approved_then_edited(repo)
    assert main(["check", "--config", str(repo.root / "site.yaml"), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "content/posts/p.md: warning: the text changed after it was approved" in err


def test_preview_shows_the_revision_and_the_diff(repo):
    blog = repo
    approved_then_edited(blog)
    blog.build(drafts=True)
    post = page(blog.root / "site/posts/p/index.html")
    assert "careful history" in body_text(post)
    reviews = page(blog.root / "site/posts/p/reviews/index.html")
    rows = [(tr.get("class"), " ".join(tr.xpath("string(td[2])").split()))
            for tr in reviews.xpath("//table[@class='diff-table']/tbody/tr")]
    assert ("diff-removed", "Take a history.") in rows
    assert ("diff-added", "Take a careful history and examine.") in rows
    assert ("diff-context", "First text about chest pain.") in rows


def test_approving_the_revision_publishes_it(repo):
    blog = repo
    approved_then_edited(blog)
    blog.review("p", "rita", date="2025-02-02", name="2025-02-02-rita")
    blog.review("p", "rex", date="2025-02-02", name="2025-02-02-rex")
    commit(blog.root, "Approve revision", "2025-02-03T09:00:00+00:00")
    report = blog.build()
    assert report.problems == []
    assert report.site.states["p"].revision_hash == ""
    assert "careful history" in body_text(page(blog.root / "site/posts/p/index.html"))


def test_editor_correction_carries_the_approval_forward(repo):
    blog = repo
    approved = approved_then_edited(blog)
    blog.post("p", title="Chest pain", body=V2,
              corrections=[{"date": content.date(2025, 2, 1), "text": "Added the examination.", "editor": "ed"}])
    corrected = blog.hash_of("p")
    blog.decision("p", "ed", "correction", date="2025-02-02", version=corrected)
    commit(blog.root, "Correction approved", "2025-02-02T09:00:00+00:00")
    report = blog.build()
    assert report.problems == []
    state = report.site.states["p"]
    assert (state.status, state.approved_hash, state.reviewed_hash) == ("published", corrected, approved)
    assert state.correction.person == "ed" and len(state.approvals) == 2
    assert "careful history" in body_text(page(blog.root / "site/posts/p/index.html"))
    reviews = page(blog.root / "site/posts/p/reviews/index.html")
    assert "as a correction of version" in reviews.xpath("string(//p[@class='correction-note'])")
    kinds = [tr.get("class") for tr in reviews.xpath("//table[@class='diff-table']/tbody/tr")]
    assert kinds.count("diff-added") == 1 and kinds.count("diff-removed") == 1


def test_correction_without_a_corrections_entry_is_not_enough(repo):
    blog = repo
    approved = approved_then_edited(blog)
    blog.decision("p", "ed", "correction", date="2025-02-02", version=blog.hash_of("p"))
    commit(blog.root, "Decision only", "2025-02-02T09:00:00+00:00")
    report = blog.build()
    assert report.site.states["p"].approved_hash == approved  # still the reviewed text
    assert any("lists no correction" in p.message for p in report.problems)


def test_outside_git_an_edited_approved_post_is_not_published_and_says_why(blog):
    blog.post("p", body=V1)
    blog.approve_twice("p")
    blog.post("p", body=V2)
    report = blog.build()
    assert report.site.states["p"].status == "in-review"
    [warn] = report.problems
    assert "not in the git history" in warn.message and "unshallow" in warn.hint
    assert not (blog.root / "site/posts/p").exists()


def test_backdated_review_committed_later_is_an_error_but_imported_history_is_not(repo):
    blog = repo
    blog.post("p", body=V1)
    blog.review("p", "rita", date="2024-12-01")  # came with the post: moved into git together
    # authored before it was committed (as after a rebase): git knows when the post was written
    commit(blog.root, "Import the blog", "2025-01-01T09:00:00+00:00",
           env={"GIT_AUTHOR_DATE": "2024-12-30T09:00:00+00:00"})
    assert not has_errors(blog.build(write=False).problems)
    blog.review("p", "rex", date="2024-12-02")
    commit(blog.root, "A review dated before submission", "2025-01-02T09:00:00+00:00")
    [problem] = [p for p in blog.build(write=False).problems if p.severity == "error"]
    assert problem.path == "reviews/p/2024-12-02-rex.md" and "before the post was submitted" in problem.message


def test_diff_rows():
    rows = history.diff("a\nb\nc", "a\nB\nc")
    assert rows == [("hunk", "@@ -1,3 +1,3 @@"), ("context", "a"), ("removed", "b"), ("added", "B"), ("context", "c")]


def test_the_log_is_read_incrementally_and_equals_a_full_read(repo, monkeypatch):
    """A rebuild after new commits reads only those; after a history rewrite, all of it again."""
    blog = repo
    blog.post("a", body=V1)
    commit(blog.root, "Add a", "2025-01-01T09:00:00+00:00")
    blog.post("b", body="B.\n")
    c2 = commit(blog.root, "Add b", "2025-01-02T09:00:00+00:00")
    cfg = blog.config()
    history.read(cfg, content.load(cfg)[0])  # fills the cache

    blog.post("a", body=V2)
    commit(blog.root, "Revise a", "2025-01-03T09:00:00+00:00")
    git(blog.root, "mv", "content/posts/b.md", "content/posts/c.md")
    commit(blog.root, "Rename b", "2025-01-04T09:00:00+00:00")
    blog.approve_twice("a")
    commit(blog.root, "Review a", "2025-01-05T09:00:00+00:00")

    ranges = []
    real = history.git

    def recording(cwd, *args, data=None):
        if "log" in args:
            ranges.append(args[args.index("--") - 1])
        return real(cwd, *args, data=data)
    monkeypatch.setattr(history.gitlog, "git", recording)

    def both() -> tuple[history.History, history.History]:
        posts = content.load(cfg)[0]
        return history.read(cfg, posts), history.read(cfg, posts, use_cache=False)

    incremental, full = both()
    assert ranges == [f"{c2}..HEAD", "HEAD"]
    assert incremental.versions == full.versions and incremental.records == full.records
    assert [v.subject for v in incremental.versions["a"]] == ["Add a", "Revise a"]
    assert set(incremental.versions) == {"a", "c"} and len(incremental.records) == 2

    git(blog.root, "reset", "-q", "--hard", c2)  # the cached HEAD is no longer on the line
    blog.post("a", body="A different revision.\n")
    commit(blog.root, "Rewrite a", "2025-01-06T09:00:00+00:00")
    ranges.clear()
    incremental, full = both()
    assert ranges == ["HEAD", "HEAD"]
    assert incremental.versions == full.versions and incremental.records == full.records
    assert [v.subject for v in incremental.versions["a"]] == ["Add a", "Rewrite a"]
