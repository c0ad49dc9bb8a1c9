"""BibTeX and BibLaTeX files to CSL items, with line numbers for every structural problem."""
from __future__ import annotations

import codecs
import re
from functools import lru_cache
from typing import Any

import bibtexparser
import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import splitname

from ..errors import Problem, error, warning
from .csl import csl_date
from .engine import bare_doi

# --- BibTeX / BibLaTeX -----------------------------------------------------------------------

ENTRY_RE = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*([{(])", re.MULTILINE)
BIB_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet",
    "inbook": "chapter", "incollection": "chapter", "bookinbook": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "collection": "book",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report",
    "report": "report", "manual": "report", "online": "webpage", "electronic": "webpage", "www": "webpage",
    "unpublished": "manuscript", "misc": "document", "dataset": "dataset", "software": "software",
    "patent": "patent", "periodical": "periodical",
}
BIB_FIELDS = {  # BibTeX field → CSL variable (names, dates and a few others are handled apart)
    "title": "title", "shorttitle": "title-short", "volume": "volume", "edition": "edition",
    "publisher": "publisher", "address": "publisher-place", "location": "publisher-place",
    "doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN", "pmid": "PMID", "pmcid": "PMCID",
    "note": "note", "language": "language", "series": "collection-title", "chapter": "chapter-number",
    "version": "version", "abstract": "abstract",
}
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                      "nov", "dec"), start=1)}


def from_bibtex(text: str, shown: str) -> tuple[dict, list[Problem]]:
    """Entries via bibtexparser; structure (braces, keys, duplicates) checked here, with lines.

    bibtexparser 1.x silently drops what it cannot parse, and one unbalanced brace can swallow
    the entries after it, so only the entries that passed the structural scan are handed to it.
    """
    problems: list[Problem] = []
    spans = _bib_entries(text, shown, problems)
    entries, seen = [], set()
    for kind, key, line, start, end in spans:
        if key and key in seen:
            problems.append(error(shown, line, f"duplicate citation key '{key}'"))
            continue
        seen.add(key)
        entries.append((kind, key, line, start, end))
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True)
    parser.homogenise_fields = False
    try:
        parsed = bibtexparser.loads("\n\n".join(text[s:e] for _, _, _, s, e in entries), parser=parser)
    except Exception as exc:  # noqa: BLE001 - pyparsing raises many kinds; report, never crash the build
        return {}, problems + [error(shown, None, f"cannot parse BibTeX: {exc}")]
    by_key = {e["ID"]: e for e in parsed.entries}
    items: dict[str, dict] = {}
    for _kind, key, line, _, _ in entries:
        if not key:
            continue
        if key not in by_key:
            problems.append(error(shown, line, f"cannot parse entry '{key}'", "check its fields: name = {value},"))
            continue
        items[key] = _bib_to_csl(by_key[key], key, shown, line, problems)
    return items, problems


def _bib_entries(text: str, shown: str, problems: list[Problem]) -> list[tuple[str, str, int, int, int]]:
    """(type, key, line, start, end) of every @entry; unbalanced braces and missing keys reported."""
    spans = []
    starts = list(ENTRY_RE.finditer(text))
    for n, m in enumerate(starts):
        kind = m.group(1).lower()
        line = text.count("\n", 0, m.start()) + 1
        limit = starts[n + 1].start() if n + 1 < len(starts) else len(text)
        end = _entry_end(text, m.end() - 1, limit)
        if end is None:
            problems.append(error(shown, line, f"unbalanced braces in @{kind} entry",
                                  "every { needs a matching } before the next entry"))
            continue
        if kind in ("comment", "string", "preamble"):
            spans.append((kind, "", line, m.start(), end))
            continue
        key = re.match(r"\s*([^\s,{}()=\"#%']+)\s*,", text[m.end():end])
        if not key:
            problems.append(error(shown, line, f"@{kind} entry without a citation key", "write @article{key, ..."))
            continue
        spans.append((kind, key.group(1), line, m.start(), end))
    return spans


def _entry_end(text: str, open_at: int, limit: int) -> int | None:
    """Index just after the `}` or `)` closing the entry opened at `open_at`, if before `limit`."""
    closer = "}" if text[open_at] == "{" else ")"
    depth = 0
    for i in range(open_at + 1, limit):
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i + 1 if closer == "}" else None
            depth -= 1
        elif c == ")" and closer == ")" and depth == 0:
            return i + 1
    return None


def _braces_closed(text: str, start: int, end: int) -> bool:
    return text.count("{", start, end) == text.count("}", start, end)


def _bib_to_csl(entry: dict, key: str, shown: str, line: int, problems: list[Problem]) -> dict:
    kind = entry.get("ENTRYTYPE", "misc").lower()
    item: dict[str, Any] = {"id": key, "type": BIB_TYPES.get(kind, "document")}
    if kind not in BIB_TYPES:
        problems.append(warning(shown, line, f"unknown entry type @{kind} for '{key}'", "treated as @misc"))
    fields = {k.lower(): v for k, v in entry.items() if k not in ("ENTRYTYPE", "ID")}
    for name in ("author", "editor", "translator"):
        if fields.get(name):
            item[name] = [_bib_name(n) for n in _split_names(fields[name])]
    container = fields.get("journaltitle") or fields.get("journal") or fields.get("booktitle")
    if container:
        item["container-title"] = _latex(container)
    publisher = fields.get("publisher") or fields.get("institution") or fields.get("school") \
        or fields.get("organization")
    if publisher:
        item["publisher"] = _latex(publisher)
    if fields.get("number"):
        item["issue" if item["type"] in ("article-journal", "periodical") else "number"] = _latex(fields["number"])
    if fields.get("pages"):
        item["page"] = re.sub(r"\s*-+\s*", "-", _latex(fields["pages"]).replace("–", "-"))
    for bib_name, csl_name in BIB_FIELDS.items():
        if fields.get(bib_name) and csl_name not in item:
            item[csl_name] = _latex(fields[bib_name]) if bib_name not in ("url", "doi") else fields[bib_name].strip()
    if "DOI" in item:
        item["DOI"] = bare_doi(item["DOI"])
    issued = _bib_date(fields)
    if issued:
        item["issued"] = issued
    if fields.get("urldate"):
        accessed = csl_date(fields["urldate"])
        if accessed:
            item["accessed"] = accessed
    return item


def _bib_date(fields: dict) -> dict | None:
    if fields.get("date"):
        return csl_date(fields["date"])
    year = re.search(r"\d{4}", fields.get("year", ""))
    if not year:
        return None
    parts = [int(year.group())]
    month = fields.get("month", "").strip().lower()
    number = MONTHS.get(month[:3]) if month[:3] in MONTHS else (int(month) if month.isdigit() else None)
    if number and 1 <= number <= 12:
        parts.append(number)
    return {"date-parts": [parts]}


def _split_names(value: str) -> list[str]:
    """Split on top-level ' and ' (braces protect "{Smith and Sons}")."""
    names, depth, start = [], 0, 0
    i = 0
    while i < len(value):
        c = value[i]
        depth += (c == "{") - (c == "}")
        if depth == 0 and value[i:i + 5].lower() == " and ":
            names.append(value[start:i])
            start = i = i + 5
            continue
        i += 1
    names.append(value[start:])
    return [re.sub(r"\s+", " ", n).strip() for n in names if n.strip()]


def _bib_name(raw: str) -> dict:
    if raw.startswith("{") and raw.endswith("}") and _braces_closed(raw, 1, len(raw) - 1):
        return {"literal": _latex(raw)}  # {World Health Organization}: an institution, not a person
    parts = splitname(raw, strict_mode=False)
    family = _latex(" ".join(parts["last"]))
    given = _latex(" ".join(parts["first"]))
    name: dict[str, str] = {"family": family} if family else {}
    if given:
        name["given"] = given
    if parts["von"]:
        name["non-dropping-particle"] = _latex(" ".join(parts["von"]))
    if parts["jr"]:
        name["suffix"] = _latex(" ".join(parts["jr"]))
    return name if family else {"literal": _latex(raw)}


@lru_cache(maxsize=8192)  # a pure function of the text; names and journals recur across entries
def _latex(value: str) -> str:
    """LaTeX to Unicode text: accents decoded, \\emph{x} → x, protective braces dropped."""
    text = value.replace("\\i ", "i").replace("{\\i}", "i").replace("\\i}", "i}")
    try:
        text = codecs.decode(text, "ulatex")
    except ValueError:  # latexcodec rejects some malformed input; keep the raw text rather than fail
        text = value
    text = re.sub(r"\\[A-Za-z]+\s*", "", text)
    text = text.replace("{", "").replace("}", "").replace("\\", "").replace("~", "\u00a0")
    return re.sub(r"\s+", " ", text).strip()


