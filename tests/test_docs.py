"""The configuration reference is generated from the schemas; it must be current."""
from pathlib import Path

from generator.docs import reference

ROOT = Path(__file__).resolve().parent.parent


def test_configuration_reference_is_current():
    current = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    assert current == reference(), "run: .venv/bin/python -m generator.docs > docs/configuration.md"


def test_reference_lists_every_top_level_key():
    from generator.config import SITE
    text = reference()
    for key in SITE.fields:
        assert f"| `{key}` |" in text
