"""Reproducible builds: the same commit gives the same bytes, wherever and whenever it is built.

Builds run as separate processes with different hash seeds, time zones, locales and project
folders, so anything that leaks the machine, the clock, the path or dict/set order shows up as a
differing file. SOURCE_DATE_EPOCH is the only clock the build may read.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from tests.sitebuilder import SiteBuilder

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1793491200"  # 2026-11-01, as in conftest


def build_in_process(project: Path, out: Path, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH, **env}
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--no-cache", "--out", str(out),
                           "--config", str(project / "site.yaml")], cwd=project, env=full_env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


@pytest.fixture(scope="module")
def two_clean_builds(tmp_path_factory) -> tuple[dict[str, bytes], dict[str, bytes], list[Path]]:
    """The sample built twice from scratch: different folders, hash seeds, time zones, locales."""
    base = tmp_path_factory.mktemp("repro")
    first, other = base / "sample", base / "elsewhere" / "copy-of-sample"
    ignore = shutil.ignore_patterns(".venv", ".git", "site", ".peerpress-cache", "tests", "bench", "__pycache__",
                                    "node_modules", "*.egg-info", ".site.*")
    shutil.copytree(ROOT, first, ignore=ignore)
    shutil.copytree(first, other, symlinks=True)
    build_in_process(first, base / "one", PYTHONHASHSEED="1", TZ="UTC", LC_ALL="C.UTF-8")
    build_in_process(other, base / "two", PYTHONHASHSEED="4242", TZ="Pacific/Auckland", LC_ALL="C")
    return files(base / "one"), files(base / "two"), [first, other]


SEARCH_INDEX = "pagefind/"


def test_two_clean_builds_of_the_sample_are_byte_identical(two_clean_builds):
    one, two, projects = two_clean_builds
    assert len(one) > 50
    assert differing(one, two) == []  # every file, the search index included (search_order.py)
    for path, data in one.items():  # no absolute path of either project leaked into any file
        assert not any(str(p).encode() in data for p in projects), path


def test_two_clean_builds_have_the_same_search_index(two_clean_builds):
    one, two, _ = two_clean_builds
    index = [k for k in set(one) | set(two) if k.startswith(SEARCH_INDEX)]
    assert index, "the sample builds a search index"
    assert differing({k: one.get(k) for k in index}, {k: two.get(k) for k in index}) == []


def test_the_build_clock_is_source_date_epoch(blog, monkeypatch):
    """A post dated in the future is published only once SOURCE_DATE_EPOCH passes its date, and
    nothing else in the output depends on the clock."""
    blog.post("now", date="2025-01-10")
    blog.approve_twice("now")
    blog.post("later", title="Later", date="2026-06-01")
    blog.approve_twice("later")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    assert blog.build(out=blog.root / "before").problems == []
    assert not (blog.root / "before/posts/later").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")  # 2026-05-28, still before
    assert blog.build(out=blog.root / "before-2").problems == []
    assert differing(files(blog.root / "before"), files(blog.root / "before-2")) == []
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # 2026-09-21
    assert blog.build(out=blog.root / "after").problems == []
    assert (blog.root / "after/posts/later/index.html").is_file()


def test_incremental_build_equals_a_clean_build(sample_copy, tmp_path, monkeypatch, capsys):
    """Edit, add and delete posts, rebuild with the cache; then compare with a clean build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    config = str(sample_copy / "site.yaml")
    assert main(["build", "--config", config]) == 0
    posts = sample_copy / "content/posts"
    edited = posts / "one-minute-preceptor.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("\n\n", "\n\nAn added sentence.\n\n", 1),
                      encoding="utf-8")
    (posts / "social-media-teaching.md").unlink()
    shutil.rmtree(sample_copy / "reviews/social-media-teaching")
    assert main(["build", "--config", config]) == 0
    assert main(["build", "--config", config, "--no-cache", "--out", str(tmp_path / "clean")]) == 0
    capsys.readouterr()
    incremental, clean = files(sample_copy / "site"), files(tmp_path / "clean")
    assert differing(incremental, clean) == []
    assert not any(p.startswith("posts/social-media-teaching/") for p in incremental)


def test_rebuilding_unchanged_input_rewrites_nothing(blog):
    blog.post("p", tags=["a", "b"])
    blog.approve_twice("p")
    first = blog.build()
    assert first.problems == [] and first.written > 0
    before = {p: p.stat().st_mtime_ns for p in (blog.root / "site").rglob("*") if p.is_file()}
    second = blog.build()
    assert second.written == 0 and second.unchanged == first.outputs
    assert {p: p.stat().st_mtime_ns for p in (blog.root / "site").rglob("*") if p.is_file()} == before


def test_fixture_site_is_identical_across_hash_seeds(tmp_path):
    """Sets of tags, people and reviews are iterated in sorted order, not hash order."""
    b = SiteBuilder(tmp_path / "blog")
    for i in range(6):
        b.post(f"p{i}", title=f"Post {i}", tags=[f"t{(i * 7) % 5}", f"t{i % 3}", "shared"],
               authors=["ada", "bo"][: 1 + i % 2], date=f"2025-01-1{i}")
        b.approve_twice(f"p{i}")
    outs = []
    for seed in ("0", "123", "98765"):
        out = tmp_path / f"out-{seed}"
        build_in_process(b.root, out, PYTHONHASHSEED=seed)
        outs.append(files(out))
    assert differing(outs[0], outs[1]) == [] and differing(outs[0], outs[2]) == []
