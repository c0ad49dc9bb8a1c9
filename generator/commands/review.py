"""`peerpress review new|status|import`: review records."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from .. import config as config_mod, decisions, importers, pinning, reviews
from ..desk import comment as desk_comment, overdue as desk_status
from ..engine import build
from ..errors import ProblemError, error
from .common import add_format
from .site import post_for_cli, site_for_cli


def add_cli(sub, common) -> None:
    review = sub.add_parser("review", help="review records: new, status").add_subparsers(dest="review_command",
                                                                                       metavar="SUBCOMMAND")
    p = review.add_parser("new", parents=[common], help="scaffold review records pinned to the current text")
    p.add_argument("post", nargs="+", help="post id (several: one record each, in one run)")
    p.add_argument("--reviewer", required=True, help="people id of the reviewer")
    p.add_argument("--decision", required=True, choices=reviews.REVIEW_DECISIONS, type=decisions.review_argument,
                   help="the review's decision; the site's words ('approved', 'changes requested') work too")
    p.add_argument("--date", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")
    p.set_defaults(handler=run_new)
    p = review.add_parser("status", parents=[common], help="each post's review state and what it needs")
    p.add_argument("post", nargs="?")
    p.add_argument("--format", choices=("text", "github-comment"), default="text",
                   help="github-comment: Markdown for the pull request's status comment (generator/desk)")
    p.add_argument("--changed-from", metavar="BASE",
                   help="only the posts changed since HEAD's branch left BASE (e.g. origin/main)")
    p.add_argument("--preview-url", default="", help="link to the preview build, shown in the comment; "
                                                     "{pr} and {sha} become the pull request's number and head")
    p.add_argument("--github-event", type=Path, metavar="FILE",
                   help="a pull_request or pull_request_review payload: its base branch is --changed-from")
    p.set_defaults(handler=run_status)
    add_import_cli(review, common)


def run_new(args) -> int:
    cfg = config_mod.load(args.config)
    when = args.date or build.now(cfg).date()
    todo = "fill in each rubric score and write" if cfg.review.rubric else "write"
    for post in pinning.find(cfg, args.post):  # hashes only the named posts, not the whole site
        path = reviews.scaffold(cfg, post, args.reviewer, args.decision, when)
        print(f"created {path.relative_to(cfg.root)} for version {post.content_hash}: {todo} the review below "
              "its front matter ('peerpress check' refuses it until then)")
    return 0


def run_status(args) -> int:
    site = site_for_cli(args, allow_errors=True)
    ids = [post_for_cli(site, args.post).id] if args.post else sorted(site.states)
    preview, base = args.preview_url, args.changed_from
    if args.github_event:
        pr = desk_comment.pull_request_of(importers.read_json(args.github_event), str(args.github_event))
        preview = preview.replace("{pr}", str(pr.number)).replace("{sha}", pr.head)
        base = base or importers.default_base(site.config, pr.base)
    if base:
        ids = [pid for pid in desk_comment.changed_posts(site, base) if pid in ids]
    late = desk_status.of_site(site, build.now(site.config).date(), base or "")  # main's assignments
    if args.format == "github-comment":
        print(desk_comment.render(site, ids, late, preview), end="")
        return 0
    rows = [("post", "status", "version", "approvals", "needs")]
    for pid in ids:
        state = site.states[pid]
        rows.append((pid, state.status, site.posts[pid].content_hash, str(len(state.approvals)),
                     "; ".join(state.needs) or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[4])
    if late:
        print(f"\noverdue reviews (review.deadline_days: {site.config.review.deadline_days}):")
        for line in desk_status.lines(site.config, late):
            print(f"  {line}")
    return 0


def add_import_cli(review_sub, common) -> None:
    """`peerpress review import ...`, beside `review new` and `review status`."""
    p = review_sub.add_parser("import", parents=[common],
                              help="review records from pull-request reviews or Reviewed-by: trailers")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--github-event", type=Path, metavar="FILE",
                        help="a pull_request_review webhook payload ($GITHUB_EVENT_PATH in GitHub Actions)")
    source.add_argument("--github-reviews", type=Path, metavar="FILE",
                        help="the JSON list from GET /repos/OWNER/REPO/pulls/N/reviews (needs --pr)")
    source.add_argument("--git-trailers", metavar="REV_RANGE", help="commits to read, e.g. main..my-branch")
    p.add_argument("--pr", type=int, help="the pull request the --github-reviews list belongs to")
    p.add_argument("--base", help="the branch the pull request goes into (--github-reviews; default: "
                                  "$GITHUB_BASE_REF, origin/HEAD, origin/main or main, the first that exists)")
    add_format(p)
    p.set_defaults(handler=run_import)


def run_import(args) -> int:
    cfg = config_mod.load(args.config)
    if args.github_event:
        result = importers.github_event(cfg, args.github_event)
    elif args.github_reviews:
        if args.pr is None:
            raise ProblemError([error(str(args.github_reviews), None, "--github-reviews needs --pr N",
                                      "the number of the pull request the reviews belong to")])
        result = importers.github_reviews(cfg, args.github_reviews, args.pr, args.base)
    else:
        result = importers.git_trailers(cfg, args.git_trailers)
    return importers.report(cfg, result, args.format)
