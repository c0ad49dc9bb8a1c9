import sys

from .noop import check

# A build with nothing to do is recognised before the rest of Peerpress is imported (noop.py).
status = check(sys.argv[1:])
if status is None:
    from .cli import main

    status = main()
raise SystemExit(status)
