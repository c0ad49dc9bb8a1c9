"""Entry point for both `python -m generator` and the `peerpress` console script."""
import sys

from .engine.noop import check


def run() -> int:
    # A build with nothing to do is recognised before the rest of Peerpress is imported (noop.py).
    status = check(sys.argv[1:])
    if status is None:
        from .cli import main

        status = main()
    return status


if __name__ == "__main__":
    raise SystemExit(run())
