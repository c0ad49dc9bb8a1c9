"""What commands that print something about a post share: the loaded site, and one of its posts."""
from __future__ import annotations

from .. import config as config_mod
from ..engine import build
from ..errors import ProblemError, error, has_errors, rel
from ..model import Post, Site


def site_for_cli(args, allow_errors: bool = False) -> Site:
    """The whole site, drafts included, nothing written. Problems fail the command unless
    `allow_errors` (scaffolding a review of a post that still has problems is fine)."""
    result = build.run(config_mod.load(args.config), build.Options(write=False, drafts=True))
    if result.site is None or (not allow_errors and has_errors(result.problems)):
        raise ProblemError(result.problems or [error(str(args.config), None, "the site could not be loaded")])
    return result.site


def post_for_cli(site: Site, post_id: str) -> Post:
    if post_id not in site.posts:
        where = rel(site.config.content_dir, site.config.root)
        raise ProblemError([error(where, None, f"no post with id '{post_id}'",
                                  "known posts: " + ", ".join(sorted(site.posts)))])
    return site.posts[post_id]
