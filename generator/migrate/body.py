"""Rewriting post bodies: template tags to Markdown, old links to new ones, leftovers reported.

Rules apply to prose only: fenced and indented code keeps its text (a tutorial about Jekyll shows
`{% raw %}` on purpose). What no rule converts is reported with the line it came from.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .common import Leftovers, line_of

Rule = tuple[re.Pattern, Callable[[re.Match], str]]
FENCE_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
# Template syntax that survived conversion: Liquid ({% %}, {{ }}) and Hugo shortcodes ({{< >}}, {{% %}}).
TEMPLATE_RE = re.compile(r"\{%-?\s*\w.*?%\}|\{\{[<%].*?[%>]\}\}|\{\{\s*[\w.\"'].*?\}\}", re.S)
LINK_RE = re.compile(r"(!?\[[^\]\n]*\]\()(<[^>\n]+>|[^)\s]+)((?:\s+\"[^\"\n]*\")?\))"
                     r"|(\b(?:src|href)=)([\"'])([^\"'\n]+)\5")


def segments(text: str) -> list[tuple[bool, str]]:
    """(is_code, text) pieces: fenced blocks and indented code after a blank line are code."""
    out: list[tuple[bool, str]] = []
    lines = text.split("\n")
    i, buf = 0, []

    def flush(code: bool, chunk: list[str]) -> None:
        if chunk:
            out.append((code, "\n".join(chunk)))

    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        prev_blank = i == 0 or not lines[i - 1].strip()
        if m:
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith(m.group(2)):
                j += 1
            flush(False, buf)
            buf = []
            flush(True, lines[i:j + 1])
            i = j + 1
        elif prev_blank and lines[i].startswith(("    ", "\t")) and lines[i].strip() and not _in_list(buf):
            j = i
            while j < len(lines) and (lines[j].startswith(("    ", "\t")) or not lines[j].strip()):
                j += 1
            flush(False, buf)
            buf = []
            flush(True, lines[i:j])
            i = j
        else:
            buf.append(lines[i])
            i += 1
    flush(False, buf)
    return out


LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def _in_list(prose: list[str]) -> bool:
    """Whether an indented block continues a list item (prose) rather than being code."""
    last = next((line for line in reversed(prose) if line.strip()), "")
    return bool(LIST_RE.match(last) or last.startswith(("  ", "\t")))


def join(parts: list[tuple[bool, str]]) -> str:
    return "\n".join(text for _, text in parts)


def apply(text: str, rules: list[Rule]) -> str:
    """Each rule, in order, over the prose of the text as the earlier rules left it."""
    for pattern, handler in rules:
        sub = _keep_indent(handler)
        text = join([(code, part if code else pattern.sub(sub, part)) for code, part in segments(text)])
    return text


def _keep_indent(handler: Callable[[re.Match], str]) -> Callable[[re.Match], str]:
    """A block replacing a tag indented inside a list item stays inside it, at the tag's indentation."""
    def sub(m: re.Match) -> str:
        out = handler(m)
        prefix = m.string[m.string.rfind("\n", 0, m.start()) + 1:m.start()]
        if out == m.group(0) or not prefix or prefix.strip():
            return out
        return ("\n" + prefix).join(out.strip("\n").split("\n"))
    return sub


PLACEHOLDER_RE = re.compile("\x00(\\d+)\x00")


def restore(text: str, kept: list[str]) -> str:
    """Put back template text an importer kept literal ({% raw %}, Hugo's {{</* */>}}). In prose its
    opening braces are escaped (`\\{{`), so Markdown shows it as written and `check` does not take
    it for a leftover; in code and in `code spans` it goes back exactly as it was."""
    def prose(m: re.Match) -> str:
        value = kept[int(m.group(1))]
        line_start = m.string.rfind("\n", 0, m.start()) + 1
        in_span = m.string.count("`", line_start, m.start()) % 2 == 1
        return value if in_span else re.sub(r"\{(?=[{%])", r"\\{", value)
    text = apply(text, [(PLACEHOLDER_RE, prose)])
    return PLACEHOLDER_RE.sub(lambda m: kept[int(m.group(1))], text)


def tidy(text: str) -> str:
    """At most one blank line between blocks of prose (conversions leave more)."""
    parts = [part.rstrip("\n") if code else re.sub(r"\n{3,}", "\n\n", part).strip("\n")
             for code, part in segments(text)]
    return "\n\n".join(p for p in parts if p.strip()).strip() + "\n"


def relink(text: str, resolve: Callable[[str], str | None]) -> str:
    """Markdown links and images, and src=/href= in raw HTML, through `resolve` (None keeps a link)."""
    def sub(m: re.Match) -> str:
        if m.group(1):
            raw = m.group(2)
            url = raw[1:-1] if raw.startswith("<") else raw
            new = resolve(url)
            return m.group(0) if new is None else f"{m.group(1)}{new}{m.group(3)}"
        new = resolve(m.group(6))
        return m.group(0) if new is None else f"{m.group(4)}{m.group(5)}{new}{m.group(5)}"
    return join([(code, part if code else LINK_RE.sub(sub, part)) for code, part in segments(text)])


@dataclass
class Source:
    """The original text of a body and where it starts, to report leftovers at their real line."""
    text: str
    path: str
    first_line: int


def report(converted: str, source: Source, leftovers: Leftovers, what: str,
           pattern: re.Pattern = TEMPLATE_RE) -> None:
    """Warn about every template tag left in the prose, at its line in the original file."""
    cursor = 0
    for code, part in segments(converted):
        if code:
            continue
        for m in pattern.finditer(part):
            tag = m.group(0)
            at = source.text.find(tag, cursor)
            line = line_of(source.text, at, source.first_line) if at >= 0 else None
            cursor = at + len(tag) if at >= 0 else cursor
            shown = " ".join(tag.split())
            shown = shown if len(shown) <= 70 else shown[:67] + "..."
            leftovers.add(source.path, line, f"{what} '{shown}' has no Peerpress equivalent; left as text",
                          "rewrite it in Markdown, or remove it")
