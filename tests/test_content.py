"""Front matter: validation, ids, dates, bundles, encodings."""
from datetime import datetime
from zoneinfo import ZoneInfo

from generator import content
from generator.errors import has_errors


def load(blog):
    return content.load(blog.config())


def test_post_fields_and_timezone(blog):
    blog.post("intro", title="Intro", tags=["ECG", "ecg", "Bedside teaching"], date="2025-03-12",
              summary="Short.", objectives=["Read an ECG"])
    (posts, problems) = load(blog)
    assert problems == []
    [p] = posts
    assert p.id == "intro" and p.title == "Intro"
    assert p.date == datetime(2025, 3, 12, tzinfo=ZoneInfo("UTC"))
    assert p.tags == ("ECG", "ecg", "Bedside teaching")
    assert p.objectives == ("Read an ECG",)
    assert len(p.content_hash) == 16


def test_unknown_author_names_file_and_line(blog):
    blog.post("x", authors=["ada", "jdoe"])
    _, problems = load(blog)
    [p] = problems
    assert p.path == "content/posts/x.md"
    assert p.line == 5  # '---', title, 'authors:', '- ada', then '- jdoe'
    assert "unknown author 'jdoe'" in p.message


def test_reviewer_only_person_cannot_author(blog):
    blog.post("x", authors=["rita"])
    [p] = load(blog)[1]
    assert "does not have the author role" in p.message


def test_duplicate_ids(blog):
    blog.post("a")
    blog.post("b", id="a")
    problems = load(blog)[1]
    assert any("duplicate post id 'a'" in p.message for p in problems)


def test_unsafe_id_is_rejected(blog):
    blog.post("ok", id="../../etc")
    [p] = load(blog)[1]
    assert p.message.startswith("'id'") and p.line == 6


def test_missing_required_and_wrong_types(blog):
    blog.write("content/posts/bad.md", "---\ntitle: 5\ndate: yesterday\ntags: {a: 1}\n---\nText\n")
    problems = load(blog)[1]
    messages = {p.message for p in problems}
    assert "missing required key 'authors'" in messages
    assert "'yesterday' is not a date" in messages
    assert "'tags' must be a list, got 'key: value' lines" in messages


def test_impossible_date(blog):
    blog.write("content/posts/bad.md", "---\ntitle: T\nauthors: [ada]\ndate: 2025-02-30\n---\nText\n")
    [p] = load(blog)[1]
    assert p.message == "2025-02-30 is not a date: February 2025 has 28 days"
    assert p.path == "content/posts/bad.md" and p.line == 4


def test_unclosed_and_empty_and_not_mapping(blog):
    blog.write("content/posts/a.md", "---\ntitle: T\n")
    blog.write("content/posts/b.md", "")
    blog.write("content/posts/c.md", "---\n- just\n- a list\n---\n")
    messages = {p.path: p.message for p in load(blog)[1]}
    assert messages["content/posts/a.md"] == "the front matter is never closed"
    assert messages["content/posts/b.md"] == "the file is empty"
    assert messages["content/posts/c.md"] == "the front matter must be 'key: value' lines, but it is a list"


def test_bom_and_crlf_just_work(blog):
    text = "\ufeff---\r\ntitle: Windows\r\nauthors: [ada]\r\ndate: 2025-01-01\r\n---\r\nBody line.\r\n"
    (blog.root / "content/posts").mkdir(parents=True)
    (blog.root / "content/posts/win.md").write_bytes(text.encode("utf-8"))
    posts, problems = load(blog)
    assert problems == []
    [win] = posts
    assert win.title == "Windows"
    blog.post("win", title="Windows", body="Body line.\n", date="2025-01-01")  # the same post, LF and no BOM
    [unix], _ = load(blog)
    assert win.content_hash == unix.content_hash


def test_invalid_utf8_names_the_line(blog):
    (blog.root / "content/posts").mkdir(parents=True)
    (blog.root / "content/posts/bin.md").write_bytes(b"---\ntitle: T\n---\nok\n\xff\xfe bad\n")
    [p] = load(blog)[1]
    assert p.line == 5 and "not valid UTF-8" in p.message


def test_bundle_assets(blog):
    blog.post("bundle", bundle=True, body="![A grid](grid.svg)\n")
    blog.write("content/posts/bundle/grid.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    blog.write("content/posts/bundle/data/table.csv", "a,b\n")
    [p], problems = load(blog)
    assert problems == []
    assert [a.as_posix() for a in p.assets] == ["content/posts/bundle/data/table.csv", "content/posts/bundle/grid.svg"]


def test_hash_ignores_editorial_metadata(blog):
    blog.post("a", tags=["x"])
    h1 = blog.hash_of("a")
    blog.post("a", tags=["y", "z"], doi="10.1234/abc")
    assert blog.hash_of("a") == h1
    blog.post("a", body="Changed text.\n")
    assert blog.hash_of("a") != h1


def test_unknown_taxonomy_term(blog):
    blog.__init__(blog.root, {"taxonomies": {"audience": {"students": "Students"}}})
    blog.post("a", audience=["studnets"])
    [p] = load(blog)[1]
    assert "unknown audience term 'studnets'" in p.message


def test_scaffold_round_trips(blog):
    from datetime import date
    text = content.scaffold("New post", ["ada"], date(2025, 5, 1))
    blog.write("content/posts/new.md", text)
    posts, problems = load(blog)
    assert [(p.line, p.message) for p in problems] == \
        [(11, "the post still holds the placeholder text of 'peerpress new post'")]
    assert posts[0].title == "New post"
    blog.write("content/posts/new.md", text[:text.index("Write the post here")] + "The author's own text.\n")
    posts, problems = load(blog)
    assert not has_errors(problems) and posts[0].title == "New post"
