"""`peerpress import jekyll DIR | hugo DIR | wordpress FILE.xml`: argument parsing and the report."""
from __future__ import annotations

import sys
from pathlib import Path

from .. import config as config_mod
from ..errors import ProblemError, error, format_problems
from ..migrate import hugo, jekyll, plan, wordpress
from ..migrate.common import Leftovers
from ..migrate.people import People


def add_cli(sub, common) -> None:
    p = sub.add_parser("import", help="import posts, people and reviews from Jekyll, Hugo or WordPress")
    tools = p.add_subparsers(dest="import_tool", metavar="TOOL", required=True)
    for name, what, helptext in (("jekyll", "DIR", "a Jekyll site folder (with _posts/ and _config.yml)"),
                                 ("hugo", "DIR", "a Hugo site folder (with content/ and hugo.toml or config.*)"),
                                 ("wordpress", "FILE", "a WordPress export (Tools → Export), an .xml file")):
        t = tools.add_parser(name, parents=[common], help=f"import {helptext}")
        t.add_argument("source", type=Path, metavar=what, help=helptext)
        t.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        t.add_argument("--force", action="store_true",
                       help="replace imported files that were edited since (default: keep them and say so)")
        t.add_argument("--person", action="append", default=[], metavar="'NAME=ID'",
                       help="map a name in the source to a people id (repeatable); overrides name matching")
        if name == "jekyll":
            t.add_argument("--posts", action="append", default=[], metavar="FOLDER",
                           help="also import the pages in this folder of the site as posts (repeatable), "
                                "e.g. a lessons folder outside _posts/")
        if name == "wordpress":
            t.add_argument("--uploads", type=Path, help="a copy of the old site's wp-content/uploads folder")
        t.set_defaults(handler=run)


def run(args) -> int:
    cfg = config_mod.load(args.config)
    source = args.source
    if not source.exists():
        raise ProblemError([error(str(source), None, "not found", "give the site folder or the export file")])
    overrides = {}
    for item in args.person:
        name, sep, pid = item.partition("=")
        if not sep or not pid.strip():
            raise ProblemError([error("--person", None, f"'{item}' is not NAME=ID", "e.g. --person 'Jo Bloggs=jo'")])
        overrides[name.strip()] = pid.strip()
    leftovers = Leftovers()
    if args.import_tool == "wordpress":
        posts = wordpress.read(source, cfg, leftovers, args.uploads)
    else:
        if args.import_tool == "jekyll":
            posts = jekyll.read(source.resolve(), cfg, leftovers, args.posts)
        else:
            posts = hugo.read(source.resolve(), cfg, leftovers)
    for post in posts:  # only say a post's language when it is not the site's
        lang = post.front.get("language", "")
        if lang and lang.split("-")[0].lower() == cfg.language.split("-")[0].lower():
            post.front["language"] = ""
    people = People.load(cfg.path, overrides)
    made = plan.make(cfg, posts, people, leftovers, force=args.force)
    plan.apply(cfg, made, args.dry_run)
    for note in people.notes:
        print(f"people: {note}")
    for kept in made.kept:
        print(f"kept {Path(kept).relative_to(cfg.root).as_posix()}: it differs from the import (edited since?); "
              "--force replaces it", file=sys.stderr)
    if leftovers.problems:
        print(format_problems(leftovers.problems, "text"), file=sys.stderr)
    verb = "would import" if args.dry_run else "imported"
    print(f"{verb} {made.posts} posts and {made.records} review records from {source}: {len(made.writes)} files "
          f"to write, {made.unchanged} unchanged, {len(leftovers.problems)} left for you to finish (above)")
    return 0
