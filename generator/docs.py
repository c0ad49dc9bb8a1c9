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
Unknown keys are errors (with a "did you mean"), and so is a key given twice in one mapping
(YAML would silently keep the last: `decision: revise` then `decision: approve` would approve);
every problem names the file and line. A date may be written plain or quoted (`2025-01-31`,
`'2025-01-31'`), with a time and offset if wanted (`2025-01-31T09:30:00+01:00`).
"""

SECTIONS = [
    ("site.yaml", SITE, "The site's configuration, beside `content/` and `reviews/`."),
    ("Post front matter", POST, "YAML between `---` lines at the top of `content/posts/<id>.md` "
                                "or `content/posts/<id>/index.md`.\n\n"
                                "A post's id (`id:`, else the file or folder name) is its URL and part of the "
                                "version reviewers approve, so an approval names the post as well as its text: "
                                "the same text copied under another id is not approved there. Renaming the file "
                                "(and its `reviews/` folder) without `id:` makes a new URL whose text needs "
                                "approving again; to move the file and keep the URL and its approvals, set `id:` "
                                "to the old name. A post still holding `peerpress new post`'s placeholder text "
                                "is an error."),
    ("Page front matter", PAGE, "Standalone pages in `content/pages/<id>.md`."),
    ("Review records", RECORD, "`reviews/<post-id>/<YYYY-MM-DD>-<person-id>.md`: reviews (`type: review`, the "
                               "default), author responses (`type: response`) and editor decisions "
                               "(`type: decision`: accept, reject, withdraw, retract, waive, correction).\n\n"
                               "A review needs a text of its own below the front matter (`peerpress review new` "
                               "leaves it empty, with only a comment), and every rubric score it lists must be "
                               "filled in. A record dated after today (the build's clock, in the site's "
                               "`timezone`) does not count and is an error, as is a review dated before the post "
                               "was submitted: the earliest author date of the post's commits, renames and merged "
                               "branches followed. After a squash merge git keeps no earlier date than the "
                               "merge, so no review is judged against it."),
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
