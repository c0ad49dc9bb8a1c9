"""Entry point for both `python -m generator` and the `peerpress` console script."""
import sys

from .commands.build import fast_path


def run() -> int:
    # A build with nothing to do is recognised before the rest of Peerpress is imported
    # (commands/build.fast_path, engine/noop.py).
    status = fast_path(sys.argv[1:])
    if status is None:
        from .cli import main

        collect_rarely()
        status = main()
    return status


def collect_rarely() -> None:
    """A build allocates millions of small objects that live until it ends; with Python's
    default thresholds the cycle collector scans them again and again (10% of a one-post edit
    at 1,000 posts, bench/RESULTS.md). What is imported by now stays for good: frozen."""
    import gc

    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


if __name__ == "__main__":
    raise SystemExit(run())
