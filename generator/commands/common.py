"""What every command shares: `--config`, `--format` and printing problems.

Standard library and errors.py only: the no-op fast path (commands/build.py) builds `build`'s
parser from here before the rest of Peerpress is imported.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import format_problems, has_errors

FORMATS = ("text", "json", "github")


def common_parser() -> argparse.ArgumentParser:
    """The options every command takes (a parent parser)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default="site.yaml", type=Path, help="path to site.yaml (default ./site.yaml)")
    return common


def add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="text", help="problem format")


def report_problems(problems, fmt: str = "text", strict: bool = False) -> bool:
    """Print problems; True when they should fail the command."""
    if problems:
        print(format_problems(problems, fmt), file=sys.stderr)
    if strict:
        return bool(problems)
    return has_errors(problems)
