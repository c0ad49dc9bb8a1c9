"""Posts and pages: discovery, front matter, ids, dates, bundles (docs/architecture.md, "Content")."""
from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from . import cache, frontpaths, language, markup, redirects, references, review_rules
from .errors import Problem, error, rel
from .frontmatter import read_text, split
from .loading import SERIAL, Job, Loader, collect
from .model import Config, Post
from .schema import REQUIRED, Field, Section, validate
from .urls import slug

ID_RE = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")
# Names that would collide with site sections or break on some file systems.
RESERVED_IDS = {"index", "page", "feeds", "con", "prn", "aux", "nul", "com1", "lpt1"}
# A standalone page lives at /<id>/, beside the site's own sections: it must not replace one.
SECTION_IDS = {"posts", "tags", "authors", "reviewers", "review-policy", "archive", "search", "assets",
               "reviews", "404.html", "sitemap.xml", "robots.txt", "feed.xml", "rss.xml", "feed.json",
               "pagefind", "series", "_redirects"}
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")


MAX_ID = 100  # characters; an id names folders and files (posts/<id>/<id>.bib) and must fit the file system


def id_problem(value: str) -> str | None:
    if len(value) > MAX_ID:
        return f"is {len(value)} characters long, more than {MAX_ID}"
    if value.lower() in RESERVED_IDS:
        return f"'{value}' is a reserved name"
    if not ID_RE.match(value):
        return "must be lower-case letters, digits and single hyphens (no slashes, dots at the ends or spaces)"
    return None


def doi_problem(value: str) -> str | None:
    return None if DOI_RE.match(value) else "is not a DOI like 10.1234/abcd (no https://doi.org/ prefix)"


def _strings(doc: str) -> Field:
    return Field(list, [], doc, item=Field(str))


CORRECTION = Section({
    "date": Field(date, REQUIRED, "when the correction was made"),
    "text": Field(str, REQUIRED, "what was corrected"),
    "editor": Field(str, "", "the editor who approved it"),
})

POST = Section({
    "title": Field(str, REQUIRED, "the post's title"),
    "authors": Field(list, REQUIRED, "people ids from site.yaml", item=Field(str)),
    "date": Field(date, REQUIRED, "publication date, YYYY-MM-DD (or with a time)"),
    "summary": Field(str, "", "one or two sentences for listings, feeds and metadata"),
    "tags": _strings("topics"),
    "id": Field(str, "", "stable id: the post's URL, and part of the version reviewers approve; defaults to "
                "the file or folder name (set it to rename the file without a new URL)", check=id_problem),
    "updated": Field(date, None, "date of the last substantive update"),
    "doi": Field(str, "", "the post's DOI, e.g. 10.59350/abcd-1234", check=doi_problem),
    "license": Field(str, "", "SPDX license id if not the site's"),
    "audience": _strings("audience terms (taxonomies.audience in site.yaml)"),
    "competencies": _strings("competency terms (taxonomies.competencies in site.yaml)"),
    "objectives": _strings("learning objectives"),
    "bibliography": _strings("bibliography files beside the post"),
    "corrections": Field(list, [], "published corrections", item=CORRECTION),
    "changes": Field(str, "", "what this version changed, in readers' words (shown in the review history)"),
    "draft": Field(bool, False, "never publish, even if accepted"),
    "featured": Field(bool, False, "show in the featured list on the home page"),
    "image": Field(str, "", "social-card image: a file in the post's folder, /assets/… or an https:// URL"),
    "language": Field(str, "", "BCP 47 tag of the post's language, e.g. es or pt-BR (default: the site's)",
                      check=language.tag_problem),
    "aliases": Field(list, [], "old site-relative URL paths that redirect here, e.g. /2019/03/old-slug/",
                     item=Field(str, check=redirects.alias_problem)),
    "series": Field(str, "", "title of the series the post belongs to (its page: /series/<slug of title>/)"),
    "series_part": Field(int, 0, "position in the series (default: series posts are ordered by date)",
                         check=lambda n: None if n >= 1 else "must be 1 or more"),
})

PAGE = Section({
    "title": Field(str, REQUIRED, "the page's title"),
    "summary": Field(str, "", "one sentence for metadata"),
    "id": Field(str, "", "stable id; defaults to the file name", check=id_problem),
    "menu": Field(int, 0, "position in the site menu; 0 leaves it out"),
    "date": Field(date, None, "optional date"),
    "updated": Field(date, None, "optional date of the last update"),
    "draft": Field(bool, False, "leave out of the build"),
    "language": Field(str, "", "BCP 47 tag of the page's language (default: the site's)", check=language.tag_problem),
    "aliases": Field(list, [], "old site-relative URL paths that redirect here",
                     item=Field(str, check=redirects.alias_problem)),
})


def content_hash(title: str, authors: list[str] | tuple[str, ...], body: str,
                 bibliographies: list[str] | tuple[str, ...] = (), *, post: str) -> str:
    """The version reviewers approve: which post (its id, so its URL) and what they judge
    (title, authors, body, bibliography).

    The id is part of it so that an approval names the post as well as its text: the same text
    and review files copied to another id are not approved there. A post renamed without an
    `id:` in its front matter is a new URL, so a new version needing approval; keep the old id
    in `id:` to move the file without changing the post (docs/configuration.md).
    Tags, DOI and other editorial metadata are left out on purpose, so editors can add them
    after acceptance without invalidating the reviews. Line endings and trailing space do not
    count either, so a CRLF checkout gives the same hash.
    """
    norm = "\n".join(line.rstrip() for line in body.replace("\r\n", "\n").strip().split("\n"))
    payload = json.dumps({"post": post, "title": title.strip(), "authors": list(authors), "body": norm,
                          "bibliography": [b.replace("\r\n", "\n").strip() for b in bibliographies]},
                         ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def to_datetime(value: date | datetime | None, tz: ZoneInfo) -> datetime | None:
    """Front-matter dates without a zone are in the site's time zone."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0, 0))
    return value if value.tzinfo else value.replace(tzinfo=tz)


def discover(config: Config, real: Resolver | None = None) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """(kind, file) for every post and page, in a stable order."""
    real = real or Resolver()
    found: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    posts_dir = config.content_dir / "posts"
    if posts_dir.is_dir():
        for p in sorted(posts_dir.iterdir()):
            if p.name.startswith((".", "_")):
                continue
            if p.is_dir():
                index = p / "index.md"
                if index.is_file():
                    found.append(("post", index))
                else:
                    problems.append(error(rel(p, config.root), None, "a post bundle folder has no index.md",
                                          "put the post text in index.md inside the folder"))
            elif p.name == "index.md":  # would take its id from the folder: a post called "posts"
                problems.append(error(rel(p, config.root), 1, "index.md directly in content/posts/ is not a post",
                                      "name the file after the post (my-post.md) or move it to "
                                      "content/posts/my-post/index.md"))
            elif p.suffix == ".md" and not p.exists():  # named by the link: its target does not exist
                problems.append(error(p.relative_to(config.root).as_posix(), None,
                                      "is a link to a file that does not exist",
                                      "remove the link or restore its target"))
            elif p.suffix == ".md":
                found.append(("post", p))
    pages_dir = config.content_dir / "pages"
    if pages_dir.is_dir():
        found += [("page", p) for p in sorted(pages_dir.glob("*.md")) if not p.name.startswith((".", "_"))]
    outside = {p for _, p in found if not inside(p, config.root, real)}
    for path in sorted(outside):
        problems.append(error(rel(path, config.root), None, "is a link to a file outside the project",
                              "copy the file into the project instead of linking to it"))
    return [(k, p) for k, p in found if p not in outside], problems


def inside(path: Path, root: Path, real: Resolver | None = None) -> bool:
    """Whether `path`, links followed, lies within `root`: nothing is read from outside the project."""
    if real is None:
        return path.resolve().is_relative_to(root.resolve())
    target, top = real(os.fspath(path)), real(os.fspath(root))
    return target == top or target.startswith(top.rstrip("/") + "/")


class Resolver:
    """os.path.realpath for many files in few folders: each folder is resolved once.

    A path's real location is its folder's real location plus its name, unless the path itself
    is a symbolic link (one lstat to tell). Keep one per build: links may change between builds."""

    def __init__(self):
        self.memo: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        found = self.memo.get(path)
        if found is None:
            parent, name = os.path.split(path)
            if not os.path.isabs(path) or name in ("", ".", "..") or parent == path or os.path.islink(path):
                found = os.path.realpath(path)
            else:
                found = os.path.join(self(parent), name)
            self.memo[path] = found
        return found


def load(config: Config, bibliography: dict | None = None,
         loader: Loader = SERIAL) -> tuple[list[Post], list[Problem]]:
    """Every post and page, validated and rendered, in a stable order. Problems are returned,
    not raised. The build passes a loader that caches and parallelises (loading.py)."""
    bibliography = bibliography or {}
    real = Resolver()
    files, problems = discover(config, real)
    shared = functools.cache(lambda: (cache.config_key(config), cache.digest(cache.stable_pickle(bibliography))))
    jobs = [Job(path.as_posix(), partial(cache_key, config, shared, kind, path, real),
                partial(load_one, config, kind, path, bibliography), partial(_local_bibliographies, path))
            for kind, path in files]
    posts, found = collect(loader, "content", jobs, Post)
    return posts, problems + found + _duplicates(config, posts)


def cache_key(config: Config, shared: Callable[[], tuple[str, str]], kind: str, path: Path, real: Resolver) -> str:
    """What parsing `path` reads: the file, the config and the site bibliography (`shared`), and
    bundle files (images, a local bibliography). Bibliography files a post names outside its own
    folder are known only once it is parsed: `_local_bibliographies`, checked on a cache hit."""
    parts: list[Any] = [*shared(), kind, path.relative_to(config.root).as_posix(),
                        path.is_symlink(), real(str(path)), path.read_bytes()]
    if kind == "post" and path.name == "index.md":
        for f in sorted(path.parent.rglob("*")):
            if f != path:
                parts += [f.relative_to(path.parent).as_posix(), f.is_symlink(), f.is_file() and cache.file_key(f)]
    return cache.digest(*parts)


def _local_bibliographies(path: Path, post: Post | None) -> list[Any]:
    """Bibliography files a post names outside its own folder (found only by parsing it)."""
    if post is None:
        return []
    return [(name, cache.file_key(path.parent / name)) for name in post.bibliography]


def load_one(config: Config, kind: str, path: Path, bibliography: dict) -> tuple[Post | None, list[Problem]]:
    text, problems = read_text(path, rel(path, config.root))
    if text is None:
        return None, problems
    return parse_text(config, kind, path, text, bibliography)


def parse_text(config: Config, kind: str, path: Path, text: str,
               bibliography: dict) -> tuple[Post | None, list[Problem]]:
    """A post from its text, as if read from `path` (history re-parses earlier versions this way)."""
    shown = rel(path, config.root)
    source, problems = split(text, shown, repaired=True)
    if source is None:
        return None, problems
    data, found = validate(source.doc, shown, POST if kind == "post" else PAGE)
    problems += source.checked(found)
    doc = source.doc
    tz = ZoneInfo(config.timezone)
    bundle = kind == "post" and path.name == "index.md"
    default_id = path.parent.name if bundle else path.stem
    post_id = data.get("id") or default_id
    if not data.get("id") and id_problem(post_id):
        problems.append(error(shown, 1, f"the file name gives the id '{post_id}', which {id_problem(post_id)}",
                              "rename the file or set 'id:' in the front matter"))
    elif kind == "page" and post_id in SECTION_IDS:
        problems.append(error(shown, doc.line("id") if data.get("id") else 1,
                              f"page id '{post_id}' is reserved for the site's own /{post_id}/",
                              "choose another id for the page"))
    problems += _check_people(config, kind, data, doc, shown)
    problems += _check_terms(config, data, doc, shown)
    problems += review_rules.post_placeholder(source.body, source.body_line, shown)
    local_bib, bib_texts, bib_problems = _post_bibliography(config, path, data, doc, shown)
    problems += bib_problems
    if bundle:
        problems += _outside_links(config, path)
    bad_image = frontpaths.image_problem(config, path, bundle, data.get("image") or "", shown, doc.line("image"))
    problems += [bad_image] if bad_image else []
    rendered = markup.render(
        source.body, config=config, path=shown, line_offset=source.body_line - 1,
        bibliography={**bibliography, **local_bib}, raw_html=config.raw_html)
    problems += rendered.problems
    post = Post(
        id=post_id, kind=kind, source=path.relative_to(config.root), title=data["title"] or "",
        body=source.body, body_line=source.body_line,
        date=to_datetime(data.get("date"), tz), updated=to_datetime(data.get("updated"), tz),
        authors=tuple(data.get("authors") or ()), summary=data.get("summary") or rendered.summary,
        tags=tuple(dict.fromkeys(data.get("tags") or ())), doi=data.get("doi") or "",
        license=data.get("license") or config.license,
        audience=tuple(data.get("audience") or ()), competencies=tuple(data.get("competencies") or ()),
        objectives=tuple(data.get("objectives") or ()), bibliography=tuple(data.get("bibliography") or ()),
        corrections=tuple(_corrections(data.get("corrections") or (), tz)),
        draft=bool(data.get("draft")), featured=bool(data.get("featured")), image=data.get("image") or "",
        html=rendered.html, toc=rendered.toc, word_count=rendered.words,
        content_hash=content_hash(data["title"] or "", data.get("authors") or [], source.body, bib_texts,
                                  post=post_id),
        assets=tuple(_assets(config, path)) if bundle else (), references=rendered.references,
        meta=dict(data), links=rendered.links, language=data.get("language") or config.language,
        aliases=_aliases(data, doc), series=(data.get("series") or "").strip(),
        series_part=data.get("series_part") or 0,
    )
    if kind == "page":
        post.meta["menu"] = data.get("menu", 0)
    return source.usable(post), problems  # a repaired guess is checked, never built


def _aliases(data: dict, doc) -> tuple[tuple[str, int], ...]:
    """(old path, front-matter line) pairs: a clash found after rendering still names its line."""
    return tuple((a, doc.line("aliases", i) or 1) for i, a in enumerate(data.get("aliases") or ()))


def _corrections(items: list[dict], tz: ZoneInfo) -> list[dict]:
    return [{**c, "date": to_datetime(c["date"], tz)} for c in items if c.get("date")]


def _check_people(config: Config, kind: str, data: dict, doc, shown: str) -> list[Problem]:
    problems = []
    if kind == "post" and data.get("authors") == []:
        problems.append(error(shown, doc.line("authors"), "a post needs at least one author",
                              "list people ids from site.yaml under 'authors:'"))
    for i, pid in enumerate(data.get("authors") or []):
        person = config.person(pid)
        if person is None:
            close = difflib.get_close_matches(pid, list(config.people), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "add it to people: in site.yaml"
            problems.append(error(shown, doc.line("authors", i), f"unknown author '{pid}'", hint))
        elif not person.has_role("author"):
            problems.append(error(shown, doc.line("authors", i), f"'{pid}' does not have the author role",
                                  f"add 'author' to people.{pid}.roles in site.yaml"))
    return problems


def _check_terms(config: Config, data: dict, doc, shown: str) -> list[Problem]:
    problems = []
    for name in ("audience", "competencies"):
        terms = config.taxonomies.get(name)
        for i, term in enumerate(data.get(name) or []):
            if terms is not None and term not in terms:
                problems.append(error(shown, doc.line(name, i), f"unknown {name} term '{term}'",
                                      f"use one of: {', '.join(sorted(terms))} (taxonomies.{name} in site.yaml)"))
    return problems


def _post_bibliography(config: Config, path: Path, data: dict, doc, shown: str):
    """A post's own bibliography files: parsed entries and raw texts (part of the content hash)."""
    files, texts, problems = [], [], []
    for i, name in enumerate(data.get("bibliography") or []):
        f = frontpaths.within(path.parent, name)  # the post's folder only: never ../../ or /etc
        if f is None:
            problems.append(error(shown, doc.line("bibliography", i), f"bibliography file '{name}' not found",
                                  "give a path relative to the post file"))
            continue
        files.append(f)
        texts.append(f.read_text(encoding="utf-8-sig", errors="replace"))
    entries, found = references.load_bibliography(files, config.root) if files else ({}, [])
    return entries, texts, problems + found


def _assets(config: Config, index: Path) -> list[Path]:
    """Every file in a bundle except its text, never following links out of the project."""
    out = []
    for f in sorted(index.parent.rglob("*")):
        if f == index or not f.is_file() or f.name.startswith("."):
            continue
        if inside(f, config.root):
            out.append(f.relative_to(config.root))
    return out


def _outside_links(config: Config, index: Path) -> list[Problem]:
    """A bundle file linking out of the project would publish whatever it points at."""
    return [error(rel(f, config.root), None, "is a link to a file outside the project",
                  "copy the file into the post's folder instead of linking to it")
            for f in sorted(index.parent.rglob("*")) if f.is_symlink() and not inside(f, config.root)]


def _duplicates(config: Config, posts: list[Post]) -> list[Problem]:
    problems, seen = [], {}
    for post in posts:
        key = (post.kind, post.id)
        if key in seen:
            problems.append(error(post.source.as_posix(), 1, f"duplicate {post.kind} id '{post.id}'",
                                  f"{seen[key].as_posix()} has the same id; set a different 'id:'"))
        else:
            seen[key] = post.source
    return problems


def slugify_id(title: str) -> str:
    return slug(title)[:60].strip("-")


def scaffold(title: str, authors: list[str], today: date) -> str:
    """The text of a new post, with every front-matter key an author is likely to need."""
    front = yaml.safe_dump({"title": title, "authors": authors, "date": today, "summary": "",
                            "tags": [], "objectives": []}, sort_keys=False, allow_unicode=True)
    return (f"---\n{front}---\n\n{review_rules.POST_PLACEHOLDER} Cite a source with its bibliography "
            f"key, like `[@smith2020]`. (`peerpress check` refuses the post until this text is replaced.)\n")
