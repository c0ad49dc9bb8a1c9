"""The review policy: each rule proved on a real fixture site built into a temp folder."""
import lxml.html
import pytest

from generator.errors import has_errors
from tests.sitebuilder import unused_hash


def status(blog, post_id="p"):
    report = blog.build(write=False, drafts=True)
    assert not has_errors(report.problems), report.problems
    return report.site.states[post_id]


def test_two_independent_approvals_publish(blog):
    blog.post("p")
    blog.approve_twice("p")
    st = status(blog)
    assert st.status == "published" and len(st.approvals) == 2 and st.needs == []


def test_one_approval_is_in_review_and_says_what_it_needs(blog):
    blog.post("p")
    blog.review("p", "rita")
    st = status(blog)
    assert st.status == "in-review"
    assert st.needs == ["needs 1 more approval of the current version"]


def test_no_reviews_is_submitted(blog):
    blog.post("p")
    assert status(blog).status == "submitted"


def test_self_approval_does_not_count(blog):
    blog.post("p", authors=["ada", "bo"])
    blog.review("p", "bo")
    blog.review("p", "rita")
    st = status(blog)
    assert st.status == "in-review"
    [own] = [c for c in st.reviews if c.record.person == "bo"]
    assert not own.counts and own.reason == "Bo Writer is an author of this post"


def test_stale_approval_is_shown_but_does_not_count(blog):
    blog.post("p")
    blog.review("p", "rita", version=unused_hash())
    blog.review("p", "rex")
    st = status(blog)
    assert st.status == "in-review"
    [stale] = [c for c in st.reviews if c.record.person == "rita"]
    assert stale.stale and stale.reason == "for an earlier version of the text"
    assert "1 review is of an earlier version" in st.needs


def test_unregistered_and_role_less_reviewers_do_not_count(blog):
    blog.post("p")
    blog.review("p", "rita")
    blog.review("p", "nora")  # registered, but only as an author
    st = status(blog)
    assert st.status == "in-review"
    [nora] = [c for c in st.reviews if c.record.person == "nora"]
    assert nora.reason == "Nora Nobody does not have the reviewer role"


def test_unknown_reviewer_is_an_error_in_check(blog):
    blog.post("p")
    blog.review("p", "ghost")
    report = blog.build(write=False)
    [p] = [p for p in report.problems if "unknown reviewer 'ghost'" in p.message]
    assert p.path == "reviews/p/2025-01-05-ghost.md" and p.line == 2


def test_competing_interest_counts_only_once_waived(blog):
    blog.post("p")
    blog.review("p", "rita", competing_interests="I supervise the author's PhD")
    blog.review("p", "rex")
    st = status(blog)
    assert st.status == "in-review"
    assert [c.reason for c in st.reviews if not c.counts] == ["declared a competing interest that no editor has waived"]
    blog.decision("p", "ed", "waive", waives=["rita"], reason="Supervision ended in 2019; judged not material.")
    assert status(blog).status == "published"


def test_waiver_by_non_editor_is_ignored(blog):
    blog.post("p")
    blog.review("p", "rita", competing_interests="Co-author on a related paper")
    blog.review("p", "rex")
    blog.decision("p", "bo", "waive", waives=["rita"], reason="I say so")
    assert status(blog).status == "in-review"


def test_revise_then_later_approve_round(blog):
    blog.post("p")
    blog.review("p", "rita", decision="revise", date="2025-01-02")
    blog.review("p", "rex")
    assert status(blog).status == "revisions-requested"
    blog.review("p", "rita", decision="approve", date="2025-01-08", round=2)
    st = status(blog)
    assert st.status == "published"
    [old] = [c for c in st.reviews if c.record.decision == "revise"]
    assert old.reason == "superseded by a later review from the same reviewer"


def test_passing_rule_with_reservations(blog):
    blog.__init__(blog.root, {"review": {"passing": [{"approve": 2}, {"approve": 1, "approve-with-reservations": 2}]}})
    blog.post("p")
    blog.review("p", "rita")
    blog.review("p", "rex", decision="approve-with-reservations")
    assert status(blog).status == "in-review"
    blog.review("p", "ed", decision="approve-with-reservations")
    assert status(blog).status == "published"


def test_editor_accept_required(blog):
    blog.__init__(blog.root, {"review": {"editor_accept_required": True}})
    blog.post("p")
    blog.approve_twice("p")
    st = status(blog)
    assert st.status == "in-review" and st.needs == ["needs an editor's accept decision"]
    blog.decision("p", "ed", "accept")
    assert status(blog).status == "published"


def test_future_date_is_accepted_not_published(blog):
    blog.post("p", date="2027-06-01")
    blog.approve_twice("p")
    st = status(blog)
    assert st.status == "accepted" and st.needs == ["publishes on 2027-06-01"]


def test_draft_withdrawn_rejected(blog):
    blog.post("d", draft=True)
    blog.post("w")
    blog.decision("w", "ed", "withdraw", reason="Authors withdrew it.")
    blog.post("r")
    blog.decision("r", "ed", "reject", reason="Out of scope.")
    report = blog.build(write=False, drafts=True)
    assert {k: s.status for k, s in report.site.states.items()} == {"d": "draft", "w": "withdrawn", "r": "rejected"}


def test_record_validation_errors(blog):
    blog.__init__(blog.root, {"review": {"rubric": {"items": {"clarity": {"label": "Clarity"}}}}})
    blog.post("p")
    blog.review("p", "rita", decision="aprove")
    blog.review("p", "rex", version="not-a-hash")
    blog.review("p", "ed", scores={"clarity": 5, "vibes": 1})
    blog.write("reviews/ghost-post/2025-01-01-rita.md", "---\nreviewer: rita\ndate: 2025-01-01\n"
               "decision: approve\nversion: 0123456789abcdef\n---\nA review.\n")
    messages = sorted(p.message for p in blog.build(write=False).problems)
    assert messages == [
        "malformed version hash 'not-a-hash'",
        "review of unknown post 'ghost-post'",
        "score for 'clarity' is 5",
        "unknown decision 'aprove'",
        "unknown rubric item 'vibes'",
    ]


def test_two_reviews_of_one_version_the_later_stands(blog):
    """A comment, then an approval, on one version the same day (normal on GitHub): not an error
    (it was "duplicate review ... in round 1", failing check and build); the later one stands."""
    blog.post("p")
    blog.review("p", "rita", decision="revise")
    blog.review("p", "rita", name="2025-01-05-rita-2")
    blog.review("p", "rex")
    report = blog.build(write=False)
    assert not has_errors(report.problems), report.problems
    verdicts = {c.record.path.name: c for c in report.site.states["p"].reviews}
    assert verdicts["2025-01-05-rita.md"].reason == "superseded by a later review from the same reviewer"
    assert verdicts["2025-01-05-rita-2.md"].counts and verdicts["2025-01-05-rex.md"].counts
    assert report.site.states["p"].status == "published"


def test_a_later_comment_leaves_the_decision_standing(blog):
    blog.post("p")
    blog.review("p", "rita")
    blog.review("p", "rita", decision="comment", name="2025-01-05-rita-2", body="One more thought.\n")
    blog.review("p", "rex")
    state = blog.build(write=False).site.states["p"]
    assert [c.counts for c in state.reviews if c.record.person == "rita"] == [True, False]
    assert state.status == "published"


def test_one_github_review_recorded_twice_is_a_warning(blog):
    blog.post("p")
    link = "https://github.com/shiftnotes/blog/pull/7#pullrequestreview-80"
    blog.review("p", "rita", source=link)
    blog.review("p", "rita", source=link, name="2025-01-05-rita-2")
    [p] = [p for p in blog.build(write=False).problems if "recorded twice" in p.message]
    assert p.severity == "warning" and p.path == "reviews/p/2025-01-05-rita-2.md"


def test_public_build_publishes_only_accepted(blog):
    blog.post("yes", title="Reviewed")
    blog.approve_twice("yes")
    blog.post("no", title="Unreviewed")
    blog.review("no", "rita", decision="revise")
    report = blog.build()
    assert not has_errors(report.problems)
    out = blog.root / "site"
    assert (out / "posts/yes/index.html").is_file()
    assert not (out / "posts/no").exists()
    home = lxml.html.parse(str(out / "index.html")).getroot()
    assert [a.text for a in home.xpath("//h3[@class='card-title']/a")] == ["Reviewed"]


def test_drafts_build_shows_banner(blog):
    blog.post("no", title="Unreviewed")
    blog.review("no", "rita", decision="revise")
    blog.build(drafts=True)
    page = lxml.html.parse(str(blog.root / "site/posts/no/index.html")).getroot()
    banner = page.xpath("//div[contains(@class,'banner-revisions-requested')]")[0]
    assert "Revisions requested." in banner.text_content()


def test_retracted_post_stays_with_notice(blog):
    blog.post("p")
    blog.approve_twice("p")
    blog.decision("p", "ed", "retract", date="2025-06-01", reason="A dosing error was found.")
    report = blog.build()
    assert report.site.states["p"].status == "retracted"
    page = lxml.html.parse(str(blog.root / "site/posts/p/index.html")).getroot()
    notice = page.xpath("//div[contains(@class,'banner-retracted')]")[0].text_content()
    assert "Retracted." in notice and "A dosing error was found." in notice


def test_review_history_page(blog):
    blog.post("p", title="The post")
    blog.review("p", "rita", decision="revise", date="2025-01-02", body="Please add **references**.\n")
    blog.review("p", "rita", date="2025-01-07", round=2, source="https://github.com/o/r/pull/3#pullrequestreview-1")
    blog.review("p", "rex", date="2025-01-08", version=unused_hash())
    blog.review("p", "ed", date="2025-01-09")
    blog.build()
    page = lxml.html.parse(str(blog.root / "site/posts/p/reviews/index.html")).getroot()
    events = page.xpath("//ol[@class='timeline']/li")
    kinds = [e.get("class").split()[1] for e in events]
    assert kinds == ["event-review"] * 4 + ["event-accepted", "event-published"]
    assert page.xpath("//ol[@class='timeline']//strong")[0].text == "references"
    assert page.xpath("//span[@class='stale']")[0].text == "(for an earlier version)"
    assert page.xpath("//a[text()='Original review thread']/@href") == ["https://github.com/o/r/pull/3#pullrequestreview-1"]


def test_anonymous_policy_hides_names(blog):
    blog.__init__(blog.root, {"review": {"visibility": "anonymous"}})
    blog.post("p")
    blog.review("p", "rita", decision="revise", date="2025-01-02")
    blog.review("p", "rex", date="2025-01-03")
    blog.review("p", "rita", date="2025-01-04", round=2)
    blog.build()
    page = lxml.html.parse(str(blog.root / "site/posts/p/reviews/index.html")).getroot()
    text = page.text_content()
    assert "Rita Reviewer" not in text and "Rex Reviewer" not in text
    headings = [" ".join(h.text_content().split()) for h in page.xpath("//li[contains(@class,'event-review')]/h3")]
    assert headings == ["Revisions requested — Reviewer 1", "Approved — Reviewer 2", "Approved — Reviewer 1"]


@pytest.mark.parametrize("decision", ["approve", "revise"])
def test_scaffold_stamps_current_hash(blog, decision):
    from generator.cli import main
    blog.post("p")
    assert main(["review", "new", "p", "--reviewer", "rita", "--decision", decision,
                 "--date", "2025-01-04", "--config", str(blog.root / "site.yaml")]) == 0
    record = blog.root / "reviews/p/2025-01-04-rita.md"
    assert f"version: {blog.hash_of('p')}" in record.read_text().splitlines()
    record.write_text(record.read_text() + "Accurate and clear.\n")  # the reviewer writes the review
    assert status(blog).reviews[0].counts is True


def test_review_commands_name_an_unknown_post_as_an_error(blog, capsys):
    """`review new` and `review status` find posts the way `cite` and `crossref` do (one lookup)."""
    from generator.cli import main
    blog.post("p")
    blog.post("q", authors=["jdoe"])  # a site with an error still lets reviews be scaffolded
    config = str(blog.root / "site.yaml")
    assert main(["review", "new", "p", "--reviewer", "rita", "--decision", "approve", "--date", "2025-01-04",
                 "--config", config]) == 0
    assert (blog.root / "reviews/p/2025-01-04-rita.md").is_file()
    assert main(["review", "status", "p", "--config", config]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in out[-2:]] == [["post", "status"], ["p", "in-review"]]
    for argv in (["review", "new", "nope", "--reviewer", "rita", "--decision", "approve"],
                 ["review", "status", "nope"]):
        assert main(argv + ["--config", config]) == 1
        assert capsys.readouterr().err.splitlines() == [
            "content: error: no post with id 'nope' (known posts: p, q)"]
