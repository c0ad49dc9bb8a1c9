"""Fault injection: a full disk, a read-only disk, permission denied, and SIGKILL at random points.

Every fault must end the same way: exit status 1, one `path: error: could not …: <cause> (hint)`
line per failure and no traceback, the previous site byte-identical, no staging folders or
half-written files left behind; and afterwards a plain rebuild must give exactly the site a
clean build gives (nothing was lost, nothing stale was kept).

How each fault is made, on this machine and in CI (both run as root):
- disk full: a real tmpfs of a few MB (`mount -t tmpfs -o size=…`), filled to a sweep of
  free-space levels so the failure lands at different files of the staging; the same tmpfs
  remounted with almost no free inodes; and a tiny tmpfs mounted over `.peerpress-cache/`.
  Where mounting is not permitted these tests skip, and
  `test_injected_enospc_at_every_write_call` (which always runs) raises OSError(ENOSPC) from
  each kind of write call of output.py, lock.py and cache.py in turn.
- read-only file system: the tmpfs remounted `ro`.
- permission denied: root ignores file modes, so the build runs under `setpriv` with
  CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from its bounding set: still uid 0, but now
  bound by the folder's mode 0555 (or a post's mode 0000) like any user.
- SIGKILL: a real `python -m generator build` subprocess killed (its whole process group, with
  its workers) after a seeded random delay, many times in a row, the content flipping between
  two versions so that every kill is mid-way from one site to another.
"""
from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator import cache
from generator.engine import lock, output
from generator.cli import main
from tests.sitebuilder import SiteBuilder

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1793491200"
SEED = 18
KILLS = 12  # SIGKILL runs (bounded: each is a real build, and a rebuild after it)


# --- helpers ------------------------------------------------------------------------------------------

def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH, "PEERPRESS_LOCK_TIMEOUT": "10"}


def make_blog(root: Path, version: str = "a") -> SiteBuilder:
    b = SiteBuilder(root)
    write_content(b, version)
    return b


def write_content(b: SiteBuilder, version: str) -> None:
    """Two versions of the same blog: "b" edits a post, adds one and retags another."""
    for i in range(5):
        body = "Text about teaching.\n" * 30 + (f"\nEdited in version {version}.\n" if i == 0 else "")
        tags = ["ecg", f"topic-{i}"] + (["new-tag"] if version == "b" and i == 2 else [])
        b.post(f"p{i}", title=f"Post {i}", tags=tags, body=body)
        b.approve_twice(f"p{i}")
    extra = b.root / "content/posts/extra.md"
    if version == "b":
        b.post("extra", title="Extra post", body="Only in version b.\n")
        b.approve_twice("extra")
    elif extra.exists():
        extra.unlink()
        shutil.rmtree(b.root / "reviews/extra", ignore_errors=True)


def build(blog: Path, out: Path, *extra: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "generator", "build", "--config", str(blog / "site.yaml"),
                           "--out", str(out), "--jobs", "1", *extra], cwd=blog, env=env(), capture_output=True,
                          text=True, timeout=120)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    """Staging, backup and trash folders beside the output (the lock file stays, by design)."""
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith(f".{out.name}.") and p.name != f".{out.name}.lock")


def cache_temporaries(blog: Path) -> list[str]:
    folder = blog / cache.FOLDER
    return sorted(p.name for p in folder.rglob("*.tmp")) if folder.exists() else []


def error_lines(stderr: str) -> list[str]:
    """The `: error: ` lines; fails if stderr holds anything but those and the closing sentence."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    closing = {"build failed; the previous site is untouched", "the site was written, but the build failed afterwards"}
    assert all(": error: " in line or line in closing for line in lines), stderr
    return [line for line in lines if ": error: " in line]


def reference(tmp_path: Path, version: str) -> dict[str, bytes]:
    """The site a clean build of `version` gives, in a folder of its own."""
    b = make_blog(tmp_path / f"reference-{version}", version)
    done = build(b.root, b.root / "site", "--no-cache")
    assert done.returncode == 0, done.stderr
    return tree(b.root / "site")


@contextmanager
def tmpfs(path: Path, size: str):
    """A real tmpfs at `path`; the test is skipped where mounting is not permitted."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); "
                    "test_injected_enospc_at_every_write_call covers a full disk by injection")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill the file system of `disk` until `leave` bytes are free."""
    filler = disk / "filler"
    filler.unlink(missing_ok=True)
    st = os.statvfs(disk)
    size = max(0, st.f_bavail * st.f_frsize - leave)
    with open(filler, "wb") as f:
        try:
            f.write(b"\0" * size)
        except OSError:
            pass  # tmpfs rounds to pages: full is full
    return filler


# --- disk full --------------------------------------------------------------------------------------------

def test_disk_full_at_every_stage_leaves_the_previous_site(tmp_path):
    """On a real, small tmpfs, filled to free-space levels from none to plenty, every build either
    succeeds with exactly the new site or fails with one `no space left on device` line and the
    previous site untouched; nothing is left beside it either way."""
    new = reference(tmp_path, "b")
    with tmpfs(tmp_path / "disk", "3m") as disk:
        b = make_blog(tmp_path / "blog", "a")
        out = disk / "site"
        first = build(b.root, out)
        assert first.returncode == 0, first.stderr
        before = tree(out)
        write_content(b, "b")
        outcomes = []
        for leave in (0, 4096, 16384, 65536, 131072, 262144, 524288, 2_000_000):
            filler = fill(disk, leave)
            done = build(b.root, out, "--no-cache")
            filler.unlink()
            errors = error_lines(done.stderr)
            assert leftovers(out) == [], (leave, leftovers(out))
            if done.returncode == 0:
                assert tree(out) == new
                outcomes.append("built")
                write_content(b, "a")  # start the next level from the previous site again
                assert build(b.root, out).returncode == 0
                assert tree(out) == before
                write_content(b, "b")
                continue
            assert done.returncode == 1
            assert errors and all(line.endswith(": no space left on device (free some disk space and build again)")
                                  for line in errors), done.stderr
            assert "build failed; the previous site is untouched" in done.stderr.splitlines()
            assert tree(out) == before, leave
            outcomes.append("refused")
        assert "refused" in outcomes and "built" in outcomes, outcomes
        rebuilt = build(b.root, out)  # the disk has room again: nothing was lost
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert tree(out) == new and leftovers(out) == []


def test_out_of_inodes(tmp_path):
    """A disk with space but no free inodes (new files and folders fail with ENOSPC too)."""
    new = reference(tmp_path, "b")
    with tmpfs(tmp_path / "disk", "8m") as disk:
        b = make_blog(tmp_path / "blog", "a")
        out = disk / "site"
        assert build(b.root, out).returncode == 0
        before = tree(out)
        write_content(b, "b")
        st = os.statvfs(disk)
        subprocess.run(["mount", "-o", f"remount,nr_inodes={st.f_files - st.f_ffree + 8}", str(disk)], check=True)
        done = build(b.root, out, "--no-cache")
        subprocess.run(["mount", "-o", "remount,nr_inodes=100000", str(disk)], check=True)
        errors = error_lines(done.stderr)
        assert done.returncode == 1 and len(errors) == 1, done.stderr
        assert errors[0].startswith(f"{out}/") and errors[0].endswith(
            ": error: could not write the site: no space left on device (free some disk space and build again)")
        assert tree(out) == before and leftovers(out) == []
        assert build(b.root, out).returncode == 0 and tree(out) == new


def test_disk_full_while_saving_the_cache(tmp_path):
    """A cache that cannot be written is an error naming the cache file; the site is complete and
    no half-written cache file is left."""
    new = reference(tmp_path, "b")
    b = make_blog(tmp_path / "blog", "b")
    with tmpfs(b.root / cache.FOLDER, "8k"):
        done = build(b.root, b.root / "site")
        errors = error_lines(done.stderr)
        assert done.returncode == 1
        full = ": error: could not save the cache: no space left on device (free some disk space and build again)"
        assert errors and all(line.startswith(".peerpress-cache/") and full in line for line in errors), errors
        assert done.stderr.splitlines()[-1] == "the site was written, but the build failed afterwards"
        assert tree(b.root / "site") == new
        assert cache_temporaries(b.root) == []
    rebuilt = build(b.root, b.root / "site")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert tree(b.root / "site") == new


# --- read-only and permission denied ----------------------------------------------------------------------

def test_read_only_file_system(tmp_path):
    new = reference(tmp_path, "b")
    with tmpfs(tmp_path / "disk", "4m") as disk:
        b = make_blog(tmp_path / "blog", "a")
        out = disk / "site"
        assert build(b.root, out).returncode == 0
        before = tree(out)
        write_content(b, "b")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        try:
            done = build(b.root, out)
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        assert done.returncode == 1
        assert error_lines(done.stderr) == [f"{disk}/.site.lock: error: could not create the build lock: read-only "
                                            "file system (build into a folder on a writable disk (--out))"]
        assert tree(out) == before and leftovers(out) == []
        assert build(b.root, out).returncode == 0
        assert tree(out) == new and leftovers(out) == []


def without_root_overrides() -> tuple[str, ...]:
    """A command prefix that runs as uid 0 but bound by file modes, or skip where it cannot."""
    if os.geteuid() != 0:
        return ()  # an ordinary user is bound by file modes already
    prefix = ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner")
    if not shutil.which("setpriv") or subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("setpriv cannot drop capabilities here")
    return prefix


def test_permission_denied_on_the_output_folder(tmp_path):
    prefix = without_root_overrides()
    new = reference(tmp_path, "b")
    b = make_blog(tmp_path / "blog", "a")
    parent = tmp_path / "public"
    parent.mkdir()
    out = parent / "site"
    assert build(b.root, out).returncode == 0
    before = tree(out)
    write_content(b, "b")
    parent.chmod(0o555)
    try:
        done = build(b.root, out, prefix=prefix)
    finally:
        parent.chmod(0o755)
    assert done.returncode == 1
    assert error_lines(done.stderr) == [f"{out}: error: could not write the site: permission denied "
                                        "(check the permissions of the folder and its parents)"]
    assert tree(out) == before and leftovers(out) == []
    assert build(b.root, out).returncode == 0 and tree(out) == new


def test_permission_denied_reading_a_post(tmp_path):
    prefix = without_root_overrides()
    b = make_blog(tmp_path / "blog", "a")
    assert build(b.root, b.root / "site").returncode == 0
    before = tree(b.root / "site")
    post = b.root / "content/posts/p3.md"
    post.chmod(0o000)
    try:
        done = build(b.root, b.root / "site", "--no-cache", prefix=prefix)
    finally:
        post.chmod(0o644)
    assert done.returncode == 1
    assert error_lines(done.stderr) == ["content/posts/p3.md: error: permission denied "
                                        "(check the permissions of the folder and its parents)"]
    assert tree(b.root / "site") == before and leftovers(b.root / "site") == []


# --- an injected ENOSPC at each write call (runs everywhere) -----------------------------------------------

WRITES = ("makedirs", "mkdir", "rename", "replace", "link", "open", "ftruncate", "pwrite")


class Faulty:
    """Stands in for the `os` module (and `open`) of output.py, lock.py and cache.py: counts the
    calls that write, and raises OSError(ENOSPC) from call number `fail_at`."""

    def __init__(self, fail_at: int | None = None):
        self.fail_at, self.calls, self.hit = fail_at, 0, ""
        self.names: list[str] = []  # what each call was

    def _tick(self, name: str, path) -> None:
        self.calls += 1
        self.names.append(name)
        if self.calls == self.fail_at:
            self.hit = name
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(path) if path is not None else None)

    def __getattr__(self, name):
        real = getattr(os, name)
        if name not in WRITES:
            return real

        def call(*args, **kwargs):
            first = args[0] if args and isinstance(args[0], (str, bytes, os.PathLike)) else None
            if name != "open" or (len(args) > 1 and args[1] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)):
                self._tick(name, first)
            return real(*args, **kwargs)
        return call

    def builtin_open(self, file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+"):
            self._tick("open", file)
        return open(file, mode, *args, **kwargs)


@contextmanager
def injected(monkeypatch, faulty: Faulty):
    with monkeypatch.context() as m:
        for module in (output, lock, cache):
            m.setattr(module, "os", faulty)
            m.setattr(module, "open", faulty.builtin_open, raising=False)
        yield


def test_injected_enospc_at_every_write_call(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    b = make_blog(tmp_path / "blog", "a")
    out = b.root / "site"
    args = ["build", "--config", str(b.root / "site.yaml"), "--out", str(out), "--jobs", "1"]
    assert main(args) == 0
    write_content(b, "b")
    counter = Faulty()
    before = tree(out)
    with injected(monkeypatch, counter):  # a dry run, only counting: how many write calls a build makes
        assert main([*args, "--no-cache"]) == 0
    new = tree(out)
    calls = counter.calls
    assert calls > 50
    write_content(b, "a")
    assert main([*args, "--no-cache"]) == 0
    assert tree(out) == before
    write_content(b, "b")
    capsys.readouterr()
    # Every call of a rare kind (the swap's renames, the cache's replaces, the lock), the first
    # and last of each kind, and a seeded sample of the many file writes.
    kinds: dict[str, list[int]] = {}
    for k, name in enumerate(counter.names, 1):
        kinds.setdefault(name, []).append(k)
    positions = {k for ks in kinds.values() for k in (ks if len(ks) <= 4 else (ks[0], ks[-1]))}
    positions = sorted(positions | set(random.Random(SEED).sample(range(1, calls + 1), 30)))
    hits = set()
    for k in positions:
        faulty = Faulty(fail_at=k)
        with injected(monkeypatch, faulty):
            status = main([*args, "--no-cache"])
        err = capsys.readouterr().err
        errors = error_lines(err)
        assert leftovers(out) == [] and cache_temporaries(b.root) == [], (k, faulty.hit)
        if status == 0:  # the fault hit something the build may do without (the lock's pid note, a hard link)
            assert errors == [] and tree(out) == new, (k, faulty.hit)
        else:
            assert status == 1 and len(errors) == 1, err
            assert errors[0].endswith("no space left on device (free some disk space and build again)"), err
            if "could not save the cache" in errors[0]:
                assert tree(out) == new, k
            else:
                assert tree(out) == before, (k, faulty.hit, err)
        hits.add(faulty.hit)
        if tree(out) != before:  # put the previous site back for the next fault
            write_content(b, "a")
            assert main([*args, "--no-cache"]) == 0
            write_content(b, "b")
            capsys.readouterr()
    assert set(kinds) <= hits and {"makedirs", "open", "rename", "replace", "pwrite"} <= hits, (kinds.keys(), hits)
    assert main(args) == 0 and tree(out) == new and leftovers(out) == []


# --- SIGKILL at random points -----------------------------------------------------------------------------

def test_sigkill_at_random_points_loses_nothing(tmp_path):
    """A build killed anywhere leaves either the old or the new site (or the old one a rename
    away, which the next build restores); each kill is followed by a plain rebuild, which must
    give exactly the clean site, with nothing left beside it and no half-written cache file."""
    sites = {"a": reference(tmp_path, "a"), "b": reference(tmp_path, "b")}
    b = make_blog(tmp_path / "blog", "a")
    out = b.root / "site"
    started = time.monotonic()
    assert build(b.root, out, "--no-cache").returncode == 0
    span = time.monotonic() - started
    rng = random.Random(SEED)
    version, killed_mid_build = "a", 0
    for _ in range(KILLS):
        old, version = version, "b" if version == "a" else "a"
        write_content(b, version)
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--config", str(b.root / "site.yaml"),
                                 "--out", str(out), *rng.choice([(), ("--no-cache",)])],
                                cwd=b.root, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(0.05, span * 1.1))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the build and any workers it started
            killed_mid_build += 1
        proc.wait()
        backup = out.parent / f".{out.name}.previous"
        present = tree(out) if out.exists() else tree(backup)
        assert present in (sites[old], sites[version]), "a killed build left a mixed site"
        done = build(b.root, out)
        assert done.returncode == 0, done.stderr
        assert tree(out) == sites[version]
        assert leftovers(out) == [] and cache_temporaries(b.root) == []
    assert killed_mid_build >= KILLS // 2, killed_mid_build
