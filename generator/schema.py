"""A tiny declarative schema for YAML documents: types, defaults, choices, all errors at once.

Used for site.yaml and for front matter, so both report problems the same way: the file, the
line, what is wrong, and a "did you mean" for unknown keys.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from . import dates
from .errors import Problem, error
from .yamlio import Document

REQUIRED = object()

TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false", list: "a list",
              dict: "a mapping", date: "a date (YYYY-MM-DD)", float: "a number"}
# The same in errors, for authors who never met YAML's words for them.
PLAIN_NAMES = {**TYPE_NAMES, str: "text", dict: "'key: value' lines"}


@dataclass
class Field:
    type: type | tuple[type, ...]
    default: Any = None
    doc: str = ""
    choices: tuple[str, ...] = ()
    item: Field | Section | None = None  # for lists: the schema of each item
    check: Callable[[Any], str | None] | None = None  # returns an error message or None
    hint: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass
class Section:
    fields: dict[str, Field | Section | MapOf]
    doc: str = ""
    required: bool = False
    open: bool = False  # allow keys not in `fields` (kept as they are)


@dataclass
class MapOf:
    """A mapping from free-form keys (ids) to values of one schema."""
    value: Field | Section
    doc: str = ""
    key_pattern: str = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
    key_hint: str = "use lower-case letters, digits and hyphens"
    required: bool = False


@dataclass
class Validator:
    doc: Document
    path: str
    problems: list[Problem] = field(default_factory=list)

    def fail(self, keys: tuple, message: str, hint: str = "") -> None:
        self.problems.append(error(self.path, self.doc.line(*keys), message, hint))


def web_link_problem(value: str) -> str | None:
    """Links that end up in href=: only http(s), so a record cannot smuggle in javascript: or data:."""
    return None if re.match(r"^https?://[^\s<>\"']+$", value.strip()) else "must be an http(s) link"


def dotted(keys: tuple) -> str:
    return ".".join(str(k) for k in keys) or "(document)"


def validate(doc: Document, path: str, schema: Section) -> tuple[dict, list[Problem]]:
    """Check `doc.data` against `schema`; return the data with defaults filled in."""
    v = Validator(doc, path)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        v.fail((), f"expected 'key: value' lines, got {kind(data)}",
               "write it as 'key: value' lines")
        return {}, v.problems
    return _section(v, (), data, schema), v.problems


def kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):  # the value itself says more than its type
        return f"the text '{value if len(value) <= 40 else value[:39] + '…'}'"
    for t, name in PLAIN_NAMES.items():
        if type(value) is t:
            return name
    if isinstance(value, datetime):
        return "a date and time"
    return type(value).__name__


def _section(v: Validator, keys: tuple, data: dict, schema: Section) -> dict:
    out: dict[str, Any] = {}
    for key in data:
        if key not in schema.fields and not schema.open:
            close = difflib.get_close_matches(str(key), list(schema.fields), n=1)
            hint = f"did you mean '{close[0]}'?" if close else \
                "known keys: " + ", ".join(sorted(schema.fields))
            v.fail((*keys, key), f"unknown key '{dotted((*keys, key))}'", hint)
        elif key not in schema.fields:
            out[key] = data[key]
    for name, spec in schema.fields.items():
        here = (*keys, name)
        if name not in data or data[name] is None:
            if getattr(spec, "required", False):
                v.fail(keys, f"missing required key '{dotted(here)}'", spec.doc)
            out[name] = _default(spec)
            continue
        out[name] = _value(v, here, data[name], spec)
    return out


def _default(spec: Field | Section | MapOf) -> Any:
    if isinstance(spec, Section):
        return {n: _default(s) for n, s in spec.fields.items()}
    if isinstance(spec, MapOf):
        return {}
    d = spec.default
    if d is REQUIRED:
        return None
    return list(d) if isinstance(d, (list, tuple)) and spec.type is list else d


def _value(v: Validator, keys: tuple, value: Any, spec: Field | Section | MapOf) -> Any:
    if isinstance(spec, Section):
        if not isinstance(value, dict):
            v.fail(keys, f"'{dotted(keys)}' must be 'key: value' lines indented under it, got {kind(value)}", spec.doc)
            return _default(spec)
        return _section(v, keys, value, spec)
    if isinstance(spec, MapOf):
        if not isinstance(value, dict):
            v.fail(keys, f"'{dotted(keys)}' must be 'key: value' lines indented under it, got {kind(value)}", spec.doc)
            return {}
        out = {}
        for k, item in value.items():
            if not re.match(spec.key_pattern, str(k)):
                v.fail((*keys, k), f"'{k}' is not a valid key in '{dotted(keys)}'", spec.key_hint)
                continue
            out[str(k)] = _value(v, (*keys, k), item, spec.value)
        return out
    return _field(v, keys, value, spec)


def _field(v: Validator, keys: tuple, value: Any, spec: Field) -> Any:
    types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    if str in types and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # YAML reads 2025 or 1.5 as numbers; a string field takes them as text
    if date in types and isinstance(value, str):
        try:
            value = dates.parse(value)  # a quoted '2025-01-01', or an impossible date YAML left as text
        except ValueError as exc:
            v.fail(keys, str(exc), dates.EXAMPLE)
            return _default(spec)
    if list in types and isinstance(value, str):
        if re.match(r"-[^\s-]", value):  # "tags:\n  -ecg" reads as the text "-ecg", not a list
            v.fail(keys, f"'{dotted(keys)}' has a list item without a space after the dash",
                   f"write '- {value[1:].split(' -')[0]}' on its own line")
            return _default(spec)
        value = [value]  # "tags: ecg" means one tag
    ok = any(_is(value, t) for t in types)
    if not ok and str in types and isinstance(value, dict) and len(value) == 1:  # "- Recognise sepsis: early"
        text = ": ".join(str(part) for part in next(iter(value.items())))
        v.fail(keys, f"'{dotted(keys)}' contains ': ', which starts a new key", f"put it in quotes: '{text}'")
        return _default(spec)
    if not ok:
        want = " or ".join(PLAIN_NAMES.get(t, t.__name__) for t in types)
        v.fail(keys, f"'{dotted(keys)}' must be {want}, got {kind(value)}", spec.hint or spec.doc)
        return _default(spec)
    if spec.choices and value not in spec.choices:
        close = difflib.get_close_matches(str(value), spec.choices, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(spec.choices)
        v.fail(keys, f"'{dotted(keys)}' has unknown value '{value}'", hint)
        return _default(spec)
    if isinstance(value, list) and spec.item is not None:
        value = _items(v, keys, value, spec.item)
    if spec.check:
        message = spec.check(value)
        if message:
            v.fail(keys, f"'{dotted(keys)}' {message}", spec.hint)
            return _default(spec)
    return value


def _items(v: Validator, keys: tuple, items: list, spec: Field | Section | MapOf) -> list:
    """Each item checked; a bad one is reported and left out, so no later stage sees a None."""
    kept = []
    for i, item in enumerate(items):
        before = len(v.problems)
        checked = _value(v, (*keys, i), item, spec)
        if len(v.problems) == before:
            kept.append(checked)
    return kept


def _is(value: Any, t: type) -> bool:
    if t is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if t is date:
        return isinstance(value, date)  # datetime is a date too
    if t is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, t)


def describe(schema: Section, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(key, type, default, doc) rows for documentation, generated from the schema itself."""
    rows = []
    for name, spec in schema.fields.items():
        key = f"{prefix}{name}"
        if isinstance(spec, Section):
            rows.append((key, "mapping", "", spec.doc))
            rows += describe(spec, key + ".")
        elif isinstance(spec, MapOf):
            rows.append((key, "mapping of id → entry", "", spec.doc))
            if isinstance(spec.value, Section):
                rows += describe(spec.value, key + ".<id>.")
        else:
            types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
            tname = " or ".join(TYPE_NAMES.get(t, t.__name__) for t in types)
            if spec.choices:
                tname += " (" + " | ".join(spec.choices) + ")"
            empty = spec.default in (None, "", [], ())
            default = "required" if spec.required else ("" if empty else repr(spec.default))
            rows.append((key, tname, default, spec.doc))
    return rows
