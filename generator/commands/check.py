"""`peerpress check`: validates everything without writing (the pull-request gate)."""
from __future__ import annotations

from .. import config as config_mod
from ..engine import build
from .common import add_format, report_problems


def add_cli(sub, common) -> None:
    p = sub.add_parser("check", parents=[common], help="validate everything without writing")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    add_format(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    result = build.run(config_mod.load(args.config), build.Options(write=False))
    if report_problems(result.problems, args.format, args.strict):
        return 1
    if args.format == "text":
        print(f"ok: {len(result.site.posts) if result.site else 0} posts, "
              f"{len(result.site.records) if result.site else 0} review records, no problems")
    return 0
