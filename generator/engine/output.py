"""Writing site/ atomically: build beside it, then swap, so a failed build loses nothing."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import Problem, ProblemError, error
from ..model import Config, Output

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


def safe_relpath(path: str) -> str:
    """`path` as a normal relative POSIX path ("a/b.html"); ValueError if it could leave the folder.

    Paths are checked as strings (a site has tens of thousands); only unusual ones ("a//b",
    "./a") go through PurePosixPath to be normalised the same way."""
    if "\\" in path or "\0" in path:
        raise ValueError(f"output path leaves the output folder: {path!r}")
    parts = path.split("/")
    if all(parts) and "." not in parts and ".." not in parts:
        return path
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise ValueError(f"output path leaves the output folder: {path!r}")
    return p.as_posix()


NAME_MAX = 255  # bytes in one file or folder name, on every common file system
PATH_MAX = 1024  # bytes in a path inside the site: leaves room for where the site itself lives


def too_long(path: str) -> Problem | None:
    """A name the file system would refuse (`check` runs this too, so check passing means build can write)."""
    for part in path.split("/"):
        size = len(part.encode("utf-8", "surrogatepass"))
        if size > NAME_MAX:
            return error(path[:120] + "…", None, f"a file name of the site would be {size} bytes long, "
                         f"more than the file system's {NAME_MAX}", "shorten the id, tag or file name that made it")
    if len(path.encode("utf-8", "surrogatepass")) > PATH_MAX:
        return error(path[:120] + "…", None, f"a path of the site would be longer than {PATH_MAX} bytes",
                     "shorten the ids, tags or folder names that made it")
    return None


def _parents(path: str):
    """"a/b/c.html" → "a/b", "a", "." (what PurePosixPath.parents gives, as strings)."""
    cut = path.rfind("/")
    while cut > 0:
        path = path[:cut]
        yield path
        cut = path.rfind("/")
    yield "."


def check_paths(outputs: list[Output], seen: set[str] | None = None, folders: set[str] | None = None) -> list[Problem]:
    """Every output stays inside the folder, and no two outputs claim the same file.

    `seen` and `folders` (the files and folders of outputs checked before) are updated, so a
    site staged in batches is checked once per output, not once per batch.
    """
    problems: list[Problem] = []
    seen = set() if seen is None else seen
    folders = set() if folders is None else folders
    new: set[str] = set()
    for o in outputs:
        try:
            p = safe_relpath(o.path)
        except ValueError as exc:
            problems.append(error(o.path, None, str(exc), "an id or name produced an unsafe path"))
            continue
        long = too_long(p)
        if long:
            problems.append(long)
            continue
        if o.path in seen or o.path in new:
            problems.append(error(o.path, None, "two pages would be written to the same file",
                                  "a page id, tag or taxonomy term collides with another page"))
        new.add(o.path)
        folders.update(_parents(p))
    seen |= new
    for path in sorted(seen & folders):
        problems.append(error(path, None, "a file and a folder of the site would have the same name",
                              "a page id, tag or taxonomy term collides with another page"))
    return problems


class Staging:
    """The next site, built in a fresh folder beside `out` and swapped in by `commit()`.

    Files whose bytes did not change are hard-linked from the previous build, so they keep
    their modification times (rsync and deploys stay small). Anything not added, such as pages
    of deleted posts, is gone from the new folder. Outputs can be added in several batches (the
    build stages its pages while Pagefind is still indexing them); until `commit()` the current
    site is untouched, and `abort()` removes the staging folder. Only use it while holding the
    output lock (lock.output_lock).
    """

    def __init__(self, out: Path):
        self.out = out.absolute()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        recover(self.out)
        remove_leftovers(self.out)
        self.folder = self.out.parent / f".{self.out.name}.building-{os.getpid()}"
        self.folder.mkdir()
        self.report = WriteReport()
        self.count = 0
        self._seen: set[str] = set()
        self._folders: set[str] = set()
        self._made: set[str] = set()  # one mkdir per folder, not per file: thousands of pages share few folders

    def add(self, outputs: list[Output]) -> None:
        """Stage `outputs`; raise ProblemError (staging nothing) if a path is unsafe or taken twice."""
        problems = check_paths(outputs, self._seen, self._folders)
        if problems:
            raise ProblemError(problems)
        self.count += len(outputs)
        for o in outputs:
            self._stage(o)

    def _stage(self, o: Output) -> None:
        rp = safe_relpath(o.path)  # plain strings: pathlib costs seconds over a large site
        dest = os.path.join(self.folder, rp)
        parent = os.path.dirname(dest)
        if parent not in self._made:
            os.makedirs(parent, exist_ok=True)
            self._made.add(parent)
        old = os.path.join(self.out, rp)
        kept = getattr(o, "kept", None)
        # A page the cache knows is unchanged (parallel.PageOutput.kept) is linked unread.
        if kept is not None and os.fspath(kept) == old and _link(old, dest):
            self.report.unchanged += 1
        elif _same(old, o.data):
            if not _link(old, dest):
                shutil.copy2(old, dest)
            self.report.unchanged += 1
        else:
            try:
                with open(dest, "wb") as f:
                    f.write(o.data)
            except OSError as exc:  # write() errors name no file: name the one being written
                exc.filename = dest if exc.filename is None else exc.filename
                raise
            self.report.written += 1

    def commit(self) -> WriteReport:
        _swap(self.folder, self.out, background=self.count > BACKGROUND_DELETE)
        return self.report

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def staging(out: Path):
    """A Staging that is removed again if the block fails (or never commits)."""
    stage = Staging(out)
    try:
        yield stage
    except BaseException:
        stage.abort()
        raise
    if stage.folder.exists():  # the block returned without committing: nothing changes
        stage.abort()


def final_path(out: Path, filename) -> str:
    """A path in a staging folder of `out` as the path it was going to have in `out`."""
    if filename is None:
        return str(out)
    path = os.fsdecode(filename)
    prefix = os.path.join(Path(out).absolute().parent, f".{Path(out).name}.building-")
    if path.startswith(prefix):
        rest = path[len(prefix):].partition(os.sep)[2]
        return os.path.join(Path(out).absolute(), rest) if rest else str(out)
    return path


def _link(old: str, dest: str) -> bool:
    try:
        os.link(old, dest)
        return True
    except OSError:
        return False


def _same(old: str, data: bytes) -> bool:
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
    try:
        os.rename(staging, out)
    except OSError:
        recover(out)  # the previous site goes back where it was
        raise
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
