"""Performance fixes for third-party code that dominates a profile of the build.

citeproc-py looks up macros, terms and layouts with an lxml XPath query on every use: in a
profile of a 200-post build, `CitationStylesElement.xpath_search` alone took a fifth of the time.
A parsed style or locale never changes once loaded (engine.style() is cached per process), so the
answer to (element, expression) never changes either and can be remembered.
"""
from __future__ import annotations

from citeproc import model as csl_model

_ORIGINAL = csl_model.CitationStylesElement.xpath_search


def _memo_xpath_search(self, expression):
    # The memo lives on the root element: it is dropped together with the style it belongs to.
    # (The proxies it keeps alive are the ones citeproc hangs its own attributes on anyway.)
    root = self.getroottree().getroot()
    memo = root.__dict__.get("_peerpress_xpath") if hasattr(root, "__dict__") else None
    if memo is None:
        memo = {}
        try:
            root._peerpress_xpath = memo
        except AttributeError:  # an element class that cannot carry attributes: no memo
            return _ORIGINAL(self, expression)
    key = (self, expression)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _ORIGINAL(self, expression)
    return list(found)  # callers may consume the list; the memo keeps its own


def apply() -> None:
    """Install the memo once per process (idempotent)."""
    if csl_model.CitationStylesElement.xpath_search is not _memo_xpath_search:
        csl_model.CitationStylesElement.xpath_search = _memo_xpath_search
