"""Share links for themes (licence names and links come from licenses.py).

Share links are plain links to each network's own "compose" page: no scripts, no embedded
buttons, no counters, nothing loaded from a third party until the reader clicks.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import jinja2

from . import urls
from .licenses import license_name, license_url
from .model import Post, Site

NETWORK_LABELS = {"mastodon": "Mastodon", "bluesky": "Bluesky", "linkedin": "LinkedIn", "email": "Email"}


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    href: str


def _q(text: str) -> str:
    return quote(text, safe="")


def share_href(network: str, title: str, url: str, summary: str = "") -> str:
    text = f"{title} {url}"
    if network == "mastodon":
        # Mastodon's official share page: it asks for the reader's server and keeps the text in
        # the fragment, which never reaches a server.
        return "https://share.joinmastodon.org/#text=" + _q(text)
    if network == "bluesky":
        return "https://bsky.app/intent/compose?text=" + _q(text)
    if network == "linkedin":
        return "https://www.linkedin.com/sharing/share-offsite/?url=" + _q(url)
    if network == "email":
        body = f"{summary}\n\n{url}" if summary else url
        return f"mailto:?subject={_q(title)}&body={_q(body)}"
    raise ValueError(f"unknown share network {network!r}")


def share_links(site: Site, post: Post) -> list[ShareLink]:
    """One link per network in `social.share`, in the configured order."""
    url = urls.absolute(site.config, urls.post(post.id))
    return [ShareLink(n, NETWORK_LABELS[n], share_href(n, post.title, url, post.summary))
            for n in site.config.extra["social"]["share"]]


def register(env: jinja2.Environment, site: Site) -> None:
    env.globals.update(
        share_links=lambda post: share_links(site, post),
        license_name=license_name,
        license_url=license_url,
    )
