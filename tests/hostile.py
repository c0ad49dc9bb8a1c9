"""A blog whose every untrusted field carries an injection payload (used by the hostile tests).

Each payload tries to break out of one context: HTML text and attributes (both quote styles),
<script> (JSON-LD), XML (CDATA, entities), JSON, BibTeX braces, RIS lines, Jinja expressions,
and calls `window.__pwned = 1` / sets `document.title` if it ever runs. The tests assert that
the payload is still there, as text, in every output, and never as markup.
"""
from __future__ import annotations

import json
from pathlib import Path

from tests.sitebuilder import PEOPLE, SiteBuilder

RUN = "window.__pwned=1;document.title='PWNED'"
# One string that attacks every context at once; it must come out exactly as it went in.
PAYLOAD = (f"</script><script>{RUN}</script><img src=x onerror=\"{RUN}\"> "
           f"'\"><svg onload={RUN}> ]]> --> & &amp; {{{{7*7}}}} \u2028 }}, note = {{x")
TITLE = "Title " + PAYLOAD
SUMMARY = "Summary " + PAYLOAD
TAG = "tag<script>x</script>"
NAME = "Ada <b onmouseover=\"" + RUN + "\">Hacker</b> \"Quote\""
AFFILIATION = "Dept </title><script>" + RUN + "</script>"
OBJECTIVE = "Objective " + PAYLOAD
RIS_TITLE = "Line one\nER  - \nTY  - BOOK\nTI  - Injected"
SITE_TITLE = "Blog <script>" + RUN + "</script>"
REVIEW_BODY = f"""Looks fine.

<script>{RUN}</script>

<img src=x onerror="{RUN}"> <iframe srcdoc="<script>{RUN}</script>"></iframe>
<a href="javascript:{RUN}">js link</a> <a href="data:text/html,<script>{RUN}</script>">data link</a>
<a href="vbscript:msgbox(1)">vb link</a> <div style="background:url(javascript:x)" onclick="{RUN}">div</div>

[md link](javascript:{RUN}) and ![md image](data:text/html;base64,PHNjcmlwdD4=) and {{{{7*7}}}}.
"""
POST_BODY = f"""Intro paragraph with a reference [@evil2020].

<div class="note" onclick="{RUN}">allowed div</div>

<script>{RUN}</script>

<a href="javascript:{RUN}">js</a> <a href="  JaVaScRiPt:{RUN}">spaced</a> <a href="java&#x09;script:{RUN}">entity</a>
<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="svg data">
<iframe src="https://www.youtube-nocookie.com/embed/abc" srcdoc="<script>{RUN}</script>"></iframe>
<form action="javascript:{RUN}"><button formaction="javascript:{RUN}">go</button></form>
<svg><a xlink:href="javascript:{RUN}"><text>svg link</text></a></svg>
<math><mtext><mglyph><svg><mtext><style><img src=x onerror="{RUN}"></style></mtext></svg></mglyph></mtext></math>
<meta http-equiv="refresh" content="0;url=javascript:{RUN}">
<base href="javascript:{RUN}//">

[md js](javascript:{RUN}) [md vb](vbscript:x) [md data](data:text/html,x) ![md img](data:image/png;base64,iVBO)

Some `{{{{7*7}}}}` code and {{{{7*7}}}} text.
"""
BIB = f"""@article{{evil2020,
  author = {{Evil, Eve and {{<script>{RUN}</script>}}}},
  title = {{Bib <img src=x onerror="{RUN}"> title}},
  journal = {{Journal </i><script>{RUN}</script>}},
  year = {{2020}},
  url = {{javascript:{RUN}}}
}}
"""


def hostile_people() -> dict:
    people = {k: dict(v) for k, v in PEOPLE.items()}
    people["ada"].update(name=NAME, affiliation=AFFILIATION, bio="Bio " + PAYLOAD, family="Hacker<script>",
                         given="Ada\"'")
    people["rita"].update(name="Rita <script>" + RUN + "</script>", affiliation="Lab \"><svg onload=x>")
    return people


def make_hostile_blog(root: Path, raw_html: str = "allow", search: bool = False) -> SiteBuilder:
    b = SiteBuilder(root, {"title": SITE_TITLE, "description": "Desc " + PAYLOAD, "people": hostile_people(),
                           "raw_html": raw_html, "search": {"enabled": search}})
    b.write("content/bibliography.bib", BIB)
    b.post("evil", title=TITLE, summary=SUMMARY, tags=[TAG, "plain"], objectives=[OBJECTIVE], body=POST_BODY)
    b.approve_twice("evil")
    for path in sorted((root / "reviews/evil").iterdir()):
        path.write_text(path.read_text(encoding="utf-8").replace("Clear and accurate.\n", REVIEW_BODY),
                        encoding="utf-8")
    b.write("reviews/evil/2025-01-07-ada.md", "---\ntype: response\nauthor: ada\ndate: 2025-01-07\n---\n"
            + REVIEW_BODY)
    b.decision("evil", "ed", "accept", date="2025-01-08", reason="Reason " + PAYLOAD)
    import_pr_review(b)
    # Newlines try to start new records in line-based formats (RIS) and new headers in feeds.
    b.post("lines", title=RIS_TITLE, summary="One\nTY  - BOOK\nTwo", date="2025-01-09")
    b.approve_twice("lines")
    b.write("content/pages/about.md", f"---\ntitle: {json.dumps('About ' + PAYLOAD)}\nmenu: 1\n---\n{POST_BODY}")
    return b


# A pull-request review body as GitHub delivers it: it tries to close the front matter and
# restate who reviewed, and carries the usual payloads.
PR_BODY = ("---\nreviewer: rex\ndecision: reject\n---\n" + "Imported review. " + REVIEW_BODY +
           "\nCompeting interests: none\n")


def import_pr_review(b: SiteBuilder) -> None:
    """Write a record exactly as `peerpress review import` does (reviews.scaffold with the body)."""
    from datetime import date

    from generator import reviews
    from generator.model import Post
    config = b.config()
    stub = Post(id="evil", kind="post", source=Path(), title="", body="", body_line=1,
                content_hash=b.hash_of("evil"))
    reviews.scaffold(config, stub, "bo", "approve", date(2025, 1, 6), version=b.hash_of("evil"), body=PR_BODY,
                     fields={"source": "https://github.com/o/r/pull/1#pullrequestreview-1",
                             "competing_interests": "none\nreviewer: rex"})
