"""Entry point for both `python -m generator` and the `peerpress` console script."""
import sys

from .commands.build import fast_path


def run() -> int:
    # A build with nothing to do is recognised before the rest of Peerpress is imported
    # (commands/build.fast_path, engine/noop.py).
    status = fast_path(sys.argv[1:])
    if status is None:
        from .cli import main

        status = main()
    return status


if __name__ == "__main__":
    raise SystemExit(run())
