"""`peerpress serve`: preview with live reload (serve.py does the work)."""
from __future__ import annotations


def add_cli(sub, common) -> None:
    p = sub.add_parser("serve", parents=[common], help="preview with live reload (drafts shown with a banner)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--drafts", action="store_true", help="accepted for symmetry with build: serve always shows drafts")
    p.add_argument("--jobs", type=int, default=0, help="parallel render processes (default: all cores)")
    p.set_defaults(handler=run)


def run(args) -> int:
    from .. import serve  # watchdog and http.server: only when serving
    return serve.main(args.config, args.host, args.port, args.jobs)
