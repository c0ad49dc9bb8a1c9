"""Files named in front matter (`image`, `bibliography`): only the post's own folder, or a theme's
static files, may be named, so no front matter can point the build at `/etc/passwd` or walk out
of the project with `../`."""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from . import theme as theme_mod
from .errors import Problem, ProblemError, error
from .model import Config

SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
IMAGE_HINT = "name a file in the post's folder, a theme's static file as /assets/…, or an https:// URL"


def within(folder: Path, name: str) -> Path | None:
    """`folder/name` if it is a file inside `folder` once links are followed, else None."""
    if not name or "\0" in name or PurePosixPath(name).is_absolute():
        return None
    target = folder / name
    try:
        if target.resolve().is_relative_to(folder.resolve()) and target.is_file():
            return target
    except (OSError, RuntimeError):  # a link loop, an unreadable folder
        return None
    return None


def image_problem(config: Config, post_file: Path, bundle: bool, value: str, shown: str,
                  line: int | None) -> Problem | None:
    """Why the social-card `image` cannot be published, or None when it can."""
    if not value or re.match(r"^https?://", value, re.I):
        return None
    if SCHEME_RE.match(value) or value.startswith("//"):
        return error(shown, line, f"image '{value}' is not an http(s) URL", IMAGE_HINT)
    if value.startswith("/"):
        if value.lstrip("/") in static_files(config, value.lstrip("/")):
            return None
        return error(shown, line, f"image '{value}' is not a static file of the site", IMAGE_HINT)
    if not bundle:
        return error(shown, line, f"image '{value}': a single-file post has no folder for images",
                     "move the post to content/posts/<id>/index.md with the image beside it, or use a URL")
    if within(post_file.parent, value) is None:
        return error(shown, line, f"image '{value}' is not a file in the post's folder", IMAGE_HINT)
    return None


def static_files(config: Config, wanted: str) -> frozenset[str]:
    """The site paths of the theme chain's static files ("assets/logo.png"). Remembered per
    theme, and looked up afresh when `wanted` is not among them (serve may add files live)."""
    key = (str(config.root), config.theme, str(config.themes_dir))
    known = _STATIC.get(key)
    if known is None or wanted not in known:
        try:
            known = _STATIC[key] = frozenset(theme_mod.resolve(config).static)
        except ProblemError:  # a broken theme is reported by the theme step
            return frozenset()
    return known


_STATIC: dict[tuple[str, str, str], frozenset[str]] = {}
