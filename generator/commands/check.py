"""`peerpress check`: validates everything without writing (the pull-request gate)."""
from __future__ import annotations

from .. import config as config_mod, planted
from ..engine import build
from .common import add_format, report_problems


def add_cli(sub, common) -> None:
    p = sub.add_parser("check", parents=[common], help="validate everything without writing")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--pull-request", metavar="BASE",
                   help="also refuse review and decision records this branch changes against BASE (the branch "
                        "it goes into, e.g. origin/main): they are recorded on main at merge")
    add_format(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    cfg = config_mod.load(args.config)
    result = build.run(cfg, build.Options(write=False))
    if args.pull_request:
        result.problems += planted.check(cfg, args.pull_request)
    if report_problems(result.problems, args.format, args.strict):
        return 1
    if args.format == "text":
        print(f"ok: {len(result.site.posts) if result.site else 0} posts, "
              f"{len(result.site.records) if result.site else 0} review records, no problems")
    return 0
