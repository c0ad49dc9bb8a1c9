"""Old URLs keep working: each `aliases:` path gets a redirect page, and `_redirects` lists them all.

A redirect page is a tiny HTML file (meta refresh, canonical link, a plain link for readers
whose browser does not follow the refresh, noindex) that works on any static host; `_redirects`
(Netlify and Cloudflare Pages format) makes those hosts answer with a real 301 instead.
"""
from __future__ import annotations

import re

from . import urls
from .errors import Problem, ProblemError, error
from .model import Output, Post, Site

ALIAS_RE = re.compile(r"^/[^\s?#\"'<>\\]*$")


def alias_problem(value: str) -> str | None:
    if "?" in value:
        return "has a query string, which a static site cannot redirect (give the path only)"
    if not ALIAS_RE.match(value) or "//" in value:
        return "must be a path on this site starting with /, e.g. /2019/03/old-slug/ or /old-page.html"
    if any(part in (".", "..") for part in value.split("/")):
        return "must not contain . or .. segments"
    return None


def output_path(alias: str) -> str:
    """The file a redirect lives in: /a/b/ and /a/b → a/b/index.html; /old.html stays a file."""
    path = alias.lstrip("/")
    last = path.rsplit("/", 1)[-1]
    if not path or path.endswith("/"):
        return urls.file_for(path)
    return path if "." in last else path + "/index.html"


def target(post: Post) -> str:
    return urls.post(post.id) if post.kind == "post" else urls.page(post.id)


def outputs(renderer, outputs_so_far: list[Output]) -> list[Output]:
    """A redirect page for every alias of a shown post or page, and `_redirects`.

    An alias that would overwrite a real page, or that two posts claim, is an error."""
    site: Site = renderer.site
    taken = {o.path for o in outputs_so_far}
    claimed: dict[str, Post] = {}
    problems: list[Problem] = []
    out: list[Output] = []
    lines = []
    for post in [*site.listed, *site.pages.values()]:
        for alias, line in post.aliases:
            file = output_path(alias)
            where = post.source.as_posix()
            if file in taken:
                problems.append(error(where, line, f"alias '{alias}' is the address of a page of this site",
                                      "remove the alias: that address already shows something else"))
            elif file in claimed:
                problems.append(error(where, line, f"alias '{alias}' is also claimed by "
                                                   f"{claimed[file].source.as_posix()}", "keep it on one post"))
            else:
                claimed[file] = post
                out.append(renderer.page("redirect.html", file, target=post, target_path=target(post)))
                lines.append(f"{urls.link(site.config, alias)} {urls.link(site.config, target(post))} 301")
    if problems:
        raise ProblemError(problems)
    if lines:
        out.append(Output("_redirects", ("\n".join(lines) + "\n").encode("utf-8")))
    return out
