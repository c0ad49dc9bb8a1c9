"""Formatting a single CSL item (a post's "Cite this post" entry) once per item *shape*.

citeproc-py walks the whole style for every item: ~3 ms per style and post. Posts of one blog
differ in their names, title, URL and date, not in their structure. So each style is run once per
shape: an item whose text values are replaced by placeholder characters. The placeholders pass
through citeproc untouched, and a later item of the same shape is its template with its own values
substituted. The result is byte-identical to citeproc-py's own, which is checked three ways:

- the shape key keeps everything citeproc's transformations look at: which variables are
  present, each value's leading and trailing punctuation and first letter's case, and each given
  name's word structure with the case of each word's first letter (initials are made from it);
- a template is accepted only when it reproduces citeproc's output for the item that made it and
  for an adversarial variant (other words, stop words, quotes, other date); a style that
  transforms a value (title case, upper-case names) fails that check and stays on citeproc;
- tests/test_citation_shapes.py compares thousands of generated items with citeproc-py.

Dates are parts of a template too: the text a year, month or day renders to is learnt per shape
and value (a few dozen citeproc runs per shape, where posts number thousands).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from citeproc import Citation, CitationItem, CitationStylesBibliography
from citeproc.source.json import CiteProcJSON

from . import engine

# Placeholders: Supplementary Private Use Area-A for opaque values (neither upper nor lower case,
# so no case rule touches them), Deseret capitals for the initials of given names (upper case,
# as the initial they stand for). Items holding either are formatted by citeproc directly.
_OPAQUE = 0xF0000
_UPPER = 0x10400
_UPPER_COUNT = 40  # Deseret has 40 capital letters
_RESERVED = re.compile("[\U000F0000-\U000FFFFD\U00010400-\U0001044F]")
_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)
_GIVEN_SPLIT = re.compile(r"([\s.\-]+)")
_DATE_PART_NAMES = ("year", "month", "day")
_ID = "k0"


def raw(item: dict, style_name: str) -> str:
    """citeproc-py's rendering of one item, before HTML/text conversion (as engine.format_item)."""
    data = [engine._citeproc_item(item, _ID)]
    bib = CitationStylesBibliography(engine.style(style_name), CiteProcJSON(data), engine.SENTINEL_FORMATTER)
    bib.register(Citation([CitationItem(_ID)]))
    entry = bib.bibliography()[0]
    return str(getattr(entry, "right", entry))


@dataclass
class _Split:
    """An item with its values replaced by placeholders; `values[i]` is placeholder i's text."""
    key: tuple
    item: dict
    values: dict[str, str] = field(default_factory=dict)
    date: tuple[int, int, int] | None = None
    words: frozenset[str] = frozenset()  # placeholders for the rest of a given name's word
    verbatim: bool = False  # a value is kept as it is (in the key) rather than a placeholder


def _case(ch: str) -> str:
    return "u" if ch.isupper() else "l" if ch.islower() else "o"


class _Splitter:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.key: list = []
        self.words: set[str] = set()

    def opaque(self, value: str) -> str:
        lead, core, trail = _EDGE.match(value).groups()
        if not core or _verbatim(value):
            self.key.append(("v", value))
            return value
        token = chr(_OPAQUE + len(self.values))
        self.values[token] = core
        self.key.append(("o", lead, _case(core[0]), trail))
        return lead + token + trail

    def given(self, value: str) -> str:
        """Word by word: separators kept; a capitalised word's first letter becomes an upper-case
        placeholder (citeproc initialises those), the rest of the word an opaque one."""
        out, shape = [], []
        for part in _GIVEN_SPLIT.split(value):
            if not part or _GIVEN_SPLIT.fullmatch(part):
                out.append(part)
                shape.append(part)
                continue
            if part[0].isupper():
                count = sum(1 for t in self.values if ord(t) < _OPAQUE)
                if count >= _UPPER_COUNT:
                    raise _NoTemplate
                token = chr(_UPPER + count)
                self.values[token] = part[0]
                out.append(token)
                shape.append("U")
                part = part[1:]
                if not part:
                    continue
            token = chr(_OPAQUE + len(self.values))
            self.values[token] = part
            self.words.add(token)
            out.append(token)
            shape.append("w" + _case(part[0]))
        self.key.append(("g", tuple(shape)))
        return "".join(out)


# Characters whose rendering depends on their neighbours (references/parity.py: straight quotes
# become typographic ones, punctuation moves inside a closing quote) and letters without case
# (names in such scripts are initialised and ordered differently): a value holding any is kept
# verbatim in the shape key, never replaced by a placeholder.
_CONTEXTUAL = re.compile("[\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb\u2039\u203a]")


def _verbatim(text: str) -> bool:
    return bool(_CONTEXTUAL.search(text)) or any(c.isalpha() and c.upper() == c.lower() for c in text)


def split(item: dict) -> _Split | None:
    """The item's shape, or None when it has no template (reserved characters, unusual dates)."""
    data = engine._citeproc_item(item, _ID)
    if _RESERVED.search(json.dumps(data, ensure_ascii=False)):
        return None
    try:
        return _split(data)
    except _NoTemplate:
        return None


def _split(data: dict) -> _Split:
    sp = _Splitter()
    out: dict[str, Any] = {"id": _ID, "type": data["type"]}
    date = None
    for name in sorted(data):
        value = data[name]
        if name in ("id", "type"):
            continue
        sp.key.append(name)
        if name in engine.NAME_VARIABLES:
            out[name] = []
            for person in value:
                if any(_verbatim(text) for text in person.values()):
                    sp.key.append(("v", tuple(sorted(person.items()))))
                    out[name].append(person)
                    continue
                sp.key.append(tuple(sorted(person)))
                out[name].append({part: (sp.given(text) if part == "given" else sp.opaque(text))
                                  for part, text in sorted(person.items())})
        elif name == "issued" and _plain_date(value):
            date = tuple(value["date-parts"][0])
            out[name] = value
            sp.key.append("ymd")
        elif name in engine.DATE_VARIABLES:
            out[name] = value
            sp.key.append(repr(value))
        else:
            out[name] = sp.opaque(value)
    verbatim = any(isinstance(k, tuple) and k[:1] == ("v",) for k in sp.key)
    return _Split((data["type"], tuple(sp.key)), out, sp.values, date, frozenset(sp.words), verbatim)


def _plain_date(value: Any) -> bool:
    parts = value.get("date-parts") if isinstance(value, dict) else None
    return (isinstance(value, dict) and set(value) == {"date-parts"} and isinstance(parts, list)
            and len(parts) == 1 and len(parts[0]) == 3 and all(isinstance(p, int) for p in parts[0])
            and 1 <= parts[0][1] <= 12 and 1 <= parts[0][2] <= 28 + 3)


class Template:
    """One style's rendering of one shape, with the date's parts cut out."""

    def __init__(self, style_name: str, shape: _Split, parts: dict[tuple[int, int], str] | None = None):
        self.style_name, self.shape = style_name, shape
        # (date part, value) -> rendered text; shared by the shapes of one style, item type and
        # set of variables (what a style's date macros can branch on), so each is learnt once.
        self.parts = parts if parts is not None else {}
        self.text = raw(shape.item, style_name)
        self.spans: list[tuple[int, int, int]] = []  # (start, end, date part), in order
        if shape.date is not None:
            self.spans = self._date_spans()

    def _with_date(self, date: tuple[int, int, int]) -> str:
        item = dict(self.shape.item, issued={"date-parts": [list(date)]})
        return raw(item, self.style_name)

    def _date_spans(self) -> list[tuple[int, int, int]]:
        base = self.shape.date
        spans = []
        for n in range(3):
            other = list(base)
            other[n] = base[n] + 1 if n == 0 else base[n] % (12 if n == 1 else 28) + 1
            changed = self._with_date(tuple(other))
            start, end = _changed_span(self.text, changed)
            if start == end:
                continue  # the style does not show this part
            spans.append((start, end, n))
            if self.parts.setdefault((n, base[n]), self.text[start:end]) != self.text[start:end]:
                raise _NoTemplate  # this shape renders the date unlike its siblings
        spans.sort()
        if any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
            raise _NoTemplate
        return spans

    def _part(self, n: int, value: int) -> str:
        """What date part `n` renders to at `value`, learnt from a run that changes only it."""
        found = self.parts.get((n, value))
        if found is None:
            start, end, _ = next(s for s in self.spans if s[2] == n)
            date = list(self.shape.date)
            date[n] = value
            text = self._with_date(tuple(date))
            head, tail = self.text[:start], self.text[end:]
            if len(text) < len(head) + len(tail) or not (text.startswith(head) and text.endswith(tail)):
                raise _NoTemplate  # the change reached beyond the part: not a template
            found = self.parts[n, value] = text[len(head):len(text) - len(tail)]
        return found

    def fill(self, values: dict[str, str], date: tuple[int, int, int] | None) -> str:
        text, pos, out = self.text, 0, []
        for start, end, n in self.spans:
            out += [text[pos:start], self._part(n, date[n])]
            pos = end
        out.append(text[pos:])
        filled = "".join(out)
        if values:
            filled = _TOKEN_RE.sub(lambda m: values[m.group(0)], filled)
        return filled


_TOKEN_RE = re.compile("[\U000F0000-\U000FFFFD\U00010400-\U0001044F]")


class _NoTemplate(Exception):
    """This shape cannot be templated in this style: its items go to citeproc."""


def _changed_span(a: str, b: str) -> tuple[int, int]:
    """The span of `a` that differs from `b`, widened to whole words (so "January" and
    "February" differ by all of their letters, not after a common "Janu"/"Febru" prefix)."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    stop = len(a) - end
    if start == len(a) and stop == len(a) and len(a) == len(b):
        return 0, 0
    while start > 0 and a[start - 1].isalnum():
        start -= 1
    while stop < len(a) and a[stop].isalnum():
        stop += 1
    return start, stop


# --- the adversarial check ----------------------------------------------------------------

_ADVERSARIAL = {"u": "Of the <b>x</b> & y.z\u2014w--and  a, or", "l": "the Of & zz, of a.b", "o": "1st of The & z"}
_ADVERSARIAL_WORD = {"u": "OfQ", "l": "oFq", "o": "9q"}  # the rest of a given name's word: no separators


def _adversarial(shape: _Split) -> tuple[dict[str, str], tuple[int, int, int] | None]:
    """Other values of the same shape, chosen to expose any rule that reads a value: stop words,
    mixed case, quotes, periods, markup characters, another date."""
    values = {}
    for token, text in shape.values.items():
        if ord(token) < _OPAQUE:
            values[token] = "\u00c9"  # an initial: an upper-case letter, as the one it replaces
        elif token in shape.words:
            values[token] = _ADVERSARIAL_WORD[_case(text[0])]
        else:
            values[token] = _ADVERSARIAL[_case(text[0])] + ("z" if text[-1].isalnum() else text[-1])
    date = shape.date
    if date is not None:
        date = (date[0] + 7, date[1] % 12 + 1, (date[2] + 10) % 28 + 1)
    return values, date


def _substituted(shape: _Split, values: dict[str, str], date) -> dict:
    def sub(value):
        if isinstance(value, str):
            return _TOKEN_RE.sub(lambda m: values[m.group(0)], value)
        if isinstance(value, list):
            return [sub(v) for v in value]
        if isinstance(value, dict):
            return {k: sub(v) for k, v in value.items()}
        return value
    item = sub(shape.item)
    if date is not None:
        item["issued"] = {"date-parts": [list(date)]}
    return item


# --- the formatter ------------------------------------------------------------------------

class Formatter:
    """format_item(item, style) -> (html, text), byte-identical to engine.format_item."""

    def __init__(self) -> None:
        self.templates: dict[tuple, Template | None] = {}
        self.date_parts: dict[tuple, dict] = {}
        self.seen: set[tuple] = set()
        self.templated = self.direct = 0

    def raw(self, item: dict, style_name: str) -> str:
        shape = split(item)
        if shape is None:
            self.direct += 1
            return raw(item, style_name)
        key = (style_name, shape.key)
        if key not in self.templates and shape.verbatim and key not in self.seen:
            self.seen.add(key)  # a value kept verbatim makes shapes rare: template the second one only
            self.direct += 1
            return raw(item, style_name)
        if key not in self.templates:
            self.templates[key] = self._make(style_name, shape, item)
        template = self.templates[key]
        if template is not None:
            try:
                self.templated += 1
                return template.fill(shape.values, shape.date)
            except _NoTemplate:
                self.templates[key] = None
                self.templated -= 1
        self.direct += 1
        return raw(item, style_name)

    def format_item(self, item: dict, style_name: str) -> tuple[str, str]:
        body = self.raw(item, style_name)
        return engine.to_html(body), engine.to_text(body)

    def _make(self, style_name: str, shape: _Split, item: dict) -> Template | None:
        try:
            variables = (shape.key[0], tuple(k for k in shape.key[1] if isinstance(k, str)))
            template = Template(style_name, shape, self.date_parts.setdefault((style_name, variables), {}))
            if template.fill(shape.values, shape.date) != raw(item, style_name):
                return None
            values, date = _adversarial(shape)
            if template.fill(values, date) != raw(_substituted(shape, values, date), style_name):
                return None
        except (_NoTemplate, KeyError, StopIteration):
            return None
        return template
