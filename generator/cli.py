"""The `peerpress` command: a dispatcher over generator/commands/ (one module per command).
`python -m generator` runs it too.

To add a command, write commands/<name>.py with `add_cli(sub, common)` (which registers its
parser and sets `handler`) and add its name to COMMANDS: one line.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from . import fserrors
from .commands.common import common_parser
from .errors import ProblemError, format_problems

# Modules of generator/commands/, in the order `peerpress --help` lists them.
COMMANDS = [
    "build",
    "check",
    "new",
    "review",
    "desk",
    "templates",
    "publish",
    "cite",
    "crossref",
    "migrate",
    "serve",
]


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
    except OSError as exc:  # a file-system failure no step turned into a Problem: still no traceback
        print(fserrors.problem(exc).text(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site is untouched", file=sys.stderr)
        return 130


def make_parser() -> argparse.ArgumentParser:
    common = common_parser()
    parser = argparse.ArgumentParser(prog="peerpress", description="Build a peer-reviewed open educational blog.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__package__}.commands.{name}").add_cli(sub, common)
    return parser
