"""Every URL the site uses, in one place: templates call these, never concatenate strings."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import urlsplit

from slugify import slugify as _slugify

from .model import Config


def slug(text: str) -> str:
    """URL-safe term for tags and taxonomy values ("Cardiology & ECG" -> "cardiology-ecg")."""
    return _slug(str(text))


@lru_cache(maxsize=65536)  # a site has few distinct tags, each slugged on every page that shows it
def _slug(text: str) -> str:
    return shorten(_slugify(text) or "untitled")


MAX_SLUG = 80  # bytes: a folder name well under the file systems' 255, with room for a prefix


def shorten(name: str, limit: int = MAX_SLUG) -> str:
    """`name` if it fits in `limit` UTF-8 bytes, else its start plus a hash of the whole name:
    stable across builds, and two long names that share a start still get different ones."""
    raw = name.encode("utf-8")
    if len(raw) <= limit:
        return name
    tail = "-" + hashlib.sha256(raw).hexdigest()[:10]
    head = raw[:limit - len(tail)].decode("utf-8", "ignore").rstrip("-")
    return head + tail


def home(page: int = 1) -> str:
    return "" if page <= 1 else f"page/{page}/"


def post(post_id: str) -> str:
    return f"posts/{post_id}/"


def page(page_id: str) -> str:
    return f"{page_id}/"


def reviews(post_id: str) -> str:
    return f"posts/{post_id}/reviews/"


def tag(name: str, page: int = 1) -> str:
    return f"tags/{slug(name)}/" + (f"page/{page}/" if page > 1 else "")


def author(person_id: str, page: int = 1) -> str:
    return f"authors/{person_id}/" + (f"page/{page}/" if page > 1 else "")


def taxonomy(name: str, term: str) -> str:
    return f"{name}/{slug(term)}/"


def base_path(config: Config) -> str:
    """The path part of base_url, always with a trailing slash ("/" or "/blog/")."""
    path = urlsplit(config.base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def link(config: Config, path: str) -> str:
    """A root-relative link for pages ("/blog/posts/x/"): works on any host and in previews."""
    return base_path(config) + path.lstrip("/")


def absolute(config: Config, path: str) -> str:
    """An absolute URL for feeds, sitemaps, canonical links and metadata."""
    return config.base_url.rstrip("/") + "/" + path.lstrip("/")


def file_for(path: str) -> str:
    """The output file behind a URL path: directories get index.html."""
    return path + "index.html" if path == "" or path.endswith("/") else path
