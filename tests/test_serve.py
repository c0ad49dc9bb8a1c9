"""`peerpress serve`: the live-reload script is added to served HTML only, the event stream reports
each rebuild (a new version, or the problems of a broken input), and changes are sorted by kind."""
from __future__ import annotations

import http.client
import json
import time
from pathlib import Path

import lxml.html
import pytest

from generator import serve


@pytest.fixture
def preview(blog):
    blog.post("p", title="Published", body="The first text.\n")
    blog.approve_twice("p")
    blog.post("d", title="Still a draft", body="Not reviewed yet.\n")
    running = serve.start(blog.root / "site.yaml", port=0, jobs=1, log=lambda m: None)
    yield running
    running.stop()


def get(preview, path: str) -> tuple[int, bytes]:
    host, port = preview.httpd.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


class Events:
    """The /__peerpress/events stream, read one event at a time."""

    def __init__(self, preview):
        host, port = preview.httpd.server_address[:2]
        self.conn = http.client.HTTPConnection(host, port, timeout=20)
        self.conn.request("GET", serve.EVENTS)
        self.response = self.conn.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self) -> dict:
        event = None
        while True:
            line = self.response.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "build":
                return json.loads(line[6:])

    def close(self):
        self.conn.close()


def test_served_html_gets_the_live_script_and_built_files_do_not(preview):
    status, body = get(preview, "/posts/p/")
    assert status == 200
    scripts = lxml.html.fromstring(body).xpath("//script[@src='/__peerpress/live.js']")
    assert len(scripts) == 1 and scripts[0].get("data-events") == serve.EVENTS
    on_disk = (preview.builder.out / "posts/p/index.html").read_bytes()
    assert not lxml.html.fromstring(on_disk).xpath("//script[contains(@src, '__peerpress')]")
    status, script = get(preview, serve.SCRIPT)
    assert status == 200 and b"EventSource" in script
    status, css = get(preview, "/assets/css/main.css")
    assert status == 200 and b"__peerpress" not in css


def test_drafts_are_shown_with_their_status_banner(preview):
    status, body = get(preview, "/posts/d/")
    assert status == 200
    page = lxml.html.fromstring(body)
    assert page.xpath("//h1")[0].text_content().strip() == "Still a draft"
    assert page.xpath("//*[contains(concat(' ', @class, ' '), ' banner ')]")


def test_links_point_at_the_preview_server(preview):
    _, body = get(preview, "/")
    canonical = lxml.html.fromstring(body).xpath("//link[@rel='canonical']/@href")
    assert canonical and canonical[0].startswith(preview.url)


def test_events_report_rebuilds_problems_and_the_fix(blog, preview):
    events = Events(preview)
    try:
        first = events.next()
        assert first == {"version": 1, "problems": []}
        blog.post("p", title="Published", body="The second text.\n")
        assert events.next() == {"version": 2, "problems": []}
        _, body = get(preview, "/posts/p/")
        assert "The second text." in lxml.html.fromstring(body).xpath("string(//article)")
        blog.write("content/posts/p.md", "---\ntitle: Published\nauthors: [jdoe]\ndate: 2025-01-10\n---\nText.\n")
        broken = events.next()
        assert broken["version"] == 2
        assert "content/posts/p.md:3: error: unknown author 'jdoe' (add it to people: in site.yaml)" \
            in broken["problems"]
        blog.post("p", title="Published", body="The third text.\n")
        assert events.next() == {"version": 3, "problems": []}
    finally:
        events.close()


def test_a_broken_config_is_reported_not_raised(blog, preview):
    events = Events(preview)
    try:
        events.next()
        (blog.root / "site.yaml").write_text((blog.root / "site.yaml").read_text() + "bogus_key: 1\n")
        state = events.next()
        assert state["version"] == 1 and any("bogus_key" in p for p in state["problems"])
    finally:
        events.close()


def test_changes_are_sorted_by_kind(blog, preview):
    cfg = preview.builder.config
    root = blog.root
    assert serve.kind_of(root / "site.yaml", cfg) == "config"
    assert serve.kind_of(root / "content/posts/p.md", cfg) == "content"
    assert serve.kind_of(root / "content/bibliography.bib", cfg) == "content"
    assert serve.kind_of(root / "reviews/p/2025-01-05-rita.md", cfg) == "review"
    assert serve.kind_of(root / "themes/mine/templates/base.html", cfg) == "template"
    assert serve.kind_of(root / "themes/mine/static/css/main.css", cfg) == "static"
    assert serve.kind_of(serve.BUILTIN_THEMES / "default/templates/post.html", cfg) == "template"
    assert serve.kind_of(root / "content/posts/.p.md.swp", cfg) is None
    assert serve.kind_of(root / "site/index.html", cfg) is None
    assert serve.kind_of(root / "notes.txt", cfg) is None


def test_a_burst_of_changes_is_one_rebuild(blog, preview):
    builds = []
    preview.builder.log = builds.append
    for n in range(5):
        blog.post(f"q{n}", title=f"Q{n}")
        time.sleep(serve.DEBOUNCE / 5)
    deadline = time.monotonic() + 30
    while not [b for b in builds if b.startswith("built")] and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(serve.DEBOUNCE * 4)
    assert [b for b in builds if b.startswith("changed")] == ["changed: 5 content"]
    assert Path(preview.builder.out / "posts/q4/index.html").is_file()


def test_rebuilds_keep_the_search_index_and_refresh_it_once_quiet(blog, monkeypatch):
    """An edit is shown without waiting for Pagefind; the index follows after a pause, with no reload."""
    from tests.test_search import fragments

    monkeypatch.setattr(serve, "SEARCH_IDLE", 3.0)
    blog.__init__(blog.root, {"search": {"enabled": True}})
    blog.post("p", title="Published", body="The first text about lactate.\n")
    blog.approve_twice("p")
    log: list[tuple[str, int]] = []  # each message with the version open pages had then
    started: list[serve.Preview] = []
    running = serve.start(blog.root / "site.yaml", port=0, jobs=1,
                          log=lambda m: log.append((m, started[0].builder.state.version if started else 0)))
    started.append(running)
    events = Events(running)
    try:
        out = running.builder.out
        assert events.next()["version"] == 1
        assert "lactate" in fragments(out)["/posts/p/"]["content"]
        blog.post("p", title="Published", body="The second text about capillary refill.\n")
        blog.approve_twice("p")  # the edit may reach serve as one rebuild or two
        assert events.next() == {"version": 2, "problems": []}
        _, body = get(running, "/posts/p/")
        assert "capillary refill" in lxml.html.fromstring(body).xpath("string(//article)")
        assert "capillary" not in fragments(out)["/posts/p/"]["content"]  # kept: not yet re-indexed
        deadline = time.monotonic() + 30

        def refreshed() -> list[int]:  # logged once the refresh build has swapped the site in
            return [i for i, (m, _) in enumerate(log) if m.startswith("search index updated")]
        while not refreshed():
            assert time.monotonic() < deadline, log
            time.sleep(0.1)
        assert "capillary" in fragments(out)["/posts/p/"]["content"]
        built = [v for m, v in log[:refreshed()[0]] if m.startswith("built in")]
        assert running.builder.state.version == built[-1]  # the refresh reloaded no open page
    finally:
        events.close()
        running.stop()
