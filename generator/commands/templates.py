"""`peerpress templates`: the pull-request and issue templates in .github/, from site.yaml."""
from __future__ import annotations

from pathlib import Path

from .. import config as config_mod
from ..desk import templates
from ..errors import ProblemError, error


def add_cli(sub, common) -> None:
    p = sub.add_parser("templates", parents=[common],
                       help="write .github/PULL_REQUEST_TEMPLATE.md and .github/ISSUE_TEMPLATE/ from site.yaml")
    p.add_argument("--out", type=Path, help="the folder to write into (default: .github beside site.yaml)")
    p.add_argument("--check", action="store_true", help="write nothing; fail if a template is missing or stale")
    p.set_defaults(handler=run)


def run(args) -> int:
    cfg = config_mod.load(args.config)
    out = args.out or cfg.root / ".github"
    stale = []
    for name, text in templates.render_all(cfg).items():
        path = out / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        if args.check:
            stale.append(error(str(path), None, "missing" if current is None else "out of date with site.yaml",
                               "run 'peerpress templates' and commit the result"))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    if stale:
        raise ProblemError(stale)
    return 0
