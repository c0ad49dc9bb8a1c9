"""Conversions more than one importer needs: raw-HTML figures, alert boxes, attribute lists."""
from __future__ import annotations

import html
import re

from .body import Rule
from .common import callout, figure

TAG_RE = re.compile(r"<[^>]+>")
ATTR_RE = re.compile(r"""(\w[\w-]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")


def attrs(text: str) -> dict[str, str]:
    """key="value" pairs from a tag or a shortcode (quotes optional)."""
    return {k.lower(): html.unescape(v[1:-1] if v[:1] in "\"'" else v) for k, v in ATTR_RE.findall(text)}


def plain(fragment: str) -> str:
    return " ".join(html.unescape(TAG_RE.sub(" ", fragment)).split())


def _html_figure(m: re.Match) -> str:
    inner = m.group(1)
    img = re.search(r"<img\b([^>]*)>", inner, re.I)
    if not img:
        return m.group(0)
    a = attrs(img.group(1))
    cap = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", inner, re.I | re.S)
    return figure(a.get("src", ""), a.get("alt", ""), plain(cap.group(1)) if cap else "")


def _alert(m: re.Match) -> str:
    kind = callout(m.group(1)) or "note"
    return f"\n::: {kind}\n{m.group(2).strip()}\n:::\n"


def _ial_callout(m: re.Match) -> str:
    kind = callout(m.group(3) or m.group(2)) or "note"
    return f"::: {kind}\n{m.group(1).strip()}\n:::"


HTML_RULES: list[Rule] = [
    # <p><figure><img …><figcaption>…</figcaption></figure></p>, as Jekyll and Hugo themes write by hand
    (re.compile(r"(?:<p>\s*)?<figure\b[^>]*>(.*?)</figure>(?:\s*</p>)?", re.I | re.S), _html_figure),
    # Bootstrap alert boxes (<div class="alert alert-warning">…</div>) → callouts
    (re.compile(r"<div\s+class=\"alert\s+alert-(\w+)\"[^>]*>(.*?)</div>", re.I | re.S), _alert),
]

KRAMDOWN_RULES: list[Rule] = [
    # a paragraph followed by {: .notice--warning} (Minimal Mistakes) or {: .alert-info} → callout
    (re.compile(r"((?:^[^\n{][^\n]*\n)+)\{:\s*\.(notice|alert|callout)(?:--|-)?(\w*)\s*\}", re.M), _ial_callout),
    (re.compile(r"^\*\s+TOC\s*\n\{:\s*toc\s*\}\s*$", re.M), lambda m: ""),  # Peerpress lists contents itself
    (re.compile(r"^\{:[^}\n]*\}\s*$|\{:[^}\n]*\}", re.M), lambda m: ""),  # other attribute lists: styling only
]
