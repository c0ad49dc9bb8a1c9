"""The site-wide bibliography: citation.bibliography in site.yaml, or content/bibliography.*.

`files` is the one place that knows which files it comes from: the build's cache key, the no-op
check and serve's rebuild-on-change all ask it, so they cannot drift apart.
"""
from __future__ import annotations

import functools
from pathlib import Path

from . import cache, references
from .errors import Problem, error, rel
from .loading import SERIAL, Job, Loader
from .model import Config

CANDIDATES = ("bibliography.bib", "bibliography.json", "bibliography.yaml")


def files(config: Config) -> list[Path]:
    """The configured file, else every file the bibliography may come from (the first found wins)."""
    name = config.extra.get("citation", {}).get("bibliography")
    if name:
        return [config.root / name]
    return [config.content_dir / c for c in CANDIDATES]


def cache_key(config: Config) -> str:
    return cache.digest(cache.config_key(config), *[cache.file_key(p) for p in files(config)])


def load(config: Config, loader: Loader = SERIAL) -> tuple[dict, list[Problem]]:
    """The entries by citation key, and the problems found (parsed once per change of its file
    when the build's loader caches: BibTeX parsing is slow)."""
    job = Job("site", functools.partial(cache_key, config), functools.partial(parse, config))
    ((entries, problems),) = loader.run("bibliography", [job], dict)
    return entries if entries is not None else {}, problems


def parse(config: Config) -> tuple[dict, list[Problem]]:
    name = config.extra["citation"]["bibliography"]
    paths = files(config)
    if name and not paths[0].is_file():
        return {}, [error(rel(config.path, config.root), None, f"citation.bibliography '{name}' not found",
                          "give a path relative to site.yaml")]
    for path in paths:
        if path.is_file():
            return references.load_bibliography([path], config.root)
    return {}, []
