"""`peerpress review new POST [POST…]`: many records in one run, hashing only the named posts."""
from __future__ import annotations

import pytest

from generator import markup
from generator.engine import build
from generator.cli import main
from tests.sitebuilder import SiteBuilder

from .migrateutil import front


@pytest.fixture
def blog(tmp_path):
    site = SiteBuilder(tmp_path / "blog")
    site.post("alpha", title="Alpha", body="First text.\n")
    site.post("beta", title="Beta", body="Second text, in a bundle.\n", bundle=True,
              bibliography="refs.bib")  # one file, written as a string: the schema makes it a list
    site.write("content/posts/beta/refs.bib", "@article{k, title={T}, author={A, B}, year={2020}}\n")
    site.post("gamma-file", title="Gamma", body="Its id is not its file name.\n", id="gamma")
    site.post("delta", title="Delta", body="Not reviewed here.\n")
    return site


def test_one_record_per_post_each_pinned_to_that_posts_current_text(blog, capsys):
    code = main(["review", "new", "alpha", "beta", "gamma", "--reviewer", "rita", "--decision", "approve",
                 "--date", "2025-02-01", "--config", str(blog.root / "site.yaml")])
    assert code == 0, capsys.readouterr().err
    site = build.run(blog.config(), build.Options(write=False, drafts=True)).site
    for pid in ("alpha", "beta", "gamma"):
        data, _ = front(blog.root / f"reviews/{pid}/2025-02-01-rita.md")
        assert (data["reviewer"], data["decision"]) == ("rita", "approve")
        assert data["version"] == site.posts[pid].content_hash  # the same hash a full load computes
    assert not (blog.root / "reviews/delta").exists()


def test_review_new_does_not_render_the_site(blog, capsys, monkeypatch):
    """Loading the whole site renders every post (seconds per record on a big blog); pinning needs none."""
    def refuse(*args, **kwargs):
        raise AssertionError("review new rendered a post")
    monkeypatch.setattr(markup, "render", refuse)
    code = main(["review", "new", "alpha", "gamma", "--reviewer", "rex", "--decision", "approve",
                 "--config", str(blog.root / "site.yaml")])
    assert code == 0, capsys.readouterr().err
    assert len(list((blog.root / "reviews").rglob("*-rex.md"))) == 2


def test_an_unknown_post_id_writes_nothing_and_suggests_one(blog, capsys):
    code = main(["review", "new", "alpha", "gama", "--reviewer", "rita", "--decision", "approve",
                 "--config", str(blog.root / "site.yaml")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().endswith("error: no post with id 'gama' (did you mean 'gamma'?)")
    assert not (blog.root / "reviews").exists()
