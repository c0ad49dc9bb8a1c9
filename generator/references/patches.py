"""Fixes for citeproc-py defects, applied where they arise (tests/test_references.py guards them)."""
from __future__ import annotations

from citeproc import model as csl_model
from citeproc.source import VariableError
from citeproc.string import join

from . import parity

# Every citeproc-py method replaced here, with a digest of the original's source as tested
# (citeproc-py 0.11.1). tests/test_architecture.py fails when an upgrade changes one: check that
# the fix still fits the new code (or is no longer needed), then update the digest.
PATCHED = {
    "citeproc.model:Layout.render_bibliography": "ab8788bfd613c868",
    "citeproc.model:Date.render_single_date": "b7864c10e6089bd6",
    "citeproc.model:FormatNumber._format_last_page": "4ee910a0f96df871",
}


class _Aligned(str):
    """A bibliography entry whose first field (the number) is set apart: `.left` and `.right`."""
    left: str = ""
    right: str = ""


def _render_bibliography(self, citation_items):
    """second-field-align: citeproc-py glued the number to the entry ("1.Smith J"). Render the
    first field separately, join with a space, and keep both parts for callers."""
    if not self.getparent().get("second-field-align"):
        return _ORIGINAL["render_bibliography"](self, citation_items)
    out = []
    for item in citation_items:
        self.repressed = {}
        children = list(self.iterchildren())
        left = _render_children(children[:1], item)
        right = _render_children(children[1:], item)
        if right is None:
            continue
        whole = self.format(self.wrap(join([p for p in (left, right) if p is not None], " ")))
        entry = _Aligned(whole)
        entry.left, entry.right = str(left or ""), str(self.format(self.wrap(right)))
        out.append(entry)
    return out


def _render_children(children, item):
    output = []
    for child in children:
        try:
            text = child.render(item)
        except VariableError:
            continue
        if text is not None:
            output.append(text)
    return join(output) if output else None


def _render_single_date(self, date, show_parts=None, context=None):
    """Localized dates ("2024 May 1" in NLM) take their delimiter from the locale's cs:date; citeproc-py
    used the calling element's (none) and printed "2024May1"."""
    parts = self.parts(date, show_parts, context) if context is not self else self.parts(date, show_parts)
    return self.join(parts) if parts else None


def _format_last_page(self, first, last):
    """Minimal page ranges only shorten ends with as many digits as the start (CSL appendix):
    citeproc-py turned 1-10 into "1–0"."""
    if len(first) != len(last):
        return last
    return _ORIGINAL["format_last_page"](self, first, last)


_ORIGINAL = {"render_bibliography": csl_model.Layout.render_bibliography,
             "format_last_page": csl_model.FormatNumber._format_last_page}


def apply() -> None:
    """Install the fixes once per process (idempotent)."""
    if not getattr(csl_model.Layout, "_peerpress_patched", False):
        csl_model.Layout.render_bibliography = _render_bibliography
        csl_model.Date.render_single_date = _render_single_date
        csl_model.FormatNumber._format_last_page = _format_last_page
        csl_model.Layout._peerpress_patched = True
        parity.apply()  # where citeproc-py and citeproc-js disagree, agree with citeproc-js
