"""One edit rewrites only the feeds that show the edited post; the rest are kept from the last
build (hard-linked, as unchanged pages are), and the site equals a clean build."""
from __future__ import annotations

import os

import feedparser

from generator import feeds

from tests.test_cache import clean_build, edit_body, files, incremental, sample, settle


def inodes(site, paths):
    return {p: os.stat(site / p).st_ino for p in paths}


def test_an_edit_rewrites_only_the_feeds_that_show_the_post(blog, tmp_path, monkeypatch):
    sample(blog)  # p0 and p2 tagged sepsis, p1 tagged ecg
    settle(blog)
    incremental(blog)
    site = blog.root / "site"
    untouched = ["tags/sepsis/feed.xml"]
    showing = ["tags/ecg/feed.xml", "feed.xml", "rss.xml", "feed.json"]
    before = inodes(site, untouched + showing)
    edit_body(blog)  # p1's text
    written = []
    for fmt, writer in list(feeds.WRITERS.items()):
        def counting(site_, feed, items, writer=writer, fmt=fmt):
            written.append(feed.files[fmt])
            return writer(site_, feed, items)
        monkeypatch.setitem(feeds.WRITERS, fmt, counting)
    report = incremental(blog)
    # Before, every feed was formatted again on every build; now those that show p1 (the site's,
    # its topic's, its author's) and the review activity feed.
    assert sorted(written) == ["authors/ada/feed.xml", "feed.json", "feed.xml", "reviews/feed.xml", "rss.xml",
                               "tags/ecg/feed.xml"]
    after = inodes(site, untouched + showing)
    assert all(after[p] == before[p] for p in untouched), "an unrelated feed was written again"
    assert all(after[p] != before[p] for p in showing)
    ecg = feedparser.parse((site / "tags/ecg/feed.xml").read_bytes())
    assert "A new text for one." in ecg.entries[0].content[0].value
    assert report.unchanged > 0
    assert files(site) == clean_build(blog, tmp_path)
