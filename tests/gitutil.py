"""Real git repositories for tests: isolated from the user's git configuration, with fixed dates."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def git_env(tmp_path, monkeypatch):
    """An identity and no global or system git config (never the user's ~/.gitconfig)."""
    return isolate_git(tmp_path, monkeypatch)


def isolate_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """git_env's work, for fixtures of a wider scope (with pytest.MonkeyPatch.context())."""
    empty = tmp_path / "gitconfig"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Committer")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "committer@example.org")
    return monkeypatch


def git(root: Path, *args: str, env: dict | None = None) -> str:
    import os
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def init(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")


def commit(root: Path, message: str, date: str = "2025-01-01T12:00:00+00:00", *extra: str,
           env: dict | None = None) -> str:
    """Commit everything under root at `date`; returns the commit id."""
    git(root, "add", "--all")
    git(root, "commit", "-q", "-m", message, *extra,
        env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, **(env or {})})
    return git(root, "rev-parse", "HEAD").strip()
