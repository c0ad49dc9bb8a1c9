"""Links in imported posts: old post addresses → the new post, old images and files → the bundle."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import urls
from ..model import Config
from .common import Imported


def norm(path: str) -> str:
    """An old path as a key: no index.html, no trailing slash or .html ('/a/b.html' == '/a/b/')."""
    path = unquote(path.split("#")[0].split("?")[0])
    for end in ("index.html", ".html", "/"):
        if path.endswith(end) and len(path) > len(end):
            path = path[: -len(end)]
    return path.rstrip("/") or "/"


@dataclass
class Linker:
    config: Config
    old_hosts: tuple[str, ...]  # 'https://old.example.org' etc.: links to these are site links
    roots: tuple[Path, ...]  # where '/images/x.png' may be found (Jekyll's site root, Hugo's static/)
    base_path: str = ""  # the old site's path prefix (Jekyll baseurl), stripped before looking for files
    top: Path | None = None  # the site folder: no file outside it is ever copied (a '../../' link)
    posts: dict[str, str] = field(default_factory=dict)  # norm(old path) → new post id
    misses: list[str] = field(default_factory=list)  # links into the old site that lead nowhere new

    def add_post(self, old_path: str, post_id: str) -> None:
        if old_path:
            self.posts[norm(old_path)] = post_id

    def site_path(self, url: str) -> str | None:
        """The path of a link into the old site ('/images/x.png'), or None for other sites and anchors."""
        parts = urlsplit(url)
        if parts.scheme in ("mailto", "tel", "data", "javascript"):
            return None
        if parts.scheme or parts.netloc:
            host = f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme else f"//{parts.netloc}".lower()
            if not any(host.endswith(h.lower().split("//", 1)[-1]) for h in self.old_hosts if h):
                return None
            return parts.path or "/"
        return parts.path or None

    def resolve(self, url: str, post: Imported, here: Path) -> str | None:
        """The new link for `url` in `post` (whose source file is in `here`); None keeps it."""
        path = self.site_path(url.strip())
        if path is None:
            return None
        fragment = "#" + urlsplit(url).fragment if urlsplit(url).fragment else ""
        if path.startswith("/") and norm(path) in self.posts:
            return urls.link(self.config, urls.post(self.posts[norm(path)])) + fragment
        new = urls.link(self.config, "posts/")
        if path.startswith(new) and path[len(new):].strip("/") in self.posts.values():
            return None  # already converted (a post_url or ref tag)
        found = self._file(path, here)
        if found is None:
            if path.startswith("/") or urlsplit(url).netloc:
                self.misses.append(url)
            return None
        return bundle_name(post, found)

    def report(self, source, leftovers) -> None:
        """Warn about each link into the old site that is neither an imported post nor a file found."""
        for url in dict.fromkeys(self.misses):
            at = source.text.find(url)
            line = source.first_line + source.text.count("\n", 0, at) if at >= 0 else None
            leftovers.add(source.path, line, f"link to the old site '{url}' matches no imported post or file",
                          "point it at the new page, or import the page it led to")
        self.misses.clear()

    def _file(self, path: str, here: Path) -> Path | None:
        top = self.top or (self.roots[0] if self.roots else None)
        if top is None:  # nowhere to copy files from (WordPress finds its uploads itself)
            return None
        path = unquote(path)
        if path.startswith("/"):
            inner = path[len(self.base_path):] if self.base_path and path.startswith(self.base_path + "/") else path
            candidates = [root / inner.lstrip("/") for root in self.roots]
        else:
            candidates = [here / posixpath.normpath(path)]
        for c in candidates:
            if c.is_file() and c.suffix.lower() not in (".md", ".markdown", ".html", ".htm") and \
                    within(c, top):
                return c
        return None


def within(path: Path, top: Path) -> bool:
    """Whether `path`, links followed, lies inside `top`: an imported post cannot pull in ~/.ssh/id_rsa."""
    return path.resolve().is_relative_to(top.resolve())


def bundle_name(post: Imported, src: Path) -> str:
    """The file's name in the post's bundle: its own, or with its folder's name when two collide."""
    name = src.name
    if name == "index.md" or (name in post.assets and post.assets[name] != src):
        name = f"{src.parent.name}-{name}"
    post.assets[name] = src
    return name
