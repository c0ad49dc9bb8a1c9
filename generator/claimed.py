"""The post ids that post files claim, read without parsing them.

A post whose front matter has an error is not loaded, yet it still owns its reviews/ folder:
reviews.py asks here before calling the folder a "review of unknown post", so one mistake in a
post is reported once, at its cause, and not again for each of its reviews.
"""
from __future__ import annotations

import re

from .content import discover
from .frontmatter import read_text
from .model import Config

ID_LINE = re.compile(r"^id:[ \t]*[\"']?([^\"'#\s]+)", re.M)


def claimed_ids(config: Config) -> set[str]:
    """Each post file's name (its folder's, for a bundle) and any `id:` line in its front matter."""
    ids = set()
    for kind, path in discover(config)[0]:
        if kind != "post":
            continue
        ids.add(path.parent.name if path.name == "index.md" else path.stem)
        text, _ = read_text(path, path.name)
        front = (text or "").split("\n---", 1)[0]  # the front matter: up to its closing line
        ids.update(m[1] for m in ID_LINE.finditer(front))
    return ids
