"""Walking markdown-it tokens with the file line each came from (for `path:line:` messages)."""
from __future__ import annotations

from collections.abc import Iterator


def walk(tokens, line_offset: int = 0) -> Iterator[tuple[object, int]]:
    """Every block token and every inline child, with its 1-based line in the source file.

    Inline children have no line map of their own: their line is the block's first line plus
    the line breaks before them."""
    block_line = line_offset + 1
    for token in tokens:
        if token.map:
            block_line = line_offset + token.map[0] + 1
        yield token, block_line
        if token.type == "inline" and token.children:
            breaks = 0
            for child in token.children:
                yield child, block_line + breaks
                if child.type in ("softbreak", "hardbreak"):
                    breaks += 1
                elif child.type in ("text", "html_inline", "code_inline"):
                    breaks += child.content.count("\n")
