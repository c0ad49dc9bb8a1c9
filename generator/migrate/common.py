"""What every importer shares: the imported post, reported leftovers, figures, embeds, old URLs."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from ..content import slugify_id
from ..errors import Problem, warning


@dataclass
class Imported:
    """One post as read from the old blog, before people are resolved to ids."""
    id: str
    title: str
    date: date
    body: str
    source: str  # the file it came from, for messages
    url: str = ""  # the post's address on the old site (the imported records' source)
    authors: list[dict] = field(default_factory=list)  # {"name", "email", "login"}
    reviewers: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    front: dict = field(default_factory=dict)  # summary, tags, doi, language, aliases, series, draft …
    assets: dict[str, Path] = field(default_factory=dict)  # file name in the bundle → file to copy
    cover: str = ""  # the old featured/cover image's address, copied in as `image:` if found
    line: int | None = None  # where in `source` the post starts (an item of a WordPress export)
    review_url: str = ""  # where the review happened (a submissions issue), the records' source if given


@dataclass
class Leftovers:
    """Things an importer could not convert: reported with file:line, never silently dropped."""
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, line: int | None, message: str, hint: str = "") -> None:
        self.problems.append(warning(path, line, message, hint))


def figure(src: str, alt: str, caption: str) -> str:
    """A captioned figure in Peerpress Markdown: a `::: figure` block, the image then its caption
    (numbered "Figure N." when built; see generator/figures.py). Without a caption, the image alone.

    Every importer writes figures through here, so the syntax changes in one place."""
    alt = alt.replace("]", "\\]").replace("\n", " ").strip()
    caption = " ".join(caption.split())
    if not caption:
        return f"\n\n![{alt}]({src})\n\n"
    # A caption is Markdown: one that starts like a list item, heading or quote stays text.
    caption = re.sub(r"^(\d+)([.)])", r"\1\\\2", re.sub(r"^([-+*>#])", r"\\\1", caption))
    return f"\n\n::: figure\n![{alt}]({src})\n{caption}\n:::\n\n"


EMBEDS = {"youtube": "https://www.youtube-nocookie.com/embed/{}", "vimeo": "https://player.vimeo.com/video/{}"}
VIDEO_RE = re.compile(r"(?:youtube(?:-nocookie)?\.com/(?:watch\?v=|embed/|shorts/)|youtu\.be/)([\w-]{6,})"
                      r"|vimeo\.com/(?:video/)?(\d+)")


def embed(provider: str, video_id: str) -> str:
    """A video embed: a titled, lazy iframe (kept by every raw_html policy but 'escape')."""
    src = EMBEDS[provider].format(video_id)
    name = {"youtube": "YouTube", "vimeo": "Vimeo"}[provider]
    return f'\n\n<iframe src="{src}" title="{name} video" loading="lazy" allowfullscreen></iframe>\n\n'


def embed_url(url: str) -> str | None:
    """The embed for a YouTube or Vimeo address, or None for anything else."""
    m = VIDEO_RE.search(url)
    if not m:
        return None
    return embed("youtube", m.group(1)) if m.group(1) else embed("vimeo", m.group(2))


CALLOUT_TYPES = {"note": "note", "info": "note", "information": "note", "abstract": "note", "summary": "note",
                 "tip": "tip", "hint": "tip", "success": "tip", "important": "warning", "warning": "warning",
                 "caution": "warning", "danger": "warning", "error": "warning", "alert": "warning"}


def callout(kind: str) -> str | None:
    """The Peerpress callout (`::: note`) for a notice/admonition type, or None if none fits."""
    return CALLOUT_TYPES.get(kind.strip().lower())


COVER_KEYS = ("image", "images", "featured_image", "feature_image", "cover", "header", "thumbnail")


def cover(fm: dict) -> str:
    """The featured image themes read from front matter (image, images[0], cover.image, header.image …)."""
    for key in COVER_KEYS:
        value = fm.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if isinstance(value, dict):
            value = next((value[k] for k in ("image", "path", "feature", "src", "url", "teaser", "overlay_image")
                          if isinstance(value.get(k), str)), "")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def review_url(fm: dict) -> str:
    """The open review's address some journals-on-Jekyll keep ('review-ticket: https://github.com/…/issues/23')."""
    for key in ("review-ticket", "review_ticket", "review_url", "review-url", "peer_review"):
        value = str(fm.get(key) or "").strip()
        if value.startswith(("https://", "http://")):
            return value
    return ""


def post_id(text: str) -> str:
    return slugify_id(text) or "post"


def url_path(url: str) -> str:
    """The site-relative path of an old address ('/2019/03/x/'); '' if it has a query string."""
    parts = urlsplit(url.strip())
    if parts.query or not parts.path:
        return ""
    return parts.path if parts.path.startswith("/") else "/" + parts.path


def as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        m = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})", value)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def names(value) -> list[str]:
    """People named in front matter: a list, or one string with commas or ' and '."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else re.split(r",|;|\band\b", str(value))
    out = []
    for item in items:
        if isinstance(item, dict):  # {name: ..., ...} as some themes write authors
            item = item.get("name") or ""
        item = " ".join(str(item).split())
        if item:
            out.append(item)
    return out


def terms(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [" ".join(str(v).split()) for v in value if str(v).strip()]
    return [t for t in str(value).split() if t]


def normalise_doi(value) -> str:
    text = str(value or "").strip()
    return re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", text, flags=re.I)


def fold(text: str) -> str:
    """A name for comparing: accents, case, punctuation and spacing do not count."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def line_of(text: str, index: int, first_line: int) -> int:
    return first_line + text.count("\n", 0, index)
