"""Licence ids as links: shared by citations, feeds and the reader-facing page furniture."""
from __future__ import annotations

import re


def license_url(license_id: str) -> str:
    """SPDX id → URL: Creative Commons ids map to their deeds, others to the SPDX page."""
    if re.match(r"^https?://", license_id):
        return license_id
    m = re.match(r"^CC-(BY(?:-NC)?(?:-SA|-ND)?)-(\d\.\d)$", license_id, re.IGNORECASE)
    if m:
        return f"https://creativecommons.org/licenses/{m.group(1).lower()}/{m.group(2)}/"
    if license_id.upper() == "CC0-1.0":
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    return f"https://spdx.org/licenses/{license_id}.html"

