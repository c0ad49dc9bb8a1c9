"""YAML with line numbers, so every problem can point at the line that caused it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from . import limits, yamlwords

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
    def __init__(self, message: str, line: int | None, hint: str = "", fixed: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint  # how to fix it
        self.fixed = fixed  # the text with this mistake repaired, to look for the next (yamlwords.py)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    """An impossible date (2025-02-30) stays text, so the schema names it in words (dates.py)."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return node.value


class SafeLoader(yaml.SafeLoader):
    pass


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


# libyaml's loader is several times faster and gives nodes the same line marks. It is used for
# the documents that parse; any that fails is parsed again by the pure-Python loader, whose
# marks yamlwords.py reads to name the mistake in an author's words.
FastLoader = type("FastLoader", (yaml.CSafeLoader,), {}) if hasattr(yaml, "CSafeLoader") else None
if FastLoader is not None:
    FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def parse(text: str, offset: int = 0) -> Document:
    """Parse one YAML document; raise YamlError with the file line on bad syntax."""
    try:
        return _parse(text, offset)
    except RecursionError:  # PyYAML builds nested values recursively
        line = limits.yaml_depth_line(text)
        raise YamlError(f"values are nested too deeply (more than {limits.MAX_YAML_DEPTH} levels)",
                        line + offset if line else None, "nest fewer lists and keys inside each other") from None


def _parse(text: str, offset: int) -> Document:
    if FastLoader is not None:
        loader = FastLoader(text)
        try:
            node = loader.get_single_node()
            _refuse_duplicates(node, offset)
            data = loader.construct_document(node) if node is not None else None
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            pass  # reported below, from the pure-Python loader's marks
        else:
            return _document(data, node, offset)
        finally:
            loader.dispose()
    return _parse_slowly(text, offset)


def _document(data: Any, node: yaml.Node | None, offset: int) -> Document:
    doc = Document(data, offset=offset)
    if node is not None:
        _walk(node, doc.lines, offset)
    return doc


def _parse_slowly(text: str, offset: int) -> Document:
    try:
        loader = SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # control characters such as NUL, found while reading
        line = text.count("\n", 0, exc.position) + 1 + offset
        raise YamlError(f"the character {exc.character:#06x} is not allowed", line,
                        "delete it: editors often do not show it") from None
    node = None
    try:
        node = loader.get_single_node()
        _refuse_duplicates(node, offset)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mistake = yamlwords.explain(text, exc, offset)
        raise YamlError(mistake.message, mistake.line + 1 + offset, mistake.hint, mistake.fixed) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. impossible dates like 2025-02-30
        bad = _unconstructable(node) if node is not None else None
        if bad is None:
            raise YamlError(f"invalid YAML value: {exc}", None) from None
        raise YamlError(f"invalid value '{bad.value}': {exc}", bad.start_mark.line + 1 + offset) from None
    finally:
        loader.dispose()
    return _document(data, node, offset)


# More values than any site.yaml or front matter needs; aliases nested a few levels deep
# ("billion laughs") would otherwise make every later stage walk millions of values.
MAX_VALUES = 100_000


def _walk(root: yaml.Node, lines: dict[Key, int], offset: int) -> None:
    """Record the line of every key and item; refuse recursive aliases and alias bombs."""
    budget = MAX_VALUES
    stack: list[tuple[yaml.Node, Key, frozenset[int]]] = [(root, (), frozenset())]
    while stack:
        node, path, ancestors = stack.pop()
        budget -= 1
        if budget < 0:
            raise YamlError(f"more than {MAX_VALUES} values in all (aliases count each time they are used)",
                            node.start_mark.line + 1 + offset, "split the data or use fewer aliases")
        if len(path) > limits.MAX_YAML_DEPTH:
            raise YamlError(f"values are nested too deeply (more than {limits.MAX_YAML_DEPTH} levels)",
                            node.start_mark.line + 1 + offset, "nest fewer lists and keys inside each other")
        if isinstance(node, yaml.CollectionNode) and len(node.value) > limits.MAX_ITEMS:
            n = len(node.value)
            what = f"a list of {n} items is longer" if isinstance(node, yaml.SequenceNode) else \
                f"{n} keys in one place are more"
            raise YamlError(f"{what} than {limits.MAX_ITEMS}",
                            node.start_mark.line + 1 + offset, "shorten it")
        if id(node) in ancestors:
            raise YamlError("a '*' reference points to a value that contains it",
                            node.start_mark.line + 1 + offset, "write the value out instead of the reference")
        inner = ancestors | {id(node)}
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = (*path, key_node.value)
                lines[key] = key_node.start_mark.line + 1
                stack.append((value_node, key, inner))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                stack.append((item, (*path, i), inner))


def _refuse_duplicates(root: yaml.Node | None, offset: int) -> None:
    """A mapping that names a key twice is refused, at any depth.

    YAML loaders silently keep the last value: a review with `decision: revise` and then
    `decision: approve` would count as an approval nobody sees when reading the top of the
    file. Checked on the node graph before construction, so merge keys (`<<`), which the
    constructor flattens into the mapping, never look like duplicates. Each node is visited
    once, so aliases cost nothing."""
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[object, yaml.Node] = {}
            for key_node, value_node in node.value:
                key = _key(key_node)
                if key in first and key is not None:
                    line = first[key].start_mark.line + 1 + offset
                    raise YamlError(f"duplicate key '{key_node.value}'", key_node.start_mark.line + 1 + offset,
                                    f"first at line {line}; keep one")
                first.setdefault(key, key_node)
                stack += [key_node, value_node]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def _key(node: yaml.Node) -> object:
    """What a mapping key means: `1` and `0x1`, or `yes` and `true`, are the same key to YAML 1.1."""
    if not isinstance(node, yaml.ScalarNode):
        return None  # complex keys (a list as a key) are left to the schema, which refuses them
    if node.tag == "tag:yaml.org,2002:str":
        return ("str", node.value)
    try:
        value = yaml.SafeLoader("").construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError, yaml.YAMLError):
        return (node.tag, node.value)
    return (type(value).__name__, value)


def _unconstructable(node: yaml.Node, seen: frozenset[int] = frozenset()) -> yaml.ScalarNode | None:
    """The first scalar, in document order, that PyYAML cannot turn into a value (to name its line)."""
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.SafeLoader("").construct_object(node, deep=True)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError):
            return node
        return None
    children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else \
        list(node.value) if isinstance(node, yaml.SequenceNode) else []
    seen = seen | {id(node)}  # aliases may point back at an ancestor
    for child in children:
        if id(child) in seen:
            continue
        bad = _unconstructable(child, seen)
        if bad is not None:
            return bad
    return None
