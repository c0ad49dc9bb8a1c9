"""Shape templates (generator/references/shapes.py) give citeproc-py's bytes for every item.

A seeded generator makes items the way cite.csl_item does (post-weblog, a blog as container)
and a few other types, with the names and titles that trip up citation formatters: particles,
organisations, hyphenated and lower-case given names, non-Latin scripts, titles ending in
punctuation, markup characters. Every one is compared with citeproc-py itself (engine._render_entries,
the path engine.format_item takes without the memo and the store now in front of it).
"""
from __future__ import annotations

import random

import pytest

from generator.references import engine, shapes

GIVEN = ["Amara", "Jan Willem", "Jean-Paul", "Mei", "amara-jo", "J. R. R.", "Zoë", "Ólafur", "Иван", "Σοφία",
         "李", "Ngozi Adaeze", "O'Neil", "de la", "Åsa-Lena", "M.", "Kwame K."]
FAMILY = ["Okafor", "van der Berg", "de la Cruz", "O'Brien", "Nguyễn", "Петров", "Παπαδόπουλος", "王",
          "Smith-Jones", "MacDonald", "von Neumann", "D'Angelo", "al-Rashid", "López Obrador"]
ORGS = ["World Health Organization", "Royal College of Emergency Medicine", "NICE", "Médecins Sans Frontières",
        "Shift Notes Editorial Team", "日本救急医学会", "Group & Co."]
WORDS = ["sepsis", "the", "ECG", "of", "a", "in", "Adults", "what's", "new", "and", "child", "pH", "COVID-19",
         "β-blockers", "<script>", "&", "\"quoted\"", "résumé", "Ω", "—", "vs.", "ÉTUDE", "on", "to", "x²"]
ENDINGS = ["", "", "?", "!", ".", "…", ":", ")", "\"", "'"]
STYLES = ["nlm-citation-sequence", "american-medical-association", "apa"]
OTHER_STYLES = ["nature", "harvard-cite-them-right", "chicago-author-date", "modern-language-association",
                "ieee", "bmj"]


def person(rng: random.Random) -> dict:
    roll = rng.random()
    if roll < 0.12:
        return {"literal": rng.choice(ORGS)}
    if roll < 0.18:
        return {"family": rng.choice(FAMILY)}
    return {"family": rng.choice(FAMILY), "given": rng.choice(GIVEN)}


def title(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 9))]
    text = " ".join(words)
    if rng.random() < 0.5:
        text = text[0].upper() + text[1:]
    return text + rng.choice(ENDINGS)


def item(rng: random.Random, n: int) -> dict:
    """An item as cite.csl_item makes one, or now and then another type with other fields."""
    kind = "post-weblog" if rng.random() < 0.85 else rng.choice(["article-journal", "book", "webpage"])
    out = {"id": f"post-{n}", "type": kind, "title": title(rng),
           "container-title": rng.choice(["Shift Notes", "The ED Blog: Notes & Queries", "Ärzteblog"]),
           "author": [person(rng) for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 7]))]}
    if rng.random() < 0.95:
        out["issued"] = {"date-parts": [[rng.randint(1998, 2030), rng.randint(1, 12), rng.randint(1, 28)]]}
    elif rng.random() < 0.5:
        out["issued"] = {"date-parts": [[rng.randint(1998, 2030)]]}
    out["URL"] = f"https://blog.example.org/posts/{n}-{rng.choice(['a', 'b_c', 'd%20e'])}/"
    if rng.random() < 0.3:
        out["DOI"] = f"10.{rng.randint(1000, 99999)}/sn.{n}"
    if rng.random() < 0.3:
        out["ISSN"] = "2049-3630"
    out["language"] = rng.choice(["en", "en-GB", "de"])
    if rng.random() < 0.5:
        out["abstract"] = title(rng)
    if kind == "article-journal":
        out.update({"volume": str(rng.randint(1, 40)), "issue": str(rng.randint(1, 12)),
                    "page": f"{rng.randint(1, 500)}-{rng.randint(501, 999)}"})
    return out


def citeproc(it: dict, style: str) -> tuple[str, str]:
    """citeproc-py alone: engine.format_item's own path without any memo or store in front."""
    _, html, text = engine._render_entries([it["id"]], {it["id"]: it}, style)[0]
    return html, text


def items(seed: int, count: int) -> list[dict]:
    rng = random.Random(seed)
    return [item(rng, n) for n in range(count)]


@pytest.mark.parametrize("style", STYLES)
def test_templates_equal_citeproc_for_the_cite_this_post_styles(style):
    formatter = shapes.Formatter()
    generated = items(2026, 400)
    for n, it in enumerate(generated):
        assert formatter.format_item(it, style) == citeproc(it, style), (n, it)
    # Not a vacuous pass: items without quotes or caseless scripts (whose values a shape keeps
    # verbatim) are nearly all filled into a template rather than sent to citeproc.
    plain = [it for it in generated if not shapes.split(it).verbatim]
    assert len(plain) > 60
    fresh = shapes.Formatter()
    for it in plain:
        assert fresh.format_item(it, style) == citeproc(it, style)
    assert fresh.templated > 0.8 * len(plain), (fresh.templated, fresh.direct)


@pytest.mark.parametrize("style", OTHER_STYLES)
def test_templates_equal_citeproc_for_other_styles(style):
    formatter = shapes.Formatter()
    for n, it in enumerate(items(7, 80)):
        assert formatter.format_item(it, style) == citeproc(it, style), (n, it)


def test_a_style_that_transforms_a_value_falls_back_to_citeproc(monkeypatch):
    """A title that a style would change (here: upper-cased by a patched rendering) must never
    be filled into a template that shows it unchanged."""
    real = shapes.raw

    def shouting(it, style):
        out = dict(it)
        if isinstance(out.get("title"), str):
            out["title"] = out["title"].upper()
        return real(out, style)

    monkeypatch.setattr(shapes, "raw", shouting)
    formatter = shapes.Formatter()
    for it in items(3, 40):
        body = formatter.raw(it, "apa")
        assert body == shouting(engine._citeproc_item(it, "k0"), "apa")
    assert formatter.templated == 0


def test_reserved_characters_go_to_citeproc():
    it = {"id": "x", "type": "post-weblog", "title": "Placeholder \U000F0000 inside", "author": [{"literal": "A"}],
          "issued": {"date-parts": [[2024, 1, 2]]}}
    formatter = shapes.Formatter()
    assert formatter.format_item(it, "apa") == citeproc(it, "apa")
    assert formatter.direct == 1 and formatter.templated == 0
