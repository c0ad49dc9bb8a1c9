"""Fingerprints of rendered pages: what a page's bytes depend on (engine/incremental.py keeps
unchanged pages by them)."""
from __future__ import annotations

import io
import pickle
from dataclasses import fields, is_dataclass
from typing import Any

from .cache import Recent, digest, stable_pickle
from .model import Post, Site

class Fingerprints:
    """Page keys: the template set, the page's own context, and the site's metadata.

    A template sees its context in full and the whole Site through the `site` global. The
    contract that keeps cached pages right: whatever a page shows about a post comes through its
    context (the post, its review state, records and versions are all part of the post's
    fingerprint), and through `site` only metadata (`site_digest`: titles, dates, people, tags,
    statuses; not bodies, summaries, rendered HTML or content hashes). A post's body edit therefore
    re-renders the pages that list it, and not the rest.
    """

    def __init__(self, site, salt: str, templates: str, carried: tuple[str, dict] | None = None):
        self.site = site
        self.base = digest(salt, templates, self.site_digest(site))
        self._posts: dict[int, str] = {}
        # serve's resident builds: (the last build's base, its fingerprints by `ref`) of the posts
        # whose files did not change. Used only while the site's metadata is the same too.
        self.carried = carried[1] if carried and carried[0] == self.base else {}
        # The site's own review states and records, by identity: each is part of its post's
        # fingerprint already, so a page key names that instead of pickling it again.
        self.covered: dict[int, str] = {id(s): pid for pid, s in site.states.items()}
        self.covered.update({id(r): pid for pid, rs in site.reviews_by_post.items() for r in rs})

    @staticmethod
    def site_digest(site) -> str:
        posts = []
        for post in list(site.posts.values()) + list(site.pages.values()):
            state = site.states.get(post.id)
            summary = None
            if state is not None:
                # Not `needs` or the revision: what is still needed is shown only with the post
                # itself (status banner, review page), where its fingerprint counts it. So an
                # author's first save of an approved post, which makes it need approving again,
                # re-renders that post's pages and not every page.
                summary = (state.status, state.accepted_on, len(state.approvals), len(state.reviews),
                           state.retraction is not None)
            posts.append((_META.pickled(post), summary))
        records = [(r.path, r.post_id, r.type, r.person, r.date, r.decision, r.round, r.competing_interests)
                   for r in site.records]
        shown = [p.id for p in site.listed]
        _META.settle()
        return digest(stable_pickle((site.config, posts, records, shown)))

    def post(self, post) -> str:
        """A post with everything about it a page may show."""
        found = self._posts.get(id(post))
        if found is None:
            found = self.carried.get(self.ref(post)) if self.carried else None
            if found is None:
                site = self.site
                found = digest(stable_pickle((post, site.states.get(post.id), site.reviews_by_post.get(post.id),
                                              site.versions.get(post.id))))
            self._posts[id(post)] = found
        return found

    def ref(self, post) -> tuple[str, str] | None:
        """("post", id) or ("page", id) for the site's own object of that id; None for another."""
        if self.site.posts.get(post.id) is post:
            return ("post", post.id)
        if self.site.pages.get(post.id) is post:
            return ("page", post.id)
        return None

    def known(self, refs: tuple) -> bool:
        """Whether every post in `refs` keeps the fingerprint carried from the last build, whose
        base was this one: a shortcut made of them is then the last build's, uncomputed."""
        carried = self.carried
        return bool(carried) and all(ref in carried for ref in refs)

    def computed(self) -> tuple[str, dict]:
        """(base, the fingerprints this build used by `ref`), for the next resident build."""
        found = {}
        for kind, posts in (("post", self.site.posts), ("page", self.site.pages)):
            for pid, post in posts.items():
                if id(post) in self._posts:
                    found[kind, pid] = self._posts[id(post)]
        return self.base, found

    def page_key(self, template: str, path: str, context: dict) -> str:
        return self.keyed(template, path, context)[0]

    def keyed(self, template: str, path: str, context: dict) -> tuple[str, tuple | None]:
        """The page key, and the page's shortcut: (shortcut, the posts its context holds), or
        None when the context holds a post that is not the site's own object of that id."""
        buf = io.BytesIO()
        pickler = _ContextPickler(buf, self)
        pickler.dump((template, path, context))
        key = digest(self.base, buf.getvalue())
        if pickler.foreign:
            return key, None
        refs = tuple(pickler.refs)
        return key, (self.shortcut(template, path, refs), refs)

    def shortcut(self, template: str, path: str, refs: tuple) -> str | None:
        """What a page key depends on beyond the site's metadata: its template and path, and the
        fingerprints of the posts its context holds. A context is made by Peerpress's code (the
        salt) from the Site, and everything in it that is not one of those posts comes from the
        site's metadata (in `base`), so an unchanged shortcut means an unchanged key, and the
        context need not be pickled again (render_pages; tests/test_fingerprints.py checks it
        against the full key). None when a post named in `refs` is gone."""
        prints = []
        for kind, pid in refs:
            post = (self.site.posts if kind == "post" else self.site.pages).get(pid)
            if post is None:
                return None
            prints.append(self.post(post))
        return digest(self.base, "shortcut", template, path, repr(refs), *prints)



class _ContextPickler(pickle.Pickler):
    """Pickles a page context with every Post (and the Site) replaced by its fingerprint."""

    def __init__(self, buf, prints: Fingerprints):
        super().__init__(buf, protocol=4)
        self.fast = True
        self.prints = prints
        self.refs: dict[tuple[str, str], None] = {}  # the posts met, in order (a dict: ordered, no repeats)
        self.foreign = False  # a Post that is not the site's own object of its id

    def persistent_id(self, obj):
        kind = type(obj)
        if kind in _PLAIN:  # most of what a context holds: answered without further checks
            return None
        if kind is Post:
            ref = self.prints.ref(obj)
            if ref is None:
                self.foreign = True
            else:
                self.refs[ref] = None
            return "post:" + self.prints.post(obj)
        if kind is Site:
            return "site"  # its metadata is in every key; its heavy parts reach pages as posts
        post_id = self.prints.covered.get(id(obj))
        if post_id is not None and post_id in self.prints.site.posts:
            self.refs[("post", post_id)] = None
            return "of:" + self.prints.post(self.prints.site.posts[post_id])
        if callable(obj) and not is_dataclass(obj):
            # Functions in a context come from Peerpress's code, which the salt covers.
            return f"fn:{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', type(obj).__name__)}"
        return None


class _Metadata:
    """Each post's metadata (its fields but what a body edit changes; pages get those through
    their context, where each post counts in full), pickled once per post object. Post objects
    are never changed once parsed, and serve's resident builds keep those of unchanged files, so
    at 5,000 posts an edit pickles one post's metadata instead of every post's."""

    HEAVY = frozenset({"body", "html", "toc", "word_count", "content_hash", "references", "body_line", "summary",
                       "links"})  # the summary defaults to the first paragraph

    def __init__(self):
        self.recent = Recent()
        self.names = [f.name for f in fields(Post) if f.name not in self.HEAVY]

    def pickled(self, post: Post) -> bytes:
        return self.recent.get(id(post), lambda held: held[0] is post, lambda: (post, stable_pickle(
            {name: getattr(post, name) for name in self.names})))[1]

    def settle(self) -> None:
        self.recent.settle()


_META = _Metadata()


_PLAIN = frozenset({str, int, float, bool, type(None), bytes, list, tuple, dict, set, frozenset})


def templates_digest(theme) -> str:
    """Every file of the theme chain (templates, static files, theme.yaml)."""
    parts: list[Any] = []
    for folder in theme.chain:
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            parts += [f.as_posix(), f.read_bytes()]
    return digest(*parts)
