"""Write small real blog projects into a temporary folder, for tests.

Review records are stamped with the post's real content hash unless a test asks for another, so
tests exercise the same code path as `peerpress review new`.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

import yaml

from generator.engine import build
from generator import config as config_mod
from generator.content import content_hash

PEOPLE = {
    "ada": {"name": "Ada Author", "given": "Ada", "family": "Author", "roles": ["author"],
            "orcid": "0000-0002-1825-0097", "github": "ada-gh", "email": "ada@example.org"},
    "bo": {"name": "Bo Writer", "given": "Bo", "family": "Writer", "roles": ["author", "reviewer"],
           "github": "bo-gh", "email": "bo@example.org"},
    "rita": {"name": "Rita Reviewer", "given": "Rita", "family": "Reviewer", "roles": ["reviewer"],
             "github": "rita-gh", "email": "rita@example.org"},
    "rex": {"name": "Rex Reviewer", "given": "Rex", "family": "Reviewer", "roles": ["reviewer"],
            "github": "rex-gh", "email": "rex@example.org"},
    "ed": {"name": "Ed Editor", "given": "Ed", "family": "Editor", "roles": ["editor", "reviewer"],
           "github": "ed-gh", "email": "ed@example.org"},
    "nora": {"name": "Nora Nobody", "roles": ["author"], "github": "nora-gh"},
}


@dataclass
class SiteBuilder:
    root: Path
    settings: dict = field(default_factory=dict)

    def __post_init__(self):
        self.root.mkdir(parents=True, exist_ok=True)
        base = {"title": "Test Blog", "base_url": "https://blog.example.org/", "timezone": "UTC",
                "people": PEOPLE, "search": {"enabled": False}}
        base.update(self.settings)
        self.write("site.yaml", yaml.safe_dump(base, sort_keys=False, allow_unicode=True))

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def post(self, post_id: str, title: str = "A post", authors=("ada",), date="2025-01-10",
             body: str = "Some text about teaching.\n", bundle: bool = False, **front) -> Path:
        meta = {"title": title, "authors": list(authors), "date": as_date(date), **front}
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + textwrap.dedent(body)
        rel = f"content/posts/{post_id}/index.md" if bundle else f"content/posts/{post_id}.md"
        return self.write(rel, text)

    def hash_of(self, post_id: str) -> str:
        cfg = self.config()
        from generator.content import load_one
        path = cfg.content_dir / "posts" / f"{post_id}.md"
        if not path.exists():
            path = cfg.content_dir / "posts" / post_id / "index.md"
        post, _ = load_one(cfg, "post", path, {})
        return post.content_hash

    def review(self, post_id: str, reviewer: str, decision: str = "approve", date: str = "2025-01-05",
               version: str | None = None, body: str = "Clear and accurate.\n", name: str | None = None,
               **front) -> Path:
        meta = {"reviewer": reviewer, "date": as_date(date), "decision": decision,
                "version": version if version is not None else self.hash_of(post_id), **front}
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + body
        return self.write(f"reviews/{post_id}/{name or f'{date}-{reviewer}'}.md", text)

    def decision(self, post_id: str, editor: str, decision: str, date: str = "2025-01-06", **front) -> Path:
        meta = {"type": "decision", "editor": editor, "date": as_date(date), "decision": decision, **front}
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\nEditor's note.\n"
        return self.write(f"reviews/{post_id}/{date}-{editor}.md", text)

    def approve_twice(self, post_id: str) -> None:
        self.review(post_id, "rita")
        self.review(post_id, "rex")

    def config(self):
        return config_mod.load(self.root / "site.yaml")

    def build(self, **options) -> build.BuildReport:
        options.setdefault("out", self.root / "site")
        return build.run(self.config(), build.Options(**options))


def unused_hash() -> str:
    return content_hash("old", ["ada"], "an earlier text", post="old")


def as_date(value):
    """Tests write dates as strings; YAML must see them unquoted, as authors write them."""
    return Date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else value
