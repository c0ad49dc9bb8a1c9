"""One loading path per stage: the build parses through content.load, reviews.load and
bibliography.load (the functions the other tests exercise), with a caching, parallel loader
that gives exactly what the plain serial one gives."""
from __future__ import annotations

from generator import bibliography, content, reviews
from generator.engine import parallel
from generator.engine.store import Store
from generator.loading import Serial


def sample(blog) -> None:
    blog.write("content/bibliography.bib", "@article{smith2020,\n  author = {Smith, Jo},\n  title = {Triage},\n"
                                           "  journal = {EMJ},\n  year = {2020}\n}\n")
    for n in range(60):  # past parallel.SERIAL_BELOW, so the workers are forked
        blog.post(f"p{n:02d}", title=f"Post {n}", body=f"Text {n} citing [@smith2020].\n")
    blog.post("bundle", title="Bundle", bundle=True, bibliography=["shared.json"],
              body="Cites [@local] and [@nobody].\n")
    blog.write("content/posts/bundle/shared.json", '[{"id": "local", "type": "book", "title": "Local"}]')
    blog.post("bad", authors=["jdoe"])  # a problem with a line number
    blog.approve_twice("p00")
    blog.write("reviews/ghost/2025-01-05-rita.md", "---\nreviewer: rita\ndecision: approve\n---\nOrphan.\n")


def test_the_build_parses_through_the_stage_loaders(blog, monkeypatch):
    sample(blog)
    calls = []
    for module in (content, reviews, bibliography):
        def spy(*args, original=module.load, name=module.__name__, **kwargs):
            loader = kwargs.get("loader", args[-1])
            calls.append((name, type(loader)))
            return original(*args, **kwargs)
        monkeypatch.setattr(module, "load", spy)
    blog.build(jobs=2)
    assert sorted(calls) == [("generator.bibliography", parallel.CachedLoader),
                             ("generator.content", parallel.CachedLoader),
                             ("generator.reviews", parallel.CachedLoader)]


def test_cached_parallel_loading_gives_what_serial_loading_gives(blog, tmp_path):
    sample(blog)
    config = blog.config()
    bib, bib_problems = bibliography.load(config)
    assert "smith2020" in bib and bib_problems == []
    posts, problems = content.load(config, bib, Serial())
    assert len(posts) == 62 and any("unknown author 'jdoe'" in p.message for p in problems)
    ids = {p.id for p in posts}
    records, record_problems = reviews.load(config, ids)
    assert record_problems  # the record of a post that does not exist
    for round_ in ("cold", "warm"):
        store = Store(blog.root, "salt")
        loader = parallel.CachedLoader(store, jobs=2)
        assert bibliography.load(config, loader) == (bib, bib_problems), round_
        assert content.load(config, bib, loader) == (posts, problems), round_
        assert reviews.load(config, ids, loader) == (records, record_problems), round_
        assert (store.hits > 0) == (round_ == "warm")
        store.save(("bibliography", "content", "reviews"))


def test_a_cached_post_is_parsed_again_when_a_bibliography_it_names_changes(blog):
    """The stamp: a bibliography file is known to matter only once the post naming it is parsed."""
    sample(blog)
    config = blog.config()
    store = Store(blog.root, "salt")
    first, _ = content.load(config, {}, parallel.CachedLoader(store, jobs=1))
    store.save(("content",))
    blog.write("content/posts/bundle/shared.json", '[{"id": "local", "type": "book", "title": "Changed"}]')
    again, _ = content.load(config, {}, parallel.CachedLoader(Store(blog.root, "salt"), jobs=1))
    before = next(p for p in first if p.id == "bundle")
    after = next(p for p in again if p.id == "bundle")
    assert "Local" in before.html and "Changed" in after.html
    assert before.content_hash != after.content_hash
