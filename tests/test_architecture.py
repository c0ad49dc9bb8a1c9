"""The shape of generator/ (docs/architecture.md): no import cycle, layers that only point down,
small modules, and citeproc-py patches that still fit the citeproc-py they patch."""
from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"
MAX_LINES = 400
TOO_BIG_FOR_NOW: set[str] = set()  # no exceptions: split a module that outgrows the limit
# On top of the engine: the command line, and the services commands call (they run builds).
TOP = ("generator.cli", "generator.__main__", "generator.commands", "generator.serve", "generator.publish")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(f): f for f in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.AST, parents: dict) -> bool:
    """Imports under `if TYPE_CHECKING:` are annotations, not run: they make no cycle."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(name: str) -> set[str]:
    """Modules of generator/ that `name` imports, at its top or inside functions."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(here[:len(here) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else node.module
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if target in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports(name) for name in MODULES}


def layer(name: str) -> str:
    if name.startswith(TOP):
        return "top"
    return "engine" if name.startswith("generator.engine") else "stage"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_every_kind_of_import():
    """The walker itself: relative, absolute, from-package and function-level imports all count."""
    assert "generator.engine.build" in GRAPH["generator.commands.build"]  # inside run()
    assert "generator.cite" in GRAPH["generator.engine.build"]  # from .. import cite (a package)
    assert "generator.references.engine" in GRAPH["generator.config"]  # from .references.engine import …
    assert "generator.serve" in GRAPH["generator.commands.serve"]  # from .. import serve, in a function
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    assert cycles(GRAPH) == []


def test_layers_only_point_down():
    """Stages never import the engine or a command; the engine never imports a command."""
    order = {"stage": 0, "engine": 1, "top": 2}
    upward = sorted((name, target) for name, targets in GRAPH.items() for target in targets
                    if order[layer(target)] > order[layer(name)])
    assert upward == []


@pytest.mark.parametrize("path", sorted(MODULES.values()), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_over_400_lines(path):
    shown = path.relative_to(ROOT).as_posix()
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if shown not in TOO_BIG_FOR_NOW:
        assert lines <= MAX_LINES, f"{shown} has {lines} lines: split it along a seam (docs/architecture.md)"


def source_digest(target: str) -> str | None:
    """sha256 (16 hex digits) of the source of `module:Class.method` as citeproc-py ships it."""
    module, qualname = target.split(":")
    cls, method = qualname.split(".")
    path = Path(importlib.util.find_spec(module).origin)
    text = path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == method:
                    return hashlib.sha256(ast.get_source_segment(text, item).encode()).hexdigest()[:16]
    return None


def patched() -> dict[str, str]:
    from generator.references import parity, patches, speedups
    return {**patches.PATCHED, **speedups.PATCHED, **parity.PATCHED}


def test_every_patched_citeproc_method_is_the_one_we_tested():
    changed = {target: (tested, source_digest(target)) for target, tested in patched().items()
               if source_digest(target) != tested}
    assert changed == {}, ("citeproc-py changed methods Peerpress patches (target: (tested, installed)); "
                           "check each patch in generator/references/patches.py and speedups.py against "
                           "the new code, then update its digest")


def test_every_citeproc_patch_is_declared():
    """What the engine actually replaced on citeproc-py's classes is exactly what PATCHED lists."""
    from generator.references import engine  # noqa: F401  (importing it installs the patches)
    replaced = set()
    for module_name_ in ("citeproc.model", "citeproc.source", "citeproc.source.json", "citeproc.frontend"):
        module = importlib.import_module(module_name_)
        for cls_name, cls in vars(module).items():
            if not inspect.isclass(cls) or cls.__module__ != module_name_:
                continue
            for attr, value in vars(cls).items():
                fn = value.fget if isinstance(value, property) else value
                if getattr(fn, "__module__", "").startswith("generator."):
                    replaced.add(f"{module_name_}:{cls_name}.{attr}")
    assert replaced == set(patched())


def test_docs_architecture_names_only_files_that_exist():
    """docs/architecture.md is the map a newcomer follows: every module it names must be there."""
    text = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"[\w/]+\.py\b", text)) | set(re.findall(r"generator/(\w+/)", text))
    assert len(named) > 30
    missing = sorted(n for n in named if not ((PACKAGE / n).exists() or (ROOT / n).exists()))
    assert missing == []
    assert "```mermaid" in text


def test_every_command_module_is_registered():
    from generator import cli
    with_cli = sorted(name.rsplit(".", 1)[1] for name, path in MODULES.items()
                      if name.startswith("generator.commands.") and "def add_cli(" in path.read_text(encoding="utf-8"))
    assert sorted(cli.COMMANDS) == with_cli
