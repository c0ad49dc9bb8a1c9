"""`peerpress new post "Title"`: scaffolds a post."""
from __future__ import annotations

from .. import config as config_mod, content
from ..engine import build
from ..errors import ProblemError, warning


def add_cli(sub, common) -> None:
    p = sub.add_parser("new", parents=[common], help="scaffold a post")
    p.add_argument("kind", choices=("post",))
    p.add_argument("title")
    p.add_argument("--author", action="append", default=[], help="people id (repeatable)")
    p.add_argument("--bundle", action="store_true", help="create a folder for the post and its images")
    p.set_defaults(handler=run)


def run(args) -> int:
    cfg = config_mod.load(args.config)
    authors = args.author or [pid for pid, p in sorted(cfg.people.items()) if p.has_role("author")][:1]
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
