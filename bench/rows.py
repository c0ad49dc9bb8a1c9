"""The benchmark rows beyond plain builds: Hugo followed by Pagefind, the CI build with its cache
restored after a merge, and `peerpress serve`'s save-to-reload latency through its live-reload
channel (server-sent events), as a browser sees it."""
from __future__ import annotations

import http.client
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent


def python() -> str:
    """The interpreter running the benchmark (the project's venv), so Peerpress needs no .venv
    of its own in this checkout."""
    return sys.executable


def peerpress_env() -> dict[str, str]:
    """`python -m generator` from this checkout, whichever folder the command runs in."""
    return {**os.environ, "PYTHONPATH": str(PROJECT)}


def pagefind_binary() -> str:
    from pagefind.service import get_executable  # the `pagefind[bin]` wheel Peerpress itself uses
    return str(get_executable())


def hugo_pagefind_cmd(hugo: str, site: Path, out: Path) -> list[str]:
    """What a Hugo blog with search runs: Hugo, then Pagefind over Hugo's output."""
    script = 'set -e; "$1" --quiet -s "$2" -d "$3"; "$4" --site "$3" --output-subdir pagefind --silent'
    return ["sh", "-c", script, "sh", hugo, str(site), str(out), pagefind_binary()]


def rm(path: Path) -> None:
    subprocess.run(["rm", "-rf", str(path)], check=True)


def fresh_clone(site: Path, clone: Path, cache: Path | None, out: Path | None = None) -> None:
    """A CI checkout: a full clone of the site's repository, with the saved cache (and output
    folder) restored as actions/cache does: the same bytes, in new files."""
    rm(clone)
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(site), str(clone)], check=True)
    if cache is not None and (cache / "cache").is_dir():
        shutil.copytree(cache / "cache", clone / ".peerpress-cache", symlinks=True)
    if out is not None:
        rm(out)
        if cache is not None and (cache / "site").is_dir():
            shutil.copytree(cache / "site", out, symlinks=True)


def save_cache(clone: Path, cache: Path, out: Path) -> None:
    """actions/cache saving the cache and the site at the end of the run."""
    rm(cache)
    cache.mkdir(parents=True)
    if (clone / ".peerpress-cache").is_dir():
        shutil.copytree(clone / ".peerpress-cache", cache / "cache", symlinks=True)
    if out.is_dir():
        shutil.copytree(out, cache / "site", symlinks=True)


# --- serve ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class EventStream:
    """A client of /__peerpress/events: each `build` event's version, with its arrival time."""

    def __init__(self, port: int):
        self.events: queue.Queue[tuple[float, int, bool]] = queue.Queue()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        self.conn.request("GET", "/__peerpress/events")
        self.response = self.conn.getresponse()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        data = ""
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("data: "):
                    data = line[6:]
                elif line == "" and data:
                    version = int(re.search(r'"version":\s*(\d+)', data).group(1))
                    failed = '"problems": []' not in data
                    self.events.put((time.perf_counter(), version, failed))
                    data = ""
        except (OSError, ValueError, AttributeError):
            return

    def next(self, timeout: float) -> tuple[float, int, bool] | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.conn.close()


def serve_latency(site: Path, post_files: list[Path], post_ids: list[str], log: Path,
                  timeout: float) -> list[tuple[float, bool, str]]:
    """(seconds, ok, error) per edit: from saving a post to the moment the page, fetched after
    the reload event, shows the new sentence. Between edits, the server's search refresh (after
    edits pause) is awaited, so each edit starts from a quiet server."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    results = []
    with log.open("wb") as out:
        proc = subprocess.Popen([python(), "-m", "generator", "serve", "--config", str(site / "site.yaml"),
                                 "--port", str(port)], cwd=PROJECT, env=peerpress_env(), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.perf_counter() + timeout
            while time.perf_counter() < deadline:  # the first build
                try:
                    if get(port, "/", timeout=5)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.5)
            else:
                return [(0.0, False, "serve did not come up")]
            stream = EventStream(port)
            first = stream.next(60)
            version = first[1] if first else 0
            version = max(version, _quiet(stream, 5, version))
            timeout = min(timeout, 600)  # per edit: a stuck server must not hold the benchmark for hours
            for path, pid in zip(post_files, post_ids, strict=True):
                marker = f"Latency probe {uuid.uuid4().hex[:12]}."
                start = time.perf_counter()
                with path.open("a", encoding="utf-8") as f:
                    f.write(f"\n{marker}\n")
                refreshed = _count(log, REFRESHED)
                results.append(_await_page(stream, port, pid, marker, start, version, timeout))
                # The search index catches up once edits pause (serve logs it; no reload event).
                until = time.perf_counter() + timeout
                while _count(log, REFRESHED) <= refreshed and time.perf_counter() < until:
                    time.sleep(0.5)
                version = max(version, _quiet(stream, 1, version))
            stream.close()
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
    return results


def _await_page(stream: EventStream, port: int, pid: str, marker: str, start: float, version: int,
                timeout: float) -> tuple[float, bool, str]:
    """After each new good build event, fetch the page as the reloading browser would."""
    while time.perf_counter() - start < timeout:
        event = stream.next(timeout - (time.perf_counter() - start))
        if event is None:
            break
        if event[1] <= version or event[2]:
            continue
        try:
            status, body = get(port, f"/posts/{pid}/", timeout=timeout)
        except OSError as exc:
            return time.perf_counter() - start, False, f"fetching the page failed: {exc}"
        if status == 200 and marker.encode() in body:
            return time.perf_counter() - start, True, ""
        version = event[1]
    return time.perf_counter() - start, False, "the page never showed the edit"


REFRESHED = "search index updated"


def _count(log: Path, text: str) -> int:
    return log.read_text(encoding="utf-8", errors="replace").count(text)


def _quiet(stream: EventStream, seconds: float, version: int = 0) -> int:
    """Wait until no build event has come for `seconds`; the last version seen."""
    while True:
        event = stream.next(seconds)
        if event is None:
            return version
        version = max(version, event[1])
