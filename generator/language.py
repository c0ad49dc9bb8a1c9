"""Language tags (BCP 47), checked with langcodes against the IANA subtag registry."""
from __future__ import annotations

import langcodes


def tag_problem(value: str) -> str | None:
    """None for a well-formed, registered tag like `es`, `pt-BR` or `zh-Hant`; otherwise what is wrong."""
    if "_" in value:
        return f"is not a BCP 47 language tag (write '{value.replace('_', '-')}', with a hyphen)"
    if not value or not langcodes.tag_is_valid(value):
        return "is not a BCP 47 language tag, e.g. en, es, fr, pt-BR"
    return None
