"""A CI run restores `site/` and `.peerpress-cache/` from actions/cache: every file comes back
with new inodes and times. Pages whose bytes are still the ones the cache recorded are kept
(checked by content, not stat), so a merge re-renders only what changed, and the site equals a
clean build."""
from __future__ import annotations

import shutil

from tests import test_cache
from tests.test_cache import clean_build, edit_body, files, incremental, sample

counted = test_cache.counted  # the fixture counting rendered pages


def restore(site):
    """As actions/cache does: the same bytes, written anew."""
    copy = site.with_name("restored")
    shutil.copytree(site, copy, copy_function=shutil.copy)
    shutil.rmtree(site)
    copy.rename(site)


def rendered_after_an_edit(b, counted, restored: bool) -> list[str]:
    sample(b)
    incremental(b)
    if restored:
        restore(b.root / "site")
    counted.clear()
    edit_body(b)  # p1, as a merge would change it
    incremental(b)
    return sorted(counted)


def test_a_restored_site_is_reused_page_by_page(tmp_path, counted):
    """The same pages are rendered as when the folder had never left the disk."""
    from tests.sitebuilder import SiteBuilder
    kept = rendered_after_an_edit(SiteBuilder(tmp_path / "kept"), counted, restored=False)
    restored = SiteBuilder(tmp_path / "restored")
    assert rendered_after_an_edit(restored, counted, restored=True) == kept
    assert "posts/p1/" in kept and "tags/sepsis/" not in kept
    assert files(restored.root / "site") == clean_build(restored, tmp_path)


def test_a_restored_page_with_other_bytes_is_rendered_again(blog, tmp_path, counted):
    sample(blog)
    incremental(blog)
    restore(blog.root / "site")
    page = blog.root / "site/posts/p2/index.html"
    data = page.read_bytes()
    page.write_bytes(data.replace(b"Post 2", b"Post X"))  # same size, other bytes
    counted.clear()
    incremental(blog)
    assert [path for path in counted if path != "feeds/"] == ["posts/p2/"]  # /feeds/ is always rendered
    assert files(blog.root / "site") == clean_build(blog, tmp_path)
