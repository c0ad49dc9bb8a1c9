import os
import shutil
from pathlib import Path

import pytest

from tests.sitebuilder import SiteBuilder

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _reproducible_now(monkeypatch):
    """Freeze "today" (2026-11-01) so publication-date rules do not drift with the calendar."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")


@pytest.fixture
def blog(tmp_path) -> SiteBuilder:
    return SiteBuilder(tmp_path / "blog")


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A copy of the bundled sample blog, safe to build and modify."""
    dest = tmp_path / "sample"
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(
        ".venv", ".git", "site", ".peerpress-cache", "tests", "bench", "__pycache__", "node_modules", "*.egg-info"))
    return dest


def chromium_path() -> str | None:
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None
