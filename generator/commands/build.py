"""`peerpress build`: builds the site into the output folder.

Only the standard library, `noop` and `common` are imported up front: `fast_path` answers a build
with nothing to do before the rest of Peerpress is loaded (__main__.py).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..engine import noop
from .common import add_format, common_parser, report_problems


def add_cli(sub, common) -> None:
    p = sub.add_parser("build", parents=[common], help="build the site")
    add_arguments(p)
    p.set_defaults(handler=run)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """build's options, also read by `fast_path` below so both parse alike."""
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
    # Imported here, not above: see the module docstring.
    from .. import config as config_mod
    from ..engine import build
    from ..site import held_back_line
    options = build.Options(out=args.out, drafts=args.drafts, base_url=args.base_url, jobs=args.jobs,
                            no_cache=args.no_cache, search=args.search)
    result = build.run(config_mod.load(args.config), options)
    if report_problems(result.problems, args.format):
        print("the site was written, but the build failed afterwards" if result.cache_failed and result.written
              + result.unchanged else "build failed; the previous site is untouched", file=sys.stderr)
        return 1
    if args.timings:
        for name, seconds in result.steps:
            print(f"  {name:<14} {seconds * 1000:8.1f} ms")
    listed = len(result.site.listed) if result.site else 0
    print(f"built {listed} posts, {result.outputs} files ({result.written} written, "
          f"{result.unchanged} unchanged) into {result.out} in {result.seconds:.2f}s"
          + (" (search index kept from the last build)" if result.search_kept else ""))
    held = held_back_line(result.site) if result.site else ""
    if held:  # the same words as `review status`, so the two never disagree
        print(held)
    return 0


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # a typo or --help: the real CLI reports it
        raise ValueError(message)


def parse_plain(argv: list[str]) -> argparse.Namespace | None:
    """A `build` invocation the no-op check can answer, read with build's own parser; None for
    anything else (other commands, --no-cache, typos, --help), which goes to the real CLI."""
    if not argv or argv[0] != "build":
        return None
    parser = _Parser(add_help=False, parents=[common_parser()])
    add_arguments(parser)
    try:
        args = parser.parse_args(argv[1:])
    except ValueError:
        return None
    if args.no_cache or args.format != "text" or args.search != "index":
        return None  # a kept (maybe stale) search index is never "up to date"
    return args


def fast_path(argv: list[str]) -> int | None:
    """Exit status 0 when the site is already up to date (and the summary printed), else None."""
    start = time.perf_counter()
    args = parse_plain(argv)
    manifest = noop.up_to_date(args.config.absolute(), args) if args else None
    if manifest is None:
        return None
    if manifest["warnings"]:
        print(manifest["warnings"], file=sys.stderr)
    seconds = time.perf_counter() - start
    if args.timings:
        print(f"  {'up-to-date':<14} {seconds * 1000:8.1f} ms")
    count = manifest["count"]
    print(f"built {manifest['listed']} posts, {count} files (0 written, {count} unchanged) into "
          f"{manifest['out']} in {seconds:.2f}s (nothing changed)")
    if manifest.get("held"):
        print(manifest["held"])
    return 0
