"""The pull request's status comment rendered as GitHub shows it, in Chromium (comment_shot.py):
what a reviewer sees at a glance, with the checklist folded away until opened."""
from __future__ import annotations

import struct

import pytest

from . import comment_shot


@pytest.fixture(scope="module")
def comment_page(tmp_path_factory):
    return comment_shot.page_html(comment_shot.scenario(tmp_path_factory.mktemp("comment") / "blog"))


def test_the_status_comment_reads_as_it_should(browser, comment_page, tmp_path):
    page = browser.new_page(viewport={"width": 960, "height": 900})
    try:
        page.set_content(comment_page, wait_until="load")
        assert page.locator("h3").all_inner_texts() == ["Taking a chest pain history (chest-pain-history)"]
        status = page.locator("h3 + p").inner_text()
        assert status == ("In review: needs 1 more approval of the current version; Amara Okafor's approval is for "
                          "an earlier version; Helen Strand's approval does not count (declared a competing interest "
                          "that no editor has waived).")
        rows = page.locator("table").first.locator("tbody tr")
        assert rows.count() == 3
        assert [rows.nth(i).locator("td").nth(4).inner_text() for i in range(3)] == [
            "no: for an earlier version of the text", "yes",
            "no: declared a competing interest that no editor has waived"]
        # the checklist is folded: its Scores list is not visible until the reviewer opens it
        scores = page.get_by_text("- accuracy: _/3")
        assert not scores.is_visible()
        page.locator("details summary").click()
        assert scores.is_visible()
        assert page.locator("strong", has_text="9 days overdue").is_visible()
        shot = tmp_path / "comment.png"
        page.screenshot(path=str(shot), full_page=True)
        width, height = struct.unpack(">II", shot.read_bytes()[16:24])  # the PNG's IHDR
        assert width == 960 and height > 900  # the opened checklist makes it longer than the window
    finally:
        page.close()
