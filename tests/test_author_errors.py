"""What an author sees when something is wrong (issue 16): the real cause, once, on its line, in
plain words with how to fix it; every problem in a file at once; the site's own words accepted.

Each test runs the real command line (`peerpress check`, `review new`, `new post`) on a small real
blog and compares the exact `path:line: error: message (hint)` lines it prints.
"""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import yaml

from generator import render
from generator.cli import main
from generator.content import load
from generator.model import EDITOR_DECISIONS, REVIEW_DECISIONS
from generator.reviews import load as load_reviews
from tests.gitutil import git_env  # noqa: F401  (a fixture)
from tests.sitebuilder import PEOPLE, SiteBuilder

DATE_HINT = "write it as YYYY-MM-DD, e.g. 2025-01-31, or with a time: 2025-01-31T09:30:00+01:00"
JARGON = ("mapping", "scalar", "block end", "<stream end>", "token", "flow sequence", "invalid YAML")


def check(b: SiteBuilder, capsys) -> tuple[int, list[str]]:
    """`peerpress check`'s exit status and its problem lines (the summary line left out)."""
    code = main(["check", "--config", str(b.root / "site.yaml")])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if ": error: " in line or ": warning: " in line]
    for word in JARGON:
        assert word not in err, err
    return code, lines


@pytest.fixture
def blog(tmp_path) -> SiteBuilder:
    b = SiteBuilder(tmp_path / "blog")
    b.post("p")
    b.approve_twice("p")
    return b


# --- one mistake, one error: no "review of unknown post" for a post that failed to load --------

def test_a_broken_post_is_reported_once_not_again_for_each_review(blog, capsys):
    blog.write("content/posts/p.md", '---\ntitle: "Sepsis\nauthors: [ada]\ndate: 2025-01-10\n---\nText.\n')
    code, lines = check(blog, capsys)
    assert code == 1
    assert lines == ['content/posts/p.md:2: error: this quote is never closed '
                     '(add the closing " at the end of the line)']


def test_a_post_whose_id_line_names_the_folder_keeps_its_reviews(blog, capsys):
    """The id comes from an `id:` line when the file is named otherwise; read even when the YAML fails."""
    (blog.root / "content/posts/p.md").rename(blog.root / "content/posts/renamed.md")
    blog.write("content/posts/renamed.md", "---\nid: p\ntitle: T\nauthors: [ada]\ndate: 2025-01-10\n"
                                           "draft: [yes\n---\nText.\n")
    code, lines = check(blog, capsys)
    assert code == 1
    assert lines == ["content/posts/renamed.md:6: error: this list is never closed (add ']' at the end of the line)"]


def test_a_folder_no_post_claims_is_still_unknown(blog, capsys):
    blog.write("content/posts/p.md", "---\ntitle: T\nauthors: [ada]\ndate: 2025-01-10\n")  # never closed
    (blog.root / "reviews/p").rename(blog.root / "reviews/q")
    code, lines = check(blog, capsys)
    assert code == 1
    assert lines == [
        "content/posts/p.md:1: error: the front matter is never closed "
        "(add a line '---' after line 4, where the front matter ends)",
        "reviews/q/2025-01-05-rex.md: error: review of unknown post 'q' (the folder name must be a post id)",
        "reviews/q/2025-01-05-rita.md: error: review of unknown post 'q' (the folder name must be a post id)",
    ]


# --- YAML mistakes in plain words, on the line that causes them ---------------------------------

MISTAKES = {
    "unclosed-quote": ('title: "Sepsis: the first hour\nauthors: [ada]\ndate: 2025-01-10\ntags: [sepsis]\n',
                       2, 'this quote is never closed (add the closing " at the end of the line)'),
    "unclosed-single-quote": ("title: 'Sepsis\nauthors: [ada]\ndate: 2025-01-10\n",
                              2, "this quote is never closed (add the closing ' at the end of the line)"),
    "colon-in-value": ("title: Sepsis: the first hour\nauthors: [ada]\ndate: 2025-01-10\n",
                       2, "the value of 'title' contains ': ', which starts a new key "
                          "(put the value in quotes: title: 'Sepsis: the first hour')"),
    "text-after-quote": ('title: "Sepsis" in the ED\nauthors: [ada]\ndate: 2025-01-10\n',
                         2, "there is more text after the closing quote "
                            "(put the whole value in quotes: title: '\"Sepsis\" in the ED')"),
    "tab-indent": ("title: T\nauthors:\n\t- ada\ndate: 2025-01-10\n",
                   4, "a tab is used to indent this line (indent with spaces: tabs are not allowed here)"),
    "dash-without-space": ("title: T\nauthors: [ada]\ndate: 2025-01-10\ntags:\n  - ecg\n  -sepsis\n",
                           7, "a list item needs a space after the dash (write '- sepsis')"),
    "no-space-after-colon": ("title:Sepsis\nauthors: [ada]\ndate: 2025-01-10\n",
                             2, "a space is missing after 'title:' (write 'title: Sepsis')"),
    "unclosed-list": ("title: T\ntags: [ecg, sepsis\nauthors: [ada]\ndate: 2025-01-10\n",
                      3, "this list is never closed (add ']' at the end of the line)"),
    "unclosed-list-last": ("title: T\nauthors: [ada]\ndate: 2025-01-10\ntags: [ecg, sepsis\n",
                           5, "this list is never closed (add ']' at the end of the line)"),
    "key-indented": ("title: T\n  authors: [ada]\ndate: 2025-01-10\n",
                     3, "this line is indented by 2 spaces, which does not fit the lines above it "
                        "(indent it by 0 spaces, like line 2)"),
    "item-indented-less": ("title: T\nauthors:\n  - ada\n - bo\ndate: 2025-01-10\n",
                           5, "this line is indented by 1 space, which does not fit the lines above it "
                              "(indent it by 2 spaces, like line 4)"),
    "correction-key-indented": ("title: T\nauthors: [ada]\ndate: 2025-01-10\ncorrections:\n"
                                "  - date: 2025-01-12\n     text: Dose fixed\n",
                                7, "this line is indented by 5 spaces, which does not fit the lines above it "
                                   "(indent it by 4 spaces, like line 6)"),
    "apostrophe-in-single-quotes": ("title: 'Sepsis: it's time'\nauthors: [ada]\ndate: 2025-01-10\n",
                                    2, "there is more text after the closing quote "
                                       "(put the whole value in quotes: title: \"Sepsis: it's time\")"),
    "colon-missing": ("title: T\nauthors [ada]\ndate: 2025-01-10\n",
                      3, "a ':' is missing after 'authors' (write 'authors: [ada]')"),
    "colon-in-list-item": ("title: T\nauthors: [ada]\ndate: 2025-01-10\nobjectives:\n  - Recognise sepsis: early\n",
                           6, "'objectives.0' contains ': ', which starts a new key "
                              "(put it in quotes: 'Recognise sepsis: early')"),
    "value-starts-with-at": ("title: '@home: care'\nsummary: @home care\nauthors: [ada]\ndate: 2025-01-10\n",
                             3, "a value cannot start with '@' unless it is in quotes "
                                "(write summary: '@home care')"),
}


@pytest.mark.parametrize("front, line, message", MISTAKES.values(), ids=MISTAKES.keys())
def test_yaml_mistake_named_on_its_line(blog, capsys, front, line, message):
    blog.write("content/posts/bad.md", f"---\n{front}---\nText.\n")
    code, lines = check(blog, capsys)
    assert code == 1
    assert lines == [f"content/posts/bad.md:{line}: error: {message}"]


def test_a_list_item_without_a_space_is_not_read_as_text(blog, capsys):
    """`tags:\\n  -ecg` is valid YAML for the text "-ecg": named as the mistake it is."""
    blog.write("content/posts/bad.md", "---\ntitle: T\nauthors: [ada]\ndate: 2025-01-10\ntags:\n  -ecg\n---\nText.\n")
    code, lines = check(blog, capsys)
    assert lines == ["content/posts/bad.md:5: error: 'tags' has a list item without a space after the dash "
                     "(write '- ecg' on its own line)"]


def test_missing_closing_fence_says_where_it_goes(blog, capsys):
    blog.write("content/posts/bad.md", "---\ntitle: T\nauthors: [ada]\ndate: 2025-01-10\n\n# Heading\n\nText.\n")
    code, lines = check(blog, capsys)
    assert code == 1
    assert lines == ["content/posts/bad.md:1: error: the front matter is never closed "
                     "(add a line '---' after line 4, where the front matter ends)"]


@pytest.mark.parametrize("bom, newline", [("\ufeff", "\n"), ("", "\r\n"), ("\ufeff", "\r\n"), ("", "\r")])
def test_bom_and_windows_line_endings_just_work(blog, capsys, bom, newline):
    for path in [blog.root / "content/posts/p.md", *sorted((blog.root / "reviews/p").iterdir())]:
        text = path.read_text(encoding="utf-8")
        path.write_bytes((bom + text.replace("\n", newline)).encode("utf-8"))
    assert check(blog, capsys) == (0, [])


# --- every problem in a file at once -------------------------------------------------------------

def test_every_problem_in_a_file_at_once(blog, capsys):
    blog.write("content/posts/bad.md", "---\n"
               'title: "Sepsis\n'                          # 2: unclosed quote
               "summary: Sepsis: the first hour\n"         # 3: colon in a value
               "authors: [ada, zed]\n"                     # 4: unknown author
               "date: 2025-02-30\n"                        # 5: impossible date
               "tags:\n\t- sepsis\n"                       # 7: a tab
               "objectivs: [Spot sepsis]\n"                # 8: unknown key
               "draft: maybe\n"                            # 9: not true or false
               "---\nText.\n")
    code, lines = check(blog, capsys)
    assert code == 1
    assert lines == [
        'content/posts/bad.md:2: error: this quote is never closed (add the closing " at the end of the line)',
        "content/posts/bad.md:3: error: the value of 'summary' contains ': ', which starts a new key "
        "(put the value in quotes: summary: 'Sepsis: the first hour')",
        "content/posts/bad.md:4: error: unknown author 'zed' (did you mean 'ed'?)",
        f"content/posts/bad.md:5: error: 2025-02-30 is not a date: February 2025 has 28 days ({DATE_HINT})",
        "content/posts/bad.md:7: error: a tab is used to indent this line "
        "(indent with spaces: tabs are not allowed here)",
        "content/posts/bad.md:8: error: unknown key 'objectivs' (did you mean 'objectives'?)",
        "content/posts/bad.md:9: error: 'draft' must be true or false, got the text 'maybe' "
        "(never publish, even if accepted)",
    ]


def test_every_problem_in_a_review_record_at_once(blog, capsys):
    blog.write("reviews/p/2025-01-07-ed.md", "---\nreviewer: zed\ndate: 2025-04-31\ndecision: aprove\n"
               "version: abc\nrond: 2\n---\nFine.\n")
    code, lines = check(blog, capsys)
    assert code == 1
    shown = "reviews/p/2025-01-07-ed.md"
    assert lines == [
        f"{shown}:2: error: unknown reviewer 'zed' (add them to people: in site.yaml)",
        f"{shown}:3: error: 2025-04-31 is not a date: April 2025 has 30 days ({DATE_HINT})",
        f"{shown}:4: error: unknown decision 'aprove' (did you mean 'approve'?)",
        f"{shown}:5: error: malformed version hash 'abc' (it is 16 lower-case hex digits; "
        "'peerpress review status POST' prints the current one)",
        f"{shown}:6: error: unknown key 'rond' (did you mean 'round'?)",
    ]


# --- the words the site shows are decisions too ---------------------------------------------------

def test_every_label_the_site_shows_is_accepted():
    from generator import decisions  # here, not at the top: the other tests also run against old code
    for key, label in render.DECISION_LABELS.items():
        if key in REVIEW_DECISIONS:
            assert decisions.canonical(label, "review") == key, label
        if key in EDITOR_DECISIONS:
            assert decisions.canonical(label, "decision") == key, label


@pytest.mark.parametrize("word, stored", [("approved", "approve"), ("Approved", "approve"),
                                          ("changes requested", "revise"), ("changes-requested", "revise"),
                                          ("CHANGES_REQUESTED", "revise"), ("commented", "comment"),
                                          ("rejected", "reject"), ("approved with reservations",
                                                                   "approve-with-reservations")])
def test_review_new_takes_the_sites_words(blog, capsys, word, stored):
    code = main(["review", "new", "p", "--reviewer", "ed", "--decision", word, "--date", "2025-01-08",
                 "--config", str(blog.root / "site.yaml")])
    assert code == 0, capsys.readouterr().err
    text = (blog.root / "reviews/p/2025-01-08-ed.md").read_text(encoding="utf-8")
    assert yaml.safe_load(text.split("---")[1])["decision"] == stored


def test_review_new_still_refuses_an_unknown_word(blog, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["review", "new", "p", "--reviewer", "ed", "--decision", "maybe", "--config",
              str(blog.root / "site.yaml")])
    assert exit_.value.code == 2
    assert "argument --decision: invalid choice: 'maybe'" in capsys.readouterr().err


def test_a_records_decision_in_the_sites_words_counts(tmp_path, capsys):
    b = SiteBuilder(tmp_path / "blog")
    b.post("p")
    b.review("p", "rita", decision="Approved")
    b.review("p", "rex", decision="approved with reservations")
    b.decision("p", "ed", "Accepted by the editor", date="2025-01-07")
    assert check(b, capsys) == (0, [])
    records, problems = load_reviews(b.config(), {"p"})
    assert problems == []
    assert sorted((r.person, r.decision) for r in records) == [
        ("ed", "accept"), ("rex", "approve-with-reservations"), ("rita", "approve")]


# --- dates: quoted ones accepted, impossible ones named ------------------------------------------

def test_quoted_dates_are_dates_everywhere(tmp_path, capsys):
    b = SiteBuilder(tmp_path / "blog")
    b.write("content/posts/p.md", "---\ntitle: T\nauthors: [ada]\ndate: '2025-01-10'\n"
                                  "updated: \"2025-02-01T10:30:00+01:00\"\n"
                                  "corrections:\n  - date: '2025-02-02'\n    text: A dose was corrected.\n"
                                  "---\nSome text about teaching.\n")
    rita = b.review("p", "rita", date="2025-01-05")
    quoted = rita.read_text(encoding="utf-8").replace("date: 2025-01-05", "date: '2025-01-05'")
    rita.write_text(quoted, encoding="utf-8")
    b.review("p", "rex", date="2025-01-06T09:00:00+00:00", name="2025-01-06-rex")
    assert check(b, capsys) == (0, [])
    [post], problems = load(b.config())
    assert problems == []
    utc = UTC
    assert post.date == datetime(2025, 1, 10, tzinfo=utc)
    assert post.updated == datetime(2025, 2, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert post.corrections[0]["date"] == datetime(2025, 2, 2, tzinfo=utc)
    records, _ = load_reviews(b.config(), {"p"})
    assert sorted(r.date for r in records) == [datetime(2025, 1, 5, tzinfo=utc), datetime(2025, 1, 6, 9, tzinfo=utc)]


@pytest.mark.parametrize("written, message", [
    ("2025-02-30", "2025-02-30 is not a date: February 2025 has 28 days"),
    ("'2025-02-29'", "2025-02-29 is not a date: February 2025 has 28 days"),
    ("2025-13-01", "2025-13-01 is not a date: there is no month 13"),
    ("2025-04-00", "2025-04-00 is not a date: April 2025 has 30 days"),
    ("2025-01-31T25:00:00", "'2025-01-31T25:00:00' is not a date and time"),
    ("next week", "'next week' is not a date"),
])
def test_an_impossible_date_is_named_as_such(blog, capsys, written, message):
    blog.write("content/posts/bad.md", f"---\ntitle: T\nauthors: [ada]\ndate: {written}\n---\nText.\n")
    code, lines = check(blog, capsys)
    assert code == 1
    assert lines == [f"content/posts/bad.md:4: error: {message} ({DATE_HINT})"]


def test_a_leap_day_is_a_date(blog, capsys):
    blog.write("content/posts/leap.md", "---\ntitle: T\nauthors: [ada]\ndate: '2024-02-29'\n---\nText.\n")
    [leap] = [p for p in load(blog.config())[0] if p.id == "leap"]
    assert leap.date.date() == date(2024, 2, 29)


# --- new post: the author git names, or asked, never silently the first -------------------------

def new_post(b: SiteBuilder, title: str, *extra: str) -> int:
    return main(["new", "post", title, "--config", str(b.root / "site.yaml"), *extra])


def front_of(b: SiteBuilder, post_id: str) -> dict:
    return yaml.safe_load((b.root / f"content/posts/{post_id}.md").read_text(encoding="utf-8").split("---")[1])


def identity(tmp_path, **settings) -> None:
    """Who git says you are: the global config file the git_env fixture points git at."""
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n" + "".join(f"\t{k} = {v}\n" for k, v in settings.items()), encoding="utf-8")


@pytest.mark.parametrize("settings, author", [
    ({"email": "Bo@Example.org", "name": "Someone Else"}, "bo"),
    ({"email": "12345+bo-gh@users.noreply.github.com", "name": "A"}, "bo"),
    ({"email": "nora-gh@users.noreply.github.com"}, "nora"),
    ({"email": "bo.private@example.net", "name": "Bo  Writer"}, "bo"),
])
def test_new_post_takes_the_author_from_git(tmp_path, capsys, git_env, settings, author):  # noqa: F811
    b = SiteBuilder(tmp_path / "blog")
    identity(tmp_path, **settings)
    assert new_post(b, "Chest pain") == 0, capsys.readouterr().err
    assert front_of(b, "chest-pain")["authors"] == [author]


def test_new_post_without_a_known_identity_is_an_error_naming_the_authors(tmp_path, capsys, git_env):  # noqa: F811
    b = SiteBuilder(tmp_path / "blog")
    identity(tmp_path, email="stranger@example.net", name="A Stranger")
    assert new_post(b, "Chest pain") == 1
    assert capsys.readouterr().err.splitlines() == [
        "site.yaml: error: no --author given, and your git identity (A Stranger <stranger@example.net>) is no "
        "author here (pass --author ID (authors: ada, bo, nora), or add your e-mail to your entry under "
        "people: in site.yaml)"]
    identity(tmp_path)  # git knows no one
    assert new_post(b, "Chest pain") == 1
    assert capsys.readouterr().err.splitlines() == [
        "site.yaml: error: no --author given, and git does not know who you are (pass --author ID (authors: "
        "ada, bo, nora), or run: git config user.email you@example.org (the e-mail of your entry under "
        "people: in site.yaml))"]
    assert not (b.root / "content/posts/chest-pain.md").exists()
    assert new_post(b, "Chest pain", "--author", "nora") == 0
    assert front_of(b, "chest-pain")["authors"] == ["nora"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_new_post_asks_at_a_terminal(tmp_path, capsys, git_env, monkeypatch):  # noqa: F811
    b = SiteBuilder(tmp_path / "blog")
    monkeypatch.setattr("sys.stdin", Terminal("rita\nbo\n"))  # rita reviews, she does not author
    assert new_post(b, "Chest pain") == 0
    err = capsys.readouterr().err
    assert "  ada: Ada Author" in err.splitlines() and "'rita' is not one of them" in err.splitlines()
    assert front_of(b, "chest-pain")["authors"] == ["bo"]
    assert PEOPLE["ada"]["roles"] == ["author"]  # the first author exists, and was not taken


def test_a_missing_key_is_still_named_beside_a_repaired_line(blog, capsys):
    blog.write("content/posts/bad.md", '---\ntitle: "Sepsis\nauthors: [ada]\n---\nText.\n')
    code, lines = check(blog, capsys)
    assert lines == [
        "content/posts/bad.md:2: error: missing required key 'date' (publication date, YYYY-MM-DD (or with a time))",
        'content/posts/bad.md:2: error: this quote is never closed (add the closing " at the end of the line)',
    ]
