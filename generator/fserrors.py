"""File-system failures as Problems: the path, the cause in plain words, and what to do.

A full disk, a read-only mount or a name the file system refuses is not a bug in Peerpress and
must not print a traceback. Every place that reads inputs, stages the site, takes the lock,
swaps the site in or writes the cache turns an OSError into a Problem through `problem()`, so
the same cause always reads the same way.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path

from .errors import Problem, error, rel

# errno → (what happened, how to fix it). Causes not listed fall back to the system's own words.
CAUSES: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("no space left on device", "free some disk space and build again"),
    errno.EDQUOT: ("disk quota exceeded", "free some space within your quota and build again"),
    errno.ENAMETOOLONG: ("file name too long", "shorten the id, tag or file name that produced it"),
    errno.EACCES: ("permission denied", "check the permissions of the folder and its parents"),
    errno.EPERM: ("operation not permitted", "check the permissions and attributes of the folder"),
    errno.EROFS: ("read-only file system", "build into a folder on a writable disk (--out)"),
    errno.ENOENT: ("no such file or folder", "check that the path exists"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "remove or rename that file"),
    errno.EISDIR: ("is a folder, not a file", "remove or rename that folder"),
    errno.EEXIST: ("already exists", "remove it and build again"),
    errno.ENOTEMPTY: ("folder is not empty", "remove it and build again"),
    errno.EMFILE: ("too many open files", "raise the open-file limit (ulimit -n) or build with fewer --jobs"),
    errno.ENFILE: ("too many open files on the system", "close other programs and build again"),
    errno.EIO: ("input/output error", "the disk may be failing; check it and build again"),
    errno.ELOOP: ("too many levels of symbolic links", "remove the link loop"),
    errno.EXDEV: ("cannot move between file systems", "keep the output folder on one disk"),
    errno.EBUSY: ("device or resource busy", "close what is using it and build again"),
}


def cause(exc: OSError) -> tuple[str, str]:
    """(plain words, hint) for an OSError."""
    if exc.errno in CAUSES:
        return CAUSES[exc.errno]
    words = (exc.strerror or str(exc) or type(exc).__name__).strip()
    return words[:1].lower() + words[1:], ""


def problem(exc: OSError, doing: str = "", path: Path | str | None = None, root: Path | None = None) -> Problem:
    """`path: error: could not <doing>: <cause> (hint)`; `path` defaults to the file the OS names."""
    where = path if path is not None else (exc.filename if exc.filename is not None else "")
    if where == "":
        shown = "(unknown path)"
    else:  # relative to the project (or, not knowing it, to the working folder) where possible
        shown = rel(os.fsdecode(where), root if root is not None else Path.cwd())
    words, hint = cause(exc)
    return error(shown, None, f"could not {doing}: {words}" if doing else words, hint)
