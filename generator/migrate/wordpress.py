"""WordPress: a WXR export (Tools → Export), its attachments from a copy of wp-content/uploads."""
from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..errors import ProblemError, error
from ..model import Config
from . import body
from .common import Imported, Leftovers, as_date, embed_url, names, normalise_doi, post_id, url_path
from .html import autop, to_markdown
from .links import Linker, bundle_name, within

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
REVIEWER_KEYS = ("reviewers", "reviewer", "peer_reviewers", "peer_reviewer")
EDITOR_KEYS = ("editors", "editor", "handling_editor")
DRAFT = {"draft", "pending", "private", "future"}
SHORTCODE_RE = re.compile(r"\[([a-z][a-z0-9_-]*)((?:\s+[^\]]*)?)\](?:(.*?)\[/\1\])?", re.S)
CODE_TAGS = {"code", "sourcecode", "source", "python", "javascript", "js", "r", "bash", "sql", "html", "css"}


def read(export: Path, config: Config, leftovers: Leftovers, uploads: Path | None) -> list[Imported]:
    channel = _channel(export)
    shown = export.as_posix()
    base = _text(channel, "base_blog_url") or _text(channel, "link")
    blog = urlsplit(base)
    linker = Linker(config, (f"{blog.scheme}://{blog.netloc}",) if blog.netloc else (), ())
    people = {_text(a, "author_login"): {"name": _text(a, "author_display_name") or _text(a, "author_login"),
                                         "email": _text(a, "author_email"), "login": _text(a, "author_login")}
              for a in channel.iterfind("{*}author")}
    items = list(channel.iterfind("item"))
    media = [i for i in items if _text(i, "post_type") == "attachment"]
    attachments = {_text(i, "post_id"): _text(i, "attachment_url") for i in media}
    files = {_text(i, "attachment_url"): _meta(i).get("_wp_attached_file", "") for i in media}
    language = (channel.findtext("language") or "").strip()
    posts, skipped, queried = [], {}, 0
    for item in items:
        kind, status = _text(item, "post_type"), _text(item, "status")
        if kind != "post" or status in ("trash", "auto-draft", "inherit"):
            if kind not in ("attachment", "nav_menu_item"):
                skipped[kind] = skipped.get(kind, 0) + 1
            continue
        post = _post(item, shown, people, language, status)
        if not post.front["aliases"]:
            queried += 1
        posts.append((post, item))
        for alias in post.front["aliases"]:
            linker.add_post(alias, post.id)
    for kind, n in sorted(skipped.items()):
        leftovers.add(shown, None, f"{n} item{'s' if n > 1 else ''} of type '{kind}' not imported",
                      "pages go into content/pages/ by hand")
    if queried:
        leftovers.add(shown, None, f"{queried} post{'s' if queried > 1 else ''} had only a '?p=' address, "
                      "which a static site cannot redirect", "keep the old host's rewrite rules, or ignore")
    for post, item in posts:
        post.body = _convert(post, item, shown, attachments, Media(files, uploads), linker, leftovers)
    return [p for p, _ in posts]


def _channel(export: Path):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, strip_cdata=True)
    try:
        root = etree.parse(str(export), parser).getroot()
    except OSError as exc:
        raise ProblemError([error(export.as_posix(), None, f"cannot read the export: {exc}")]) from None
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise ProblemError([error(export.as_posix(), line, f"not well-formed XML: {exc.msg}",
                                  "export again from Tools → Export; a cut-off download ends early")]) from None
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None or channel.find("{*}wxr_version") is None:
        raise ProblemError([error(export.as_posix(), root.sourceline, "not a WordPress export (WXR): "
                                  "no <rss><channel> with <wp:wxr_version>", "export from Tools → Export")])
    return channel


def _text(el, name: str) -> str:
    found = el.find("{*}" + name)
    return (found.text or "").strip() if found is not None else ""


def _meta(item) -> dict[str, str]:
    return {_text(m, "meta_key"): _text(m, "meta_value") for m in item.iterfind("{*}postmeta")}


@dataclass
class Media:
    """Uploaded files: the export names them (attachment URL → path under uploads), --uploads holds them."""
    files: dict[str, str]
    uploads: Path | None

    def local(self, url: str) -> Path | None:
        """The file for an uploads URL, trying the full-size original of a resized copy (x-300x200.png)."""
        for candidate in (url, re.sub(r"-\d+x\d+(\.\w+)$", r"\1", url)):
            rel = self.files.get(candidate) or (candidate.split("/wp-content/uploads/", 1)[1]
                                                if "/wp-content/uploads/" in candidate else "")
            if rel and self.uploads and (self.uploads / rel).is_file() and within(self.uploads / rel, self.uploads):
                return self.uploads / rel
        return None

    def known(self, url: str) -> bool:
        return url in self.files or "/wp-content/uploads/" in url or \
            re.sub(r"-\d+x\d+(\.\w+)$", r"\1", url) in self.files


def _post(item, shown: str, people: dict, language: str, status: str) -> Imported:
    meta = _meta(item)
    cats = {}
    for c in item.iterfind("category"):
        cats.setdefault(c.get("domain"), []).append((c.text or "").strip())
    login = (item.findtext("{http://purl.org/dc/elements/1.1/}creator") or "").strip()
    authors = [{"name": n} for n in cats.get("author", [])] or [people.get(login) or {"name": login or "admin"}]
    title = htmllib.unescape((item.findtext("title") or "").strip()) or "Untitled"
    slug = unquote(_text(item, "post_name")) or title
    link = (item.findtext("link") or "").strip()
    lang = (cats.get("language") or [meta.get("language", "") or language])[0]
    excerpt = next((e.text or "" for e in item if isinstance(e.tag, str) and e.tag.endswith("}encoded")
                    and "excerpt" in e.tag), "")
    front = {"summary": " ".join(re.sub(r"<[^>]+>", " ", htmllib.unescape(excerpt)).split()),
             "tags": [t for t in cats.get("category", []) + cats.get("post_tag", []) if t != "Uncategorized"],
             "doi": normalise_doi(meta.get("doi") or meta.get("DOI")), "language": lang,
             "series": meta.get("series", ""), "aliases": [url_path(link)] if url_path(link) else [],
             "draft": status in DRAFT - {"future"}}
    return Imported(id=post_id(slug), title=title, date=as_date(_text(item, "post_date")) or as_date("1970-01-01"),
                    body="", source=shown, line=item.sourceline, url=link, authors=authors,
                    reviewers=[n for k in REVIEWER_KEYS for n in names(meta.get(k))],
                    editors=[n for k in EDITOR_KEYS for n in names(meta.get(k))], front=front)


def _convert(post: Imported, item, shown: str, attachments: dict, media: Media, linker: Linker,
             leftovers: Leftovers) -> str:
    encoded = next((e for e in item if e.tag == f"{{{CONTENT_NS}}}encoded"), None)
    raw = encoded.text or "" if encoded is not None else ""
    source = body.Source(raw, shown, encoded.sourceline if encoded is not None else item.sourceline)
    text = re.sub(r"<!--\s*/?wp:.*?-->", "", raw, flags=re.S)  # block-editor markers: structure only
    text = SHORTCODE_RE.sub(lambda m: _shortcode(m, attachments), text)
    text = re.sub(r"^\s*(https?://\S+)\s*$", lambda m: embed_url(m.group(1)) or m.group(0), text, flags=re.M)
    _report(text, source, leftovers)
    markdown = to_markdown(autop(text))
    missing: list[str] = []

    def resolve(url: str) -> str | None:
        if media.known(url):
            found = media.local(url)
            if found is None:
                missing.append(url)
            return bundle_name(post, found) if found else None
        return linker.resolve(url, post, Path("."))

    markdown = body.tidy(body.relink(markdown, resolve))
    thumbnail = attachments.get(_meta(item).get("_thumbnail_id", ""), "")
    if thumbnail and resolve(thumbnail):  # the featured image becomes the social-card image
        post.front["image"] = resolve(thumbnail)
    linker.report(source, leftovers)
    for url in dict.fromkeys(missing):
        at = raw.find(url)
        leftovers.add(shown, source.first_line + raw.count("\n", 0, at) if at >= 0 else None,
                      f"{url} not found " + ("under --uploads" if media.uploads else "(no --uploads folder given)"),
                      "it still points at the old site; pass --uploads with a copy of wp-content/uploads")
    return markdown


def _shortcode(m: re.Match, attachments: dict) -> str:
    name, args, inner = m.group(1).lower(), m.group(2) or "", m.group(3)
    a = {k.lower(): v for k, v in re.findall(r"(\w+)=\"([^\"]*)\"", args)}
    if name in ("caption", "wp_caption") and inner is not None:
        img = re.search(r"<img\b[^>]*>", inner, re.I)
        caption = a.get("caption") or re.sub(r"<img\b[^>]*>|</?a\b[^>]*>", "", inner).strip()
        return f"<figure>{img.group(0)}<figcaption>{caption}</figcaption></figure>" if img else m.group(0)
    if name in ("embed", "youtube", "vimeo", "video"):
        url = (inner or "").strip() or args.strip().lstrip("=").strip() or a.get("src", "")
        return embed_url(url) or (f'<p><a href="{url}">{url}</a></p>' if url.startswith("http") else m.group(0))
    if name in CODE_TAGS and inner is not None:
        lang = a.get("lang") or a.get("language") or ("" if name in ("code", "sourcecode", "source") else name)
        return f'<pre><code class="language-{lang}">{htmllib.escape(htmllib.unescape(inner.strip()))}</code></pre>'
    if name == "gallery" and a.get("ids"):
        urls = [attachments.get(i.strip(), "") for i in a["ids"].split(",")]
        return "".join(f'<figure><img src="{u}" alt=""></figure>' for u in urls if u) or m.group(0)
    return m.group(0)


def _report(text: str, source: body.Source, leftovers: Leftovers) -> None:
    """Shortcodes still in the HTML: those with attributes or a closing tag (so '[sic]' is not one)."""
    cursor = 0
    for m in SHORTCODE_RE.finditer(text):
        if not m.group(2).strip() and m.group(3) is None:
            continue
        opening = f"[{m.group(1)}{m.group(2)}]"
        at = source.text.find(opening, cursor)
        cursor = at + 1 if at >= 0 else cursor
        line = source.first_line + source.text.count("\n", 0, at) if at >= 0 else None
        leftovers.add(source.path, line, f"shortcode '[{m.group(1)}]' has no Peerpress equivalent; left as text",
                      "rewrite it in Markdown, or remove it")
