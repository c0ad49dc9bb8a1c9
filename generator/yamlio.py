"""YAML with line numbers, so every problem can point at the line that caused it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Key = tuple  # a path into the document: ("people", "jdoe", "orcid")


@dataclass
class Document:
    data: Any
    lines: dict[Key, int] = field(default_factory=dict)
    offset: int = 0  # lines in the file before the YAML text (front matter fence)

    def line(self, *path: Any) -> int | None:
        """The 1-based file line of `path`, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p] + self.offset
            p = p[:-1]
        return self.offset + 1 if self.offset else 1


class YamlError(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


def parse(text: str, offset: int = 0) -> Document:
    """Parse one YAML document; raise YamlError with the file line on bad syntax."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 + offset if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        cmark = getattr(exc, "context_mark", None)
        if context and cmark and mark and cmark.line != mark.line:
            problem += f" ({context} that starts on line {cmark.line + 1 + offset})"
        raise YamlError(f"invalid YAML: {problem}", line) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. impossible dates like 2025-02-30
        raise YamlError(f"invalid YAML value: {exc}", None) from None
    finally:
        loader.dispose()
    doc = Document(data, offset=offset)
    if node is not None:
        _walk(node, (), doc.lines)
    return doc


def _walk(node: yaml.Node, path: Key, lines: dict[Key, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*path, key_node.value)
            lines[key] = key_node.start_mark.line + 1
            _walk(value_node, key, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), lines)
