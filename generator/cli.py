"""The `peerpress` command: a dispatcher over generator/commands/ (one module per command).
`python -m generator` runs it too.

To add a command, write commands/<name>.py with `add_cli(sub, common)` (which registers its
parser and sets `handler`) and add the module to COMMANDS.
"""
from __future__ import annotations

import argparse
import sys

from .commands import build, check, cite, crossref, new, publish, review, serve
from .commands.common import common_parser
from .errors import ProblemError, format_problems

COMMANDS = [build, check, new, review, publish, cite, crossref, serve]


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except ProblemError as exc:
        print(format_problems(exc.problems, getattr(args, "format", "text")), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site is untouched", file=sys.stderr)
        return 130


def make_parser() -> argparse.ArgumentParser:
    common = common_parser()
    parser = argparse.ArgumentParser(prog="peerpress", description="Build a peer-reviewed open educational blog.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_cli(sub, common)
    return parser
