"""Time serve's rebuilds in one process, step by step: a full build, then one post edit at a time.

    .venv/bin/python bench/resident.py --site bench/work/corpus-5000/peerpress --edits 5

It drives `serve.Builder` as the server's watcher loop does (the same resident path, the same
`gc.freeze` between builds), but without the HTTP server and the debounce, so the numbers are
the rebuild alone; `bench/run.py`'s serve row measures the whole save → reload. Each edit
appends a sentence to a different post, its first edit (which also makes the post need
approving again). `--profile` prints a cProfile of each edit's build. The corpus is left edited:
`git checkout -- content` in the site undoes it.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import serve  # noqa: E402 - after the path is set


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, required=True, help="a folder with site.yaml (bench/corpus.py's peerpress/)")
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="print a cProfile of each edit's build")
    ap.add_argument("--refresh", action="store_true",
                    help="before each edit, the full build that refreshes the search index (as serve does once an "
                         "author pauses, and bench/run.py's serve row waits for)")
    args = ap.parse_args()
    posts = sorted((args.site / "content" / "posts").glob("*.md"))
    picks = [posts[(len(posts) // 6 + 7919 * i) % len(posts)] for i in range(args.edits)]
    with tempfile.TemporaryDirectory(prefix="peerpress-resident-") as folder:
        builder = serve.Builder(args.site / "site.yaml", Path(folder) / "site", "http://127.0.0.1:8000/",
                                log=lambda line: print(f"  {line}", flush=True))
        (Path(folder) / "site").mkdir()
        start = time.perf_counter()
        builder.build()
        print(f"full build: {time.perf_counter() - start:.2f} s", flush=True)
        for n, path in enumerate(picks, start=1):
            if args.refresh:
                builder.refresh_search()
            with path.open("a", encoding="utf-8") as f:
                f.write(f"\nA sentence added by bench/resident.py, edit {n}.\n")
            profile = cProfile.Profile() if args.profile else None
            start = time.perf_counter()
            if profile:
                profile.enable()
            builder.build({str(path.absolute())})
            if profile:
                profile.disable()
            seconds = time.perf_counter() - start
            steps = ", ".join(f"{name} {t:.2f}" for name, t in builder.report.steps if t >= 0.01)
            print(f"edit {n} ({path.stem}, {builder.resident.mode}): {seconds:.2f} s [{steps}]", flush=True)
            if profile:
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
                print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
