"""Safe output: where the build may write, what it removes, and what survives a kill or a race."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from generator.engine import lock, output
from generator.cli import main
from generator.model import Output
from tests.sitebuilder import SiteBuilder

ROOT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple[bytes, int]]:
    """Every file (and symlink target) under `folder` with its bytes and mtime."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if any(rel == s or rel.startswith(s + "/") for s in skip):
            continue
        if p.is_symlink():
            out[rel] = (os.readlink(p).encode(), 0)
        elif p.is_file():
            out[rel] = (p.read_bytes(), p.stat().st_mtime_ns)
    return out


def build(b: SiteBuilder, *extra: str) -> int:
    return main(["build", "--config", str(b.root / "site.yaml"), *extra])


@pytest.fixture
def blog_built(tmp_path, capsys) -> SiteBuilder:
    b = SiteBuilder(tmp_path / "blog")
    b.post("p", title="P", tags=["shared"])
    b.approve_twice("p")
    b.post("q", title="Q", tags=["shared", "only-q"], bundle=True, date="2025-01-11")
    b.write("content/posts/q/figure.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    b.approve_twice("q")
    assert build(b) == 0, capsys.readouterr().err
    capsys.readouterr()
    return b


# --- where the build refuses to write ----------------------------------------------------------

TARGETS = {
    "project-root": (lambda b, tmp: b.root, "refusing to build into the project folder"),
    "content": (lambda b, tmp: b.root / "content", "refusing to build into content/"),
    "reviews": (lambda b, tmp: b.root / "reviews", "refusing to build into reviews/"),
    "themes": (lambda b, tmp: b.root / "themes", "refusing to build into themes/"),
    "home": (lambda b, tmp: tmp / "home", "refusing to build into your home folder"),
    "filesystem-root": (lambda b, tmp: Path("/"), "refusing to build into the file-system root"),
    "folder-containing-project": (lambda b, tmp: tmp, "refusing to build into a folder that contains the project"),
    "inside-content": (lambda b, tmp: b.root / "content/site", "refusing to build inside content/"),
    "inside-themes": (lambda b, tmp: b.root / "themes/default/static/site", "refusing to build inside themes/"),
    "inside-git": (lambda b, tmp: b.root / ".git/site", "refusing to build inside .git/"),
    "someone-elses-folder": (lambda b, tmp: tmp / "documents",
                             "refusing to replace a folder that is not a built site (it has no index.html)"),
    "a-file": (lambda b, tmp: tmp / "notes.txt", "the output path exists and is not a folder"),
}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_refuses_dangerous_output_folders(blog_built, tmp_path, monkeypatch, capsys, name):
    b = blog_built
    (b.root / "themes/default/static").mkdir(parents=True)
    (b.root / ".git").mkdir()
    (b.root / ".git/HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (tmp_path / "home").mkdir()
    (tmp_path / "home/.bashrc").write_text("# mine\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents/thesis.docx").write_bytes(b"precious")
    (tmp_path / "notes.txt").write_text("notes\n", encoding="utf-8")
    pick, message = TARGETS[name]
    target = pick(b, tmp_path)
    before = snapshot(tmp_path) if target != Path("/") else snapshot(b.root)
    assert build(b, "--out", str(target)) == 1
    err = capsys.readouterr().err.splitlines()
    assert f"{target.resolve()}: error: {message} (choose a dedicated output folder such as site/)" in err or \
        any(line.startswith(f"{target.resolve()}: error: {message} (") for line in err), err
    assert "Traceback" not in "\n".join(err)
    after = snapshot(tmp_path) if target != Path("/") else snapshot(b.root)
    assert after == before


def test_build_writes_only_inside_the_output_folder(blog_built, tmp_path):
    b = blog_built
    (b.root / "content/posts/p.md").write_text((b.root / "content/posts/p.md").read_text() + "\nMore.\n")
    b.approve_twice("p")
    skip = ("blog/site", "blog/.site.lock", "blog/.peerpress-cache")  # the build cache (docs/architecture.md)
    outside_before = snapshot(tmp_path, skip=skip)
    assert build(b) == 0
    assert snapshot(tmp_path, skip=skip) == outside_before
    leftovers = sorted(p.name for p in b.root.iterdir() if p.name.startswith(".site"))
    assert leftovers == [".site.lock"]


def test_output_symlink_is_replaced_not_followed(blog_built, tmp_path):
    """An output folder that is a symlink to elsewhere is never written through."""
    b = blog_built
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "site").mkdir(parents=True)
    (elsewhere / "site/index.html").write_text("<p>someone else's</p>\n", encoding="utf-8")
    out = tmp_path / "linked"
    out.symlink_to(elsewhere / "site")
    before = snapshot(elsewhere)
    assert build(b, "--out", str(out)) == 0
    assert snapshot(elsewhere) == before
    assert out.is_dir() and not out.is_symlink()
    assert (out / "posts/p/index.html").is_file()


def test_links_inside_the_project_are_fine(tmp_path, capsys):
    """A bundle file may link to another file of the same project: it is copied as a file."""
    b = SiteBuilder(tmp_path / "blog")
    b.write("shared/logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    b.post("p", bundle=True)
    (b.root / "content/posts/p/logo.svg").symlink_to(b.root / "shared/logo.svg")
    b.approve_twice("p")
    assert build(b) == 0, capsys.readouterr().err
    copied = b.root / "site/posts/p/logo.svg"
    assert not copied.is_symlink() and copied.read_bytes() == (b.root / "shared/logo.svg").read_bytes()


# --- what a rebuild removes ------------------------------------------------------------------------

def test_stale_files_of_a_deleted_post_go_and_nothing_else(blog_built):
    b = blog_built
    site = b.root / "site"
    before = snapshot(site)
    (b.root / "content/posts/q/index.md").unlink()
    (b.root / "content/posts/q/figure.svg").unlink()
    (b.root / "content/posts/q").rmdir()
    for f in (b.root / "reviews/q").iterdir():
        f.unlink()
    (b.root / "reviews/q").rmdir()
    assert build(b) == 0
    after = snapshot(site)
    removed = set(before) - set(after)
    assert {p for p in before if p.startswith("posts/q/")} <= removed
    assert "posts/q/figure.svg" in removed
    assert all(p.startswith(("posts/q/", "tags/only-q/")) for p in removed), sorted(removed)
    assert set(after) - set(before) == set()
    for path, (data, mtime) in after.items():
        if before[path][0] == data:
            assert before[path][1] == mtime, f"{path} was rewritten with the same bytes"
    assert before["posts/p/index.html"] != after["posts/p/index.html"]  # its "newer post" link went


# --- output paths ---------------------------------------------------------------------------------

def test_output_paths_that_leave_or_collide_are_problems():
    problems = output.check_paths([
        Output("index.html", b"a"), Output("../escape.html", b"x"), Output("/etc/passwd", b"x"),
        Output("a\\..\\b.html", b"x"), Output("tags/index.html", b"1"), Output("tags/index.html", b"2"),
        Output("feed.xml", b"f"), Output("feed.xml/index.html", b"g")])
    by_path = {p.path: p.message for p in problems}
    assert set(by_path) == {"../escape.html", "/etc/passwd", "a\\..\\b.html", "tags/index.html", "feed.xml"}
    assert by_path["tags/index.html"] == "two pages would be written to the same file"
    assert by_path["feed.xml"] == "a file and a folder of the site would have the same name"


def test_colliding_pages_fail_the_build(blog_built, capsys):
    """A taxonomy named like a site section would overwrite it: an error, not a silent loss."""
    b = blog_built
    before = snapshot(b.root / "site")
    text = (b.root / "site.yaml").read_text(encoding="utf-8")
    b.write("site.yaml", text + "taxonomies:\n  tags:\n    shared: Shared\n")
    assert build(b) == 1
    err = capsys.readouterr().err.splitlines()
    assert "tags/index.html: error: two pages would be written to the same file " \
           "(a page id, tag or taxonomy term collides with another page)" in err
    assert snapshot(b.root / "site") == before


# --- atomic: a build killed midway ------------------------------------------------------------------

# The child process runs the real CLI with one function wrapped so it stops at a known point,
# announces it through a flag file and waits to be killed. Nothing in the generator knows.
KILL_HARNESS = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    flag, point, config = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    from generator.engine import output
    def stop_here():
        flag.write_text("ready")
        time.sleep(120)
    if point == "staging":
        real = output._same
        count = [0]
        def same(old, data):
            count[0] += 1
            if count[0] == 5:
                stop_here()
            return real(old, data)
        output._same = same
    else:
        real_rename = os.rename
        def rename(src, dst):
            real_rename(src, dst)
            if str(dst).endswith(".previous"):
                stop_here()  # the old site moved aside, the new one not yet in place
        output.os.rename = rename
    from generator.cli import main
    sys.exit(main(["build", "--config", config]))
""")


def kill_build_at(b: SiteBuilder, point: str, tmp_path: Path) -> None:
    flag = tmp_path / f"flag-{point}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KILL_HARNESS, str(flag), point, str(b.root / "site.yaml")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not flag.exists():
        if proc.poll() is not None:
            raise AssertionError(f"build ended before the kill point: {proc.communicate()}")
        assert time.monotonic() < deadline, "the build never reached the kill point"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def edit_post(b: SiteBuilder) -> None:
    b.post("p", title="P, revised", tags=["shared"], body="A revised text.\n")
    b.approve_twice("p")


def test_killed_while_writing_leaves_the_previous_site(blog_built, tmp_path):
    b = blog_built
    site = b.root / "site"
    before = snapshot(site)
    edit_post(b)
    kill_build_at(b, "staging", tmp_path)
    assert snapshot(site) == before
    assert [p.name for p in b.root.glob(".site.building-*")]  # the half-written staging folder
    assert build(b) == 0  # the next build cleans up after the dead one
    assert not list(b.root.glob(".site.building-*"))
    assert "P, revised" in (site / "posts/p/index.html").read_text(encoding="utf-8")


def test_killed_between_the_renames_is_recovered(blog_built, tmp_path):
    b = blog_built
    site = b.root / "site"
    before = snapshot(site)
    edit_post(b)
    kill_build_at(b, "swap", tmp_path)
    assert not site.exists() and (b.root / ".site.previous").is_dir()
    output.recover(site)
    assert snapshot(site) == before
    assert not (b.root / ".site.previous").exists()


def test_next_build_recovers_a_half_swapped_site(blog_built, tmp_path):
    b = blog_built
    site = b.root / "site"
    before = snapshot(site)
    edit_post(b)
    kill_build_at(b, "swap", tmp_path)
    assert build(b) == 0
    after = snapshot(site)
    assert "P, revised" in after["posts/p/index.html"][0].decode()
    assert after["assets/css/main.css"] == before["assets/css/main.css"]  # restored, then kept
    assert sorted(p.name for p in b.root.iterdir() if p.name.startswith(".site")) == [".site.lock"]


# --- concurrent builds ------------------------------------------------------------------------------

HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from generator.engine import lock
    with lock.output_lock(Path(sys.argv[1]), timeout=5):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def hold_lock(out: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out), str(seconds)], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_build_is_refused_with_a_clear_message(blog_built, monkeypatch, capsys):
    b = blog_built
    site = b.root / "site"
    before = snapshot(site)
    edit_post(b)
    holder = hold_lock(site, 30)
    try:
        monkeypatch.setenv("PEERPRESS_LOCK_TIMEOUT", "0.3")
        assert build(b) == 1
        err = capsys.readouterr().err.splitlines()
        assert f"{site}: error: another build is running (pid {holder.pid}) and writing this output folder " \
               "(wait for it to finish and build again; the lock is released when that process exits)" in err
        assert snapshot(site) == before
    finally:
        holder.kill()
        holder.wait()
    assert build(b) == 0  # the kernel released the dead holder's lock


def test_a_second_build_waits_for_the_first(blog_built, monkeypatch):
    b = blog_built
    edit_post(b)
    holder = hold_lock(b.root / "site", 1.0)
    monkeypatch.setenv("PEERPRESS_LOCK_TIMEOUT", "30")
    start = time.monotonic()
    assert build(b) == 0
    assert time.monotonic() - start >= 0.5
    holder.wait()
    assert "P, revised" in (b.root / "site/posts/p/index.html").read_text(encoding="utf-8")


def test_two_builds_at_once_do_not_corrupt_each_other(blog_built, tmp_path):
    b = blog_built
    edit_post(b)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PEERPRESS_LOCK_TIMEOUT": "60"}
    cmd = [sys.executable, "-m", "generator", "build", "--config", str(b.root / "site.yaml")]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    clean = tmp_path / "clean"  # built by the same code as the racing builds, in its own process
    reference = subprocess.run([*cmd, "--no-cache", "--out", str(clean)], env=env, capture_output=True, text=True)
    assert reference.returncode == 0, reference.stderr
    assert {k: v[0] for k, v in snapshot(b.root / "site").items()} == {k: v[0] for k, v in snapshot(clean).items()}
    assert sorted(p.name for p in b.root.iterdir() if p.name.startswith(".site")) == [".site.lock"]


def test_lock_file_names_the_holder(tmp_path):
    out = tmp_path / "site"
    with lock.output_lock(out, timeout=0) as path:
        assert lock.holder(path) == str(os.getpid())
        with pytest.raises(lock.ProblemError) as caught:
            with lock.output_lock(out, timeout=0):  # flock is per open file: the same process is refused too
                pass
        [problem] = caught.value.problems
        assert problem.message == f"another build is running (pid {os.getpid()}) and writing this output folder"
    assert lock.holder(path) == ""


# --- names the file system would refuse (issue 18) ----------------------------------------------------

def test_a_300_character_tag_builds_and_check_agrees(blog_built, capsys):
    """A tag longer than a file name may be gets a shortened, stable page; check and build agree."""
    import lxml.html
    b = blog_built
    long_a, long_b = "cardiology " * 27 + "a", "cardiology " * 27 + "b"  # 298 characters, same start
    b.post("long", title="Long tags", tags=[long_a, long_b], date="2025-01-12")
    b.approve_twice("long")
    assert main(["check", "--config", str(b.root / "site.yaml")]) == 0, capsys.readouterr().err
    assert build(b) == 0, capsys.readouterr().err
    page = lxml.html.parse(str(b.root / "site/posts/long/index.html")).getroot()
    links = [a.get("href") for a in page.xpath("//ul[@class='tag-list']/li/a")]
    assert len(links) == 2 and len(set(links)) == 2
    for href in links:
        folder = b.root / "site" / href.strip("/")
        assert (folder / "index.html").is_file(), href
        assert len(folder.name.encode()) <= 80 and folder.name.startswith("cardiology-cardiology")
    tag_page = lxml.html.parse(str(b.root / "site" / links[0].strip("/") / "index.html")).getroot()
    assert "/posts/long/" in tag_page.xpath("//a/@href")


def test_slugs_are_shortened_stably_and_distinctly():
    from generator import urls
    assert urls.shorten("short-name") == "short-name"
    long = "x" * 300
    assert urls.shorten(long) == urls.shorten(long) and len(urls.shorten(long)) == urls.MAX_SLUG
    assert urls.shorten(long) != urls.shorten(long[:-1] + "y")
    wide = "é" * 200  # two bytes each: cut on a character boundary, never mid-character
    cut = urls.shorten(wide)
    assert len(cut.encode("utf-8")) <= urls.MAX_SLUG and cut.encode("utf-8").decode("utf-8") == cut
    assert urls.slug("Cardiology & ECG") == "cardiology-ecg"  # short names are unchanged


def test_names_too_long_for_the_file_system_are_problems():
    name = "a" * 256
    problems = output.check_paths([Output(f"tags/{name}/index.html", b"x"), Output("tags/ok/index.html", b"y"),
                                   Output("/".join(["d" * 200] * 6) + "/index.html", b"z")])
    assert [p.message for p in problems] == [
        "a file name of the site would be 256 bytes long, more than the file system's 255",
        "a path of the site would be longer than 1024 bytes"]


def test_a_swap_that_fails_half_way_puts_the_previous_site_back(tmp_path, monkeypatch):
    out, staged = tmp_path / "site", tmp_path / ".site.building-1"
    out.mkdir()
    (out / "index.html").write_text("old")
    staged.mkdir()
    (staged / "index.html").write_text("new")
    real_rename = os.rename

    def rename(src, dst):
        if Path(src) == staged:
            raise OSError(28, "No space left on device", str(src))
        real_rename(src, dst)
    monkeypatch.setattr(output.os, "rename", rename)
    with pytest.raises(OSError):
        output._swap(staged, out)
    monkeypatch.undo()
    assert (out / "index.html").read_text() == "old"
    assert not (tmp_path / ".site.previous").exists()
