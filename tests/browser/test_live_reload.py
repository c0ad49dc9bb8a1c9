"""`peerpress serve` in a real Chromium: an edit shows up in the open page within two seconds, a
broken input puts its problems over the page, and fixing it takes them away."""
from __future__ import annotations

import time

import pytest

from generator import serve

from . import harness

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def preview(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", harness.SOURCE_DATE_EPOCH)
    blog = harness.copy_sample(tmp_path / "blog")
    running = serve.start(blog / "site.yaml", port=0, log=lambda m: None)
    yield running
    running.stop()


def test_edit_break_and_fix_a_post_in_the_open_page(browser, preview):
    post = preview.builder.report.site.listed[0]
    source = preview.builder.config.root / post.source
    page = browser.new_context().new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(preview.url + f"posts/{post.id}/")
    page.wait_for_function("() => document.querySelector('script[src=\"/__peerpress/live.js\"]') !== null")
    time.sleep(0.3)  # the event stream connects

    original = source.read_text(encoding="utf-8")
    sentence = "A sentence added while the page was open."
    saved = time.monotonic()
    source.write_text(original.rstrip("\n") + f"\n\n{sentence}\n", encoding="utf-8")
    page.wait_for_function(f"() => document.body.innerText.includes({sentence!r})", timeout=10_000)
    assert time.monotonic() - saved < 2.0, "the edit took more than two seconds to show"

    source.write_text(original.replace("authors:", "authors: [nobody-known]\nformer_authors:", 1), encoding="utf-8")
    overlay = page.wait_for_selector("#peerpress-problems", timeout=10_000)
    problems = [p.inner_text() for p in overlay.query_selector_all(".peerpress-problem")]
    assert any(p.startswith(f"{post.source.as_posix()}:") and ": error: " in p for p in problems), problems

    source.write_text(original, encoding="utf-8")
    page.wait_for_selector("#peerpress-problems", state="detached", timeout=10_000)
    assert sentence not in page.inner_text("body")
    assert errors == []
