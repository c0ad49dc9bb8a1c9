"""`peerpress crossref POST...`: writes a Crossref deposit for posts with DOIs."""
from __future__ import annotations

from ..crossref import crossref_xml, refuse_unpublished
from .site import post_for_cli, site_for_cli


def add_cli(sub, common) -> None:
    """`peerpress crossref`."""
    p = sub.add_parser("crossref", parents=[common], help="write a Crossref deposit for posts with DOIs")
    p.add_argument("posts", nargs="+", metavar="POST", help="post ids")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.add_argument("--timestamp", type=int, help="deposit timestamp (default: from the newest post date)")
    p.add_argument("--force", action="store_true",
                   help="also deposit posts that are not published (editors only: a DOI is permanent)")
    p.set_defaults(handler=run)


def run(args) -> int:
    site = site_for_cli(args)
    posts = [post_for_cli(site, pid) for pid in args.posts]
    if not args.force:
        refuse_unpublished(site, posts)
    data = crossref_xml(site, posts, args.timestamp)
    if args.out:
        with open(args.out, "wb") as fh:
            fh.write(data)
    else:
        print(data.decode("utf-8"), end="")
    return 0
