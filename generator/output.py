"""Writing site/ atomically: build beside it, then swap, so a failed build loses nothing."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import Problem, error
from .model import Config, Output


@dataclass
class WriteReport:
    written: int = 0
    unchanged: int = 0


def unsafe_target(config: Config, out: Path) -> Problem | None:
    """Refuse output folders whose replacement would destroy sources or the system."""
    out = out.resolve()
    root = config.root.resolve()
    forbidden = {root: "the project folder", config.content_dir.resolve(): "content/",
                 config.reviews_dir.resolve(): "reviews/", config.themes_dir.resolve(): "themes/",
                 Path.home().resolve(): "your home folder", Path("/"): "the file-system root"}
    if out in forbidden:
        return error(str(out), None, f"refusing to build into {forbidden[out]}",
                     "choose a dedicated output folder such as site/")
    if root.is_relative_to(out):
        return error(str(out), None, "refusing to build into a folder that contains the project",
                     "choose a dedicated output folder such as site/")
    for src in (config.content_dir, config.reviews_dir, config.themes_dir, config.path):
        if src.resolve().is_relative_to(out):
            return error(str(out), None, f"the output folder contains {src.name}, which the build would delete",
                         "choose a dedicated output folder such as site/")
    return None


def safe_relpath(path: str) -> PurePosixPath:
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise ValueError(f"output path leaves the output folder: {path!r}")
    return p


def write(outputs: list[Output], out: Path) -> WriteReport:
    """Write every output into a fresh folder beside `out`, then swap it in.

    Files whose bytes did not change are hard-linked from the previous build, so they keep
    their modification times (rsync and deploys stay small). Anything not in `outputs`, such
    as pages of deleted posts, is gone from the new folder.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    report = WriteReport()
    try:
        for o in outputs:
            rp = safe_relpath(o.path)
            dest = staging.joinpath(*rp.parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            old = out.joinpath(*rp.parts)
            if _same(old, o.data):
                try:
                    os.link(old, dest)
                except OSError:
                    shutil.copy2(old, dest)
                report.unchanged += 1
            else:
                dest.write_bytes(o.data)
                report.written += 1
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _same(old: Path, data: bytes) -> bool:
    try:
        return old.is_file() and not old.is_symlink() and old.stat().st_size == len(data) and old.read_bytes() == data
    except OSError:
        return False


def _swap(staging: Path, out: Path) -> None:
    backup = out.parent / f".{out.name}.previous"
    if backup.exists():
        shutil.rmtree(backup)
    if out.exists():
        os.rename(out, backup)
    os.rename(staging, out)
    shutil.rmtree(backup, ignore_errors=True)


def recover(out: Path) -> None:
    """If a build died between the two renames of a swap, put the previous site back."""
    backup = out.parent / f".{out.name}.previous"
    if backup.exists() and not out.exists():
        os.rename(backup, out)
