"""Bounds on what one input file may ask of the build, each refused with its line.

No real post needs more than these; an input beyond them is a mistake or an attack, and without
a bound it costs minutes (a 10,000-level nested list) or crashes a parser (deeply nested YAML
overflows PyYAML's recursive constructor).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import Problem, error

MAX_FILE_BYTES = 5 * 1024 * 1024  # a post, page, review record or site.yaml
MAX_DEPTH = 100  # nested lists and quotes in Markdown (the renderer stops nesting at 20 anyway)
MAX_YAML_DEPTH = 100  # nested lists and mappings in YAML
MAX_ITEMS = 10_000  # items in one YAML list or mapping (tags, authors, people)

FENCE_RE = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)]|>|\s)*(```|~~~)")
MARKER_RE = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?=\s|$)|>")


class TooBig(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.text())
        self.problem = problem


def read_bounded(path: Path, shown: str) -> bytes:
    """The file's bytes; TooBig past MAX_FILE_BYTES (checked before reading, and after)."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        data = f.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        raise TooBig(error(shown, None, f"the file is {max(size, len(data)) / 1048576:.1f} MB, more than "
                                        f"{MAX_FILE_BYTES // 1048576} MB", "split it or move large data out of it"))
    return data


def line_depth(line: str) -> int:
    """How deep a Markdown line nests: two columns of indentation, each '>' and each list marker
    count one level (an over-estimate for ordered lists, which is fine for a bound)."""
    depth, i, n = 0, 0, len(line)
    while i < n:
        ch = line[i]
        if ch == " ":
            start = i
            while i < n and line[i] == " ":
                i += 1
            depth += (i - start) // 2
            continue
        if ch == "\t":
            depth += 2
            i += 1
            continue
        m = MARKER_RE.match(line, i)
        if not m:
            break
        depth += 1
        i = m.end()
    return depth


def markdown_depth(body: str, shown: str, first_line: int) -> Problem | None:
    """The first line of `body` nested deeper than MAX_DEPTH (fenced code is not counted)."""
    fence = ""
    for i, line in enumerate(body.split("\n")):
        m = FENCE_RE.match(line)
        if m:
            fence = "" if fence == m.group(1) else (fence or m.group(1))
            continue
        if fence:
            continue
        depth = line_depth(line)
        if depth > MAX_DEPTH:
            return error(shown, first_line + i, f"the text is nested {depth} levels deep, more than {MAX_DEPTH}",
                         "flatten the nested lists or quotes")
    return None


def yaml_depth_line(text: str) -> int | None:
    """The first line of YAML `text` nested deeper than MAX_YAML_DEPTH (brackets or indentation)."""
    depth = 0
    for number, line in enumerate(text.split("\n"), 1):
        indent = (len(line) - len(line.lstrip(" "))) // 2
        for ch in line:
            if ch in "[{":
                depth += 1
            elif ch in "]}":
                depth = max(0, depth - 1)
            if depth + indent > MAX_YAML_DEPTH:
                return number
        if indent > MAX_YAML_DEPTH:
            return number
    return None
