"""Writing site/ atomically: build beside it, then swap, so a failed build loses nothing."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import Problem, ProblemError, error
from .model import Config, Output

BACKGROUND_DELETE = 2000  # outputs; above this the previous site is deleted in the background


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
    # Inside a source folder the site would be read back as input next time; inside .git it
    # would corrupt the repository.
    for src, name in ((config.content_dir, "content/"), (config.reviews_dir, "reviews/"),
                      (config.themes_dir, "themes/"), (root / ".git", ".git/")):
        if out.is_relative_to(src.resolve()):
            return error(str(out), None, f"refusing to build inside {name}",
                         "choose a dedicated output folder such as site/")
    return foreign_folder(out)


def foreign_folder(out: Path) -> Problem | None:
    """An existing folder that is not a built site (no index.html) is someone's files: never replace it."""
    if not out.exists():
        return None
    if not out.is_dir():
        return error(str(out), None, "the output path exists and is not a folder", "choose another --out")
    if any(out.iterdir()) and not (out / "index.html").is_file():
        return error(str(out), None, "refusing to replace a folder that is not a built site (it has no index.html)",
                     "empty it or choose a dedicated output folder such as site/")
    return None


def safe_relpath(path: str) -> PurePosixPath:
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts or "\\" in path or "\0" in path:
        raise ValueError(f"output path leaves the output folder: {path!r}")
    return p


def check_paths(outputs: list[Output]) -> list[Problem]:
    """Every output stays inside the folder, and no two outputs claim the same file."""
    problems, seen = [], set()
    for o in outputs:
        try:
            safe_relpath(o.path)
        except ValueError as exc:
            problems.append(error(o.path, None, str(exc), "an id or name produced an unsafe path"))
            continue
        if o.path in seen:
            problems.append(error(o.path, None, "two pages would be written to the same file",
                                  "a page id, tag or taxonomy term collides with another page"))
        seen.add(o.path)
    folders = {parent.as_posix() for path in seen for parent in PurePosixPath(path).parents}
    for path in sorted(seen & folders):
        problems.append(error(path, None, "a file and a folder of the site would have the same name",
                              "a page id, tag or taxonomy term collides with another page"))
    return problems


def write(outputs: list[Output], out: Path) -> WriteReport:
    """Write every output into a fresh folder beside `out`, then swap it in.

    Files whose bytes did not change are hard-linked from the previous build, so they keep
    their modification times (rsync and deploys stay small). Anything not in `outputs`, such
    as pages of deleted posts, is gone from the new folder.
    """
    problems = check_paths(outputs)
    if problems:
        raise ProblemError(problems)
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    remove_leftovers(out)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    staging.mkdir()
    report = WriteReport()
    made: set[Path] = set()  # one mkdir per folder, not per file: thousands of pages share few folders
    try:
        for o in outputs:
            rp = safe_relpath(o.path)
            dest = staging.joinpath(*rp.parts)
            if dest.parent not in made:
                dest.parent.mkdir(parents=True, exist_ok=True)
                made.add(dest.parent)
            old = out.joinpath(*rp.parts)
            # A page the cache knows is unchanged (parallel.PageOutput.kept) is linked unread.
            if getattr(o, "kept", None) == old and _link(old, dest):
                report.unchanged += 1
            elif _same(old, o.data):
                if not _link(old, dest):
                    shutil.copy2(old, dest)
                report.unchanged += 1
            else:
                dest.write_bytes(o.data)
                report.written += 1
        _swap(staging, out, background=len(outputs) > BACKGROUND_DELETE)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _link(old: Path, dest: Path) -> bool:
    try:
        os.link(old, dest)
        return True
    except OSError:
        return False


def _same(old: Path, data: bytes) -> bool:
    """One lstat, and the old file read only when its size already matches."""
    try:
        st = os.lstat(old)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        with open(old, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def _swap(staging: Path, out: Path, background: bool = False) -> None:
    backup = out.parent / f".{out.name}.previous"
    if backup.exists():
        shutil.rmtree(backup)
    if out.exists():
        os.rename(out, backup)
    os.rename(staging, out)
    if background:
        _discard(backup)
    else:
        shutil.rmtree(backup, ignore_errors=True)


def _discard(folder: Path) -> None:
    """Delete the previous site in the background: for tens of thousands of files, deleting takes
    longer than a whole incremental build, and nothing needs to wait for it. The new site is
    already in place; a deletion that dies is finished by the next build (remove_leftovers)."""
    trash = folder.with_name(f"{folder.name}-trash-{time.time_ns()}-{os.getpid()}")
    try:
        os.rename(folder, trash)
        subprocess.Popen(["rm", "-rf", "--", str(trash)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(trash if trash.exists() else folder, ignore_errors=True)


def remove_leftovers(out: Path) -> None:
    """Staging folders of builds that were killed. Only call while holding the output lock."""
    for stale in out.parent.glob(f".{out.name}.building-*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
    for trash in out.parent.glob(f".{out.name}.previous-trash-*"):  # an hour gone: its rm died
        born = trash.name.split("-trash-")[-1].split("-")[0]
        if born.isdigit() and time.time_ns() - int(born) > 3600e9 and not trash.is_symlink():
            shutil.rmtree(trash, ignore_errors=True)


def recover(out: Path) -> None:
    """If a build died between the two renames of a swap, put the previous site back."""
    backup = out.parent / f".{out.name}.previous"
    if backup.exists() and not out.exists():
        os.rename(backup, out)
