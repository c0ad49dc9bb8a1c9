"""`peerpress new post "Title"`: scaffolds a post, by the person git says is writing it."""
from __future__ import annotations

import re
import subprocess
import sys

from .. import config as config_mod, content
from ..engine import build
from ..errors import ProblemError, error, rel, warning
from ..model import Config, Person


def add_cli(sub, common) -> None:
    p = sub.add_parser("new", parents=[common], help="scaffold a post")
    p.add_argument("kind", choices=("post",))
    p.add_argument("title")
    p.add_argument("--author", action="append", default=[],
                   help="people id (repeatable); default: the person whose e-mail, GitHub login or name "
                        "matches your git identity (git config user.email, user.name), or asked")
    p.add_argument("--bundle", action="store_true", help="create a folder for the post and its images")
    p.set_defaults(handler=run)


def run(args) -> int:
    cfg = config_mod.load(args.config)
    authors = args.author or [default_author(cfg)]
    post_id = content.slugify_id(args.title)
    folder = cfg.content_dir / "posts"
    path = folder / post_id / "index.md" if args.bundle else folder / f"{post_id}.md"
    if path.exists() or (folder / post_id).exists() or (folder / f"{post_id}.md").exists():
        raise ProblemError([warning(str(path), None, "a post with this id already exists", "choose another title")])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content.scaffold(args.title, authors, build.now(cfg).date()), encoding="utf-8")
    print(f"created {path.relative_to(cfg.root)}: replace its placeholder text with the post "
          "('peerpress check' refuses it until then)")
    return 0


def default_author(cfg: Config) -> str:
    """The author git names (never simply the first in site.yaml), else asked, else an error."""
    authors = {pid: p for pid, p in sorted(cfg.people.items()) if p.has_role("author")}
    name, email = _git_config(cfg, "user.name"), _git_config(cfg, "user.email")
    found = _match(authors, name, email)
    if found:
        return found
    who = f"your git identity ({name} <{email}>) is no author here" if name or email else \
        "git does not know who you are"
    if sys.stdin is not None and sys.stdin.isatty():
        return _ask(cfg, authors, who)
    fix = "add your e-mail to your entry under people: in site.yaml" if name or email else \
        "run: git config user.email you@example.org (the e-mail of your entry under people: in site.yaml)"
    raise ProblemError([error(rel(cfg.path, cfg.root), None, f"no --author given, and {who}",
                              "pass --author ID (authors: " + (", ".join(authors) or "none yet") + f"), or {fix}")])


def _match(authors: dict[str, Person], name: str, email: str) -> str | None:
    email = email.strip().lower()
    # GitHub's private commit address: 12345+login@users.noreply.github.com or login@users...
    login = re.match(r"^(?:\d+\+)?([^@+]+)@users\.noreply\.github\.com$", email)
    for test in (lambda p: email and p.email.strip().lower() == email,
                 lambda p: login and p.github.strip().lower() == login[1],
                 lambda p: name.strip() and " ".join(p.name.split()).casefold() == " ".join(name.split()).casefold()):
        matches = [pid for pid, p in authors.items() if test(p)]
        if len(matches) == 1:
            return matches[0]
    return None


def _ask(cfg: Config, authors: dict[str, Person], who: str) -> str:
    print(f"Which author? ({who}) Authors:", file=sys.stderr)
    for pid, person in authors.items():
        print(f"  {pid}: {person.name}", file=sys.stderr)
    for _ in range(3):
        answer = input("Author id: ").strip()
        if answer in authors:
            return answer
        print(f"'{answer}' is not one of them", file=sys.stderr)
    raise ProblemError([error(rel(cfg.path, cfg.root), None, "no author chosen", "pass --author ID")])


def _git_config(cfg: Config, key: str) -> str:
    try:
        proc = subprocess.run(["git", "config", key], cwd=cfg.root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):  # no git at all: as if it knew no one
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""
