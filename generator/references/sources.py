"""Loading bibliography files (.bib, CSL-JSON, CSL-YAML) into CSL items keyed by citation key."""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import latexcodec  # noqa: F401  (registers the "ulatex" codec)

from .. import yamlio
from ..errors import Problem, error, rel
from .bibtex import from_bibtex
from .csl import normalize_item

# ---------------------------------------------------------------------------------------------
# Loading bibliographies


def load_bibliography(paths: list[Path], root: Path) -> tuple[dict[str, dict], list[Problem]]:
    """CSL-JSON items by key from .bib, .json and .yaml/.yml files; later files win on a clash."""
    items: dict[str, dict] = {}
    problems: list[Problem] = []
    for path in paths:
        path = path if path.is_absolute() else root / path
        shown = rel(path, root)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            problems.append(error(shown, None, "bibliography file not found"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(error(shown, None, f"cannot read bibliography: {exc}", "save it as UTF-8"))
            continue
        found, found_problems = parse_bibliography(text, path.suffix.lower(), shown)
        items.update(found)
        problems += found_problems
    return items, problems


def parse_bibliography(text: str, suffix: str, shown: str) -> tuple[dict[str, dict], list[Problem]]:
    """Parse one file's text; a pure function of its arguments, so callers may cache it."""
    items, problems = _parse_cached(text, suffix, shown)
    return copy.deepcopy(items), list(problems)


@lru_cache(maxsize=64)
def _parse_cached(text: str, suffix: str, shown: str) -> tuple[dict[str, dict], tuple[Problem, ...]]:
    if suffix == ".bib":
        items, problems = from_bibtex(text, shown)
    elif suffix == ".json":
        items, problems = _from_csl_json(text, shown)
    elif suffix in (".yaml", ".yml"):
        items, problems = _from_csl_yaml(text, shown)
    else:
        return {}, (error(shown, None, f"unknown bibliography format '{suffix}'",
                          "use .bib (BibTeX/BibLaTeX), .json (CSL-JSON) or .yaml (CSL-YAML)"),)
    return items, tuple(problems)


# --- CSL-JSON and CSL-YAML -------------------------------------------------------------------

def _from_csl_json(text: str, shown: str) -> tuple[dict, list[Problem]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return {}, [error(shown, exc.lineno, f"invalid CSL-JSON: {exc.msg}")]
    lines = _json_item_lines(text)
    return _csl_items(data, shown, lambda i: lines[i] if i < len(lines) else None)


def _json_item_lines(text: str) -> list[int]:
    """Line of each top-level array item, found by scanning (json.loads keeps no positions)."""
    decoder = json.JSONDecoder()
    lines: list[int] = []
    pos = text.find("[")
    if pos < 0:
        return lines
    pos += 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return lines


def _from_csl_yaml(text: str, shown: str) -> tuple[dict, list[Problem]]:
    try:
        doc = yamlio.parse(text)
    except yamlio.YamlError as exc:
        return {}, [error(shown, exc.line, exc.message, exc.hint)]
    data = doc.data
    prefix: tuple = ()
    if isinstance(data, dict) and "references" in data:  # Pandoc's `references:` form
        data, prefix = data["references"], ("references",)
    return _csl_items(data, shown, lambda i: doc.line(*prefix, i))


def _csl_items(data: Any, shown: str, line_of) -> tuple[dict, list[Problem]]:
    if not isinstance(data, list):
        return {}, [error(shown, 1, "a CSL bibliography must be a list of items")]
    items: dict[str, dict] = {}
    problems: list[Problem] = []
    for i, raw in enumerate(data):
        line = line_of(i)
        if not isinstance(raw, dict) or not str(raw.get("id", "")).strip():
            problems.append(error(shown, line, "bibliography item without an 'id'", "every item needs a citation key"))
            continue
        key = str(raw["id"]).strip()
        if key in items:
            problems.append(error(shown, line, f"duplicate citation key '{key}'"))
            continue
        items[key] = normalize_item(raw, key)
    return items, problems


