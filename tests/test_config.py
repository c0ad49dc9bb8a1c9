"""site.yaml validation: strict keys, types, required keys, line numbers, all at once."""
from pathlib import Path

import pytest

from generator import config
from generator.errors import ProblemError

GOOD = """\
title: My blog
base_url: https://blog.example.org/sub
timezone: Europe/Paris
people:
  ann:
    name: Ann Example
    orcid: 0000-0002-1825-0097
    roles: [author, reviewer]
"""


def load_text(tmp_path: Path, text: str):
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    return config.load(path)


def problems_of(tmp_path: Path, text: str):
    with pytest.raises(ProblemError) as info:
        load_text(tmp_path, text)
    return info.value.problems


def test_valid_config_gets_defaults(tmp_path):
    cfg = load_text(tmp_path, GOOD)
    assert cfg.base_url == "https://blog.example.org/sub/"
    assert cfg.license == "CC-BY-4.0"
    assert cfg.review.approvals_required == 2
    assert cfg.people["ann"].roles == ("author", "reviewer")
    assert cfg.content_dir == tmp_path / "content"
    assert cfg.extra["feeds"]["limit"] == 20
    assert cfg.extra["citation"]["default_style"] == "nlm-citation-sequence"


def test_unknown_key_suggests_the_right_one(tmp_path):
    [p] = problems_of(tmp_path, GOOD + "titel: oops\n")
    assert p.line == 9
    assert "unknown key 'titel'" in p.message
    assert p.hint == "did you mean 'title'?"


def test_nested_unknown_key_has_its_line(tmp_path):
    [p] = problems_of(tmp_path, GOOD + "review:\n  aprovals_required: 3\n")
    assert p.line == 10 and "review.aprovals_required" in p.message
    assert "approvals_required" in p.hint


def test_all_problems_reported_at_once(tmp_path):
    text = """\
base_url: ftp://nope
timezone: Mars/Olympus
per_page: many
people:
  ann:
    orcid: 1234
    roles: [author, janitor]
"""
    problems = problems_of(tmp_path, text)
    messages = [p.message for p in problems]
    assert any("missing required key 'title'" in m for m in messages)
    assert any(m.startswith("'base_url'") for m in messages)
    assert any(m.startswith("'timezone'") for m in messages)
    assert any("'per_page' must be a whole number, got the text 'many'" == m for m in messages)
    assert any("missing required key 'people.ann.name'" in m for m in messages)
    assert any(m.startswith("'people.ann.orcid'") for m in messages)
    assert any("unknown value 'janitor'" in m for m in messages)
    lines = {p.message.split("'")[1]: p.line for p in problems if p.message.startswith("'")}
    assert lines["base_url"] == 1 and lines["timezone"] == 2 and lines["per_page"] == 3
    assert lines["people.ann.orcid"] == 6


def test_orcid_checksum(tmp_path):
    [p] = problems_of(tmp_path, GOOD.replace("0000-0002-1825-0097", "0000-0002-1825-0098"))
    assert "check digit" in p.message and p.line == 7


def test_broken_yaml_names_the_line(tmp_path):
    [p] = problems_of(tmp_path, "title: ok\nbase_url: [unclosed\npeople: {}\n")
    assert (p.path, p.line, p.message) == ("site.yaml", 2, "this list is never closed")


def test_missing_file(tmp_path):
    [p] = problems_of_missing(tmp_path)
    assert "no site.yaml" in p.message


def problems_of_missing(tmp_path):
    with pytest.raises(ProblemError) as info:
        config.load(tmp_path / "site.yaml")
    return info.value.problems


def test_passing_rule_with_unknown_decision(tmp_path):
    [p] = problems_of(tmp_path, GOOD + "review:\n  passing:\n    - {aprove: 2}\n")
    assert "unknown decision 'aprove'" in p.message and p.line == 11


def test_sample_site_yaml_is_valid():
    cfg = config.load(Path(__file__).resolve().parent.parent / "site.yaml")
    assert len([p for p in cfg.people.values() if p.has_role("author")]) >= 4
    assert len([p for p in cfg.people.values() if p.has_role("reviewer")]) >= 3
    assert cfg.review.rubric is not None and len(cfg.review.rubric.items) >= 5


def test_tag_labels_map_tags_to_words(tmp_path):
    cfg = load_text(tmp_path, GOOD + "tag_labels:\n  ecg: ECG\n  point-of-care: Point-of-care ultrasound\n")
    assert cfg.extra["tag_labels"] == {"ecg": "ECG", "point-of-care": "Point-of-care ultrasound"}
    assert load_text(tmp_path, GOOD).extra["tag_labels"] == {}
    problems = problems_of(tmp_path, GOOD + "tag_labels:\n  ecg: [E, C, G]\n  Bad Tag: x\n")
    assert sorted(p.line for p in problems) == [10, 11]
    assert any("tag_labels.ecg" in p.message for p in problems)
