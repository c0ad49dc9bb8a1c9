"""What commands that print something about a post share: the loaded site, and one of its posts."""
from __future__ import annotations

from .. import build, config as config_mod
from ..errors import ProblemError, error
from ..model import Post, Site


def site_for_cli(args) -> Site:
    result = build.run(config_mod.load(args.config), build.Options(write=False, drafts=True))
    if result.site is None or any(p.severity == "error" for p in result.problems):
        raise ProblemError(result.problems or [error(str(args.config), None, "the site could not be loaded")])
    return result.site


def post_for_cli(site: Site, post_id: str) -> Post:
    if post_id not in site.posts:
        raise ProblemError([error(str(site.config.content_dir), None, f"no post with id '{post_id}'",
                                  "known posts: " + ", ".join(sorted(site.posts)))])
    return site.posts[post_id]
