"""Which published posts the publish workflow deposits with Crossref (`peerpress desk deposits`).

A post is deposited when it is published, has a DOI, the blog has a `doi_prefix`, and it may have
just become published: its text or its review records changed since the last published commit
(a merge, records written at merge time), or its publication date is within the last `days` (an
accepted post with a future date appears on its day, by the daily run). Depositing a DOI again
only updates its metadata at Crossref, so a post counted twice costs nothing; one missed would
leave a published post without its DOI, so the rule errs on the side of depositing.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .. import history
from ..errors import Problem, error, rel
from ..model import Site


def newly_published(site: Site, since: str, days: int, now: datetime) -> tuple[list[str], list[Problem]]:
    config = site.config
    if not config.doi_prefix:
        return [], []
    touched, problems = _touched(site, since) if since else (set(), [])
    found = []
    for pid, state in sorted(site.states.items()):
        post = site.posts[pid]
        if state.status != "published" or not post.doi:
            continue
        recent = post.date is not None and now - timedelta(days=days) < post.date <= now
        if pid in touched or recent:
            found.append(pid)
    return found, problems


def _touched(site: Site, since: str) -> tuple[set[str], list[Problem]]:
    """Posts whose file, bundle or review records changed between `since` and HEAD."""
    config = site.config
    folders = [rel(config.content_dir, config.root), rel(config.reviews_dir, config.root)]
    proc = history.git(config.root, "diff", "--name-only", "-z", since, "HEAD", "--", *folders)
    if proc.returncode != 0:
        return set(), [error(since, None, "git cannot compare this commit with HEAD",
                             "check out with full history (fetch-depth: 0)")]
    files = {post.source.as_posix(): pid for pid, post in site.posts.items()}
    bundles = {post.source.parent.as_posix() + "/": pid for pid, post in site.posts.items()
               if post.source.name == "index.md"}
    reviews = folders[1] + "/"
    touched = set()
    for path in (p.decode("utf-8", "surrogateescape") for p in proc.stdout.split(b"\0") if p):
        if path.startswith(reviews):
            touched.add(path[len(reviews):].split("/")[0])
        touched |= {files[path]} if path in files else set()
        touched |= {pid for folder, pid in bundles.items() if path.startswith(folder)}  # an image, a .bib
    return touched, []
