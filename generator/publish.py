"""Publishing the built site through git (`peerpress publish`), for GitHub Pages and the like.

The site is built first (errors stop here, as for `build`), then ghp-import commits the output
folder as the whole tree of a branch (default gh-pages) — with `.nojekyll`, so GitHub Pages
serves folders starting with `_` as they are, and `CNAME` from site.yaml's `cname` — and pushes
it. The branch's history is one commit per publication; the blog's own branches are untouched.

It refuses to run when git does not know who is committing: a publication is a commit, and a
commit by nobody is not one a blog should have to explain.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

from . import history
from .engine import build
from .errors import Problem, ProblemError, error, rel
from .model import Config


@dataclass
class Published:
    branch: str
    remote: str
    commit: str
    pushed: bool
    report: build.BuildReport


def identity(config: Config) -> tuple[str, str]:
    """The committer ghp-import will use: GIT_COMMITTER_* or user.name/user.email, as it reads them."""
    def setting(env: str, key: str) -> str:
        if os.environ.get(env):
            return os.environ[env]
        proc = history.git(config.root, "config", key)
        return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else ""
    return setting("GIT_COMMITTER_NAME", "user.name"), setting("GIT_COMMITTER_EMAIL", "user.email")


def preflight(config: Config, remote: str, push: bool) -> list[Problem]:
    """Everything that would make publishing fail half-way, found before building."""
    shown = rel(config.path, config.root)
    if history.git(config.root, "rev-parse", "--git-dir").returncode != 0:
        return [error(shown, None, "this blog is not in a git repository, so it cannot be published through git",
                      "run 'git init' and add a remote, or copy the built site/ folder to your host")]
    name, email = identity(config)
    if not name or not email:
        return [error(shown, None, "git does not know who you are, so it cannot commit the site",
                      "run: git config user.name \"Your Name\" && git config user.email you@example.org")]
    if push and history.git(config.root, "remote", "get-url", remote).returncode != 0:
        return [error(shown, None, f"no git remote named '{remote}'",
                      "pass --remote NAME, or --no-push to commit the branch without pushing")]
    return []


def publish(config: Config, remote: str = "origin", branch: str = "gh-pages", push: bool = True,
            message: str = "") -> Published:
    """Build, then commit the output folder to `branch` and push it to `remote`."""
    problems = preflight(config, remote, push)
    if problems:
        raise ProblemError(problems)
    report = build.run(config, build.Options())
    if any(p.severity == "error" for p in report.problems):
        raise ProblemError(report.problems)
    out = report.out or config.output_dir
    if push:  # build on what the remote branch already has, so the push is a fast-forward
        history.git(config.root, "fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    head = history.git(config.root, "rev-parse", "--short", "HEAD").stdout.decode().strip()
    args = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--remote", remote, "--branch", branch,
            "--message", message or f"Publish the site built from {head or 'the working tree'}"]
    if config.cname:
        args += ["--cname", config.cname]
    if push:
        args.append("--push")
    proc = subprocess.run([*args, str(out)], cwd=config.root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        why = proc.stderr.strip() or proc.stdout.strip() or f"ghp-import exit {proc.returncode}"
        raise ProblemError([error(rel(config.path, config.root), None, f"publishing failed: {why}",
                                  f"check that you may push to '{remote}'")])
    commit = history.git(config.root, "rev-parse", f"refs/heads/{branch}").stdout.decode().strip()
    return Published(branch, remote, commit, push, report)


def main_summary(result: Published) -> str:
    where = (f"pushed to {result.remote}/{result.branch}" if result.pushed
             else f"committed to {result.branch} (not pushed)")
    listed = len(result.report.site.listed) if result.report.site else 0
    return f"published {listed} posts, {result.report.outputs} files: {where} at {result.commit[:12]}"
