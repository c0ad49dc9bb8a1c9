"""One writer per output folder: an advisory lock beside it, so two builds never interleave a swap.

The lock is `fcntl.flock` on `.<out>.lock` next to the output folder (the same place the staging
and backup folders live). The kernel drops it when the process exits, however it exits, so a
killed build never leaves a stale lock behind. A second build waits up to `timeout` seconds
(env `PEERPRESS_LOCK_TIMEOUT`, default 60) and then gives up with a Problem naming the holder.
The lock file itself is never deleted: removing a flock file while others wait on it lets two
processes each lock a different file.
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from .. import fserrors
from ..errors import Problem, ProblemError, error

DEFAULT_TIMEOUT = 60.0
POLL = 0.05


def lock_path(out: Path) -> Path:
    out = Path(out).absolute()
    return out.parent / f".{out.name}.lock"


def timeout_from_env() -> float:
    raw = os.environ.get("PEERPRESS_LOCK_TIMEOUT", "")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT


@contextmanager
def output_lock(out: Path, timeout: float | None = None):
    """Hold the output folder's lock for the duration of the block, or raise ProblemError."""
    path = lock_path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a read-only or full disk, a folder we may not write
        raise ProblemError([fserrors.problem(exc, "create the build lock", path)]) from None
    try:
        _acquire(fd, path, out, timeout_from_env() if timeout is None else timeout)
        _note_pid(fd, f"{os.getpid()}\n")
        try:
            yield path
        finally:
            _note_pid(fd, "")  # the pid is only meaningful while held
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _note_pid(fd: int, text: str) -> None:
    """The holder's pid is a courtesy for the message of a waiting build: on a full disk the
    lock still holds without it, and the build's own writes report the disk."""
    with suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode(), 0)


def _acquire(fd: int, path: Path, out: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise ProblemError([busy(path, out)]) from None
            time.sleep(POLL)


def holder(path: Path) -> str:
    """The pid written by the build holding the lock, if it got that far."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return text if text.isdigit() else ""


def busy(path: Path, out: Path) -> Problem:
    pid = holder(path)
    who = f"another build is running (pid {pid})" if pid else "another build is running"
    return error(str(Path(out).absolute()), None, f"{who} and writing this output folder",
                 "wait for it to finish and build again; the lock is released when that process exits")
