"""The `peerpress` command (DESIGN.md §3 Commands). `python -m generator` runs it too."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from . import build, content, importers, publish, reviews
from . import config as config_mod
from .commands import cite as cite_command, crossref as crossref_command
from .errors import ProblemError, format_problems, has_errors, warning


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except ProblemError as exc:
        print(format_problems(exc.problems, getattr(args, "format", "text")), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site is untouched", file=sys.stderr)
        return 130


def make_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default="site.yaml", type=Path, help="path to site.yaml (default ./site.yaml)")
    parser = argparse.ArgumentParser(prog="peerpress", description="Build a peer-reviewed open educational blog.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("build", parents=[common], help="build the site")
    p.add_argument("--out", type=Path, help="output folder (default: output_dir in site.yaml, site/)")
    p.add_argument("--drafts", action="store_true", help="also render drafts and unreviewed posts, with a banner")
    p.add_argument("--base-url", help="override base_url (e.g. for a preview deployment)")
    p.add_argument("--jobs", type=int, default=0, help="parallel render processes (default: all cores)")
    p.add_argument("--no-cache", action="store_true", help="ignore and rebuild the cache")
    p.add_argument("--search", choices=("index", "keep"), default="index",
                   help="index: build the search index (default); keep: reuse the one in the output folder, "
                        "faster for previews but search may miss the latest edits")
    p.add_argument("--timings", action="store_true", help="print the time of each step")
    p.add_argument("--format", choices=("text", "json", "github"), default="text", help="problem format")
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("check", parents=[common], help="validate everything without writing")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--format", choices=("text", "json", "github"), default="text", help="problem format")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("new", parents=[common], help="scaffold a post")
    p.add_argument("kind", choices=("post",))
    p.add_argument("title")
    p.add_argument("--author", action="append", default=[], help="people id (repeatable)")
    p.add_argument("--bundle", action="store_true", help="create a folder for the post and its images")
    p.set_defaults(handler=cmd_new)

    review = sub.add_parser("review", help="review records: new, status").add_subparsers(dest="review_command",
                                                                                       metavar="SUBCOMMAND")
    p = review.add_parser("new", parents=[common], help="scaffold a review record pinned to the current text")
    p.add_argument("post")
    p.add_argument("--reviewer", required=True, help="people id of the reviewer")
    p.add_argument("--decision", required=True, choices=reviews.REVIEW_DECISIONS)
    p.add_argument("--date", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")
    p.set_defaults(handler=cmd_review_new)
    p = review.add_parser("status", parents=[common], help="each post's review state and what it needs")
    p.add_argument("post", nargs="?")
    p.set_defaults(handler=cmd_review_status)
    importers.add_cli(review, common)  # review import
    publish.add_cli(sub, common)  # publish
    cite_command.add_cli(sub, common)
    crossref_command.add_cli(sub, common)

    p = sub.add_parser("serve", parents=[common], help="preview with live reload (drafts shown with a banner)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--drafts", action="store_true", help="accepted for symmetry with build: serve always shows drafts")
    p.add_argument("--jobs", type=int, default=0, help="parallel render processes (default: all cores)")
    p.set_defaults(handler=cmd_serve)
    return parser


def load_config(args) -> config_mod.Config:
    return config_mod.load(args.config)


def report_problems(problems, fmt: str = "text", strict: bool = False) -> bool:
    """Print problems; True when they should fail the command."""
    if problems:
        print(format_problems(problems, fmt), file=sys.stderr)
    if strict:
        return bool(problems)
    return has_errors(problems)


def cmd_build(args) -> int:
    cfg = load_config(args)
    options = build.Options(out=args.out, drafts=args.drafts, base_url=args.base_url, jobs=args.jobs,
                            no_cache=args.no_cache, search=args.search)
    result = build.run(cfg, options)
    if report_problems(result.problems, args.format):
        print("build failed; the previous site is untouched", file=sys.stderr)
        return 1
    if args.timings:
        for name, seconds in result.steps:
            print(f"  {name:<14} {seconds * 1000:8.1f} ms")
    listed = len(result.site.listed) if result.site else 0
    print(f"built {listed} posts, {result.outputs} files ({result.written} written, "
          f"{result.unchanged} unchanged) into {result.out} in {result.seconds:.2f}s"
          + (" (search index kept from the last build)" if result.search_kept else ""))
    return 0


def cmd_serve(args) -> int:
    from . import serve  # watchdog and http.server: only when serving
    return serve.main(args.config, args.host, args.port, args.jobs)


def cmd_check(args) -> int:
    cfg = load_config(args)
    result = build.run(cfg, build.Options(write=False))
    if report_problems(result.problems, args.format, args.strict):
        return 1
    if args.format == "text":
        print(f"ok: {len(result.site.posts) if result.site else 0} posts, "
              f"{len(result.site.records) if result.site else 0} review records, no problems")
    return 0


def cmd_new(args) -> int:
    cfg = load_config(args)
    authors = args.author or [pid for pid, p in sorted(cfg.people.items()) if p.has_role("author")][:1]
    post_id = content.slugify_id(args.title)
    folder = cfg.content_dir / "posts"
    path = folder / post_id / "index.md" if args.bundle else folder / f"{post_id}.md"
    if path.exists() or (folder / post_id).exists() or (folder / f"{post_id}.md").exists():
        raise ProblemError([warning(str(path), None, "a post with this id already exists", "choose another title")])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content.scaffold(args.title, authors, build.now(cfg).date()), encoding="utf-8")
    print(f"created {path.relative_to(cfg.root)}")
    return 0


def find_post(args, cfg):
    result = build.run(cfg, build.Options(write=False, drafts=True))
    if result.site is None or args.post not in result.site.posts:
        known = ", ".join(sorted(result.site.posts)) if result.site else ""
        raise ProblemError([warning(str(cfg.content_dir), None, f"no post with id '{args.post}'",
                                    f"known posts: {known}")])
    return result.site, result.site.posts[args.post]


def cmd_review_new(args) -> int:
    cfg = load_config(args)
    _, post = find_post(args, cfg)
    when = args.date or build.now(cfg).date()
    path = reviews.scaffold(cfg, post, args.reviewer, args.decision, when)
    print(f"created {path.relative_to(cfg.root)} for version {post.content_hash}")
    return 0


def cmd_review_status(args) -> int:
    cfg = load_config(args)
    result = build.run(cfg, build.Options(write=False, drafts=True))
    if result.site is None:
        report_problems(result.problems)
        return 1
    site = result.site
    ids = [args.post] if args.post else sorted(site.states)
    rows = [("post", "status", "version", "approvals", "needs")]
    for pid in ids:
        state = site.states.get(pid)
        if state is None:
            raise ProblemError([warning(str(cfg.content_dir), None, f"no post with id '{pid}'")])
        rows.append((pid, state.status, site.posts[pid].content_hash, str(len(state.approvals)),
                     "; ".join(state.needs) or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[4])
    return 0
