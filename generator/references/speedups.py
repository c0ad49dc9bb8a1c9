"""Performance fixes for third-party code that dominates a profile of the build.

citeproc-py looks up macros, terms and layouts with an lxml XPath query on every use: in a
profile of a 200-post build, `CitationStylesElement.xpath_search` alone took a fifth of the time.
A parsed style or locale never changes once loaded (engine.style() is cached per process), so the
answer to (element, expression) never changes either and can be remembered.
"""
from __future__ import annotations

from citeproc import model as csl_model
from citeproc import source as csl_source

# Every citeproc-py method replaced here, with a digest of the original's source as tested
# (citeproc-py 0.11.1). tests/test_architecture.py fails when an upgrade changes one: check that
# the speedup still gives the same answers (tests/test_references_memo.py), then update the digest.
PATCHED = {
    "citeproc.model:CitationStylesElement.xpath_search": "42d562faabbc7437",
    "citeproc.model:Parent.calls_variable": "a8e64f5802934959",
    "citeproc.model:Text.calls_variable": "b3046520de8d4bcb",
    "citeproc.source:CitationItem.bibliography": "5346e8869ce8c415",
    "citeproc.source:CitationItem.reference": "11ec3dad122ac5b9",
}

_ORIGINAL = csl_model.CitationStylesElement.xpath_search


def _memo_xpath_search(self, expression):
    memo = _root_memo(self, "_peerpress_xpath")
    if memo is None:
        return _ORIGINAL(self, expression)
    key = (self, expression)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _ORIGINAL(self, expression)
    return list(found)  # callers may consume the list; the memo keeps its own


def _root_memo(element, name: str) -> dict | None:
    """The memo `name` kept on `element`'s root (None if the root cannot carry attributes).

    On the root, a memo is dropped together with the style it belongs to. (The proxies it keeps
    alive are the ones citeproc hangs its own attributes on anyway.)"""
    root = element.getroottree().getroot()
    memo = root.__dict__.get(name) if hasattr(root, "__dict__") else None
    if memo is None:
        memo = {}
        try:
            setattr(root, name, memo)
        except AttributeError:
            return None
    return memo


def _memoised_calls_variable(original):
    """`calls_variable` asks whether an element (through its children and macros) uses any
    variable: a property of the style tree alone, yet citeproc-py walks the subtree again for
    every cs:group of every item (a fifth of the time spent formatting an APA reference)."""
    def calls_variable(self):
        memo = _root_memo(self, "_peerpress_calls")
        if memo is None:
            return original(self)
        found = memo.get(self)
        if found is None:
            found = memo[self] = original(self)
        return found
    calls_variable._peerpress_original = original
    return calls_variable


_CALLS_VARIABLE = (csl_model.Parent, csl_model.Text)


# CitationItem.reference is read hundreds of times per rendered entry, each time through three
# levels of CustomDict.__getattr__ → __getitem__ → try/except. The same dict lookups done
# directly; when an entry is missing, the original property runs (and raises as it did).
_ITEM = csl_source.CitationItem
_ORIGINAL_BIBLIOGRAPHY = _ITEM.__dict__["bibliography"]
_ORIGINAL_REFERENCE = _ITEM.__dict__["reference"]


def _item_bibliography(self):
    citation = dict.get(self, "citation")
    if citation is None or "bibliography" not in citation:
        return _ORIGINAL_BIBLIOGRAPHY.fget(self)
    return dict.__getitem__(citation, "bibliography")


def _item_reference(self):
    if "key" not in self:
        return _ORIGINAL_REFERENCE.fget(self)
    return _item_bibliography(self).source[dict.__getitem__(self, "key")]


_FAST_PROPERTIES = {"bibliography": property(_item_bibliography), "reference": property(_item_reference)}


def apply() -> None:
    """Install the memos once per process (idempotent)."""
    if csl_model.CitationStylesElement.xpath_search is not _memo_xpath_search:
        csl_model.CitationStylesElement.xpath_search = _memo_xpath_search
    for cls in _CALLS_VARIABLE:
        if not hasattr(cls.__dict__["calls_variable"], "_peerpress_original"):
            cls.calls_variable = _memoised_calls_variable(cls.__dict__["calls_variable"])
    for name, fast in _FAST_PROPERTIES.items():
        if _ITEM.__dict__[name] is not fast:
            setattr(_ITEM, name, fast)
