"""The bad-input corpus: every case goes through the real CLI against a previously built site.

Each case starts from a small valid blog that has been built once, breaks one thing, and runs
`peerpress build`. It must exit with status 1, print the exact `path:line: error: message` line(s)
listed in the case, never a traceback, and leave the previous `site/` byte- and mtime-identical.
BOMs and CRLF line endings are not errors: those cases must build and look the same as LF files.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
import yaml

from generator.cli import main
from tests.sitebuilder import PEOPLE, SiteBuilder

GOOD_FRONT = "---\ntitle: T\nauthors: [ada]\ndate: 2025-01-01\n"


@dataclass
class Case:
    name: str
    setup: Callable[[SiteBuilder, Path], None]  # (blog, a folder outside the project)
    expected: tuple[str, ...]  # exact stderr lines


CASES: list[Case] = []


def case(name: str, *expected: str):
    def register(fn):
        CASES.append(Case(name, fn, expected))
        return fn
    return register


def bad_post(b: SiteBuilder, text: str, name: str = "bad.md") -> None:
    b.write(f"content/posts/{name}", text)


def settings(b: SiteBuilder, **changes) -> None:
    """Rewrite site.yaml with the builder's defaults plus `changes`."""
    data = yaml.safe_load((b.root / "site.yaml").read_text(encoding="utf-8"))
    data = {**{k: v for k, v in changes.items() if k not in data}, **data}  # new keys first: stable lines
    data.update(changes)
    b.write("site.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def child_theme(b: SiteBuilder, name: str = "mine", extends: str = "default") -> Path:
    b.write(f"themes/{name}/theme.yaml", f"name: {name}\nextends: {extends}\n")
    settings(b, theme=name)
    return b.root / "themes" / name


def review(b: SiteBuilder, rel: str, front: str, body: str = "Fine.\n") -> None:
    b.write(f"reviews/{rel}", f"---\n{front}---\n{body}")


def link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


# --- front matter: syntax and shape ------------------------------------------------------------

@case("malformed-yaml",
      "content/posts/bad.md:2: error: this list is never closed (add ']' at the end of the line)")
def _(b, outside):
    bad_post(b, "---\ntitle: [broken\nauthors: [ada]\n---\n")


@case("yaml-bad-indentation",
      "content/posts/bad.md:3: error: this line is indented by 2 spaces, which does not fit the lines above it "
      "(indent it by 0 spaces, like line 2)")
def _(b, outside):
    bad_post(b, "---\ntitle: T\n  authors: [ada]\n---\n")


@case("yaml-tab-indentation",
      "content/posts/bad.md:3: error: a tab is used to indent this line "
      "(indent with spaces: tabs are not allowed here)")
def _(b, outside):
    bad_post(b, "---\ntitle: T\n\tauthors: [ada]\n---\n")


@case("front-matter-is-a-list",
      "content/posts/bad.md:2: error: the front matter must be 'key: value' lines, but it is a list "
      "(write lines like 'title: My post')")
def _(b, outside):
    bad_post(b, "---\n- title\n- authors\n---\nBody\n")


@case("front-matter-is-text",
      "content/posts/bad.md:2: error: the front matter must be 'key: value' lines, but it is a single value "
      "(write lines like 'title: My post')")
def _(b, outside):
    bad_post(b, "---\njust a sentence\n---\nBody\n")


@case("front-matter-is-empty",
      "content/posts/bad.md:2: error: the front matter must be 'key: value' lines, but it is empty "
      "(write lines like 'title: My post')")
def _(b, outside):
    bad_post(b, "---\n---\nBody\n")


@case("front-matter-unclosed",
      "content/posts/bad.md:1: error: the front matter is never closed "
      "(add a line '---' after line 4, where the front matter ends)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "\nThe body, but the fence never closed.\n")


@case("no-front-matter",
      "content/posts/bad.md:1: error: no front matter (the file must start with a line '---', then lines "
      "such as 'title: ...', then another '---')")
def _(b, outside):
    bad_post(b, "# Just Markdown\n\nNo front matter at all.\n")


@case("empty-file",
      "content/posts/bad.md:1: error: the file is empty (start it with front matter between --- lines)")
def _(b, outside):
    bad_post(b, "")


@case("whitespace-only-file",
      "content/posts/bad.md:1: error: the file is empty (start it with front matter between --- lines)")
def _(b, outside):
    bad_post(b, "  \n\n\t\n")


@case("invalid-utf8",
      "content/posts/bad.md:6: error: not valid UTF-8 (byte 0xff) (save the file as UTF-8)")
def _(b, outside):
    (b.root / "content/posts/bad.md").write_bytes((GOOD_FRONT + "---\nCaf").encode() + b"\xff\xfe\n")


@case("recursive-yaml-alias",
      "content/posts/bad.md:5: error: a '*' reference points to a value that contains it "
      "(write the value out instead of the reference)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "tags: &loop [x, *loop]\n---\n")


@case("yaml-alias-bomb",
      "content/posts/bad.md:5: error: more than 100000 values in all (aliases count each time they are used) "
      "(split the data or use fewer aliases)")
def _(b, outside):
    lines, prev = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"], "a0"
    for n in range(1, 8):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*{prev}"] * 10) + "]")
        prev = f"a{n}"
    bad_post(b, GOOD_FRONT + "\n".join(lines) + "\n---\n")


# --- front matter: types, required keys, values ------------------------------------------------

@case("title-is-a-list",
      "content/posts/bad.md:2: error: 'title' must be text, got a list (the post's title)")
def _(b, outside):
    bad_post(b, "---\ntitle: [a, b]\nauthors: [ada]\ndate: 2025-01-01\n---\n")


@case("authors-is-a-mapping",
      "content/posts/bad.md:3: error: 'authors' must be a list, got 'key: value' lines (people ids from site.yaml)")
def _(b, outside):
    bad_post(b, "---\ntitle: T\nauthors: {ada: 1}\ndate: 2025-01-01\n---\n")


@case("draft-is-not-boolean",
      "content/posts/bad.md:5: error: 'draft' must be true or false, got the text 'maybe' "
      "(never publish, even if accepted)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "draft: maybe\n---\n")


@case("tags-is-a-mapping",
      "content/posts/bad.md:5: error: 'tags' must be a list, got 'key: value' lines (topics)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "tags: {ecg: yes}\n---\n")


@case("missing-title",
      "content/posts/bad.md:2: error: missing required key 'title' (the post's title)")
def _(b, outside):
    bad_post(b, "---\nauthors: [ada]\ndate: 2025-01-01\n---\n")


@case("missing-authors-and-date",
      "content/posts/bad.md:2: error: missing required key 'authors' (people ids from site.yaml)",
      "content/posts/bad.md:2: error: missing required key 'date' (publication date, YYYY-MM-DD (or with a time))")
def _(b, outside):
    bad_post(b, "---\ntitle: T\n---\n")


@case("impossible-date",
      "content/posts/bad.md:4: error: 2025-02-30 is not a date: February 2025 has 28 days "
      "(write it as YYYY-MM-DD, e.g. 2025-01-31, or with a time: 2025-01-31T09:30:00+01:00)")
def _(b, outside):
    bad_post(b, "---\ntitle: T\nauthors: [ada]\ndate: 2025-02-30\n---\n")


@case("date-is-a-word",
      "content/posts/bad.md:4: error: 'yesterday' is not a date "
      "(write it as YYYY-MM-DD, e.g. 2025-01-31, or with a time: 2025-01-31T09:30:00+01:00)")
def _(b, outside):
    bad_post(b, "---\ntitle: T\nauthors: [ada]\ndate: yesterday\n---\n")


@case("unknown-front-matter-key",
      "content/posts/bad.md:2: error: unknown key 'titel' (did you mean 'title'?)")
def _(b, outside):
    bad_post(b, "---\ntitel: T\ntitle: T\nauthors: [ada]\ndate: 2025-01-01\n---\n")


@case("bad-doi",
      "content/posts/bad.md:5: error: 'doi' is not a DOI like 10.1234/abcd (no https://doi.org/ prefix)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "doi: https://doi.org/10.1234/x\n---\n")


@case("correction-without-text",
      "content/posts/bad.md:6: error: missing required key 'corrections.0.text' (what was corrected)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "corrections:\n  - date: 2025-02-01\n---\n")


# --- people ---------------------------------------------------------------------------------------

@case("unknown-author",
      "content/posts/bad.md:3: error: unknown author 'jdoe' (add it to people: in site.yaml)")
def _(b, outside):
    bad_post(b, "---\ntitle: T\nauthors: [jdoe]\ndate: 2025-01-01\n---\n")


@case("author-without-author-role",
      "content/posts/bad.md:3: error: 'rita' does not have the author role "
      "(add 'author' to people.rita.roles in site.yaml)")
def _(b, outside):
    bad_post(b, "---\ntitle: T\nauthors: [rita]\ndate: 2025-01-01\n---\n")


@case("no-authors",
      "content/posts/bad.md:3: error: a post needs at least one author "
      "(list people ids from site.yaml under 'authors:')")
def _(b, outside):
    bad_post(b, "---\ntitle: T\nauthors: []\ndate: 2025-01-01\n---\n")


# --- ids and paths ------------------------------------------------------------------------------

@case("duplicate-id",
      "content/posts/p.md:1: error: duplicate post id 'p' (content/posts/bad.md has the same id; "
      "set a different 'id:')")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "id: p\n---\n")


@case("id-with-dot-dot",
      "content/posts/bad.md:5: error: 'id' must be lower-case letters, digits and single hyphens "
      "(no slashes, dots at the ends or spaces)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "id: ../../../etc\n---\n")


@case("id-absolute-path",
      "content/posts/bad.md:5: error: 'id' must be lower-case letters, digits and single hyphens "
      "(no slashes, dots at the ends or spaces)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "id: /etc/passwd\n---\n")


@case("id-reserved-name",
      "content/posts/bad.md:5: error: 'id' 'con' is a reserved name")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "id: con\n---\n")


@case("file-name-gives-bad-id",
      "content/posts/Bad Name.md:1: error: the file name gives the id 'Bad Name', which must be lower-case "
      "letters, digits and single hyphens (no slashes, dots at the ends or spaces) "
      "(rename the file or set 'id:' in the front matter)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "---\n", name="Bad Name.md")


@case("page-id-replaces-a-section",
      "content/pages/tags.md:1: error: page id 'tags' is reserved for the site's own /tags/ "
      "(choose another id for the page)")
def _(b, outside):
    b.write("content/pages/tags.md", "---\ntitle: My tags\n---\nText.\n")


@case("bundle-without-index",
      "content/posts/folder: error: a post bundle folder has no index.md "
      "(put the post text in index.md inside the folder)")
def _(b, outside):
    b.write("content/posts/folder/post.md", GOOD_FRONT + "---\n")


# --- symlinks out of the project ----------------------------------------------------------------

@case("symlinked-post-outside",
      "content/posts/leak.md: error: is a link to a file outside the project "
      "(copy the file into the project instead of linking to it)")
def _(b, outside):
    (outside / "secret.md").write_text(GOOD_FRONT + "---\nSecret.\n", encoding="utf-8")
    link(b.root / "content/posts/leak.md", outside / "secret.md")


@case("symlinked-bundle-asset-outside",
      "content/posts/bundle/passwd.txt: error: is a link to a file outside the project "
      "(copy the file into the post's folder instead of linking to it)")
def _(b, outside):
    b.post("bundle", bundle=True)
    (outside / "passwd.txt").write_text("root:x:0:0\n", encoding="utf-8")
    link(b.root / "content/posts/bundle/passwd.txt", outside / "passwd.txt")


@case("symlinked-review-outside",
      "reviews/p/2025-01-07-ed.md: error: is a link to a file outside the project (copy it in instead)")
def _(b, outside):
    (outside / "review.md").write_text("---\nreviewer: ed\n---\n", encoding="utf-8")
    link(b.root / "reviews/p/2025-01-07-ed.md", outside / "review.md")


@case("symlinked-theme-file-outside",
      "themes/mine/static/leak.txt: error: is a link to a file outside the theme "
      "(copy the file into the theme instead of linking to it)")
def _(b, outside):
    theme = child_theme(b)
    (outside / "leak.txt").write_text("secret\n", encoding="utf-8")
    link(theme / "static/leak.txt", outside / "leak.txt")


@case("symlinked-template-outside",
      "themes/mine/templates/post.html: error: is a link to a file outside the theme "
      "(copy the file into the theme instead of linking to it)")
def _(b, outside):
    theme = child_theme(b)
    (outside / "post.html").write_text("{{ config }}\n", encoding="utf-8")
    link(theme / "templates/post.html", outside / "post.html")


# --- review records -----------------------------------------------------------------------------

def stamped(b: SiteBuilder) -> str:
    return b.hash_of("p")


@case("review-of-unknown-post",
      "reviews/nope/2025-01-07-ed.md: error: review of unknown post 'nope' (the folder name must be a post id)")
def _(b, outside):
    review(b, "nope/2025-01-07-ed.md", f"reviewer: ed\ndate: 2025-01-07\ndecision: approve\nversion: {stamped(b)}\n")


@case("review-unknown-decision",
      "reviews/p/2025-01-07-ed.md:4: error: unknown decision 'aprove' (did you mean 'approve'?)")
def _(b, outside):
    review(b, "p/2025-01-07-ed.md", f"reviewer: ed\ndate: 2025-01-07\ndecision: aprove\nversion: {stamped(b)}\n")


@case("review-malformed-hash",
      "reviews/p/2025-01-07-ed.md:5: error: malformed version hash 'abc123' (it is 16 lower-case hex digits; "
      "'peerpress review status POST' prints the current one)")
def _(b, outside):
    review(b, "p/2025-01-07-ed.md", "reviewer: ed\ndate: 2025-01-07\ndecision: approve\nversion: abc123\n")


@case("review-missing-version",
      "reviews/p/2025-01-07-ed.md:2: error: missing required key 'version' (run 'peerpress review new POST "
      "--reviewer ID --decision D' to stamp the current hash)")
def _(b, outside):
    review(b, "p/2025-01-07-ed.md", "reviewer: ed\ndate: 2025-01-07\ndecision: approve\n")


@case("review-unknown-reviewer",
      "reviews/p/2025-01-07-zed.md:2: error: unknown reviewer 'zed' (add them to people: in site.yaml)")
def _(b, outside):
    review(b, "p/2025-01-07-zed.md", f"reviewer: zed\ndate: 2025-01-07\ndecision: approve\nversion: {stamped(b)}\n")


@case("review-impossible-date",
      "reviews/p/2025-01-07-ed.md:3: error: 2025-13-07 is not a date: there is no month 13 "
      "(write it as YYYY-MM-DD, e.g. 2025-01-31, or with a time: 2025-01-31T09:30:00+01:00)")
def _(b, outside):
    review(b, "p/2025-01-07-ed.md", f"reviewer: ed\ndate: 2025-13-07\ndecision: approve\nversion: {stamped(b)}\n")


@case("review-outside-a-post-folder",
      "reviews/2025-01-07-ed.md: error: review records go in reviews/<post-id>/<date>-<person>.md "
      "(move the file into the folder named after the post)")
def _(b, outside):
    review(b, "2025-01-07-ed.md", f"reviewer: ed\ndate: 2025-01-07\ndecision: approve\nversion: {stamped(b)}\n")


@case("dismissed-not-a-boolean",
      "reviews/p/2025-01-07-ed.md:6: error: 'dismissed' must be true or false, got the text 'sometimes' "
      "(true if dismissed on GitHub: shown, never counted; may omit its decision)")
def _(b, outside):
    review(b, "p/2025-01-07-ed.md", f"reviewer: ed\ndate: 2025-01-07\ndecision: approve\nversion: {stamped(b)}\n"
           "dismissed: sometimes\n")


@case("review-without-decision-not-dismissed",
      "reviews/p/2025-01-07-ed.md:2: error: missing required key 'decision' "
      "(one of: approve, approve-with-reservations, revise, reject, comment)")
def _(b, outside):
    review(b, "p/2025-01-07-ed.md", f"reviewer: ed\ndate: 2025-01-07\nversion: {stamped(b)}\ndismissed: false\n")


@case("review-javascript-source",
      "reviews/p/2025-01-07-ed.md:6: error: 'source' must be an http(s) link")
def _(b, outside):
    review(b, "p/2025-01-07-ed.md", f"reviewer: ed\ndate: 2025-01-07\ndecision: approve\nversion: {stamped(b)}\n"
           "source: javascript:alert(1)\n")


@case("editor-reject-without-reason",
      "reviews/p/2025-01-07-ed.md:5: error: an editor's 'reject' needs a reason "
      "(add 'reason:' explaining it to readers)")
def _(b, outside):
    review(b, "p/2025-01-07-ed.md", "type: decision\neditor: ed\ndate: 2025-01-07\ndecision: reject\n")


@case("scores-without-rubric",
      "reviews/p/2025-01-07-ed.md:6: error: scores given but site.yaml defines no review.rubric "
      "(remove the scores or define the rubric)")
def _(b, outside):
    review(b, "p/2025-01-07-ed.md", f"reviewer: ed\ndate: 2025-01-07\ndecision: approve\nversion: {stamped(b)}\n"
           "scores: {clarity: 3}\n")


@case("review-front-matter-unclosed",
      "reviews/p/2025-01-07-ed.md:1: error: the front matter is never closed "
      "(add a line '---' after line 3, where the front matter ends)")
def _(b, outside):
    b.write("reviews/p/2025-01-07-ed.md", "---\nreviewer: ed\ndate: 2025-01-07\n")


# --- site.yaml ------------------------------------------------------------------------------------

@case("unknown-config-key",
      "site.yaml:1: error: unknown key 'titel' (did you mean 'title'?)")
def _(b, outside):
    b.write("site.yaml", "titel: Typo\n" + (b.root / "site.yaml").read_text(encoding="utf-8"))


@case("broken-site-yaml",
      "site.yaml:3: error: this line is indented by 2 spaces, which does not fit the lines above it "
      "(indent it by 0 spaces, like line 2)")
def _(b, outside):
    b.write("site.yaml", "title: Blog\nbase_url: https://example.org/\n  people: {}\n")


@case("site-yaml-not-a-mapping",
      "site.yaml:1: error: expected 'key: value' lines, got a list (write it as 'key: value' lines)")
def _(b, outside):
    b.write("site.yaml", "- title\n- base_url\n")


@case("site-yaml-invalid-utf8",
      "site.yaml:1: error: not valid UTF-8 (byte 0xe9) (save the file as UTF-8)")
def _(b, outside):
    (b.root / "site.yaml").write_bytes(b"title: Caf\xe9\nbase_url: https://example.org/\n")


@case("bad-base-url",
      "site.yaml:2: error: 'base_url' must be an absolute http(s) URL such as https://blog.example.org/")
def _(b, outside):
    settings(b, base_url="blog.example.org")


@case("javascript-base-url",
      "site.yaml:2: error: 'base_url' must be an absolute http(s) URL such as https://blog.example.org/")
def _(b, outside):
    settings(b, base_url="javascript:alert(1)//")


@case("missing-base-url",
      "site.yaml:1: error: missing required key 'base_url' (the public address, e.g. https://blog.example.org/)")
def _(b, outside):
    b.write("site.yaml", yaml.safe_dump({"title": "T", "people": PEOPLE}))


@case("unknown-timezone",
      "site.yaml:3: error: 'timezone' is not a known time zone (use an IANA name such as Europe/London)")
def _(b, outside):
    settings(b, timezone="Mars/Olympus")


@case("bad-orcid-check-digit",
      "site.yaml:11: error: 'people.ada.orcid' has a wrong check digit (is it mistyped?)")
def _(b, outside):
    settings(b, people={**PEOPLE, "ada": {**PEOPLE["ada"], "orcid": "0000-0002-1825-0098"}})


@case("person-javascript-url",
      "site.yaml:14: error: 'people.ada.url' must be an http(s) link")
def _(b, outside):
    settings(b, people={**PEOPLE, "ada": {**PEOPLE["ada"], "url": "javascript:alert(1)"}})


@case("bad-raw-html-policy",
      "site.yaml:1: error: 'raw_html' has unknown value 'yes' (one of: allow, sanitize, escape)")
def _(b, outside):
    settings(b, raw_html="yes")


# --- themes and templates -------------------------------------------------------------------------

@case("template-syntax-error",
      "themes/mine/templates/post.html:4: error: template syntax error: Encountered unknown tag 'endblock'. "
      "You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for 'elif' or "
      "'else' or 'endif'. The innermost block that needs to be closed is 'if'. (fix the template)")
def _(b, outside):
    theme = child_theme(b)
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/post.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{% if post %}\n{% endblock %}\n', encoding="utf-8")


@case("template-extends-missing",
      "themes/mine/templates/post.html:1: error: missing template 'nope.html' "
      "(add it to the theme or to the theme it extends)")
def _(b, outside):
    theme = child_theme(b)
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/post.html").write_text('{% extends "nope.html" %}\n', encoding="utf-8")


@case("template-undefined-variable",
      "themes/mine/templates/post.html:4: error: template error: 'no_such_thing' is undefined "
      "(check the variable names used in the template)")
def _(b, outside):
    theme = child_theme(b)
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/post.html").write_text(
        '{% extends "base.html" %}\n{% block title %}T{% endblock %}\n{% block main %}\n'
        '{{ no_such_thing.title }}\n{% endblock %}\n',
        encoding="utf-8")


@case("circular-theme-inheritance",
      "themes/two/theme.yaml: error: circular theme inheritance: one → two → one (remove one 'extends:')")
def _(b, outside):
    child_theme(b, "two", extends="one")
    child_theme(b, "one", extends="two")


@case("missing-theme",
      "site.yaml:1: error: theme 'nope' not found in themes/ (use one of: clinic, default)")
def _(b, outside):
    settings(b, theme="nope")


@case("theme-yaml-unknown-key",
      "themes/mine/theme.yaml: error: unknown key 'extend' in theme.yaml "
      "(known keys: author, description, extends, license, name)")
def _(b, outside):
    theme = child_theme(b)
    (theme / "theme.yaml").write_text("extend: default\n", encoding="utf-8")


# --- citations and bibliographies -----------------------------------------------------------------

BIB = ("@article{smith2020,\n  author = {Smith, Ann},\n  title = {Teaching},\n  journal = {Med Educ},\n"
       "  year = {2020}\n}\n")


@case("unknown-citation-key",
      "content/posts/bad.md:8: error: unknown citation key 'smith2021' (did you mean 'smith2020'?)")
def _(b, outside):
    b.write("content/bibliography.bib", BIB)
    bad_post(b, GOOD_FRONT + "---\nIntro.\n\nAs shown [@smith2021].\n")


@case("broken-bibliography",
      "content/posts/bundle/refs.json:3: error: invalid CSL-JSON: Expecting property name enclosed in double quotes")
def _(b, outside):
    b.post("bundle", bundle=True, bibliography=["refs.json"])
    b.write("content/posts/bundle/refs.json", '[\n  {"id": "a", "type": "book",\n   "title": "Broken" ,,\n]\n')


@case("missing-post-bibliography",
      "content/posts/bad.md:5: error: bibliography file 'refs.bib' not found (give a path relative to the post file)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "bibliography: [refs.bib]\n---\n")


@case("missing-site-bibliography",
      "site.yaml: error: citation.bibliography 'refs.bib' not found (give a path relative to site.yaml)")
def _(b, outside):
    settings(b, citation={"bibliography": "refs.bib"})


# --- files named in front matter (issue 18) ---------------------------------------------------------

IMAGE_HINT = "(name a file in the post's folder, a theme's static file as /assets/…, or an https:// URL)"


@case("image-absolute-system-path",
      f"content/posts/bundle/index.md:6: error: image '/etc/passwd' is not a static file of the site {IMAGE_HINT}")
def _(b, outside):
    b.post("bundle", bundle=True, image="/etc/passwd")


@case("image-climbs-out-of-the-bundle",
      "content/posts/bundle/index.md:6: error: image '../../../etc/passwd' is not a file in the post's folder "
      + IMAGE_HINT)
def _(b, outside):
    b.post("bundle", bundle=True, image="../../../etc/passwd")


@case("image-climbs-to-the-project",
      "content/posts/bundle/index.md:6: error: image '../../../site.yaml' is not a file in the post's folder "
      + IMAGE_HINT)
def _(b, outside):
    b.post("bundle", bundle=True, image="../../../site.yaml")


@case("image-link-out-of-the-bundle",
      f"content/posts/bundle/index.md:6: error: image 'card.png' is not a file in the post's folder {IMAGE_HINT}")
def _(b, outside):
    b.post("bundle", bundle=True, image="card.png")
    (outside / "card.png").write_bytes(b"\x89PNG")
    link(b.root / "content/posts/bundle/card.png", outside / "card.png")


@case("image-missing-in-bundle",
      f"content/posts/bundle/index.md:6: error: image 'card.png' is not a file in the post's folder {IMAGE_HINT}")
def _(b, outside):
    b.post("bundle", bundle=True, image="card.png")


@case("image-javascript-url",
      f"content/posts/bad.md:5: error: image 'javascript:alert(1)' is not an http(s) URL {IMAGE_HINT}")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "image: 'javascript:alert(1)'\n---\n")


@case("image-data-url",
      f"content/posts/bad.md:5: error: image 'data:image/png;base64,iVBO' is not an http(s) URL {IMAGE_HINT}")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "image: 'data:image/png;base64,iVBO'\n---\n")


@case("image-file-url",
      f"content/posts/bad.md:5: error: image 'file:///etc/passwd' is not an http(s) URL {IMAGE_HINT}")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "image: 'file:///etc/passwd'\n---\n")


@case("image-beside-a-single-file-post",
      "content/posts/bad.md:5: error: image 'card.png': a single-file post has no folder for images "
      "(move the post to content/posts/<id>/index.md with the image beside it, or use a URL)")
def _(b, outside):
    b.write("content/posts/card.png", "not really a png")
    bad_post(b, GOOD_FRONT + "image: card.png\n---\n")


@case("image-missing-static-file",
      f"content/posts/bad.md:5: error: image '/assets/nope.png' is not a static file of the site {IMAGE_HINT}")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "image: /assets/nope.png\n---\n")


@case("bibliography-climbs-out-of-the-bundle",
      "content/posts/bundle/index.md:7: error: bibliography file '../../../site.yaml' not found "
      "(give a path relative to the post file)")
def _(b, outside):
    b.post("bundle", bundle=True, bibliography=["../../../site.yaml"])


@case("bibliography-absolute-path",
      "content/posts/bundle/index.md:7: error: bibliography file '/etc/passwd' not found "
      "(give a path relative to the post file)")
def _(b, outside):
    b.post("bundle", bundle=True, bibliography=["/etc/passwd"])


# --- names the file system would refuse, reserved names (issue 18) -----------------------------------

@case("id-too-long",
      "content/posts/bad.md:5: error: 'id' is 150 characters long, more than 100")
def _(b, outside):
    bad_post(b, GOOD_FRONT + f"id: {'a' * 150}\n---\n")


@case("file-name-gives-too-long-id",
      f"content/posts/{'b' * 120}.md:1: error: the file name gives the id '{'b' * 120}', which is 120 characters "
      "long, more than 100 (rename the file or set 'id:' in the front matter)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "---\n", name=f"{'b' * 120}.md")


@case("page-id-too-long",
      "content/pages/bad.md:3: error: 'id' is 101 characters long, more than 100")
def _(b, outside):
    b.write("content/pages/bad.md", f"---\ntitle: About\nid: {'p' * 101}\n---\nText.\n")


@case("person-id-too-long-for-a-folder",
      f"authors/{'r' * 112}…: error: a file name of the site would be 300 bytes long, more than the file "
      "system's 255 (shorten the id, tag or file name that made it)")
def _(b, outside):
    people = {**PEOPLE, "r" * 300: {"name": "Long Name", "roles": ["author"]}}
    settings(b, people=people)
    b.post("q", title="Q", authors=["r" * 300])
    b.approve_twice("q")


@case("index-md-directly-in-posts",
      "content/posts/index.md:1: error: index.md directly in content/posts/ is not a post (name the file after "
      "the post (my-post.md) or move it to content/posts/my-post/index.md)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "---\nA list of posts, perhaps.\n", name="index.md")


@case("page-named-like-the-posts-section",
      "content/pages/posts.md:1: error: page id 'posts' is reserved for the site's own /posts/ "
      "(choose another id for the page)")
def _(b, outside):
    b.write("content/pages/posts.md", "---\ntitle: Posts\n---\nText.\n")


@case("page-id-replaces-the-search-section",
      "content/pages/about.md:3: error: page id 'search' is reserved for the site's own /search/ "
      "(choose another id for the page)")
def _(b, outside):
    b.write("content/pages/about.md", "---\ntitle: About\nid: search\n---\nText.\n")


@case("page-file-named-index",
      "content/pages/index.md:1: error: the file name gives the id 'index', which 'index' is a reserved name "
      "(rename the file or set 'id:' in the front matter)")
def _(b, outside):
    b.write("content/pages/index.md", "---\ntitle: Home\n---\nText.\n")


# --- limits (issue 18) ---------------------------------------------------------------------------

@case("list-nested-1000-levels",
      "content/posts/bad.md:106: error: the text is nested 101 levels deep, more than 100 "
      "(flatten the nested lists or quotes)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "---\n" + "".join("  " * k + "- x\n" for k in range(1_000)))


@case("quotes-nested-10000-levels",
      "content/posts/bad.md:8: error: the text is nested 10000 levels deep, more than 100 "
      "(flatten the nested lists or quotes)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "---\nIntro.\n\n" + "> " * 10_000 + "deep\n")


@case("review-nested-too-deep",
      "reviews/p/2025-01-05-rita.md:9: error: the text is nested 150 levels deep, more than 100 "
      "(flatten the nested lists or quotes)")
def _(b, outside):
    path = b.root / "reviews/p/2025-01-05-rita.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + "- " * 150 + "x\n", encoding="utf-8")


@case("yaml-nested-1000-levels",
      "content/posts/bad.md:5: error: values are nested too deeply (more than 100 levels) "
      "(nest fewer lists and keys inside each other)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "tags: " + "[" * 1000 + "]" * 1000 + "\n---\n")


@case("tag-list-200000-items",
      "content/posts/bad.md:5: error: a list of 200000 items is longer than 10000 (shorten it)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "tags: [" + ", ".join(f"t{i}" for i in range(200_000)) + "]\n---\n")


@case("authors-list-block-style-too-long",
      "content/posts/bad.md:6: error: a list of 12000 items is longer than 10000 (shorten it)")
def _(b, outside):
    bad_post(b, "---\ntitle: T\ndate: 2025-01-01\nsummary: s\nauthors:\n" + "  - ada\n" * 12_000 + "---\n")


@case("mapping-too-long",
      "content/posts/bad.md:5: error: 10001 keys in one place are more than 10000 (shorten it)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "extra: {" + ", ".join(f"k{i}: v" for i in range(10_001)) + "}\n---\n")


@case("post-file-too-big",
      "content/posts/bad.md: error: the file is 6.0 MB, more than 5 MB (split it or move large data out of it)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "---\n" + ("word " * 199 + "\n") * 6300)


@case("review-file-too-big",
      "reviews/p/2025-01-09-rex.md: error: the file is 5.5 MB, more than 5 MB (split it or move large data out of it)")
def _(b, outside):
    review(b, "p/2025-01-09-rex.md", "reviewer: rex\ndate: 2025-01-09\ndecision: approve\nversion: x\n",
           "x" * (5 * 1024 * 1024 + 512 * 1024))


@case("yaml-nested-150-levels",
      "content/posts/bad.md:5: error: values are nested too deeply (more than 100 levels) "
      "(nest fewer lists and keys inside each other)")
def _(b, outside):
    bad_post(b, GOOD_FRONT + "extra: " + "[" * 150 + "]" * 150 + "\n---\n")


@case("site-yaml-nested-too-deep",
      "site.yaml:2: error: values are nested too deeply (more than 100 levels) "
      "(nest fewer lists and keys inside each other)")
def _(b, outside):
    text = (b.root / "site.yaml").read_text(encoding="utf-8")
    b.write("site.yaml", text.replace("title: Test Blog\n", "title: Test Blog\nextra: " + "{a: " * 2000
                                      + "1" + "}" * 2000 + "\n"))


# --- unreadable inputs (issue 18) ------------------------------------------------------------------

@case("post-is-a-broken-link",
      "content/posts/gone.md: error: is a link to a file that does not exist (remove the link or restore its target)")
def _(b, outside):
    link(b.root / "content/posts/gone.md", b.root / "content/posts/missing-target.md")


@case("review-is-a-broken-link",
      "reviews/p/nothing-here.md: error: could not read the file: no such file or folder "
      "(check that the path exists)")
def _(b, outside):
    link(b.root / "reviews/p/2025-01-09-rex.md", b.root / "reviews/p/nothing-here.md")


# -------------------------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(b: SiteBuilder, *extra: str) -> int:
    return main(["build", "--config", str(b.root / "site.yaml"), *extra])


@pytest.fixture
def built(tmp_path, capsys) -> tuple[SiteBuilder, Path, dict]:
    """A valid blog with one published post, built once; plus a folder outside the project."""
    b = SiteBuilder(tmp_path / "blog")
    b.post("p", title="P")
    b.approve_twice("p")
    assert build(b) == 0, capsys.readouterr().err
    capsys.readouterr()
    outside = tmp_path / "outside"
    outside.mkdir()
    return b, outside, snapshot(b.root / "site")


def test_the_corpus_is_big_enough():
    assert len(CASES) >= 100
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("bad", CASES, ids=[c.name for c in CASES])
def test_bad_input(built, capsys, bad: Case):
    b, outside, before = built
    bad.setup(b, outside)
    status = build(b)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert status == 1, err
    assert "Traceback" not in err
    for expected in bad.expected:
        assert expected in lines, f"expected line not found:\n{expected}\n--- stderr ---\n{err}"
    done = "build failed; the previous site is untouched"
    assert all(": error: " in line or ": warning: " in line or line == done for line in lines), err
    assert snapshot(b.root / "site") == before
    leftovers = sorted(p.name for p in b.root.iterdir() if p.name.startswith(".site.") and p.name != ".site.lock")
    assert leftovers == []


@pytest.mark.parametrize("bad", CASES, ids=[c.name for c in CASES])
def test_check_reports_the_same(built, capsys, bad: Case):
    """`peerpress check` (the pull-request gate) names the same problems without writing anything."""
    b, outside, before = built
    bad.setup(b, outside)
    status = main(["check", "--config", str(b.root / "site.yaml")])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    for expected in bad.expected:
        assert expected in err.splitlines(), err
    assert snapshot(b.root / "site") == before


# --- BOMs and CRLF must just work -----------------------------------------------------------------

def crlf_bom(text: str, bom: bool, crlf: bool) -> bytes:
    data = text.replace("\n", "\r\n") if crlf else text
    return (b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8")


def page_facts(site: Path, post_id: str) -> tuple:
    page = lxml.html.parse(str(site / "posts" / post_id / "index.html")).getroot()
    return (page.xpath("string(//h1)"), page.xpath("//ul[@class='tag-list']/li/a/text()"),
            [p.text_content() for p in page.xpath("//div[@class='post-body']//p")])


@pytest.mark.parametrize("bom, crlf", [(True, False), (False, True), (True, True)], ids=["bom", "crlf", "bom+crlf"])
def test_bom_and_crlf_just_work(tmp_path, capsys, bom, crlf):
    text = "---\ntitle: Line endings\nauthors: [ada]\ndate: 2025-01-10\ntags: [ecg]\n---\nFirst line.\n\nSecond.\n"
    plain = SiteBuilder(tmp_path / "lf")
    odd = SiteBuilder(tmp_path / "odd")
    for b, data in ((plain, text.encode()), (odd, crlf_bom(text, bom, crlf))):
        (b.root / "content/posts").mkdir(parents=True)
        (b.root / "content/posts/p.md").write_bytes(data)
        b.approve_twice("p")
        if b is odd:
            for record in sorted((b.root / "reviews/p").iterdir()):
                record.write_bytes(crlf_bom(record.read_text(encoding="utf-8"), bom, crlf))
        site_yaml = b.root / "site.yaml"
        site_yaml.write_bytes(crlf_bom(site_yaml.read_text(encoding="utf-8"), bom, crlf) if b is odd
                              else site_yaml.read_bytes())
        assert build(b) == 0, capsys.readouterr().err
    assert plain.hash_of("p") == odd.hash_of("p")  # the review stays valid after a CRLF checkout
    assert page_facts(odd.root / "site", "p") == page_facts(plain.root / "site", "p")
    assert page_facts(odd.root / "site", "p")[0] == "Line endings"


def test_every_case_fails_without_touching_a_missing_site(tmp_path, capsys):
    """With no previous build, a failing build creates no output folder at all."""
    b = SiteBuilder(tmp_path / "blog")
    b.post("p")
    bad_post(b, "---\ntitle: [broken\n---\n")
    assert build(b) == 1
    assert not (b.root / "site").exists()
    assert not os.path.exists(b.root / ".site.previous")
    shutil.rmtree(b.root)


def test_front_matter_images_that_are_fine(tmp_path, capsys):
    """The other side of the image cases: a bundle file, a theme's static file and an https URL."""
    b = SiteBuilder(tmp_path / "blog")
    b.post("bundle", bundle=True, image="card.svg")
    b.write("content/posts/bundle/card.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    b.post("static", image="/assets/favicon.svg")
    b.post("remote", image="https://cdn.example.org/card.png")
    for pid in ("bundle", "static", "remote"):
        b.approve_twice(pid)
    assert build(b) == 0, capsys.readouterr().err
    card = {}
    for pid in ("bundle", "static", "remote"):
        page = lxml.html.parse(str(b.root / "site/posts" / pid / "index.html")).getroot()
        card[pid] = page.xpath("string(//meta[@property='og:image']/@content)")
    assert card == {"bundle": "https://blog.example.org/posts/bundle/card.svg",
                    "static": "https://blog.example.org/assets/favicon.svg",
                    "remote": "https://cdn.example.org/card.png"}
    assert (b.root / "site/posts/bundle/card.svg").is_file()
