"""YAML mistakes in an author's words: the line that causes a syntax error, what is wrong with it,
how to fix it, and the text with that fix applied (so the caller can look for the next mistake).

The parser reports where it gave up, often lines after the cause (an unclosed quote on line 2 is
noticed at the end of the file) and in its own terms. Here each common mistake is a line
pattern with a repair; a repair is believed only when the repaired text gets past the line where
the parser gave up, so a pattern that merely looks like a mistake is never blamed.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Mistake:
    line: int  # 0-based line of the text
    message: str
    hint: str
    fixed: str | None = None  # the whole text with this mistake repaired, if a repair is known


KEY = r"[^\s#'\"\[\]{}:&*!|>%@`-][^#]*?"  # a plain key: no quote, bracket or indicator first
VALUE_START = re.compile(rf"^(?P<lead>\s*(?:-\s+)?(?:(?P<key>{KEY}):[ \t]+)?)(?P<value>\S.*?)\s*$")


def error_line(text: str) -> int | None:
    """The 0-based line where the parser gives up on `text`, or None if it reads."""
    try:
        yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark.line if mark else 0
    except yaml.YAMLError:
        return 0
    return None


# Each repair tried is one more parse: the search stays near the error, in files of a sensible size.
LOOK_BACK = 40  # lines above where the parser gave up
MAX_LINES = 3000  # a longer text gets the parser's complaint in plain words, without the search


def explain(text: str, exc: yaml.YAMLError, offset: int = 0) -> Mistake:
    """The mistake behind `exc`, raised while reading `text` (whose line 1 is file line 1 + `offset`)."""
    lines = text.split("\n")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    stop = min(mark.line if mark else 0, len(lines) - 1)
    start_mark = getattr(exc, "context_mark", None)
    start = min(start_mark.line, stop) if start_mark else stop
    gave_up = error_line(text) if len(lines) <= MAX_LINES else None
    if gave_up is not None:
        skip = _block_text(lines)
        # where the parser began, then back from where it stopped
        order = [start] + list(range(stop, max(stop - LOOK_BACK, 0) - 1, -1))
        for i in dict.fromkeys(order):
            if i in skip:
                continue
            # Where the parser began (an opening quote or bracket) is the cause when the repair gets
            # past that line; elsewhere the repair must get past where the parser gave up.
            past = i if i == start and start != stop else gave_up
            for check in CHECKS:
                found = _believed(lines, i, past, check(lines, i))
                if found:
                    return found
        for i in dict.fromkeys((_indented_top(lines), stop, stop - 1)):
            if i is not None and i >= 0 and i not in skip:
                found = _believed(lines, i, gave_up, _indentation(lines, i, offset))
                if found:
                    return found
    return _in_general(exc, start, stop)


def _believed(lines: list[str], i: int, past: int,
              candidates: Iterator[tuple[str, str, str]]) -> Mistake | None:
    """The first (message, hint, repaired line) whose repair gets the parser past line `past`."""
    for message, hint, repaired in candidates:
        fixed = "\n".join(lines[:i] + [repaired] + lines[i + 1:])
        after = error_line(fixed)
        if after is None or after > past:
            return Mistake(i, message, hint, fixed)
    return None


def _block_text(lines: list[str]) -> set[int]:
    """Lines inside `key: |` or `key: >` blocks: free text, where nothing is a mistake."""
    inside: set[int] = set()
    block_indent = None
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                inside.add(i)
                continue
            block_indent = None
        if re.search(r"(?:^|:|-)\s*[|>][+-]?\d?\s*(?:#.*)?$", line):
            block_indent = indent
    return inside


def quoted(value: str) -> str:
    """`value` as a quoted YAML string that means exactly its text."""
    if "'" not in value:
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted strings


def _unclosed_quote(lines: list[str], i: int) -> Iterator[tuple[str, str, str]]:
    m = VALUE_START.match(lines[i])
    if not m or m["value"][0] not in "\"'":
        return
    value, q = m["value"], m["value"][0]
    end = _closing_quote(value)
    if end is None:
        yield ("this quote is never closed", f"add the closing {q} at the end of the line",
               lines[i].rstrip() + q)
    elif value[end + 1:].strip() and not value[end + 1:].lstrip().startswith(("#", ",", "]", "}")):
        # 'it's' closes at the apostrophe: the author meant the text between the outer quotes
        whole = quoted(value[1:-1]) if value.endswith(q) and len(value) > 2 else quoted(value)
        yield ("there is more text after the closing quote",
               f"put the whole value in quotes: {m['lead'].strip()} {whole}".replace("  ", " "),
               m["lead"] + whole)


def _closing_quote(value: str) -> int | None:
    q, i = value[0], 1
    while i < len(value):
        if q == '"' and value[i] == "\\":
            i += 2
            continue
        if value[i] == q:
            if q == "'" and value[i + 1:i + 2] == "'":  # '' is a quote inside single quotes
                i += 2
                continue
            return i
        i += 1
    return None


def _colon_in_value(lines: list[str], i: int) -> Iterator[tuple[str, str, str]]:
    m = VALUE_START.match(lines[i])
    if not m or not m["key"] or m["value"][0] in "\"'[{|>&*!#":
        return
    value = m["value"]
    if ": " in value or value.endswith(":"):
        key = m["key"].strip()
        yield (f"the value of '{key}' contains ': ', which starts a new key",
               f"put the value in quotes: {key}: {quoted(value)}", m["lead"] + quoted(value))


def _reserved_start(lines: list[str], i: int) -> Iterator[tuple[str, str, str]]:
    m = VALUE_START.match(lines[i])
    if not m or m["value"][0] not in "@`*&!%":
        return
    c, lead = m["value"][0], m["lead"]
    yield (f"a value cannot start with '{c}' unless it is in quotes",
           f"write {(lead.strip() + ' ') if lead.strip() else ''}{quoted(m['value'])}", lead + quoted(m["value"]))


def _dash_without_space(lines: list[str], i: int) -> Iterator[tuple[str, str, str]]:
    m = re.match(r"^(\s*)-([^\s-].*)$", lines[i])
    if m:
        yield ("a list item needs a space after the dash", f"write '- {m[2].strip()}'", f"{m[1]}- {m[2]}")


def _colon_without_space(lines: list[str], i: int) -> Iterator[tuple[str, str, str]]:
    m = re.match(r"^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*):([^\s/:].*)$", lines[i])
    if m:
        yield (f"a space is missing after '{m[2]}:'", f"write '{m[2]}: {m[3].strip()}'", f"{m[1]}{m[2]}: {m[3]}")


def _colon_missing(lines: list[str], i: int) -> Iterator[tuple[str, str, str]]:
    m = re.match(r"^(\s*)([A-Za-z_][\w-]*)[ \t]+([^\s:#].*)$", lines[i])
    if m and ":" not in m[3]:
        yield (f"a ':' is missing after '{m[2]}'", f"write '{m[2]}: {m[3].strip()}'", f"{m[1]}{m[2]}: {m[3]}")


def _unclosed_brackets(lines: list[str], i: int) -> Iterator[tuple[str, str, str]]:
    m = VALUE_START.match(lines[i])
    if not m or m["value"][0] not in "[{":
        return
    opened = []
    for c in re.sub(r"\"(?:\\.|[^\"\\])*\"|'(?:''|[^'])*'", "", m["value"]):  # brackets outside quotes
        if c in "[{":
            opened.append("]" if c == "[" else "}")
        elif c in "]}" and opened:
            opened.pop()
    if opened:
        closers = "".join(reversed(opened))
        what = "list" if closers[0] == "]" else "group of keys"
        yield (f"this {what} is never closed", f"add '{closers}' at the end of the line", lines[i].rstrip() + closers)


def _tab(lines: list[str], i: int) -> Iterator[tuple[str, str, str]]:
    m = re.match(r"^[ \t]*\t[ \t]*", lines[i])
    if m:
        rest = lines[i][m.end():]
        for n in _indents_above(lines, i):
            yield ("a tab is used to indent this line", "indent with spaces: tabs are not allowed here",
                   " " * n + rest)


def _indented_top(lines: list[str]) -> int | None:
    """The first line, if indented: nothing above it can explain that."""
    for i, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            return i if line[0] == " " else None
    return None


def _indentation(lines: list[str], i: int, offset: int) -> Iterator[tuple[str, str, str]]:
    if not (0 <= i < len(lines)) or not lines[i].strip() or lines[i].lstrip().startswith("#"):
        return
    have = len(lines[i]) - len(lines[i].lstrip(" "))
    what = "which does not fit the lines above it" if i > 0 else "but the first line must not be"
    for n in _indents_above(lines, i):
        if n != have:
            like = _line_with_indent(lines, i, n)
            spaces = f"{n} space{'s' if n != 1 else ''}"
            yield (f"this line is indented by {have} space{'s' if have != 1 else ''}, {what}",
                   f"indent it by {spaces}, like line {like + 1 + offset}" if like is not None else
                   "start it at the beginning of the line" if n == 0 else f"indent it by {spaces}",
                   " " * n + lines[i].lstrip(" "))


def _indents_above(lines: list[str], i: int) -> list[int]:
    """Indentations that could be meant: the nearest lines' first, then every one above, then none."""
    found: list[int] = []
    for line in reversed(lines[:i]):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        m = re.match(r"^\s*(?:-\s+)+", line)  # "  - date: x": a key under it lines up with "date"
        found += [indent, m.end()] if m else [indent]
        found.append(indent + 2)
    return list(dict.fromkeys(found + [0]))[:8]


def _line_with_indent(lines: list[str], i: int, n: int) -> int | None:
    for j in range(i - 1, -1, -1):
        line = lines[j]
        if line.strip() and not line.lstrip().startswith("#"):
            m = re.match(r"^\s*(?:-\s+)+", line)
            if len(line) - len(line.lstrip(" ")) == n or (m and m.end() == n):
                return j
    return None


CHECKS: list[Callable[[list[str], int], Iterator[tuple[str, str, str]]]] = [
    _tab, _unclosed_quote, _unclosed_brackets, _colon_in_value, _reserved_start, _dash_without_space,
    _colon_without_space, _colon_missing,
]


def _in_general(exc: yaml.YAMLError, start: int, stop: int) -> Mistake:
    """No known mistake explains it: the parser's complaint, without the parser's words."""
    problem = str(getattr(exc, "problem", "") or exc)
    context = str(getattr(exc, "context", "") or "")
    if "'\\t'" in problem:
        return Mistake(stop, "a tab is used on this line", "use spaces instead: tabs are not allowed here")
    if "quoted scalar" in context:
        return Mistake(start, "this quote is never closed", "add the closing quote at the end of the value")
    if "flow sequence" in context or "flow mapping" in context:
        return Mistake(start, "this list is never closed", "add the closing ']' (or '}') at the end of the line")
    if "undefined alias" in problem:
        return Mistake(stop, "a value cannot start with '*' unless it is in quotes", "put the value in quotes")
    if "mapping values are not allowed" in problem:
        return Mistake(stop, "this line has a ': ' where no key can start",
                       "put the value in quotes if it contains ': ', or line the key up with the keys above it")
    if "could not find expected ':'" in problem:
        return Mistake(stop, "this line is not a 'key: value' line",
                       "add ': ' after the key, or indent it under the key it belongs to")
    if "expected <block end>" in problem or "document start" in problem:
        return Mistake(stop, "this line does not line up with the lines above it",
                       "keys at the same level start in the same column")
    return Mistake(stop, "this line cannot be read", "check its indentation, colons and quotes")
