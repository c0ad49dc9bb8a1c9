"""Page shortcuts (fingerprints.Fingerprints.shortcut, engine/parallel.page_key).

A page whose shortcut (its template, path and the fingerprints of the posts its context holds,
over the site's metadata) is as the last build recorded keeps the last key, and its context is
not pickled again. That is right only if everything else in a context comes from the site's
metadata. These tests check the contract on real builds of the bundled sample blog with edits:
every key a shortcut gave equals the key computed in full, the shortcut is really taken, and the
site equals a clean build's.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from generator import config as config_mod
from generator import fingerprints
from generator.engine import build, parallel
from generator.errors import has_errors
from tests.gitutil import commit, git_env, init  # noqa: F401 - git_env is a fixture

BASE = "https://example.org/"


def tree(folder: Path) -> dict[str, bytes]:
    """The site's files but the search index, which these builds keep as it was (search="keep")."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith("pagefind/")}


@pytest.fixture
def keyed(monkeypatch) -> list[tuple[str, str, str, bool]]:
    """(output path, key used, key in full, whether the shortcut was taken) for every page keyed."""
    seen = []
    real = parallel.page_key

    def page_key(prints, template, rel, path, context, previous):
        key, short = real(prints, template, rel, path, context, previous)
        entry = previous.get(rel)
        taken = bool(entry and len(entry) > 6 and entry[5] and prints.shortcut(template, path, entry[6]) == entry[5])
        seen.append((rel, key, prints.page_key(template, path, context), taken))
        return key, short

    monkeypatch.setattr(parallel, "page_key", page_key)
    return seen


def run(root: Path, out: Path, no_cache: bool = False) -> None:
    config = config_mod.load(root / "site.yaml")
    report = build.run(config, build.Options(out=out, drafts=True, base_url=BASE, search="keep",
                                             no_cache=no_cache))
    assert not has_errors(report.problems), [p.text() for p in report.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, path
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, sentence: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")


def test_every_key_a_shortcut_gives_equals_the_full_key(sample_copy, keyed, git_env, tmp_path):  # noqa: F811
    init(sample_copy)  # with its history, an edit of a published post previews as a revision
    commit(sample_copy, "the sample blog")
    out = tmp_path / "site"
    run(sample_copy, out)
    posts = sample_copy / "content/posts"
    edits = [
        ("a body", lambda: append(posts / "sepsis-first-hour.md", "A sentence added by the test.")),
        ("a title", lambda: edit(posts / "one-minute-preceptor.md", "title: ", "title: Revised, ")),
        ("a tag", lambda: edit(posts / "feedback-on-shift.md", "tags: [", "tags: [a-new-topic, ")),
        ("a page", lambda: append(sample_copy / "content/pages/about.md", "An added line.")),
    ]
    for name, act in edits:
        act()
        keyed.clear()
        run(sample_copy, out)
        assert keyed, name
        wrong = [rel for rel, used, full, _ in keyed if used != full]
        assert wrong == [], name
        taken = [rel for rel, _, _, was in keyed if was]
        if name == "a body":  # site metadata unchanged: most pages are answered by their shortcut
            assert len(taken) > len(keyed) // 2, (len(taken), len(keyed))
        clean = tmp_path / f"clean-{name}"
        run(sample_copy, clean, no_cache=True)
        assert tree(out) == tree(clean), name


def test_a_post_that_is_not_the_sites_own_object_gets_no_shortcut(sample_copy):
    config = config_mod.load(sample_copy / "site.yaml")
    report = build.run(config, build.Options(drafts=True, write=False, no_cache=True))
    site = report.site
    prints = fingerprints.Fingerprints(site, "salt", "templates")
    post = next(iter(site.listed))
    key, short = prints.keyed("post.html", f"posts/{post.id}/", {"post": post})
    assert short is not None and short[1] == (("post", post.id),)
    assert prints.shortcut("post.html", f"posts/{post.id}/", short[1]) == short[0]
    copy = replace(post, body=post.body + "\nChanged.\n")
    other, none = prints.keyed("post.html", f"posts/{post.id}/", {"post": copy})
    assert none is None and other != key
