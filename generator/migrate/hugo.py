"""Hugo: `content/<section>/…` pages and leaf bundles, TOML/YAML/JSON front matter, shortcodes."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

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
    callout,
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

CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml",
           "config.json")
LANG_RE = re.compile(r"^(.+?)\.([a-z]{2,3}(?:-[A-Za-z0-9]+)?)$")
SHORTCODE_RE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w/.-]+)(.*?)\s*[%>]\}\}", re.S)
TOML_LINE_RE = re.compile(r"at line (\d+)")


def read(root: Path, config: Config, leftovers: Leftovers) -> list[Imported]:
    site = {str(k).lower(): v for k, v in _config(root).items()}
    content = root / str(site.get("contentdir") or "content")
    if not content.is_dir():
        raise ProblemError([error(root.as_posix(), None, "no content/ folder: is this a Hugo site?",
                                  "give the folder that holds hugo.toml or config.toml")])
    base_url = str(site.get("baseurl") or "")
    base = "/" + base_url.split("//", 1)[-1].partition("/")[2].strip("/") if "//" in base_url else ""
    base = "" if base == "/" else base
    linker = Linker(config, (base_url.rstrip("/"),), (root / "static",), base, top=root)
    default_lang = str(site.get("defaultcontentlanguage") or site.get("languagecode") or "en")
    posts, problems, found = [], [], []
    for path in sorted(content.rglob("*.md")):
        rel = path.relative_to(content)
        if path.name.startswith("_index") or any(p.startswith(".") for p in rel.parts):
            continue
        shown = path.relative_to(root.parent).as_posix()
        if len(rel.parts) == 1:
            leftovers.add(shown, None, "a top-level page, not a post; not imported",
                          "copy it into content/pages/ by hand")
            continue
        result = _read_post(path, rel, shown, site, default_lang, base)
        if isinstance(result, list):
            problems += result
            continue
        post, src = result
        posts.append(post)
        found.append((post, src, path))
        for alias in post.front["aliases"]:
            linker.add_post(alias, post.id)
    if problems:
        raise ProblemError(problems)
    by_file = {path.relative_to(content).as_posix(): post.id for post, _, path in found}
    for post, src, path in found:
        post.body = convert(post, src, path.parent, linker, by_file, leftovers)
    return posts


def _config(root: Path) -> dict:
    for name in CONFIGS:
        path = root / name
        if path.is_file():
            text, problems = read_text(path, path.as_posix())
            if text is None:
                raise ProblemError(problems)
            return _parse(text, name.rsplit(".", 1)[1], path.as_posix(), 0) or {}
    return {}


def _parse(text: str, kind: str, shown: str, offset: int) -> dict:
    """TOML, YAML or JSON (front matter or config) with the failing line in the error."""
    try:
        if kind == "toml":
            return tomllib.loads(text)
        if kind == "json":
            return json.loads(text)
        return parse(text).data or {}
    except tomllib.TOMLDecodeError as exc:
        m = TOML_LINE_RE.search(str(exc))
        line = int(m.group(1)) + offset if m else None
        raise ProblemError([error(shown, line, f"invalid TOML: {str(exc).split(' (at')[0]}",
                                  "check quotes, = signs and [tables]")]) from None
    except json.JSONDecodeError as exc:
        raise ProblemError([error(shown, exc.lineno + offset, f"invalid JSON: {exc.msg}")]) from None
    except YamlError as exc:
        raise ProblemError([error(shown, (exc.line or 0) + offset or None, exc.message)]) from None


def front_matter(text: str, shown: str) -> tuple[dict, str, int]:
    """(front matter, body, first line of the body) for +++ TOML, --- YAML or { JSON } front matter."""
    if text.startswith("+++"):
        head, sep, rest = text[3:].partition("\n+++")
        if not sep:
            raise ProblemError([error(shown, 1, "TOML front matter is not closed", "add a line '+++'")])
        data = _parse(head, "toml", shown, 0)
        rest = rest.split("\n", 1)[1] if "\n" in rest else ""
        return data, rest, head.count("\n") + 3
    if text.startswith("---"):
        source, problems = split(text, shown)
        if source is None:
            raise ProblemError(problems)
        return source.doc.data, source.body, source.body_line
    if text.startswith("{"):
        decoder = json.JSONDecoder()
        try:
            data, end = decoder.raw_decode(text)
        except json.JSONDecodeError as exc:
            raise ProblemError([error(shown, exc.lineno, f"invalid JSON front matter: {exc.msg}")]) from None
        return data, text[end:], text.count("\n", 0, end) + 1
    raise ProblemError([error(shown, 1, "no front matter (+++ TOML, --- YAML or { JSON })", "add it")])


def _read_post(path: Path, rel: Path, shown: str, site: dict, default_lang: str, base: str):
    text, problems = read_text(path, shown)
    if text is None:
        return problems
    try:
        fm, text_body, first = front_matter(text, shown)
    except ProblemError as exc:
        return exc.problems
    bundle = path.stem == "index"
    stem = path.parent.name if bundle else path.stem
    m = LANG_RE.match(stem)
    lang = m.group(2) if m and not bundle else default_lang
    stem = m.group(1) if m and not bundle else stem
    when = as_date(fm.get("date")) or as_date(fm.get("publishDate"))
    if when is None:
        return [error(shown, 1, "the post has no date", "add 'date = 2024-01-31' to its front matter")]
    authors = names(fm.get("authors")) or names(fm.get("author")) or names(_site_author(site))
    if not authors:
        return [error(shown, 1, "the post names no author and the site config has none",
                      "add 'author' to the post or [params] author to the config")]
    section = rel.parts[0]
    slug = str(fm.get("slug") or stem)
    prefix = "" if lang == default_lang else f"/{lang}"
    old = _permalink(fm, site, section, slug, stem, when)
    aliases = [base + prefix + old] + [base + "/" + str(a).lstrip("/") for a in fm.get("aliases") or []]
    series = terms(fm.get("series")) if isinstance(fm.get("series"), list) else [str(fm.get("series") or "")]
    front = {"summary": str(fm.get("summary") or fm.get("description") or "").strip(),
             "tags": list(dict.fromkeys(terms(fm.get("tags")) + terms(fm.get("categories")))),
             "doi": normalise_doi(fm.get("doi")), "language": lang if lang != default_lang else "",
             "series": series[0] if series else "", "aliases": list(dict.fromkeys(aliases)),
             "draft": fm.get("draft") is True}
    if isinstance(fm.get("series_part"), int):
        front["series_part"] = fm["series_part"]
    base_url = str(site.get("baseurl") or "").rstrip("/")
    host = base_url.split("//", 1)[0] + "//" + base_url.split("//", 1)[1].split("/")[0] if "//" in base_url else ""
    pid = post_id(slug) + ("" if lang == default_lang else f"-{post_id(lang)}")
    post = Imported(id=pid, title=str(fm.get("title") or stem), date=when, body=text_body, source=shown,
                    url=host + aliases[0] if host else "", authors=[{"name": n} for n in authors],
                    reviewers=names(fm.get("reviewers") or fm.get("reviewer")),
                    editors=names(fm.get("editors") or fm.get("editor")), front=front, cover=cover(fm),
                    review_url=review_url(fm))
    return post, body.Source(text_body, shown, first)


def _site_author(site: dict):
    author = site.get("author") or (site.get("params") or {}).get("author")
    return author.get("name") if isinstance(author, dict) else author


def _permalink(fm: dict, site: dict, section: str, slug: str, stem: str, when) -> str:
    if fm.get("url"):
        return "/" + str(fm["url"]).strip("/") + "/"
    pattern = {str(k).lower(): v for k, v in (site.get("permalinks") or {}).items()}.get(section.lower())
    if not pattern:
        return f"/{section}/{slug}/"
    values = {"year": f"{when.year:04d}", "month": f"{when.month:02d}", "day": f"{when.day:02d}",
              "slug": slug, "title": post_id(str(fm.get("title") or stem)), "filename": stem,
              "contentbasename": stem, "section": section}
    return "/" + re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), str(pattern)).strip("/") + "/"


def _positional(args: str) -> list[str]:
    return [a.strip("\"'") for a in re.findall(r"\"[^\"]*\"|'[^']*'|[^\s=]+(?!=)", args) if "=" not in a]


def _shortcode(m: re.Match, resolve_ref) -> str:
    """One self-closing shortcode → Markdown; the shortcode itself when nothing fits."""
    name, args = m.group(3).lower(), m.group(4)
    a, pos = rules.attrs(args), _positional(args)
    first = pos[0] if pos else ""
    if m.group(2):
        return m.group(0)
    if name == "figure":
        return figure(a.get("src", ""), a.get("alt", ""), a.get("caption") or a.get("title", ""))
    if name in ("youtube", "vimeo", "vimeo_simple"):
        vid = a.get("id") or first
        return embed("vimeo" if name.startswith("vimeo") else "youtube", vid) if vid else m.group(0)
    if name in ("twitter", "tweet", "x", "twitter_simple") and a.get("id"):
        user = a.get("user", "i")
        return f"[Post on X by @{user}](https://x.com/{user}/status/{a['id']})"
    if name == "gist" and len(pos) >= 2:
        return f"[Gist {pos[1]}](https://gist.github.com/{pos[0]}/{pos[1]})"
    if name == "instagram" and first:
        return f"[Instagram post](https://www.instagram.com/p/{first}/)"
    if name in ("ref", "relref") and first:
        return resolve_ref(first) or m.group(0)
    return m.group(0)


def _paired(m: re.Match) -> str:
    name, args, inner = m.group(2).lower(), m.group(3), m.group(4)
    a, pos = rules.attrs(args), _positional(args)
    if name == "highlight":
        return f"\n```{pos[0] if pos else ''}\n{inner.strip(chr(10))}\n```\n"
    kind = callout(a.get("type") or a.get("kind") or (pos[0] if pos else "note"))
    if name in ("notice", "admonition", "alert", "callout", "hint", "note", "warning", "tip") and kind:
        kind = callout(name) if name in ("note", "warning", "tip") else kind
        return f"\n::: {kind}\n{inner.strip()}\n:::\n"
    return m.group(0)


PAIRED_RE = re.compile(r"\{\{([<%])\s*(highlight|notice|admonition|alert|callout|hint|note|warning|tip)\b(.*?)"
                       r"[%>]\}\}(.*?)\{\{[<%]\s*/\s*\2\s*[%>]\}\}", re.S)


def convert(post: Imported, src: body.Source, here: Path, linker: Linker, by_file: dict[str, str],
            leftovers: Leftovers) -> str:
    escaped: list[str] = []

    def keep(m: re.Match) -> str:  # {{</* x */>}} shows the shortcode itself: hide it from every rule
        escaped.append("{{" + m.group(1) + m.group(2) + m.group(3) + "}}")
        return f"\x00{len(escaped) - 1}\x00"

    def ref(target: str) -> str | None:
        target = target.strip("/").split("#")[0]
        pid = by_file.get(target) or next((v for k, v in by_file.items() if k.endswith("/" + target)
                                           or k.rsplit(".", 1)[0].endswith("/" + target)), None)
        return urls.link(linker.config, urls.post(pid)) if pid else None

    text = re.sub(r"\{\{([<%])/\*(.*?)\*/([%>])\}\}", keep, src.text, flags=re.S)
    text = text.replace("<!--more-->", "")
    text = body.apply(text, [(PAIRED_RE, _paired), (SHORTCODE_RE, lambda m: _shortcode(m, ref)),
                             *rules.HTML_RULES])
    text = body.tidy(body.relink(text, lambda url: linker.resolve(url, post, here)))
    image = linker.resolve(post.cover, post, here) if post.cover else None
    if image in post.assets:  # the theme's featured image becomes the post's social-card image
        post.front["image"] = image
    linker.report(src, leftovers)
    body.report(text, src, leftovers, "shortcode")
    return body.restore(text, escaped)
