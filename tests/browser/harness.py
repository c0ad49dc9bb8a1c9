"""What the browser tests and `make screenshots` share: build the sample blog, serve it, launch Chromium.

The sample blog is copied into a scratch folder and built there, so running the browser tests never
writes a cache or a lock into the working tree. The build is served from 127.0.0.1 the way a static
host serves it (directories → index.html, a missing path → /404.html with status 404).
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, not a Playwright download (there is none here). The flags keep it from
# phoning home (component updates, sync, field trials), so "no request leaves 127.0.0.1" holds.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]
SOURCE_DATE_EPOCH = "1793491200"  # 2026-11-01, the same frozen "today" as tests/conftest.py
NODE_MODULES = HERE / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "cli" / "index.js"


def copy_sample(dest: Path, theme: str = "") -> Path:
    """The sample blog's own files (config, content, reviews, themes), without code or build state,
    committed to a fresh git repository so review histories list a real version, as a clone's would.
    `theme` replaces site.yaml's theme (the sample uses default)."""
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(
        ".*", "site", "tests", "bench", "docs", "generator", "__pycache__", "node_modules", "*.egg-info"))
    if theme:
        config = dest / "site.yaml"
        text = config.read_text(encoding="utf-8")
        assert "\ntheme: default\n" in text, "the sample's site.yaml no longer says 'theme: default'"
        config.write_text(text.replace("\ntheme: default\n", f"\ntheme: {theme}\n"), encoding="utf-8")
    when = "2026-10-01T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_NAME": "Shift Notes", "GIT_AUTHOR_EMAIL": "editor@shiftnotes.example.org",
           "GIT_COMMITTER_NAME": "Shift Notes", "GIT_COMMITTER_EMAIL": "editor@shiftnotes.example.org",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    commit = ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "The sample blog"]
    for args in (["init", "-q"], ["add", "-A"], commit):
        subprocess.run(["git", *args], cwd=dest, env=env, check=True, capture_output=True)
    return dest


def build(blog: Path, out: Path, drafts: bool = False, base_url: str = "") -> Path:
    """`peerpress build` as a reader's CI would run it; a failed build fails loudly with its output."""
    cmd = [sys.executable, "-m", "generator", "build", "--config", str(blog / "site.yaml"), "--out", str(out)]
    if drafts:
        cmd.append("--drafts")
    if base_url:
        cmd += ["--base-url", base_url]
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return out


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler, quiet, answering a missing path with the site's 404.html."""

    def log_message(self, *args) -> None:  # keep pytest output readable
        pass

    def send_error(self, code, message=None, explain=None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on a free port of 127.0.0.1; yields the base URL ("http://127.0.0.1:N/")."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(StaticHost, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)


def ensure_node_modules() -> None:
    """`npm ci` the pinned axe-core, vnu-jar and Lighthouse once (tests/browser/package-lock.json)."""
    if AXE_JS.is_file() and VNU_JAR.is_file() and LIGHTHOUSE.is_file():
        return
    done = subprocess.run(["npm", "ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--loglevel=error"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"npm ci in {HERE} failed:\n{done.stdout}\n{done.stderr}")


# ---- page kinds ------------------------------------------------------------------------------------

def parse(site: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(site / (path + "index.html" if path.endswith("/") or not path else path))).getroot()


def post_paths(site: Path) -> list[str]:
    return sorted(f"posts/{d.name}/" for d in (site / "posts").iterdir() if (d / "index.html").is_file())


def richest_post(site: Path) -> str:
    """The post that exercises most of the post template (contents, objectives, notes, code, tables)."""
    features = ["//nav[contains(@class,'toc')]", "//aside[contains(@class,'objectives')]",
                "//section[contains(@class,'references')]", "//section[contains(@class,'footnotes')]",
                "//pre", "//table", "//section[@id='cite']"]

    def score(path: str) -> int:
        doc = parse(site, path)
        return sum(bool(doc.xpath(f)) for f in features)

    return max(post_paths(site), key=lambda p: (score(p), p))


def first_link(site: Path, path: str, xpath: str) -> str:
    """The site path of the first link matching `xpath` on page `path` (links are root-relative)."""
    hrefs = parse(site, path).xpath(xpath)
    assert hrefs, f"no link {xpath} on /{path}"
    return hrefs[0].lstrip("/")


def page_kinds(site: Path) -> dict[str, str]:
    """One URL path (relative to the site root) for every kind of page the default theme renders."""
    post = richest_post(site)
    kinds = {
        "home": "", "home page 2": "page/2/", "post": post, "review history": post + "reviews/",
        "review record": post + "reviews/1/",
        "tag": first_link(site, post, "//ul[contains(@class,'tag-list')]//a/@href"), "tags index": "tags/",
        "author": first_link(site, post, "//ul[contains(@class,'authors')]//a[starts-with(@href,'/authors/')]/@href"),
        "authors index": "authors/", "reviewers": "reviewers/", "archive": "archive/",
        "taxonomy term": first_link(site, post, "//dl[contains(@class,'post-terms')]//a/@href"),
        "about page": "about/", "review policy": "review-policy/", "feeds": "feeds/", "search": "search/",
    }
    kinds["taxonomy index"] = kinds["taxonomy term"].split("/")[0] + "/"
    for kind, path in kinds.items():
        assert (site / path / "index.html").is_file(), f"{kind}: /{path} was not built"
    return kinds


def draft_post(drafts_site: Path) -> str:
    """A post that only a --drafts build shows: its page carries the status banner."""
    for path in post_paths(drafts_site):
        if parse(drafts_site, path).xpath("//div[contains(@class,'banner')]"):
            return path
    raise AssertionError(f"no post with a status banner in {drafts_site}")
