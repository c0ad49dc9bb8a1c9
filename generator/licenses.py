"""Licence ids as links and as the names people write: shared by citations, feeds and themes."""
from __future__ import annotations

import re

CREATIVE_COMMONS = re.compile(r"^CC-(BY(?:-NC)?(?:-SA|-ND)?)-(\d\.\d)$", re.IGNORECASE)


def license_url(license_id: str) -> str:
    """SPDX id → URL: Creative Commons ids map to their deeds, others to the SPDX page."""
    if re.match(r"^https?://", license_id):
        return license_id
    m = CREATIVE_COMMONS.match(license_id)
    if m:
        return f"https://creativecommons.org/licenses/{m.group(1).lower()}/{m.group(2)}/"
    if license_id.upper() == "CC0-1.0":
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    return f"https://spdx.org/licenses/{license_id}.html"


def license_name(license_id: str) -> str:
    """SPDX id → the name people write: CC-BY-NC-SA-4.0 → "CC BY-NC-SA 4.0"."""
    m = CREATIVE_COMMONS.match(license_id)
    if m:
        return f"CC {m.group(1).upper()} {m.group(2)}"
    if license_id.upper() == "CC0-1.0":
        return "CC0 1.0"
    return license_id
