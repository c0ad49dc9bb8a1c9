"""Fixtures for the browser tests: the sample blog built once per session, served from 127.0.0.1,
and a Chromium per test module.

Without /usr/bin/chromium (or Java/npm for the checkers) the tests are skipped with the reason;
CI sets PEERPRESS_REQUIRE_BROWSER=1 (see .ci/run), and then a missing tool is a failure.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import harness


def require(ok: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a tool the browser tests need is missing."""
    if ok:
        return
    if os.environ.get("PEERPRESS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and PEERPRESS_REQUIRE_BROWSER=1 says it must be there", pytrace=False)
    pytest.skip(reason)


@dataclass
class Served:
    """A built site folder and the base URL it is served at."""
    root: Path
    base: str

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")

    def path_of(self, url: str) -> str:
        assert url.startswith(self.base), url
        return url[len(self.base):].split("#")[0].split("?")[0]


@pytest.fixture(scope="session")
def sample_blog(tmp_path_factory) -> Path:
    return harness.copy_sample(tmp_path_factory.mktemp("browser") / "blog")


@pytest.fixture(scope="session")
def site(sample_blog) -> Served:
    out = harness.build(sample_blog, sample_blog.parent / "site")
    with harness.serve(out) as base:
        yield Served(out, base)


@pytest.fixture(scope="session")
def drafts_site(sample_blog) -> Served:
    """The same blog built with --drafts, as `peerpress serve` previews it (drafts carry a banner)."""
    out = harness.build(sample_blog, sample_blog.parent / "drafts", drafts=True)
    with harness.serve(out) as base:
        yield Served(out, base)


@pytest.fixture(scope="session")
def clinic_site(tmp_path_factory) -> Served:
    """The sample blog in the bundled clinic theme (it extends default): checked by axe and the Nu checker too."""
    blog = harness.copy_sample(tmp_path_factory.mktemp("clinic") / "blog", theme="clinic")
    out = harness.build(blog, blog.parent / "site")
    with harness.serve(out) as base:
        yield Served(out, base)


@pytest.fixture(scope="session")
def kinds(site) -> dict[str, str]:
    return harness.page_kinds(site.root)


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """axe-core, vnu-jar and Lighthouse from tests/browser/package-lock.json, installed once (`npm ci`)."""
    require(bool(shutil.which("npm")) or harness.VNU_JAR.is_file(), "npm is not installed")
    # Both xdist workers may get here at once: the lock makes the second wait for the first's install.
    with open(Path(tempfile.gettempdir()) / "peerpress-npm-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        harness.ensure_node_modules()
    return harness.NODE_MODULES


@pytest.fixture(scope="module")
def browser():
    """One Chromium per module. Not per session: Playwright's sync API allows one instance per thread
    at a time, and other browser test modules (test_hostile_browser.py) start their own."""
    require(Path(harness.CHROMIUM).exists(), f"{harness.CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = harness.launch(p)
        yield b
        b.close()


@dataclass
class Watch:
    """What a page did that a reader's browser would complain about: requests that left the local
    server, console errors, uncaught exceptions and failed loads."""
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    expected_404: set[str] = field(default_factory=set)

    def attach(self, page) -> None:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, msg) -> None:
        # A 404 page is meant to answer 404; Chromium logs that load as a console error.
        if msg.type == "error" and not (msg.location.get("url") in self.expected_404 and "404" in msg.text):
            self.errors.append(f"console: {msg.text} ({msg.location.get('url')})")

    def _failed(self, request) -> None:
        # ERR_ABORTED is the browser dropping a load because the test moved on (a favicon, say).
        if "ERR_ABORTED" not in (request.failure or ""):
            self.errors.append(f"failed: {request.url} {request.failure}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.url not in self.expected_404:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def assert_clean(self) -> None:
        local = (self.base, "blob:" + self.base, "data:")  # inline data and blobs the page made itself
        foreign = sorted({u for u in self.requests if not u.startswith(local)})
        assert foreign == [], f"requests left {self.base}: {foreign}"
        assert self.errors == [], self.errors


@pytest.fixture
def open_page(browser, site):
    """`open_page(**context_options)` → (page, watch): a fresh context (own storage, clipboard, viewport);
    everything it opens is closed afterwards."""
    contexts = []

    def make(served: Served = site, **options):
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)  # a missing element fails in 10 s, not Playwright's 30
        contexts.append(context)
        page = context.new_page()
        watch = Watch(served.base)
        watch.attach(page)
        return page, watch

    yield make
    for context in contexts:
        context.close()
