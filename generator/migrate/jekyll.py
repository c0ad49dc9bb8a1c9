"""Jekyll: `_posts/YYYY-MM-DD-slug.md` (also `<category>/_posts/`), `_config.yml`, Liquid tags."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from .. import urls
from ..errors import ProblemError, error
from ..frontmatter import read_text, split
from ..model import Config
from ..yamlio import YamlError, parse
from . import body, rules
from .common import (
    Imported,
    Leftovers,
    as_date,
    cover,
    embed,
    figure,
    names,
    normalise_doi,
    post_id,
    review_url,
    terms,
)
from .links import Linker

NAME_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)\.(md|markdown|mkd|mkdn|html)$")
PERMALINK_STYLES = {"date": "/:categories/:year/:month/:day/:title:output_ext",
                    "pretty": "/:categories/:year/:month/:day/:title/",
                    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
                    "none": "/:categories/:title:output_ext"}
SKIP_DIRS = {"_site", "node_modules", "vendor", ".git", ".jekyll-cache"}


def read(root: Path, config: Config, leftovers: Leftovers, pages: list[str] = ()) -> list[Imported]:
    """Every post under a _posts/ folder, and every page under the `pages` folders (--posts en/lessons)."""
    site = _config(root)
    folders = [d for d in root.rglob("_posts") if d.is_dir() and not SKIP_DIRS & set(d.relative_to(root).parts)]
    files = [(p, True) for p in sorted(p for d in folders for p in d.rglob("*")
                                       if p.is_file() and not p.name.startswith((".", "_")))]
    for name in pages:
        folder = root / name
        if not folder.is_dir() or not folder.resolve().is_relative_to(root.resolve()):
            raise ProblemError([error(name, None, "--posts names no folder inside the site",
                                      "give a folder relative to the site, e.g. --posts en/lessons")])
        files += [(p, False) for p in sorted(folder.rglob("*")) if p.suffix in (".md", ".markdown")
                  and not p.name.startswith((".", "_")) and p.name.lower() not in ("index.md", "readme.md")]
    base = str(site.get("baseurl") or "").rstrip("/")
    linker = Linker(config, (str(site.get("url") or ""),), (root,), base, top=root)
    posts, problems, sources = [], [], {}
    for path, dated in files:
        shown = path.relative_to(root.parent).as_posix()
        m = NAME_RE.match(path.name)
        if dated and not m:
            leftovers.add(shown, None, "not a post file name (YYYY-MM-DD-title.md); skipped")
            continue
        found = _read_post(root, path, shown, m if dated else None, site, base)
        if isinstance(found, list):
            problems += found
            continue
        post, src = found
        posts.append(post)
        sources[post.id] = (src, path)
        for alias in post.front.get("aliases", []):
            linker.add_post(alias, post.id)
    if problems:
        raise ProblemError(problems)
    by_slug = {p.front.pop("_slug"): p.id for p in posts}
    for post in posts:
        src, path = sources[post.id]
        post.body = convert(post, src, path.parent, linker, by_slug, leftovers)
    return posts


def _config(root: Path) -> dict:
    path = root / "_config.yml"
    if not path.is_file():
        return {}
    text, problems = read_text(path, path.as_posix())
    if text is None:
        raise ProblemError(problems)
    try:
        data = parse(text).data
    except YamlError as exc:
        raise ProblemError([error(path.as_posix(), exc.line, exc.message, "fix _config.yml")]) from None
    return data if isinstance(data, dict) else {}


def _read_post(root: Path, path: Path, shown: str, m: re.Match | None, site: dict, base: str):
    """A post from _posts/ (`m`: its dated file name) or a page given by --posts (m is None)."""
    text, problems = read_text(path, shown)
    if text is None:
        return problems
    if not text.startswith("---"):
        return [error(shown, 1, "a Jekyll post starts with front matter between --- lines", "add it")]
    source, problems = split(text, shown)
    if source is None:
        return problems
    fm = source.doc.data
    slug = m.group(4) if m else path.stem
    when = as_date(fm.get("date")) or (as_date(f"{m.group(1)}-{m.group(2)}-{m.group(3)}") if m else None)
    if when is None:
        return [error(shown, source.doc.line("date") or 1, "no valid date",
                      "add 'date: YYYY-MM-DD' to the front matter")]
    parts = path.relative_to(root).parts
    dirs = list(parts[:parts.index("_posts")]) if m else []  # folders above _posts are categories
    cats = dirs + terms(fm.get("categories")) + terms(fm.get("category"))
    authors = names(fm.get("authors")) or names(fm.get("author")) or names(_site_author(site))
    if not authors:
        return [error(shown, 1, "the post names no author and _config.yml has no 'author:'",
                      "add 'author: Name' to the post or to _config.yml")]
    if m or fm.get("permalink"):
        old = base + expand(fm.get("permalink") or site.get("permalink") or "date", when, slug, cats, fm)
    else:  # a page's address is its path: /en/lessons/x.html, or /en/lessons/x/ under a 'pretty' site
        pretty = str(site.get("permalink") or "") == "pretty" or str(site.get("permalink") or "").endswith("/")
        old = base + "/" + path.relative_to(root).with_suffix("").as_posix() + ("/" if pretty else ".html")
    aliases = [old] + [base + "/" + str(r).lstrip("/") for r in terms_list(fm.get("redirect_from"))]
    language = fm.get("lang") or fm.get("language") or _default(site, path.relative_to(root), "lang")
    front = {"summary": str(fm.get("summary") or fm.get("excerpt") or fm.get("description") or fm.get("abstract")
                            or "").strip(),
             "tags": list(dict.fromkeys(cats + terms(fm.get("tags")) + terms(fm.get("topics")))),
             "doi": normalise_doi(fm.get("doi")), "language": str(language or ""),
             "series": str(fm.get("series") or ""), "series_part": _int(fm.get("series_part") or fm.get("part")),
             "aliases": list(dict.fromkeys(aliases)), "draft": fm.get("published") is False, "_slug": slug}
    url = str(site.get("url") or "").rstrip("/")
    post = Imported(id=post_id(str(fm.get("slug") or slug)), title=str(fm.get("title") or slug.replace("-", " ")),
                    date=when, body=source.body, source=shown, url=url + old if url else "",
                    authors=[{"name": n} for n in authors], reviewers=names(fm.get("reviewers") or fm.get("reviewer")),
                    editors=names(fm.get("editors") or fm.get("editor")), front=front, cover=cover(fm),
                    review_url=review_url(fm))
    return post, body.Source(source.body, shown, source.body_line)


def terms_list(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else ([str(value)] if value else [])


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _site_author(site: dict):
    author = site.get("author")
    return author.get("name") if isinstance(author, dict) else author


def _default(site: dict, rel: Path, key: str):
    """A value from _config.yml `defaults:` whose scope path contains the file (the longest wins)."""
    best, value = -1, None
    for entry in site.get("defaults") or []:
        scope = (entry or {}).get("scope") or {}
        where = str(scope.get("path") or "")
        if scope.get("type") not in (None, "posts"):
            continue
        if rel.as_posix().startswith(where) and len(where) > best and key in (entry.get("values") or {}):
            best, value = len(where), entry["values"][key]
    return value


def expand(permalink: str, when, slug: str, cats: list[str], fm: dict) -> str:
    """A Jekyll permalink pattern (or style name) for one post, as Jekyll 4 builds it."""
    pattern = PERMALINK_STYLES.get(str(permalink), str(permalink))
    title = str(fm.get("slug") or slug)  # :title is the file's title unless front matter sets a slug
    values = {"year": f"{when.year:04d}", "month": f"{when.month:02d}", "i_month": str(when.month),
              "day": f"{when.day:02d}", "i_day": str(when.day), "y_day": f"{when.timetuple().tm_yday:03d}",
              "short_year": f"{when.year % 100:02d}", "title": title, "slug": post_id(title),
              # Jekyll downcases categories but does not slugify them: a space is %20 in the address
              "categories": "/".join(quote(c.lower()) for c in dict.fromkeys(cats)),
              "slugified_categories": "/".join(post_id(c) for c in dict.fromkeys(cats)), "output_ext": ".html"}
    names = sorted(values, key=len, reverse=True)  # :slugified_categories before :slug
    path = re.sub(":(" + "|".join(names) + ")", lambda m: values[m.group(1)], pattern)
    path = "/" + re.sub(r"/{2,}", "/", path).lstrip("/")
    return path


def _include(m: re.Match, slug: str, top: Path) -> str:
    name, a = m.group(1).lower(), rules.attrs(m.group(2))
    if name.startswith("toc"):
        return ""  # a contents list: Peerpress makes its own
    if "youtube" in name or "vimeo" in name:
        vid = a.get("id") or a.get("video") or a.get("url", "").rsplit("/", 1)[-1]
        return embed("vimeo" if "vimeo" in name else "youtube", vid) if vid else m.group(0)
    src = a.get("image") or a.get("src") or a.get("file") or a.get("url") or a.get("image_path") or a.get("path")
    if not src and a.get("filename"):  # figure.html that looks in /images/<page slug>/ (Programming Historian)
        src = a["filename"]
        if "/" not in src and (top / "images" / slug / src).is_file():
            src = f"/images/{slug}/{src}"
    if not src:
        return m.group(0)
    return figure(src, a.get("alt", ""), a.get("caption") or a.get("title", ""))


def _highlight(m: re.Match) -> str:
    return f"\n```{m.group(1)}\n{m.group(2).strip(chr(10))}\n```\n"


def convert(post: Imported, src: body.Source, here: Path, linker: Linker, by_slug: dict[str, str],
            leftovers: Leftovers) -> str:
    raw: list[str] = []

    def keep(m: re.Match) -> str:  # {% raw %} text is literal: hide it from every rule
        raw.append(m.group(1))
        return f"\x00{len(raw) - 1}\x00"

    def post_url(m: re.Match) -> str:
        slug = NAME_RE.match(m.group(1).split("/")[-1] + ".md")
        pid = by_slug.get(slug.group(4)) if slug else None
        return urls.link(linker.config, urls.post(pid)) if pid else m.group(0)

    slug = next((k for k, v in by_slug.items() if v == post.id), post.id)  # the file's own slug
    text = re.sub(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", keep, src.text, flags=re.S)
    text = body.apply(text, [
        (re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.S), lambda m: ""),
        (re.compile(r"\{%-?\s*highlight\s+(\w+)[^%]*%\}(.*?)\{%-?\s*endhighlight\s*-?%\}", re.S), _highlight),
        (re.compile(r"\{%-?\s*include\s+([\w./-]+)\s*(.*?)-?%\}", re.S),
         lambda m: _include(m, slug, linker.top or here)),
        (re.compile(r"\{\{\s*site\.url\s*\}\}\s*\{\{\s*site\.baseurl\s*\}\}|\{\{\s*site\.(?:base)?url\s*\}\}"),
         lambda m: ""),
        (re.compile(r"\{\{\s*[\"']([^\"']*)[\"']\s*\|\s*(?:relative_url|absolute_url|prepend:\s*site\.baseurl)\s*\}\}"),
         lambda m: m.group(1)),
        (re.compile(r"\{%-?\s*(?:post_url|link)\s+(?:_posts/)?([\w./-]+?)(?:\.md|\.markdown)?\s*-?%\}"), post_url),
        *rules.HTML_RULES, *rules.KRAMDOWN_RULES])
    text = body.tidy(body.relink(text, lambda url: linker.resolve(url, post, here)))
    image = linker.resolve(post.cover, post, here) if post.cover else None
    if image in post.assets:  # the theme's featured image becomes the post's social-card image
        post.front["image"] = image
    linker.report(src, leftovers)
    body.report(text, src, leftovers, "Liquid tag")
    return body.restore(text, raw)
