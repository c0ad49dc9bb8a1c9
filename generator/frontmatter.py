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
    guessed: frozenset[int] = frozenset()  # file lines repaired after a YAML mistake (already reported)

    def usable(self, value):
        """`value` built from this front matter, or None if it was repaired: reported, but not used."""
        return None if self.guessed else value

    def checked(self, problems: list[Problem]) -> list[Problem]:
        """Schema problems, less those about a repaired line: its value is a guess, its mistake reported.
        A missing key is named at the first line whatever that holds, so it is always kept."""
        return [p for p in problems if p.line not in self.guessed or p.message.startswith("missing required key")]


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


MAX_MISTAKES = 20  # YAML mistakes reported in one file; past that, fixing those first is the way on


def split(text: str, shown: str, repaired: bool = False) -> tuple[Source | None, list[Problem]]:
    """Parse `---` front matter; every file under content/ and reviews/ must have it.

    Every YAML mistake is reported at once: each known one is repaired (yamlwords.py) and the
    rest read again. With `repaired`, when all could be repaired, the repaired front matter is
    returned beside those problems, so that its other errors (unknown keys, people, dates) are
    reported in the same run; without, a file with a YAML mistake gives no Source."""
    if not text.strip():
        return None, [error(shown, 1, "the file is empty", "start it with front matter between --- lines")]
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, [error(shown, 1, "no front matter", "the file must start with a line '---', "
                            "then lines such as 'title: ...', then another '---'")]
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            break
    else:
        return None, [error(shown, 1, "the front matter is never closed",
                            f"add a line '---' after line {_front_end(lines)}, where the front matter ends")]
    doc, problems = _parse_all("\n".join(lines[1:i]), shown)
    if doc is None or (problems and not repaired):
        return None, problems
    guessed = frozenset(p.line for p in problems if p.line)
    if not isinstance(doc.data, dict):
        what = {type(None): "it is empty", list: "it is a list"}.get(type(doc.data), "it is a single value")
        return None, problems + [error(shown, 2, f"the front matter must be 'key: value' lines, but {what}",
                                       "write lines like 'title: My post'")]
    return Source(doc, "\n".join(lines[i + 1:]), i + 2, guessed), problems


def _parse_all(text: str, shown: str) -> tuple[Document | None, list[Problem]]:
    problems: list[Problem] = []
    while True:
        try:
            return parse(text, offset=1), problems
        except YamlError as exc:
            problems.append(error(shown, exc.line, exc.message, exc.hint or "check indentation, colons and quotes"))
            if exc.fixed is None or len(problems) >= MAX_MISTAKES:
                return None, problems
            text = exc.fixed


def _front_end(lines: list[str]) -> int:
    """The last line that still looks like front matter: the post text usually follows a blank line."""
    end = 1
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            break
        end = n
    return end
