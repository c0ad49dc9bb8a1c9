"""`peerpress crossref POST...`: writes (or submits) Crossref deposits for posts with DOIs and their
published reviews."""
from __future__ import annotations

import os

from ..crossref import crossref_reviews_xml, crossref_xml, refuse_unpublished
from ..crossref_submit import PRODUCTION_ENDPOINT, TEST_ENDPOINT, gained_doi, submit
from ..errors import ProblemError, error
from .site import post_for_cli, site_for_cli


def add_cli(sub, common) -> None:
    """`peerpress crossref`."""
    p = sub.add_parser("crossref", parents=[common], help="write or submit a Crossref deposit for posts with DOIs")
    p.add_argument("posts", nargs="*", metavar="POST", help="post ids")
    p.add_argument("--gained-doi-since", metavar="REV",
                   help="instead of naming posts: every published post whose DOI is new since git revision REV")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.add_argument("--reviews", action="store_true",
                   help="write the peer_review deposit of the posts' published reviews instead of the posts'")
    p.add_argument("--timestamp", type=int, help="deposit timestamp (default: from the newest post date)")
    p.add_argument("--force", action="store_true",
                   help="also deposit posts that are not published (editors only: a DOI is permanent)")
    p.add_argument("--submit", action="store_true",
                   help="post the deposits (posts, then their reviews) to Crossref; the login comes from "
                        "CROSSREF_USERNAME and CROSSREF_PASSWORD in the environment")
    p.add_argument("--production", action="store_true",
                   help=f"with --submit: register for real at {PRODUCTION_ENDPOINT} (default: {TEST_ENDPOINT})")
    p.add_argument("--endpoint", help="with --submit: another deposit URL (e.g. a local test server)")
    p.set_defaults(handler=run)


def run(args) -> int:
    site = site_for_cli(args)
    if args.gained_doi_since:
        posts = gained_doi(site, args.gained_doi_since)
        if not posts:
            print(f"no published post gained a DOI since {args.gained_doi_since}")
            return 0
    elif args.posts:
        posts = [post_for_cli(site, pid) for pid in args.posts]
    else:
        raise ProblemError([error(str(args.config), None, "no posts named",
                                  "name post ids, or pass --gained-doi-since REV")])
    if not args.force:
        refuse_unpublished(site, posts)
    if args.submit:
        return _submit(site, posts, args)
    write = crossref_reviews_xml if args.reviews else crossref_xml
    data = write(site, posts, args.timestamp)
    if data is None:
        raise ProblemError([error(str(args.config), None, "these posts have no published reviews with DOIs",
                                  "reviews get DOIs when the post has one, doi_prefix is set and "
                                  "review.publish_reports is on")])
    if args.out:
        with open(args.out, "wb") as fh:
            fh.write(data)
    else:
        print(data.decode("utf-8"), end="")
    return 0


def _submit(site, posts, args) -> int:
    endpoint = args.endpoint or (PRODUCTION_ENDPOINT if args.production else TEST_ENDPOINT)
    deposits = [("posts", crossref_xml(site, posts, args.timestamp)),
                ("reviews", crossref_reviews_xml(site, posts, args.timestamp))]
    names = "-".join(sorted(p.id for p in posts))[:80]
    for kind, data in deposits:
        if data is None:
            continue
        message = submit(data, f"peerpress-{kind}-{names}.xml", endpoint, dict(os.environ))
        print(f"submitted the {kind} deposit ({', '.join(sorted(p.id for p in posts))}) to {endpoint}: {message}")
    return 0
