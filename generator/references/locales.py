"""Which CSL locale renders a post's own citation: its language, where the style allows it."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from citeproc.frontend import LOCALES_PATH


@lru_cache(maxsize=256)
def csl_locale(language: str, style_locale: str) -> str:
    """The citeproc locale for a BCP 47 tag ("es" → "es-ES", "pt-BR" → "pt-BR"), or "" to keep the
    style's own: a style with a default-locale is written for that language (CSL 1.0.2, "Locale"
    fallback), and English needs no change."""
    if not language or style_locale or language.lower() in ("en", "en-us"):
        return ""
    files = {p.name[len("locales-"):-len(".xml")] for p in Path(LOCALES_PATH).glob("locales-*.xml")}
    if language in files:
        return language
    primary = language.split("-")[0].lower()
    for candidate in (f"{primary}-{primary.upper()}", primary):  # the usual primary dialect: es-ES, fr-FR, de-DE
        if candidate in files:
            return candidate
    return next((f for f in sorted(files) if f.split("-")[0] == primary), "")
