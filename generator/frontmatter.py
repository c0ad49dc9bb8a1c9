"""Splitting a Markdown file into YAML front matter and body, with exact line numbers."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import fserrors, limits
from .errors import Problem, error
from .yamlio import Document, YamlError, parse


@dataclass
class Source:
    doc: Document
    body: str
    body_line: int  # 1-based file line where the body starts


def read_text(path: Path, shown: str) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file; a BOM and CRLF line endings are accepted and normalised."""
    try:
        raw = limits.read_bounded(path, shown)
    except limits.TooBig as exc:
        return None, [exc.problem]
    except OSError as exc:  # unreadable: permissions, a broken link, a failing disk
        return None, [fserrors.problem(exc, "read the file", shown)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [error(shown, line, f"not valid UTF-8 (byte {raw[exc.start]:#04x})",
                            "save the file as UTF-8")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split(text: str, shown: str) -> tuple[Source | None, list[Problem]]:
    """Parse `---` front matter; every file under content/ and reviews/ must have it."""
    if not text.strip():
        return None, [error(shown, 1, "the file is empty", "start it with front matter between --- lines")]
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, [error(shown, 1, "no front matter", "the file must start with a line '---', "
                            "then YAML such as 'title: ...', then another '---'")]
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            break
    else:
        return None, [error(shown, 1, "front matter is not closed", "add a line '---' after the YAML")]
    try:
        doc = parse("\n".join(lines[1:i]), offset=1)
    except YamlError as exc:
        return None, [error(shown, exc.line, exc.message, exc.hint or "check indentation, colons and quotes")]
    if not isinstance(doc.data, dict):
        what = "nothing" if doc.data is None else type(doc.data).__name__
        return None, [error(shown, 2, f"front matter must be a mapping of keys to values, got {what}",
                            "write lines like 'title: My post'")]
    return Source(doc, "\n".join(lines[i + 1:]), i + 2), []
