"""Internal links, checked against the site the build made: pages, files and anchors.

Markdown rendering notes every link and image in a body with its source line (links_plugin);
after rendering, `check` resolves each one against the outputs (every page, bundle file, static
file and redirect page) and the ids in the target page, so a link to an old site's URL, a missing
image or a heading that was renamed is reported as `path:line`.

They are warnings, not errors: a broken link does not stop a page from being built (nor `serve`
from previewing a post whose link target is still being written); `check --strict` fails on them."""
from __future__ import annotations

import html
import posixpath
import re
from urllib.parse import unquote, urlsplit

from . import urls
from .errors import Problem, warning
from .mdtokens import walk
from .model import Output, Post, Site

RAW_URL_RE = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
ID_RE = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""")
CONTROL_RE = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$|[\t\n\r]")
SKIPPED_SCHEMES = {"mailto", "tel", "data", "javascript", "ftp", "news", "irc", "sms"}


def links_plugin(md) -> None:
    md.core.ruler.push("collect_links", _collect)


def _collect(state) -> None:
    found = state.env.setdefault("links", [])
    for token, line in walk(state.tokens, state.env.get("line_offset", 0)):
        if token.type == "link_open" and token.attrGet("class") != "header-anchor":
            found.append((str(token.attrGet("href") or ""), line))
        elif token.type == "image":
            found.append((str(token.attrGet("src") or ""), line))
        elif token.type in ("html_inline", "html_block"):
            for m in RAW_URL_RE.finditer(token.content):
                # As a browser reads the attribute: entities decoded, tabs and newlines dropped.
                url = CONTROL_RE.sub("", html.unescape(m[2] if m[2] is not None else m[3]))
                found.append((url, line + token.content.count("\n", 0, m.start())))


class Targets:
    """What a link may point at: the built files, the ids in each page (read once, when asked)."""

    def __init__(self, site: Site, outputs: list[Output]):
        self.site = site
        self.files = {o.path: o for o in outputs}
        self.ids: dict[tuple[str, str], set[str]] = {}
        self.posts = {urls.file_for(urls.post(p.id)): p for p in site.listed}
        # Posts not published in this build still count as targets (check runs on pull requests,
        # before they are): their page, their bundle files and the ids in their body.
        self.unlisted: dict[str, Post] = {}
        self.listed = {p.id for p in site.listed}
        for post in site.posts.values():
            if post.id not in self.listed:
                page = urls.file_for(urls.post(post.id))
                self.unlisted[page] = post
                folder = post.source.parent
                for asset in post.assets:
                    self.unlisted[urls.post(post.id) + asset.relative_to(folder).as_posix()] = post

    def page(self, path: str) -> str | None:
        """The output file a site path names, or None: `x/` and `x` both find `x/index.html`."""
        for candidate in (urls.file_for(path), path.rstrip("/") + "/index.html"):
            if candidate in self.files or candidate in self.unlisted:
                return candidate
        return None

    def has_anchor(self, file: str, fragment: str) -> bool:
        """Whether the page has the id: a post's body is searched first (small; where headings,
        figures and footnotes are), the whole page only when the body does not have it."""
        post = self.unlisted.get(file) or self.posts.get(file)
        if post is not None and fragment in self._ids(("body", post.id), post.html):
            return True
        if file not in self.files:
            return False
        return fragment in self._ids(("page", file), lambda: self.files[file].data.decode("utf-8", "replace"))

    def _ids(self, key, html) -> set[str]:
        if key not in self.ids:
            self.ids[key] = {a or b for a, b in ID_RE.findall(html() if callable(html) else html)}
        return self.ids[key]


def check(site: Site, outputs: list[Output]) -> list[Problem]:
    """Every internal link in every post and page, resolved against what the build made."""
    targets = Targets(site, outputs)
    base = urls.base_path(site.config)
    host = urlsplit(site.config.base_url).netloc
    problems: list[Problem] = []
    for post in [*site.posts.values(), *site.pages.values()]:
        here = urls.post(post.id) if post.kind == "post" else urls.page(post.id)
        for href, line in post.links:
            problem = _check_one(targets, base, host, here, post, href)
            if problem:
                problems.append(warning(post.source.as_posix(), line, *problem))
    return problems


def _check_one(targets: Targets, base: str, host: str, here: str, post: Post, href: str):
    parts = urlsplit(href.strip())
    if parts.scheme in SKIPPED_SCHEMES or (parts.scheme and parts.scheme not in ("http", "https")):
        return None
    if parts.netloc and parts.netloc != host:
        return None  # another site: not ours to check
    if not parts.path and not parts.netloc:
        if parts.fragment and not targets.has_anchor(urls.file_for(here), unquote(parts.fragment)):
            return (f"link to '#{parts.fragment}', which is not an id on this page",
                    "link to a heading's id (shown by its # link) or a figure's #figure-N")
        return None
    path = unquote(parts.path)
    absolute = path if path.startswith("/") else posixpath.join(base + here, path)
    absolute = posixpath.normpath(absolute) + ("/" if path.endswith("/") else "")
    if not (absolute + "/").startswith(base):
        return (f"link to '{href}', which is outside this site ({base})", _hint(href))
    site_path = absolute[len(base):] if absolute != base.rstrip("/") else ""
    file = targets.page(site_path) if site_path else "index.html"
    if file is None:
        return (f"link to '{href}', which does not exist on this site", _hint(href))
    public = post.kind == "page" or post.id in targets.listed  # a draft may link to another draft
    if file in targets.unlisted and targets.unlisted[file].id != post.id and public:
        return (f"link to '{href}', which is not published yet", "publish it first or link later")
    if parts.fragment and file.endswith(".html") and not targets.has_anchor(file, unquote(parts.fragment)):
        return (f"link to '{href}': the page has no id '#{parts.fragment}'",
                "link to a heading's id as shown by its # link")
    return None


def _hint(href: str) -> str:
    if href.rstrip("/").endswith((".md", ".markdown")):
        return "link to the post's page, /posts/<id>/, not its Markdown file"
    if "/assets/" in href or "/images/" in href or "/wp-content/" in href:
        return "copy the file into the post's folder (content/posts/<id>/) and link to it by its name"
    return "fix the link, or add the old address to the target post's 'aliases:'"
