"""Reference documentation generated from the schemas themselves, so it can never drift.

`python -m generator.docs > docs/configuration.md` rewrites it; a test fails when it is stale.
"""
from __future__ import annotations

from .config import SITE
from .content import PAGE, POST
from .reviews import RECORD
from .schema import Section, describe

INTRO = """# Configuration and file reference

Generated from Peerpress's own schemas by `python -m generator.docs`; do not edit by hand.
Unknown keys are errors (with a "did you mean"), and every problem names the file and line.
"""

SECTIONS = [
    ("site.yaml", SITE, "The site's configuration, beside `content/` and `reviews/`."),
    ("Post front matter", POST, "YAML between `---` lines at the top of `content/posts/<id>.md` "
                                "or `content/posts/<id>/index.md`."),
    ("Page front matter", PAGE, "Standalone pages in `content/pages/<id>.md`."),
    ("Review records", RECORD, "`reviews/<post-id>/<YYYY-MM-DD>-<person-id>.md`: reviews (`type: review`, the "
                               "default), author responses (`type: response`) and editor decisions "
                               "(`type: decision`: accept, reject, withdraw, retract, waive, correction)."),
]


def table(schema: Section) -> str:
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for key, kind, default, doc in describe(schema):
        cells = [f"`{key}`", kind, f"`{default}`" if default and default != "required" else default, doc]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def reference() -> str:
    parts = [INTRO]
    for title, schema, blurb in SECTIONS:
        parts.append(f"## {title}\n\n{blurb}\n\n{table(schema)}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(reference(), end="")
