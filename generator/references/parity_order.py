"""Order in a reference list as citeproc-js gives it: locale-like sorting and year suffixes
(2024a, 2024b). Part of the citeproc-js parity fixes installed by parity.py."""
from __future__ import annotations

import unicodedata

from citeproc import frontend as csl_frontend
from citeproc import model as csl_model
from citeproc.string import MixedString

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
    keys = _ORIGINAL_SORT_KEYS(self, items, context)
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


_ORIGINAL_SORT_KEYS = csl_model.Key.sort_keys


def apply() -> None:
    """Called once by parity.apply."""
    csl_model.Key.sort_keys = _sort_keys
    for name in ("cite", "bibliography"):
        setattr(csl_frontend.CitationStylesBibliography, name,
                _with_suffixes(getattr(csl_frontend.CitationStylesBibliography, name)))
