"""`peerpress publish`: builds, then commits the output folder to a branch and pushes it."""
from __future__ import annotations

import sys

from .. import config as config_mod
from ..errors import format_problems
from ..publish import main_summary, publish
from .common import add_format


def add_cli(sub, common) -> None:
    p = sub.add_parser("publish", parents=[common], help="build, then commit site/ to a branch and push it")
    p.add_argument("--remote", default="origin", help="git remote to push to (default origin)")
    p.add_argument("--branch", default="gh-pages", help="branch that holds the site (default gh-pages)")
    p.add_argument("--no-push", action="store_true", help="commit the branch but do not push it")
    p.add_argument("--message", default="", help="commit message on the branch")
    add_format(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    cfg = config_mod.load(args.config)
    result = publish(cfg, remote=args.remote, branch=args.branch, push=not args.no_push, message=args.message)
    if result.report.problems:  # warnings: printed, as build prints them
        print(format_problems(result.report.problems, args.format), file=sys.stderr)
    print(main_summary(result))
    return 0
