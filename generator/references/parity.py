"""Where citeproc-py's output differs from citeproc-js, the reference CSL processor, make it agree.

Each fix below reproduces one behaviour of citeproc-js (checked by tests/test_citeproc_js.py, which
formats the same items with both and compares):

- punctuation at a seam merges as citeproc-js's merge table says: a title ending in "?" or "!"
  takes no full stop after it ("Does lactate matter? Shift Notes", not "matter?. Shift Notes");
- typographic quotes: straight apostrophes become ’, quoted passages take the locale's quotes
  (outer “…”, inner ‘…’), and a full stop or comma after a closing quote moves inside it when the
  locale says punctuation-in-quote (en-US does);
- name variables with a hyphen (reviewed-author, container-author) are rendered, and CSL 1.0.2's
  reviewed-author and reviewed-title are known;
- names in scripts without letter case (Arabic) are initialised; Chinese, Japanese and Korean
  names are written family-then-given without a space or initials;
- sorting compares as a locale does (punctuation before letters, accents only break ties);
- year suffixes (2024a, 2024b) where the style asks for them (APA);
- page ranges: ends are expanded ("101-8" is 101-108) and shortened as page-range-format says,
  while a page that is not a simple range ("396-402.e4") is left as written.
"""
from __future__ import annotations

import re

import citeproc
from citeproc import model as csl_model
from citeproc import string as csl_string
from citeproc.source import json as csl_json

from . import parity_order, parity_pages

# --- CSL 1.0.2 variables -------------------------------------------------------------------------

# citeproc-py 0.11 knows CSL 1.0.1's variables only; the styles shipped use reviewed-author and
# reviewed-title for reviews (APA: "[Review of Title, by A. Author]"), and citeproc-js renders them.
# Added here, at import, before engine and csl derive their variable sets from these lists (the
# package imports engine, which imports patches and so this module, before anything else).
for _name in ("reviewed_author",):
    if _name not in citeproc.NAMES:
        citeproc.NAMES.append(_name)
        citeproc.VARIABLES.append(_name)
for _name in ("reviewed_title",):
    if _name not in citeproc.VARIABLES:
        citeproc.VARIABLES.append(_name)


# CSL 1.0: a missing term form falls back (verb-short → verb → long, symbol → short → long);
# citeproc-py returned nothing, so APA's "[Review of Title, by A. Author]" lost its "by".
_FORM_FALLBACK = {"verb-short": "verb", "symbol": "short", "verb": None, "short": None}


def _get_term(self, name, form=None, *args, **kwargs):
    term = _ORIGINAL_GET_TERM(self, name, form, *args, **kwargs)
    while term is None and form in _FORM_FALLBACK:
        form = _FORM_FALLBACK[form]
        term = _ORIGINAL_GET_TERM(self, name, form, *args, **kwargs)
    return term


# --- punctuation at a seam --------------------------------------------------------------------

# citeproc-js (queue.js) merge table: (end of the left text, start of the right) → merged text.
# Only merges that drop the right-hand mark are needed: the rest keep both characters.
_DROP_RIGHT = {("!", "."), ("!", ":"), ("?", "."), ("?", ":"), (":", "."), (";", ":"), (";", ".")}
_MARKUP_TAIL = re.compile("(?:\ue000/?[a-z]+\ue001)+$")  # engine's formatting sentinels
_ORIGINAL_SEAM = csl_string.normalize_seam


def normalize_seam(left, other):
    other = _ORIGINAL_SEAM(left, other)
    text, right = _MARKUP_TAIL.sub("", str(left)), str(other)
    if text and right and (text[-1], right[0]) in _DROP_RIGHT:
        return csl_string._strip_first_char(other)
    return other


# --- typographic quotes in item data ----------------------------------------------------------

_VERBATIM = frozenset({"URL", "DOI", "ISBN", "ISSN", "PMID", "PMCID", "id", "type", "language"})
_OPEN_QUOTE = re.compile(r"(?<![^\s(\[{\u2014\u2013/\"'-])([\"'])(?=\S)")
_CLOSE_QUOTE = re.compile(r"(?<=\S)([\"'])(?=$|[\s)\]}.,;:!?\u2014\u2013/\"'-])")


def smart_quotes(text: str) -> str:
    """Straight quotes as citeproc-js reads them: pairs become outer/inner quotes by depth
    (whichever straight mark opened them), any other ' is an apostrophe (’)."""
    if "'" not in text and '"' not in text:
        return text
    marks = _quote_marks(text)
    out, stack = [], []
    for i, char in enumerate(text):
        kind = marks.get(i)
        if kind == "open":
            stack.append(char)
            out.append("\u201c" if len(stack) % 2 else "\u2018")
        elif kind == "close":
            out.append("\u201d" if len(stack) % 2 else "\u2019")
            stack.pop()
        else:
            out.append("\u2019" if char == "'" else char)
    return "".join(out)


def _quote_marks(text: str) -> dict[int, str]:
    """Positions of opening and closing straight quotes that pair up (an unpaired mark stays as
    it is: a double quote stays straight, a single one is an apostrophe)."""
    opens = {m.start(1): m.group(1) for m in _OPEN_QUOTE.finditer(text)}
    closes = {m.start(1): m.group(1) for m in _CLOSE_QUOTE.finditer(text)}
    marks: dict[int, str] = {}
    stack: list[tuple[int, str]] = []
    for i in sorted(set(opens) | set(closes)):
        char = text[i]
        if i in closes and stack and stack[-1][1] == char:
            marks[stack.pop()[0]] = "open"
            marks[i] = "close"
        elif i in opens:
            stack.append((i, char))
    return marks


_AFTER_QUOTE = re.compile("\u201d((?:\ue000/[a-z]+\ue001)*)([.,])")


def punctuation_in_quote(text: str) -> str:
    """`“ending”.` → `“ending.”`: en-US (punctuation-in-quote) puts a full stop or comma that
    follows a closing quote inside it, as citeproc-js does."""
    return _AFTER_QUOTE.sub("\\2\u201d\\1", text)


def _render_bibliography(self, citation_items):
    entries = _ORIGINAL["render_bibliography"](self, citation_items)
    if self.get_locale_option("punctuation-in-quote").lower() != "true":
        return entries
    out = []
    for entry in entries:
        fixed = type(entry)(punctuation_in_quote(str(entry)))
        for part in ("left", "right"):
            if hasattr(entry, part):
                setattr(fixed, part, punctuation_in_quote(getattr(entry, part)))
        out.append(fixed)
    return out


def _cjk(name: dict) -> bool:
    return any(_CJK.search(str(name.get(part, ""))) for part in ("family", "given"))


_CJK = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]")


def prepare_item(ref: dict) -> dict:
    """An item as citeproc-js would read it: typographic quotes in text and names, and CJK
    names as one literal (family then given, no space: citeproc-js's non-romanesque names)."""
    out = {}
    for key, value in ref.items():
        if isinstance(value, str) and key not in _VERBATIM:
            value = smart_quotes(value)
        elif isinstance(value, list) and value and all(isinstance(n, dict) for n in value) \
                and key.replace("-", "_") in _NAMES:
            value = [_prepare_name(n) for n in value]
        out[key] = value
    return out


def _prepare_name(name: dict) -> dict:
    if "literal" not in name and _cjk(name):
        return {"literal": str(name.get("family", "")) + str(name.get("given", ""))}
    return {k: smart_quotes(v) if isinstance(v, str) else v for k, v in name.items()}


# --- names: initials in uncased scripts ---------------------------------------------------------

def initialize(self, given, mark, context):
    """citeproc-py initialised only upper-case words, so an Arabic given name (no case) was left
    whole or treated as a particle; citeproc-js initialises every word not in lower case."""
    parts_by_hyphen = given.split("-") if self.get_option("initialize-with-hyphen", context) \
        else [given.replace("-", " ")]
    result = []
    for hyphen_part in parts_by_hyphen:
        text, group = "", []
        for part in hyphen_part.replace(".", " ").split():
            if part[0].isalpha() and not part[0].islower():
                group.append(part[0])
            else:  # a particle ("de", "van"): kept as written
                text += mark.join(group) + mark + " " + part + " "
                group = []
        text += mark.join(group) + mark
        result.append(" ".join(text.split()))
    return "-".join(result)


# --- installation ---

# Every citeproc-py method replaced here and in parity_order/parity_pages, with a digest of the
# original's source as tested (citeproc-py 0.11.1; tests/test_architecture.py compares them).
# Also replaced: the module function citeproc.string.normalize_seam (seen by model too).
PATCHED = {
    "citeproc.model:Name.initialize": "34c1396278ddc094",
    "citeproc.model:FormatNumber._process": "926cb3e265ab55dc",
    "citeproc.model:Key.sort_keys": "c1c5cf608941bb17",
    "citeproc.model:CitationStylesElement.get_term": "eb3fad2e83df815f",
    "citeproc.source.json:CiteProcJSON.__init__": "905e6a8a7d6e2f09",
    "citeproc.frontend:CitationStylesBibliography.cite": "81d9e85dfd602423",
    "citeproc.frontend:CitationStylesBibliography.bibliography": "8627e6aaf79283be",
}

_NAMES = frozenset(csl_json.NAMES)
_ORIGINAL_GET_TERM = csl_model.CitationStylesElement.get_term
_ORIGINAL = {"init": csl_json.CiteProcJSON.__init__}


def _capture_render_bibliography() -> None:
    """Wraps whatever render_bibliography is installed (patches' second-field-align fix first)."""
    _ORIGINAL["render_bibliography"] = csl_model.Layout.render_bibliography
    csl_model.Layout.render_bibliography = _render_bibliography


def _source_init(self, json_data):
    _ORIGINAL["init"](self, [prepare_item(ref) for ref in json_data])
    # citeproc-py stores variables under Python names (container_author), but cs:names looks its
    # roles up as the style writes them (container-author): no hyphenated name variable was ever
    # rendered. Each such list is also filed under its CSL name.
    for reference in self.values():
        for key in [k for k in reference if k in _NAMES and "_" in k]:
            dict.__setitem__(reference, key.replace("_", "-"), dict.__getitem__(reference, key))


def apply() -> None:
    """Install the fixes once per process (idempotent; called by patches.apply)."""
    if csl_string.normalize_seam is normalize_seam:
        return
    csl_string.normalize_seam = normalize_seam
    csl_model.normalize_seam = normalize_seam
    csl_model.Name.initialize = initialize
    csl_model.FormatNumber._process = parity_pages.process
    csl_json.CiteProcJSON.__init__ = _source_init
    parity_order.apply()
    csl_model.CitationStylesElement.get_term = _get_term
    _capture_render_bibliography()
