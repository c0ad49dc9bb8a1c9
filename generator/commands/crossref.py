"""`peerpress crossref POST...`: writes a Crossref deposit for posts with DOIs."""
from __future__ import annotations

from ..crossref import crossref_xml
from .site import post_for_cli, site_for_cli


def add_cli(sub, common) -> None:
    """`peerpress crossref` (registered in cli.COMMANDS)."""
    p = sub.add_parser("crossref", parents=[common], help="write a Crossref deposit for posts with DOIs")
    p.add_argument("posts", nargs="+", metavar="POST", help="post ids")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.add_argument("--timestamp", type=int, help="deposit timestamp (default: from the newest post date)")
    p.set_defaults(handler=cmd_crossref)


def cmd_crossref(args) -> int:
    site = site_for_cli(args)
    data = crossref_xml(site, [post_for_cli(site, pid) for pid in args.posts], args.timestamp)
    if args.out:
        with open(args.out, "wb") as fh:
            fh.write(data)
    else:
        print(data.decode("utf-8"), end="")
    return 0
