"""The content-addressed store of formatted citations (generator/references/store.py)."""
from __future__ import annotations

from generator.references import engine, store
from tests.test_citation_shapes import citeproc

ITEM = {"id": "sepsis-basics", "type": "post-weblog", "title": "Sepsis: the first hour?",
        "container-title": "Shift Notes", "author": [{"family": "van der Berg", "given": "Jan Willem"}],
        "issued": {"date-parts": [[2024, 5, 3]]}, "URL": "https://example.org/posts/sepsis-basics/"}


def test_an_entry_is_formatted_once_and_read_back_by_the_next_build(tmp_path):
    first = store.Store(tmp_path)
    made = first.format_item(ITEM, "apa")
    assert made == citeproc(ITEM, "apa")
    assert (first.hits, first.misses) == (0, 1)
    first.save()
    second = store.Store(tmp_path)
    second.formatter = None  # any miss would now fail: the entry must come from disk
    assert second.format_item(ITEM, "apa") == made
    assert (second.hits, second.misses) == (1, 0)


def test_the_key_is_the_item_and_the_style(tmp_path):
    s = store.Store(tmp_path)
    s.format_item(ITEM, "apa")
    other = dict(ITEM, title="Sepsis: the second hour")
    assert s.format_item(other, "apa") == citeproc(other, "apa")
    ama = "american-medical-association"
    assert s.format_item(ITEM, ama) == citeproc(ITEM, ama)
    assert s.misses == 3


def test_a_tampered_or_foreign_store_is_ignored(tmp_path, monkeypatch):
    s = store.Store(tmp_path)
    s.format_item(ITEM, "apa")
    s.save()
    files = sorted(tmp_path.glob("citations-*.pickle"))
    assert len(files) == 1
    data = bytearray(files[0].read_bytes())
    data[-5] ^= 1
    files[0].write_bytes(bytes(data))
    again = store.Store(tmp_path)
    assert again.format_item(ITEM, "apa") == citeproc(ITEM, "apa")
    assert again.misses == 1
    again.save()
    # Another citeproc-py or another version of the formatting code: nothing is read.
    monkeypatch.setattr(store, "version", lambda: "other-version")
    later = store.Store(tmp_path)
    later.format_item(ITEM, "apa")
    assert later.misses == 1


def test_no_cache_builds_do_not_read_the_store(tmp_path):
    s = store.Store(tmp_path)
    s.format_item(ITEM, "apa")
    s.save()
    cold = store.Store(tmp_path, read=False)
    cold.format_item(ITEM, "apa")
    assert cold.misses == 1


def test_a_build_served_from_the_store_equals_a_clean_build(blog, tmp_path, monkeypatch):
    """Every page rendered again (another output folder), every citation read from the store:
    no formatting code may run, and the site is byte for byte a clean build's."""
    from generator.references import shapes
    from tests.test_cache import clean_build, files, incremental, sample

    sample(blog)
    incremental(blog)

    def no_formatting(*args, **kwargs):
        raise AssertionError("a citation was formatted although the store holds it")

    monkeypatch.setattr(shapes, "raw", no_formatting)
    monkeypatch.setattr(engine, "_render_entries", no_formatting)
    report = blog.build(jobs=1, out=blog.root / "elsewhere")
    assert not [p for p in report.problems if p.severity == "error"], report.problems
    assert report.site is not None and report.site.listed
    monkeypatch.undo()
    assert files(blog.root / "elsewhere") == clean_build(blog, tmp_path)


def test_a_post_in_another_language_is_formatted_in_its_locale(tmp_path):
    """engine.format_item renders a German post in CSL's de-DE locale ("abgerufen", month names);
    the store must give the same, and a reference-list entry stays in the style's locale."""
    item = dict(ITEM, language="de")
    locale = engine.item_locale(item, "apa")
    assert locale == "de-DE"
    german = tuple(engine._render_entries([item["id"]], {item["id"]: item}, "apa", locale)[0][1:])
    s = store.Store(tmp_path)
    assert s.format_item(item, "apa") == german
    assert s.format_item(item, "apa", localised=False) == citeproc(item, "apa") != german
