"""Themes: the inheritance chain, the Jinja2 environment and static assets."""
from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import cache, yamlio
from .errors import Problem, ProblemError, error, rel
from .model import Config

THEME_KEYS = {"name", "description", "extends", "license", "author"}
# Themes shipped with Peerpress; a site's own themes/ folder is searched first.
BUILTIN_THEMES = Path(__file__).resolve().parent.parent / "themes"


def find_theme(config: Config, name: str) -> Path | None:
    return find(config.themes_dir, name)


def find(themes_dir: Path, name: str) -> Path | None:
    """The folder of theme `name`: the site's own themes first, then those shipped with Peerpress."""
    for base in (themes_dir, BUILTIN_THEMES):
        if (base / name).is_dir():
            return base / name
    return None


def available(themes_dir: Path) -> list[str]:
    """Names of every theme a site can use."""
    return sorted({p.name for base in (themes_dir, BUILTIN_THEMES) if base.is_dir()
                   for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")})


@dataclass
class Theme:
    chain: list[Path]  # most specific first: the site's theme, then what it extends
    static: dict[str, Path] = field(default_factory=dict)  # output path -> source file (overrides applied)
    fingerprints: dict[str, str] = field(default_factory=dict)

    def files(self) -> list[Path]:
        """Every file the theme consists of (for cache keys)."""
        return sorted(f for d in self.chain for f in d.rglob("*") if f.is_file())


def resolve(config: Config) -> Theme:
    """Follow `extends:` from the configured theme; cycles and missing themes are errors."""
    chain: list[Path] = []
    name = config.theme
    shown_cfg = rel(config.path, config.root)
    while name:
        folder = find_theme(config, name)
        if folder is None:
            where = rel(chain[-1] / "theme.yaml", config.root) if chain else shown_cfg
            themes = rel(config.themes_dir, config.root)
            raise ProblemError([error(where, None, f"theme '{name}' not found in {themes}/",
                                      "check the theme name or its 'extends:'")])
        if folder in chain:
            cycle = " → ".join([p.name for p in chain] + [name])
            raise ProblemError([error(rel(chain[-1] / "theme.yaml", config.root), None,
                                      f"circular theme inheritance: {cycle}", "remove one 'extends:'")])
        chain.append(folder)
        name = _extends(folder, config)
    links = _outside_links(config, chain)
    if links:
        raise ProblemError(links)
    theme = Theme(chain)
    for folder in reversed(chain):  # later (more specific) themes override earlier files
        static = folder / "static"
        if static.is_dir():
            for f in sorted(static.rglob("*")):
                if f.is_file() and f.resolve().is_relative_to(folder.resolve()):
                    theme.static["assets/" + f.relative_to(static).as_posix()] = f
    for out, src in theme.static.items():
        theme.fingerprints[out] = hashlib.sha256(src.read_bytes()).hexdigest()[:10]
    return theme


def _outside_links(config: Config, chain: list[Path]) -> list[Problem]:
    """A theme is read from its own folder only: a symlink out of it could publish any file."""
    problems = []
    for folder in chain:
        home = BUILTIN_THEMES if folder.resolve().is_relative_to(BUILTIN_THEMES) else config.root.resolve()
        if not folder.resolve().is_relative_to(home):
            problems.append(error(rel(folder, config.root), None, "the theme folder is a link to outside the project",
                                  "copy the theme into themes/ instead of linking to it"))
            continue
        for f in sorted(folder.rglob("*")):
            if f.is_symlink() and not f.resolve().is_relative_to(folder.resolve()):
                problems.append(error(rel(f, config.root), None, "is a link to a file outside the theme",
                                      "copy the file into the theme instead of linking to it"))
    return problems


def _extends(folder: Path, config: Config) -> str:
    meta_path = folder / "theme.yaml"
    if not meta_path.is_file():
        return ""
    shown = rel(meta_path, config.root)
    try:
        meta = yamlio.parse(meta_path.read_text(encoding="utf-8-sig")).data or {}
    except yamlio.YamlError as exc:  # a duplicate key says which; other YAML errors keep their old words
        raise ProblemError([error(shown, exc.line, exc.message if exc.hint else "invalid YAML in theme.yaml",
                                  exc.hint)]) from None
    if not isinstance(meta, dict):
        raise ProblemError([error(shown, 1, "theme.yaml must be a mapping", "e.g. 'extends: default'")])
    unknown = set(meta) - THEME_KEYS
    if unknown:
        raise ProblemError([error(shown, None, f"unknown key '{min(unknown)}' in theme.yaml",
                                  "known keys: " + ", ".join(sorted(THEME_KEYS)))])
    return str(meta.get("extends") or "")


def environment(config: Config, theme: Theme) -> jinja2.Environment:
    """Templates are looked up along the chain, most specific theme first.

    "<theme>/<name>" names a theme's own template (or what it inherits), so an override can
    extend the very file it replaces: {% extends "default/base.html" %} in themes/x/base.html.
    """
    folders = [str(d / "templates") for d in theme.chain]
    by_name = {d.name: jinja2.FileSystemLoader(folders[i:]) for i, d in enumerate(theme.chain)}
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(folders), jinja2.PrefixLoader(by_name)])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             bytecode_cache=_bytecode_cache(config))
    return env


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates, reused across builds (compiling them was most of a small rebuild).

    Compiled code runs as it is loaded, so each entry is a signed cache file (cache.dump): one that
    is missing, foreign, corrupt or tampered with, such as a `.peerpress-cache/` committed in a pull
    request, is compiled afresh from the template, never loaded (SECURITY.md). Jinja then checks the
    entry against its template's source checksum.
    """

    SALT = f"jinja-{jinja2.__version__}-trim-lstrip-autoescape"  # the options compiled code depends on

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.pickle"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = cache.load(self._path(bucket), self.SALT)
        if isinstance(data, bytes):
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # noqa: BLE001 - signed but unreadable (another Python): compile afresh
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # a read-only checkout still builds, just without the cache
            cache.dump(self._path(bucket), self.SALT, bucket.bytecode_to_string())


def _bytecode_cache(config: Config) -> jinja2.BytecodeCache | None:
    folder = config.root / cache.FOLDER / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return SignedBytecodeCache(folder)


def template_problem(exc: Exception, config: Config) -> Problem:
    """A template error as a Problem naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = rel(exc.filename, config.root) if exc.filename else (exc.name or "template")
        return error(where, exc.lineno, f"template syntax error: {exc.message}", "fix the template")
    import traceback
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.endswith((".html", ".xml", ".txt", ".j2"))]
    if isinstance(exc, jinja2.TemplateNotFound):
        # Named by the template that asked for it (extends/include), where there is one.
        where, line = (rel(frames[-1].filename, config.root), frames[-1].lineno) if frames else \
            (rel(config.themes_dir, config.root), None)
        return error(where, line, f"missing template '{exc.name}'", "add it to the theme or to the theme it extends")
    if frames:
        return error(rel(frames[-1].filename, config.root), frames[-1].lineno, f"template error: {exc}",
                     "check the variable names used in the template")
    return error(rel(config.themes_dir, config.root), None, f"template error: {exc}")
