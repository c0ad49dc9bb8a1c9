"""The no-op check in the state an author writes in: inputs saved moments ago, uncommitted
edits in the working tree (generator/noop.py)."""
from __future__ import annotations

import os

from generator.commands.build import fast_path
from generator.engine import noop
from tests.test_cache import argv, clean_build, files, incremental, sample, settle


def test_a_build_right_after_an_edit_is_recorded_so_the_next_one_is_a_noop(blog, capsys):
    """Before: inputs written within two seconds made the build forget its manifest, so the next
    build ran in full (2-4 s at 1,000 posts) although nothing had changed."""
    sample(blog)
    settle(blog)
    incremental(blog)
    blog.write("content/posts/p1.md", (blog.root / "content/posts/p1.md").read_text() + "\nAn unsaved thought.\n")
    incremental(blog)  # the edit is a second old: stat alone could not vouch for it
    assert fast_path(argv(blog)) == 0
    assert "(nothing changed)" in capsys.readouterr().out


def test_a_second_write_in_the_same_tick_is_still_seen(blog):
    """The race the two-second rule guarded against: same size, same mtime, other bytes."""
    sample(blog)
    settle(blog)
    incremental(blog)
    post = blog.root / "content/posts/p2.md"
    post.write_text(post.read_text().replace("Text 2", "Text 9"))
    incremental(blog)
    st = os.stat(post)
    post.write_text(post.read_text().replace("Text 9", "Text 8"))
    os.utime(post, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(post).st_size == st.st_size
    assert fast_path(argv(blog)) is None
    incremental(blog)
    assert files(blog.root / "site") == clean_build(blog, blog.root.parent)


def test_an_uncommitted_edit_outside_the_inputs_keeps_the_noop(blog):
    sample(blog)
    settle(blog)
    incremental(blog)
    (blog.root / "NOTES.md").write_text("an uncommitted note\n")
    (blog.root / "site.yaml.orig").write_text("left over from a merge\n")
    assert fast_path(argv(blog)) == 0


def test_too_many_fresh_files_are_not_hashed(blog, monkeypatch):
    """A fresh clone: every file is new. The build is then not recorded (as before)."""
    monkeypatch.setattr(noop, "MAX_HASHED", 2)
    sample(blog)
    incremental(blog)
    assert fast_path(argv(blog)) is None
