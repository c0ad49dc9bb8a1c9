"""`peerpress build`: builds the site into the output folder."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import add_format, report_problems


def add_cli(sub, common) -> None:
    p = sub.add_parser("build", parents=[common], help="build the site")
    add_arguments(p)
    p.set_defaults(handler=run)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """build's options, also read by the no-op check (noop.py) so both parse alike."""
    p.add_argument("--out", type=Path, help="output folder (default: output_dir in site.yaml, site/)")
    p.add_argument("--drafts", action="store_true", help="also render drafts and unreviewed posts, with a banner")
    p.add_argument("--base-url", help="override base_url (e.g. for a preview deployment)")
    p.add_argument("--jobs", type=int, default=0, help="parallel render processes (default: all cores)")
    p.add_argument("--no-cache", action="store_true", help="ignore and rebuild the cache")
    p.add_argument("--search", choices=("index", "keep"), default="index",
                   help="index: build the search index (default); keep: reuse the one in the output folder, "
                        "faster for previews but search may miss the latest edits")
    p.add_argument("--timings", action="store_true", help="print the time of each step")
    add_format(p)


def run(args) -> int:
    # Imported here, not above: the no-op check reads add_arguments before Peerpress is loaded.
    from .. import config as config_mod
    from ..engine import build
    options = build.Options(out=args.out, drafts=args.drafts, base_url=args.base_url, jobs=args.jobs,
                            no_cache=args.no_cache, search=args.search)
    result = build.run(config_mod.load(args.config), options)
    if report_problems(result.problems, args.format):
        print("build failed; the previous site is untouched", file=sys.stderr)
        return 1
    if args.timings:
        for name, seconds in result.steps:
            print(f"  {name:<14} {seconds * 1000:8.1f} ms")
    listed = len(result.site.listed) if result.site else 0
    print(f"built {listed} posts, {result.outputs} files ({result.written} written, "
          f"{result.unchanged} unchanged) into {result.out} in {result.seconds:.2f}s"
          + (" (search index kept from the last build)" if result.search_kept else ""))
    return 0
