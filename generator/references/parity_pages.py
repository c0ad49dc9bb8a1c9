"""Page ranges as citeproc-js writes them (expanded ends, page-range-format, non-ranges kept).
Part of the citeproc-js parity fixes installed by parity.py."""
from __future__ import annotations

import re

from citeproc import model as csl_model
from citeproc.string import String, join

# --- page ranges ----------------------------------------------------------------------------

_RANGE = re.compile(r"^\s*([0-9]*[a-zA-Z]+0*)?([0-9]+[a-z]*)\s*[-\u2013]\s*([0-9]*[a-zA-Z]+0*)?([0-9]+[a-z]*)\s*$")
_ROMAN_RANGE = re.compile(r"^\s*([0-9]+|[ivxlcmIVXLCM]+)\s*[-\u2013]\s*([0-9]+|[ivxlcmIVXLCM]+)\s*$")


def process(self, value, variable):
    if variable != "page":
        return _ORIGINAL_PROCESS(self, value, variable)
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


_ORIGINAL_PROCESS = csl_model.FormatNumber._process
