"""`peerpress desk run|settle|remind`: the editors' desk on GitHub (generator/desk/).

The workflows call these; untrusted text (comments, reviews) reaches them only as files.
"""
from __future__ import annotations

from pathlib import Path

from .. import config as config_mod, importers
from ..desk import deposits, ledger, overdue, run
from ..engine import build
from ..errors import ProblemError, error
from .common import add_format, report_problems
from .site import site_for_cli

REMINDER = "<!-- peerpress:reminder -->"


def add_cli(sub, common) -> None:
    desk = sub.add_parser("desk", help="the editors' desk: /peerpress comments, decisions, reminders") \
        .add_subparsers(dest="desk_command", metavar="SUBCOMMAND")
    p = desk.add_parser("run", parents=[common], help="carry out the /peerpress commands of a comment")
    p.add_argument("--github-event", type=Path, required=True, metavar="FILE",
                   help="an issue_comment webhook payload ($GITHUB_EVENT_PATH)")
    p.add_argument("--head", help="the pull request's head commit (default origin/pull/N, fetched by the workflow)")
    p.add_argument("--base", help="the branch it goes into (default: as for review import)")
    p.add_argument("--reply", type=Path, metavar="FILE", help="write the reply comment here (default: print it)")
    add_format(p)
    p.set_defaults(handler=run_desk)
    p = desk.add_parser("settle", parents=[common], help="copy a merged pull request's editor decisions into reviews/")
    p.add_argument("--pr", type=int, required=True)
    p.add_argument("--base", help="the commit to read desk/ from (default: as for review import)")
    add_format(p)
    p.set_defaults(handler=run_settle)
    p = desk.add_parser("remind", parents=[common], help="a reminder comment for overdue assigned reviewers")
    p.add_argument("--pr", type=int, required=True)
    p.add_argument("--reviews", type=Path, required=True, metavar="FILE",
                   help="GET /repos/OWNER/REPO/pulls/N/reviews, saved as JSON")
    p.add_argument("--reply", type=Path, metavar="FILE", help="write the reminder here (nothing when none is due)")
    add_format(p)
    p.set_defaults(handler=run_remind)
    p = desk.add_parser("deposits", parents=[common],
                        help="published posts with DOIs that may have just appeared (for the Crossref deposit)")
    p.add_argument("--since", help="the last published commit (e.g. the push's before)")
    p.add_argument("--days", type=int, default=1, help="also posts whose date is within this many days (default 1)")
    p.set_defaults(handler=run_deposits)


def run_desk(args) -> int:
    cfg = config_mod.load(args.config)
    payload = importers.read_json(args.github_event)
    if not isinstance(payload, dict) or "comment" not in payload:
        raise ProblemError([error(str(args.github_event), None, "not an issue_comment event payload",
                                  "pass $GITHUB_EVENT_PATH from a workflow run 'on: issue_comment'")])
    pr = run.pull_request_number(payload)
    base = args.base or importers.default_base(cfg) or "origin/main"
    outcome = run.handle(cfg, payload, args.head or f"origin/pull/{pr}", base, build.now(cfg).date())
    for path in outcome.changed:
        print(f"wrote {path.relative_to(cfg.root).as_posix()}")
    _emit(outcome.reply, args.reply)
    return 1 if report_problems(outcome.problems, args.format) else 0


def run_settle(args) -> int:
    cfg = config_mod.load(args.config)
    base = args.base or importers.default_base(cfg) or "origin/main"
    written, problems = ledger.settle(cfg, args.pr, base)
    for path in written:
        print(f"wrote {path.relative_to(cfg.root).as_posix()}")
    return 1 if report_problems(problems, args.format) else 0


def run_remind(args) -> int:
    cfg = config_mod.load(args.config)
    data = importers.read_json(args.reviews)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ProblemError([error(str(args.reviews), None, "expected a JSON list of reviews",
                                  f"save the output of GET /repos/OWNER/REPO/pulls/{args.pr}/reviews")])
    log, problems = ledger.read_log(cfg, args.pr)
    late = overdue.find(cfg, log, overdue.reviewed_on_github(cfg, data), build.now(cfg).date())
    text = ""
    if late:
        mentions = []
        for o in late:
            person = cfg.person(o.assignment.reviewer)
            who = f"@{person.github}" if person and person.github else o.assignment.reviewer
            mentions.append(f"- {who}: assigned {o.assignment.on.isoformat()}, due {o.due.isoformat()} "
                            f"({o.days} day{'s' * (o.days != 1)} ago)")
        text = "\n".join([REMINDER, "A friendly reminder from the editorial desk: these reviews are past the "
                          f"blog's {cfg.review.deadline_days}-day deadline.", "", *mentions, "",
                          "If you cannot review it after all, say so here and an editor will reassign it "
                          "(`/peerpress unassign`). Thank you for reviewing."])
    _emit(text, args.reply)
    return 1 if report_problems(problems, args.format) else 0


def run_deposits(args) -> int:
    site = site_for_cli(args)
    since = args.since if args.since and args.since.strip("0") else ""  # GitHub sends 000... for a new branch
    found, problems = deposits.newly_published(site, since, args.days, build.now(site.config))
    for pid in found:
        print(pid)
    return 1 if report_problems(problems) else 0


def _emit(text: str, reply: Path | None) -> None:
    if reply is not None:
        reply.write_text(text, encoding="utf-8")
    elif text:
        print(text)


