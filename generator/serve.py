"""`peerpress serve`: build with drafts into a temporary folder, serve it, rebuild on every change
and reload the pages open in a browser (README.md, "Commands").

- The watcher (watchdog) collects changes until the files have been quiet for DEBOUNCE
  seconds, sorts them by kind (config, content, review, template, static) and rebuilds: a post
  edit takes the resident path (engine/resident.py), anything else an incremental build.
- Pages are served by a ThreadingHTTPServer from the temporary folder. Only as they are served
  does HTML get a small script (never in the built files): it listens for build events on
  /__peerpress/events (server-sent events) and reloads the page after a good build, or shows the
  build's problems over the page when the input is broken, until it is fixed.
- Drafts and posts still in review are built too, each with its status banner.
"""
from __future__ import annotations

import gc
import json
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileCreatedEvent, FileDeletedEvent,
                             FileModifiedEvent, FileMovedEvent, FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer

from .engine import build, resident
from . import config as config_mod
from .errors import ProblemError, error, has_errors
from .bibliography import files as bibliography_files
from .theme import BUILTIN_THEMES

DEBOUNCE = 0.15  # seconds of quiet before a rebuild: editors write a file in several steps
# Rebuilds keep the previous search index (Pagefind re-indexes every post, seconds on a large
# blog); after this many seconds without changes, one build brings the index up to date.
SEARCH_IDLE = 3.0
EVENTS = "/__peerpress/events"
SCRIPT = "/__peerpress/live.js"
KINDS = ("config", "content", "review", "template", "static")
# Changes only. Without a filter inotify also reports every open and read, and a build reads every
# input: at 5,000 posts (15,000 files, 5,000 review folders) that overflowed the kernel's queue,
# and each overflow made watchdog walk the folders again, which overflowed it again.
WATCHED = [FileModifiedEvent, FileCreatedEvent, FileDeletedEvent, FileMovedEvent, DirCreatedEvent, DirDeletedEvent,
           DirMovedEvent]
IGNORED_NAMES = (".swp", ".swx", ".tmp", "~", ".part")

LIVE_JS = r"""(() => {
  "use strict";
  const me = document.currentScript;
  const version = Number(me.dataset.version);
  let box = null;
  function overlay(problems) {
    if (!box) {
      box = document.createElement("div");
      box.id = "peerpress-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,24,.94);color:#fff;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "";
    const h = document.createElement("h2");
    const n = problems.length;
    h.textContent = "The site cannot be built (" + n + " problem" + (n === 1 ? "" : "s") + ")";
    h.style.cssText = "font:bold 18px system-ui,sans-serif;margin:0 0 1rem;color:#ff8a80";
    box.appendChild(h);
    for (const p of problems) {
      const line = document.createElement("div");
      line.className = "peerpress-problem";
      line.textContent = p;
      box.appendChild(line);
    }
    const note = document.createElement("p");
    note.textContent = "Fix the file and save: this page reloads by itself.";
    note.style.cssText = "font-family:system-ui,sans-serif;opacity:.8;margin-top:1rem";
    box.appendChild(note);
  }
  const events = new EventSource(me.dataset.events);
  events.addEventListener("build", (e) => {
    const state = JSON.parse(e.data);
    if (state.problems.length) { overlay(state.problems); return; }
    if (state.version !== version) { location.reload(); return; }
    if (box) { box.remove(); box = null; }
  });
})();
"""


def kind_of(path: Path, config: config_mod.Config) -> str | None:
    """Which kind of input a changed file is, or None when the build does not read it."""
    if path.name.startswith(".") or path.name.endswith(IGNORED_NAMES) or path.name == "4913":
        return None
    if path == config.path:
        return "config"
    if path in bibliography_files(config):
        return "content"
    for folder, kind in ((config.content_dir, "content"), (config.reviews_dir, "review")):
        if path.is_relative_to(folder):
            return kind
    for themes in (config.themes_dir, BUILTIN_THEMES):
        if path.is_relative_to(themes):
            return "static" if "static" in path.relative_to(themes).parts[1:2] else "template"
    return None


@dataclass
class State:
    """The last build, for the event stream: a new version means "reload"."""
    version: int = 0
    problems: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, version: int, problems: list[str]) -> None:
        with self.changed:
            self.version, self.problems = version, problems
            self.changed.notify_all()

    def message(self) -> bytes:
        return f"event: build\ndata: {json.dumps({'version': self.version, 'problems': self.problems})}\n\n".encode()


class Builder:
    """Runs builds one at a time; changes arriving during a build start another one after it."""

    def __init__(self, config_path: Path, out: Path, base_url: str, jobs: int = 0, log=print):
        self.config_path, self.out, self.base_url, self.jobs = config_path, out, base_url, jobs
        self.state = State()
        self.log = log
        self.pending: dict[str, set[str]] = {}
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.config: config_mod.Config | None = None
        self.report: build.BuildReport | None = None  # the last good build
        self.stopped = False
        self.search_stale = False  # the last good build kept an index that may lag behind
        self.resident = resident.Resident()  # the site kept in memory between builds

    def load_config(self) -> config_mod.Config:
        self.config = config_mod.load(self.config_path)
        return self.config

    def build(self, changed: set[str] | None = None) -> list[str]:
        """One build, keeping the search index (refresh_search updates it once edits pause);
        returns the problems shown in the browser (errors, with the warnings). With the
        `changed` content files, the resident path when it can take them (engine/resident.py)."""
        start = time.perf_counter()
        try:
            config = self.load_config()
        except ProblemError as exc:
            self.resident.forget()
            return self._done(exc.problems, start)
        report = self.run(config, changed, search="keep")
        if not has_errors(report.problems):
            self.report = report
            self.search_stale = report.search_kept
        return self._done(report.problems, start, report)

    def refresh_search(self) -> None:
        """The build that brings a kept search index up to date, once the author has paused.
        Only the index changes, so open pages are not reloaded."""
        start = time.perf_counter()
        try:
            config = self.load_config()
        except ProblemError:
            self.search_stale = False  # the next change reports the problem; nothing to index
            return
        report = self.run(config, None, search="index")
        self.search_stale = False
        if not has_errors(report.problems):
            self.report = report
            self.log(f"search index updated in {time.perf_counter() - start:.2f}s")

    def run(self, config: config_mod.Config, changed: set[str] | None, search: str) -> build.BuildReport:
        """The resident build when it can take `changed`, else (or when it backs out) a full one."""
        options = build.Options(out=self.out, drafts=True, base_url=self.base_url, jobs=self.jobs, search=search)
        if self.resident.take(config, changed):
            try:
                report = build.run(config, options, self.resident)
                if not has_errors(report.problems):
                    gc.freeze()
                    return report
            except resident.Fallback:
                pass
            except Exception:  # noqa: BLE001 - correctness first: the full build decides, and reports
                self.resident.forget()
            self.resident.take(config, None)
        gc.unfreeze()  # what the last site left in cycles may go now
        report = build.run(config, options, self.resident)
        if has_errors(report.problems):
            self.resident.forget()  # what failed is not in memory: the next build is a full one
        # The resident site lives until the next full build: frozen, the cycle collector does not
        # scan it during every resident build (a fifth of one at 1,000 posts, bench/RESULTS.md).
        gc.freeze()
        return report

    def _done(self, problems, start: float, report: build.BuildReport | None = None) -> list[str]:
        seconds = time.perf_counter() - start
        failed = has_errors(problems) or report is None
        shown = [p.text() for p in sorted(set(problems), key=lambda p: (p.path, p.line or 0))] if failed else []
        version = self.state.version + (0 if failed else 1)
        self.state.publish(version, shown)
        if failed:
            self.log(f"build failed in {seconds:.2f}s ({len(shown)} problems); the browser shows them:")
            for line in shown:
                self.log(f"  {line}")
        else:
            self.log(f"built in {seconds:.2f}s ({self.resident.mode}): {report.written} written, "
                     f"{report.unchanged} unchanged")
        return shown

    def changed(self, kind: str, path: str) -> None:
        with self.lock:
            self.pending.setdefault(kind, set()).add(path)
        self.wake.set()

    def loop(self) -> None:
        while not self.stopped:
            if not self.wake.wait(SEARCH_IDLE if self.search_stale else None):
                self.refresh_search()  # quiet for SEARCH_IDLE seconds after a build that kept the index
                continue
            while self.wake.is_set():  # debounce: until the files are quiet
                self.wake.clear()
                time.sleep(DEBOUNCE)
            if self.stopped:
                return
            with self.lock:
                pending, self.pending = self.pending, {}
            summary = ", ".join(f"{len(pending[k])} {k}" for k in KINDS if k in pending)
            self.log(f"changed: {summary}")
            self.build(content_only(pending))


def content_only(pending: dict[str, set[str]]) -> set[str] | None:
    """The changed files when they are all content (what a resident build may take), else None."""
    return set(pending["content"]) if set(pending) == {"content"} else None


class Watcher(FileSystemEventHandler):
    def __init__(self, builder: Builder):
        self.builder = builder

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write", "closed"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's listing changed: the event of the file itself follows
        config = self.builder.config
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(raw if isinstance(raw, str) else raw.decode()).absolute()
            kind = kind_of(path, config) if config else ("config" if path == self.builder.config_path else None)
            if kind:
                self.builder.changed(kind, str(path))


def _differs(state: State, sent: tuple) -> bool:
    return (state.version, state.problems) != sent


class Handler(SimpleHTTPRequestHandler):
    """The built site, with the live-reload script added to HTML as it is served."""

    state: State

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # the terminal shows builds, not every request

    def do_GET(self):  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == EVENTS:
            return self.events()
        if path == SCRIPT:
            return self.send(200, "text/javascript; charset=utf-8", LIVE_JS.encode())
        target = Path(self.translate_path(path))
        if target.is_dir():
            if not path.endswith("/"):
                return super().do_GET()  # the redirect to the folder's URL
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            return self.html(target, 404 if target.name == "404.html" and path != "/404.html" else 200)
        if not target.exists():
            missing = Path(self.directory) / "404.html"
            if missing.is_file():
                return self.html(missing, 404)
        return super().do_GET()

    def html(self, target: Path, status: int) -> None:
        page = target.read_bytes()
        tag = (f'<script src="{SCRIPT}" data-events="{EVENTS}" data-version="{self.state.version}" defer>'
               f"</script>").encode()
        at = page.rfind(b"</body>")
        page = page[:at] + tag + page[at:] if at >= 0 else page + tag
        self.send(status, "text/html; charset=utf-8", page)

    def send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.state
        try:
            with state.changed:
                sent, message = (state.version, state.problems), state.message()
            self.wfile.write(b"retry: 500\n\n" + message)
            self.wfile.flush()
            while True:
                with state.changed:
                    news = state.changed.wait_for(partial(_differs, state, sent), timeout=15)
                    sent, message = (state.version, state.problems), state.message() if news else b": ping\n\n"
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ValueError, OSError):
            return  # the page was closed or reloaded


@dataclass
class Preview:
    """A running dev server: builder thread, file watcher and HTTP server."""
    builder: Builder
    httpd: ThreadingHTTPServer
    observer: Observer
    folder: Path
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def stop(self) -> None:
        self.builder.stopped = True
        self.builder.wake.set()
        self.observer.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.observer.join(timeout=5)
        for t in self.threads:
            t.join(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def start(config_path: Path, host: str = "127.0.0.1", port: int = 8000, jobs: int = 0, log=print) -> Preview:
    """Build once, then serve and watch in background threads (port 0 picks a free port)."""
    config_path = Path(config_path).absolute()
    folder = Path(tempfile.mkdtemp(prefix="peerpress-serve-"))
    handler = type("BoundHandler", (Handler,), {})
    httpd = ThreadingHTTPServer((host, port), partial(handler, directory=str(folder / "site")))
    httpd.daemon_threads = True
    bound_host, bound_port = httpd.server_address[:2]
    builder = Builder(config_path, folder / "site", f"http://{bound_host}:{bound_port}/", jobs, log)
    handler.state = builder.state
    (folder / "site").mkdir()
    builder.build()
    observer = Observer()
    # The input folders, not the whole project: it may hold a virtualenv or a benchmark corpus.
    observer.schedule(Watcher(builder), str(config_path.parent), recursive=False, event_filter=WATCHED)
    cfg = builder.config
    folders = (cfg.content_dir, cfg.reviews_dir, cfg.themes_dir, BUILTIN_THEMES) if cfg else ()
    for folder_path in sorted({d for d in folders if d.is_dir()}):
        observer.schedule(Watcher(builder), str(folder_path), recursive=True, event_filter=WATCHED)
    observer.start()
    preview = Preview(builder, httpd, observer, folder)
    for target in (builder.loop, httpd.serve_forever):
        t = threading.Thread(target=target, daemon=True)
        t.start()
        preview.threads.append(t)
    return preview


def main(config_path: Path, host: str, port: int, jobs: int = 0) -> int:
    try:
        preview = start(config_path, host, port, jobs, log=lambda m: print(m, flush=True))
    except OSError as exc:
        raise ProblemError([error(f"{host}:{port}", None, f"cannot serve: {exc.strerror or exc}",
                                  "choose another --port")]) from None
    print(f"serving {preview.url} (drafts and posts in review shown with a banner); Ctrl-C stops", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        preview.stop()
    return 0
