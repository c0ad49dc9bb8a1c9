"""WordPress HTML → Markdown with markdownify (MIT; BeautifulSoup underneath, so messy HTML parses).

markdownify rather than html2text: html2text is GPL-3.0 (this project is MIT), and markdownify's
converter is a class whose per-tag methods we override for figures, embeds and code languages.
"""
from __future__ import annotations

import re

from markdownify import MarkdownConverter

from .common import embed_url, figure

BLOCK_RE = re.compile(r"^\s*<(?:p|div|h[1-6]|ul|ol|li|table|thead|tbody|tr|td|th|blockquote|pre|figure|hr|"
                      r"dl|dt|dd|iframe|video|audio|section|aside|details|form|!--)\b", re.I)


BLOCK_TAGS = r"(?:ul|ol|table|blockquote|pre|figure|h[1-6]|div|dl|hr|iframe|video|audio|section|aside|details)"


def autop(text: str) -> str:
    """WordPress's wpautop, in brief: classic-editor text separates paragraphs by blank lines."""
    if re.search(r"<p\b", text, re.I):
        return text
    text = re.sub(rf"(<{BLOCK_TAGS}\b)", r"\n\n\1", text, flags=re.I)  # block elements stand alone
    text = re.sub(rf"(</{BLOCK_TAGS}>)", r"\1\n\n", text, flags=re.I)
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return "\n\n".join(b if BLOCK_RE.match(b) else "<p>" + b.replace("\n", "<br>\n") + "</p>" for b in blocks)


def _language(el) -> str:
    for node in (el, el.find("code")):
        for cls in (node.get("class") or []) if node is not None else []:
            m = re.match(r"(?:language|lang|brush)[-:](\w+)", cls)
            if m:
                return m.group(1)
    return el.get("data-lang", "") or ""


class Converter(MarkdownConverter):
    def convert_figure(self, el, text, parent_tags):
        classes = " ".join(el.get("class") or [])
        if "wp-block-embed" in classes:
            frame = el.find("iframe")
            url = [frame.get("src", "")] if frame is not None else el.get_text(" ", strip=True).split()
            made = embed_url(url[0]) if url else None
            if made:
                return made
            return f"\n\n<{url[0]}>\n\n" if url else ""
        img = el.find("img")
        if img is None:
            return text
        cap = el.find("figcaption")
        return figure(img.get("src", ""), img.get("alt", ""), cap.get_text(" ", strip=True) if cap else "")

    def convert_figcaption(self, el, text, parent_tags):
        return text

    def convert_iframe(self, el, text, parent_tags):
        return embed_url(el.get("src", "")) or f"\n\n{el}\n\n"

    def convert_video(self, el, text, parent_tags):
        return f"\n\n{el}\n\n"  # raw HTML video: kept by the 'allow' raw_html policy


def to_markdown(html: str) -> str:
    md = Converter(heading_style="ATX", bullets="-", code_language_callback=_language,
                   escape_misc=False).convert(html)
    return re.sub(r"\n{3,}", "\n\n", md).strip() + "\n"
