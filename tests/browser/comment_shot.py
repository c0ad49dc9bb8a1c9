"""The pull request's status comment as GitHub shows it: a scenario on the sample blog (a pull
request adding a post, reviewed twice over two versions, one reviewer with a competing interest,
one overdue), its comment from `peerpress review status --format github-comment`, rendered with
markdown-it-py into a page styled like GitHub's comments, for the browser test and `make screenshots`
(docs/screenshots/status-comment.png)."""
from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path

from markdown_it import MarkdownIt

from . import harness

POST = """---
title: Taking a chest pain history
authors: [rahul-mehta]
date: 2026-10-20
summary: What to ask, in what order, and which answers change what you do next.
tags: [cardiology, history taking]
objectives:
  - Take a focused chest pain history in five minutes
---

Start with the time of onset and what the patient was doing. {extra}
"""
REVIEW = """---
reviewer: {who}
date: {date}
decision: {decision}
version: {version}
competing_interests: {interests}
scores: {{background: 3, content: 3, writing: 2, referencing: 3, bias: 3, accuracy: {accuracy}, limitations: 2}}
source: https://github.com/shiftnotes/blog/pull/31#pullrequestreview-{n}
---

{text}
"""
CSS = """
body { margin: 0; background: #f6f8fa; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial,
       sans-serif; color: #1f2328; }
.comment { max-width: 880px; margin: 24px auto; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
.comment header { padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0; border-radius: 6px 6px 0 0;
                  color: #59636e; }
.comment header b { color: #1f2328; }
.markdown-body { padding: 16px; }
.markdown-body h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin: 0 0 16px; }
.markdown-body h3 { font-size: 1.25em; margin: 24px 0 16px; }
.markdown-body p, .markdown-body ul, .markdown-body table, .markdown-body details { margin: 0 0 16px; }
.markdown-body table { border-collapse: collapse; display: block; overflow: auto; }
.markdown-body th, .markdown-body td { border: 1px solid #d1d9e0; padding: 6px 13px; }
.markdown-body tr:nth-child(2n) { background: #f6f8fa; }
.markdown-body code { background: rgba(129,139,152,.12); border-radius: 6px; padding: .2em .4em; font-size: 85%;
                      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.markdown-body pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; }
.markdown-body pre code { background: none; padding: 0; }
.markdown-body a { color: #0969da; }
.markdown-body sub { color: #59636e; }
"""


def scenario(dest: Path) -> str:
    """The comment (Markdown) for pull request #31 on a copy of the sample blog in `dest`."""
    blog = harness.copy_sample(dest)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Rahul Mehta", "GIT_AUTHOR_EMAIL": "rahul.mehta@example.org",
           "GIT_COMMITTER_NAME": "Rahul Mehta", "GIT_COMMITTER_EMAIL": "rahul.mehta@example.org",
           "SOURCE_DATE_EPOCH": harness.SOURCE_DATE_EPOCH, "PYTHONPATH": str(harness.ROOT)}

    def git(*args: str, when: str = "2026-10-01T12:00:00+00:00") -> str:
        done = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=blog, check=True, capture_output=True,
                              text=True, env={**env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
        return done.stdout.strip()

    def peerpress(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=blog, check=True, capture_output=True,
                              text=True, env=env)
        return done.stdout

    git("update-ref", "refs/remotes/origin/main", git("rev-parse", "HEAD"))
    git("checkout", "-q", "-b", "chest-pain-history")
    post = blog / "content" / "posts" / "chest-pain-history.md"
    post.write_text(POST.format(extra=""), encoding="utf-8")
    git("add", "-A")
    git("commit", "-q", "-m", "Submit a chest pain history post", when="2026-10-02T09:00:00+00:00")
    first = version(peerpress)
    post.write_text(POST.format(extra="Then ask about radiation and associated symptoms."), encoding="utf-8")
    reviews = blog / "reviews" / "chest-pain-history"
    reviews.mkdir()
    write = [("amara-okafor", "2026-10-05", "approve", first, "none", 2, 101,
              "Clear and safe. The order of questions matches what we teach."),
             ("kwame-asante", "2026-10-14", "approve", "", "none", 3, 102,
              "The revised version covers radiation and associated symptoms. Approve."),
             ("helen-strand", "2026-10-15", "approve", "", "I co-wrote the course this post is for", 3, 103,
              "Accurate and useful; see my line comments on the table.")]
    current = ""
    for who, date, decision, pinned, interests, accuracy, n, text in write:
        if not pinned:
            git("add", "-A")
            git("commit", "-q", "-m", "Add radiation and associated symptoms", when="2026-10-12T09:00:00+00:00")
            current = current or version(peerpress)
        (reviews / f"{date}-{who}.md").write_text(REVIEW.format(
            who=who, date=date, decision=decision, version=pinned or current, interests=interests,
            accuracy=accuracy, n=n, text=text), encoding="utf-8")
    # the editor's assignment, committed onto main by the desk (the reviews here stay untracked)
    git("checkout", "-q", "-")
    desk = blog / "desk" / "pr-31"
    desk.mkdir(parents=True)
    (desk / "assignments.yaml").write_text(
        "- {action: assign, reviewer: isabel-fernandes, by: margaret-lowe, date: 2026-10-02, "
        "posts: [chest-pain-history]}\n", encoding="utf-8")
    git("add", "desk")
    git("commit", "-q", "-m", "Editorial desk: pull request #31", when="2026-10-02T10:00:00+00:00")
    git("update-ref", "refs/remotes/origin/main", git("rev-parse", "HEAD"))
    git("checkout", "-q", "chest-pain-history")
    return peerpress("review", "status", "--format", "github-comment", "--changed-from", "origin/main",
                     "--preview-url", "https://github.com/shiftnotes/blog/pull/31/checks")


def version(peerpress) -> str:
    line = peerpress("review", "status", "chest-pain-history").splitlines()[1]
    return line.split()[2]


def page_html(markdown: str) -> str:
    """GitHub renders comment Markdown with tables and raw HTML (details, sub, comments) allowed."""
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Status comment</title>"
            f"<style>{CSS}</style></head><body><div class='comment'><header><b>github-actions</b> bot commented "
            f"· {html.escape('edited')}</header><div class='markdown-body'>{body}</div></div></body></html>")


def shoot(out: Path, scratch: Path) -> Path:
    from playwright.sync_api import sync_playwright

    page_text = page_html(scenario(scratch / "comment-blog"))
    target = out / "status-comment.png"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = harness.launch(p)
        page = browser.new_page(viewport={"width": 960, "height": 900})
        page.set_content(page_text, wait_until="load")
        page.screenshot(path=str(target), full_page=True, animations="disabled", caret="hide")
        browser.close()
    return target
