"""serve's file watcher asks the kernel for changes only: a build reads every input, and at
5,000 posts the open and read events of one build overflowed inotify's queue (16,384 events),
after which watchdog re-walked every folder, which overflowed it again, so edits were never seen."""
from __future__ import annotations

import sys

import pytest

from generator import serve
from tests.test_serve import preview  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify")


def test_the_watcher_does_not_subscribe_to_opens_and_reads(preview):  # noqa: F811
    from watchdog.observers.inotify_c import InotifyConstants as C
    emitters = list(preview.observer.emitters)
    assert emitters
    for emitter in emitters:
        mask = emitter.get_event_mask_from_filter()
        assert not mask & (C.IN_OPEN | C.IN_ACCESS | C.IN_CLOSE_NOWRITE), emitter.watch.path
        assert mask & C.IN_MODIFY and mask & C.IN_CREATE and mask & C.IN_DELETE and mask & C.IN_MOVE


def test_reading_every_input_raises_no_event(blog, preview):  # noqa: F811
    before = preview.builder.state.version
    for path in sorted((blog.root / "content").rglob("*.md")) + sorted((blog.root / "reviews").rglob("*.md")):
        path.read_bytes()
    import time
    time.sleep(serve.DEBOUNCE * 4)
    assert preview.builder.pending == {} and preview.builder.state.version == before
