"""Property-based tests: whatever arrives in front matter, Markdown or a review record, the build
reports problems and never raises.

Hypothesis generates YAML documents (well-formed and not), front matter of the right keys with
wrong values, Markdown full of the characters that matter to the parser, and whole small sites.
Every result must be data: a Post or ReviewRecord and/or a list of Problems, never an exception,
and no raw-HTML policy may ever let a script, an event handler or a javascript: URL through.
"""
from __future__ import annotations

import datetime as dt
import functools
import tempfile
from pathlib import Path

import lxml.html
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import content, markup, reviews
from generator.engine import build
from generator.errors import ERROR, Problem
from generator.model import Post, ReviewRecord
from tests.sitebuilder import SiteBuilder

COMMON = settings(max_examples=150, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- strategies ------------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1)),
    st.sampled_from(["ada", "bo", "rita", "jdoe", "approve", "revise", "../../etc", "con", "index", "",
                     "0000000000000000", "2025-02-30", "javascript:alert(1)", "10.1234/x", "<script>x</script>"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)
POST_KEYS = sorted(content.POST.fields) + ["titel", "extra"]
RECORD_KEYS = sorted(reviews.RECORD.fields) + ["reviwer"]


def front_matter(keys: list[str]) -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))


# Text dense in what YAML, front-matter fences and Markdown care about: sequences of tokens.
def tokens(*pieces: str, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


YAML_NOISE = tokens(*"ab:- \n\t'\"[]{}#&*!|>%@`,?\\", "---", "...", "\r\n", "\ufeff", "\x00", "&a", "*a",
                    "!!python/object:os.system", "2025-02-30", max_size=60)
MARKDOWN = st.one_of(st.text(max_size=60), tokens(
    *"ab1 \n\t*_`#>[]()!<>/=\"':|-~^@;&\\{}",
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "data:", "vbscript:", "[@", "[@key]",
    "::: note", ":::", "```", "<a href=", "<svg onload=", "&#x6A;", "\u2028", "[^1]", "[^1]:", "- [ ] ",
    "<!--", "-->", "<iframe srcdoc=", "<style>", " onclick=", "<div>", "</div>", "\r\n", "](javascript:x)",
    "](data:text/html,x)", "![i", "JaVaScRiPt:", "java&#x09;script:", max_size=60))


def yaml_text(data: dict) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return "{}\n"


def check_problems(problems) -> None:
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, Problem)
        assert p.severity in ("error", "warning")
        assert isinstance(p.message, str) and p.message
        assert p.line is None or (isinstance(p.line, int) and p.line >= 1)


def project() -> SiteBuilder:
    """A fresh small blog. Hypothesis runs many examples per test, so tests make their own
    projects instead of using pytest's per-test tmp_path."""
    return SiteBuilder(Path(tempfile.mkdtemp(prefix="peerpress-prop-")) / "blog")


# --- front matter and posts --------------------------------------------------------------------------

@functools.cache
def posts_project() -> tuple[SiteBuilder, object]:
    b = project()
    return b, b.config()


def load_post(raw: bytes, name: str = "prop.md") -> tuple[Post | None, list[Problem]]:
    b, config = posts_project()
    path = b.root / "content/posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    post, problems = content.load_one(config, "post", path, {})
    check_problems(problems)
    if post is None:
        assert any(p.severity == ERROR for p in problems)
    return post, problems


@COMMON
@given(front=front_matter(POST_KEYS), body=MARKDOWN)
def test_front_matter_of_any_shape_is_reported_not_raised(front, body):
    post, problems = load_post(("---\n" + yaml_text(front) + "---\n" + body).encode("utf-8", "surrogatepass"))
    if post is not None and not problems:
        assert isinstance(post.title, str) and post.title and post.authors and post.date is not None


@COMMON
@given(noise=YAML_NOISE, body=MARKDOWN)
def test_arbitrary_front_matter_text_is_reported_not_raised(noise, body):
    load_post(("---\n" + noise + "\n---\n" + body).encode("utf-8", "surrogatepass"))


@COMMON
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_are_reported_not_raised(raw):
    load_post(raw)
    load_post(b"---\ntitle: T\nauthors: [ada]\ndate: 2025-01-01\n---\n" + raw)


# --- Markdown -------------------------------------------------------------------------------------------

DANGEROUS = ("javascript:", "vbscript:", "data:")


@COMMON
@given(text=MARKDOWN)
def test_no_raw_html_policy_lets_script_through(text):
    for policy in ("allow", "sanitize", "escape"):
        rendered = markup.render(text, raw_html=policy, path="x.md")
        check_problems(rendered.problems)
        if not rendered.html.strip():
            continue
        doc = lxml.html.fragment_fromstring(rendered.html, create_parent="div")
        assert not doc.xpath("//script|//iframe[@srcdoc]"), (policy, rendered.html)
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            for name, value in el.attrib.items():
                assert not name.lower().startswith("on"), (policy, rendered.html)
                if name.lower() in ("href", "src", "action", "formaction", "poster"):
                    assert not value.strip().lower().startswith(DANGEROUS), (policy, rendered.html)


@COMMON
@given(text=MARKDOWN)
def test_summary_toc_and_words_are_plain_data(text):
    rendered = markup.render(text)
    assert isinstance(rendered.summary, str) and "\n" not in rendered.summary
    assert rendered.words >= 0
    assert all(isinstance(h.text, str) and h.level in (2, 3) for h in rendered.toc)


# --- review records -------------------------------------------------------------------------------------

@functools.cache
def reviews_project() -> tuple[SiteBuilder, object]:
    b = project()
    b.post("p")
    return b, b.config()


def load_record(raw: bytes, name: str = "2025-01-05-rita.md") -> tuple[ReviewRecord | None, list[Problem]]:
    b, config = reviews_project()
    for old in (b.root / "reviews/p").glob("*.md") if (b.root / "reviews/p").is_dir() else ():
        old.unlink()
    path = b.root / "reviews/p" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    record, problems = reviews.load_one(config, path, {"p"})
    check_problems(problems)
    if record is not None:
        doc = lxml.html.fragment_fromstring(record.html or "<p></p>", create_parent="div")
        assert not doc.xpath("//script|//iframe|//style|//*[@style]")  # review texts: always sanitised
    return record, problems


@COMMON
@given(front=front_matter(RECORD_KEYS), body=MARKDOWN,
       name=st.sampled_from(["2025-01-05-rita.md", "review.md", "2025-13-45-x.md", "2025-01-05-rita-2.md"]))
def test_review_records_of_any_shape_are_reported_not_raised(front, body, name):
    load_record(("---\n" + yaml_text(front) + "---\n" + body).encode("utf-8", "surrogatepass"), name)


@COMMON
@given(noise=YAML_NOISE)
def test_arbitrary_review_text_is_reported_not_raised(noise):
    load_record(("---\n" + noise + "\n---\nText\n").encode("utf-8", "surrogatepass"))


# --- whole builds ------------------------------------------------------------------------------------------

post_front = st.fixed_dictionaries(
    {"title": st.one_of(st.text(max_size=30), values), "authors": st.one_of(
        st.lists(st.sampled_from(["ada", "bo", "rita", "jdoe"]), max_size=3), values),
     "date": st.one_of(st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)), values)},
    optional={"tags": st.one_of(st.lists(st.text(max_size=12), max_size=4), values), "summary": values,
              "id": st.one_of(st.sampled_from(["p", "q", "../x", "index", "tags"]), values), "draft": values,
              "bibliography": values, "corrections": values, "doi": values})


@SLOW
@given(posts=st.lists(st.tuples(post_front, MARKDOWN), min_size=1, max_size=3),
       record=front_matter(RECORD_KEYS), body=MARKDOWN)
def test_whole_builds_report_problems_and_never_raise(posts, record, body):
    b = project()
    for i, (front, text) in enumerate(posts):
        b.write(f"content/posts/p{i}.md", "---\n" + yaml_text(front) + "---\n" + text)
    b.write("reviews/p0/2025-01-05-rita.md", "---\n" + yaml_text(record) + "---\n" + body)
    report = build.run(b.config(), build.Options(out=b.root / "site"))
    check_problems(report.problems)
    has_errors = any(p.severity == ERROR for p in report.problems)
    assert (b.root / "site").is_dir() != has_errors
    if not has_errors:
        assert (b.root / "site/index.html").is_file()


def test_hypothesis_really_generates_bad_input():
    """Guard against a strategy that silently produces only valid posts."""
    post, problems = load_post(b"---\ntitle: [\n---\n")
    assert post is None and problems
