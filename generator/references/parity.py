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
import unicodedata

import citeproc
from citeproc import frontend as csl_frontend
from citeproc import model as csl_model
from citeproc import string as csl_string
from citeproc import source as csl_source
from citeproc.source import json as csl_json
from citeproc.string import MixedString, String, join

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


# citeproc-py stores item variables under Python names (container_author) but cs:names looks its
# roles up as written in the style (container-author), so no hyphenated name variable was ever
# rendered. References answer to both spellings.
def _reference_contains(self, key):
    return dict.__contains__(self, key) or (isinstance(key, str) and dict.__contains__(self, key.replace("-", "_")))


def _reference_get(self, key, default=None):
    if isinstance(key, str) and not dict.__contains__(self, key):
        key = key.replace("-", "_")
    return dict.get(self, key, default)


def _reference_getitem(self, key):
    if isinstance(key, str) and not dict.__contains__(self, key):
        key = key.replace("-", "_")
    return _ORIGINAL_GETITEM(self, key)


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


# --- page ranges ----------------------------------------------------------------------------

_RANGE = re.compile(r"^\s*([0-9]*[a-zA-Z]+0*)?([0-9]+[a-z]*)\s*[-\u2013]\s*([0-9]*[a-zA-Z]+0*)?([0-9]+[a-z]*)\s*$")
_ROMAN_RANGE = re.compile(r"^\s*([0-9]+|[ivxlcmIVXLCM]+)\s*[-\u2013]\s*([0-9]+|[ivxlcmIVXLCM]+)\s*$")


def _process(self, value, variable):
    if variable != "page":
        return _ORIGINAL["process"](self, value, variable)
    delimiter = self.get_single_term(name="page-range-delimiter") or "\u2013"
    range_format = self.get_root().get_option("page-range-format")
    amp = " " + self.unicode_character("AMPERSAND") + " "
    return join((join((String(_page_range(part, delimiter, range_format)) for part in item.split("&")), amp)
                 for item in str(value).split(",")), ", ")


def _page_range(text: str, delimiter: str, range_format: str | None) -> str:
    """One page or range as citeproc-js's page mangler writes it."""
    m = _RANGE.match(text)
    if not m:
        roman = _ROMAN_RANGE.match(text)
        return f"{roman.group(1)}{delimiter}{roman.group(2)}" if roman else text.strip()
    p1, first, p2, last = m.group(1) or "", m.group(2), m.group(3), m.group(4)
    if p2 and p2 != p1:
        return f"{p1}{first}{delimiter}{p2}{last}"
    if len(last) < len(first):
        last = first[:len(first) - len(last)] + last
    if not int(_digits(first)) < int(_digits(last)):
        return f"{p1}{first}{delimiter}{p2 or ''}{last}"
    repeat = p1 if (range_format or "expanded") == "expanded" else ""  # "A1–A10" but "A1–10"
    return f"{p1}{first}{delimiter}{repeat}{_shorten(first, last, range_format)}"


def _digits(text: str) -> str:
    return re.match(r"\d+", text).group()


def _shorten(first: str, last: str, range_format: str | None) -> str:
    if range_format == "minimal":
        return _minimal(first, last, 0)
    if range_format == "minimal-two":
        return _minimal(first, last, 2)
    if range_format in ("chicago", "chicago-15", "chicago-16"):
        return _chicago(first, last)
    return last


def _minimal(first: str, last: str, keep: int) -> str:
    if len(first) != len(last):
        return last
    common = 0
    while common < len(first) and first[common] == last[common] and len(last) - common > keep:
        common += 1
    return last[common:]


def _chicago(first: str, last: str) -> str:
    begin = int(_digits(first))
    if begin < 100 or begin % 100 == 0:
        return last
    if begin % 100 < 10:
        return _minimal(first, last, 0)
    return _minimal(first, last, 2)


# --- sorting ------------------------------------------------------------------------------------

def collation_key(text: str) -> str:
    """A sort key ordered as citeproc-js's locale comparison orders names and titles: accents and
    case only break ties, spaces sort before punctuation, punctuation before symbols, then digits
    and letters (so "O’Brien" comes before "Okafor", where code points put ’ after every letter)."""
    out = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            continue
        kind = unicodedata.category(char)[0]
        out.append({"Z": "\x01", "P": "\x02", "S": "\x03"}.get(kind, char.casefold()))
    return "".join(out)


def _sort_keys(self, items, context):
    keys = _ORIGINAL["sort_keys"](self, items, context)
    return [collation_key(str(k)) if isinstance(k, (str, MixedString)) else k for k in keys]


# --- year suffixes ------------------------------------------------------------------------------

def assign_year_suffixes(bibliography) -> None:
    """disambiguate-add-year-suffix (APA): works by the same names in the same year become 2024a,
    2024b, ... in bibliography order, in the reference list and the in-text citations alike.
    (Works whose names only look alike in a short citation are told apart by adding names, not a
    suffix, so the group is the full name list.) citeproc-py implemented no disambiguation."""
    root = bibliography.style.root
    if root.citation.get("disambiguate-add-year-suffix", "false").lower() != "true":
        return
    items = list(bibliography.items)
    if root.bibliography is not None and root.bibliography.find("cs:sort", root.nsmap) is not None:
        items = bibliography.style.sort_bibliography(items)
    groups: dict[tuple, list] = {}
    for item in items:
        reference = item.reference
        dict.pop(reference, "year_suffix", None)
        key = _ambiguity_key(reference)
        if key is not None:
            groups.setdefault(key, []).append(reference)
    for references in groups.values():
        if len(references) > 1:
            for n, reference in enumerate(references):
                dict.__setitem__(reference, "year_suffix", _suffix(n))


def _ambiguity_key(reference) -> tuple | None:
    issued = dict.get(reference, "issued")
    year = getattr(issued, "get", lambda *_: None)("year") if issued is not None else None
    names = next((dict.get(reference, v) for v in ("author", "editor") if dict.get(reference, v)), None)
    if year is None or not names:
        return None
    return tuple(_name_key(name) for name in names), year


def _name_key(name) -> tuple[str, str, str]:
    """(given, particles + family, suffix): "van der Berg" and "Berg" with the particle "van der"
    are the same name to a reader, and to citeproc-js, which splits particles off family names."""
    given, family, dropping, non_dropping, suffix = (str(part or "") for part in name.parts())
    return given, " ".join(" ".join((dropping, non_dropping, family)).split()), suffix


def _suffix(n: int) -> str:
    """a … z, then aa, ab, … as citeproc-js numbers them."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[n] if n < 26 else letters[n // 26 - 1] + letters[n % 26]


def _with_suffixes(method):
    def wrapper(self, *args, **kwargs):
        assign_year_suffixes(self)
        return method(self, *args, **kwargs)
    wrapper._peerpress_original = method
    return wrapper


# --- installation -----------------------------------------------------------------------------

_NAMES = frozenset(csl_json.NAMES)
_ORIGINAL_GETITEM = csl_source.CustomDict.__getitem__
_ORIGINAL_GET_TERM = csl_model.CitationStylesElement.get_term
_ORIGINAL = {"process": csl_model.FormatNumber._process, "init": csl_json.CiteProcJSON.__init__,
             "sort_keys": csl_model.Key.sort_keys}


def _capture_render_bibliography() -> None:
    """Wraps whatever render_bibliography is installed (patches' second-field-align fix first)."""
    _ORIGINAL["render_bibliography"] = csl_model.Layout.render_bibliography
    csl_model.Layout.render_bibliography = _render_bibliography


def _source_init(self, json_data):
    _ORIGINAL["init"](self, [prepare_item(ref) for ref in json_data])


def apply() -> None:
    """Install the fixes once per process (idempotent; called by patches.apply)."""
    if csl_string.normalize_seam is normalize_seam:
        return
    csl_string.normalize_seam = normalize_seam
    csl_model.normalize_seam = normalize_seam
    csl_model.Name.initialize = initialize
    csl_model.FormatNumber._process = _process
    csl_json.CiteProcJSON.__init__ = _source_init
    csl_model.Key.sort_keys = _sort_keys
    for name in ("cite", "bibliography"):
        setattr(csl_frontend.CitationStylesBibliography, name,
                _with_suffixes(getattr(csl_frontend.CitationStylesBibliography, name)))
    csl_source.Reference.__contains__ = _reference_contains
    csl_model.CitationStylesElement.get_term = _get_term
    csl_source.Reference.get = _reference_get
    csl_source.Reference.__getitem__ = _reference_getitem
    _capture_render_bibliography()
