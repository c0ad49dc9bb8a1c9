"""People named by the old blog → people ids in site.yaml, merging near-duplicate names.

site.yaml is edited with ruamel.yaml's round trip, so its comments, order and quoting survive;
only new people and missing roles are added.
"""
from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..content import slugify_id
from .common import fold

# How alike two folded names must be to be taken for the same person ("Zoe Le Blanc", "Zoe LeBlanc").
SIMILAR = 0.88


@dataclass
class People:
    path: Path
    text: str
    doc: CommentedMap
    notes: list[str] = field(default_factory=list)  # what was merged or added, for the report
    overrides: dict[str, str] = field(default_factory=dict)  # folded name → id, from --person
    changed: bool = False
    added: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path, overrides: dict[str, str] | None = None) -> People:
        text = path.read_text(encoding="utf-8")
        doc = _yaml().load(text)
        if doc.get("people") is None:
            doc["people"] = CommentedMap()
        return cls(path, text, doc, overrides={fold(k): v for k, v in (overrides or {}).items()})

    @property
    def people(self) -> CommentedMap:
        return self.doc["people"]

    def resolve(self, name: str, role: str, email: str = "", login: str = "") -> str:
        """The id for `name` in `role`, adding the person or the role when missing."""
        pid = self._find(name, email, login)
        if pid is None or pid not in self.people:  # new, or an --person id not in site.yaml yet
            pid = self._add(name, email, pid)
        self._grant(pid, role)
        return pid

    def _find(self, name: str, email: str, login: str) -> str | None:
        key = fold(name)
        if key in self.overrides:
            return self.overrides[key]
        for pid, person in self.people.items():
            if fold(str(person.get("name", ""))) == key or pid == slugify_id(name):
                return pid
            if email and str(person.get("email", "")).lower() == email.lower():
                return pid
            if login and str(person.get("github", "")).lower() == login.lower():
                return pid
        known = {fold(str(p.get("name", ""))): pid for pid, p in self.people.items()}
        close = difflib.get_close_matches(key, list(known), n=1, cutoff=SIMILAR)
        if close:
            pid = known[close[0]]
            self.notes.append(f"'{name}' taken for '{pid}' ({self.people[pid].get('name')}): did you mean them? "
                              f"if not, pass --person '{name}=NEW-ID'")
            self.overrides[key] = pid
            return pid
        return None

    def _add(self, name: str, email: str, wanted: str | None = None) -> str:
        base = wanted or slugify_id(name) or "person"
        pid, n = base, 2
        while pid in self.people:
            pid, n = f"{base}-{n}", n + 1
        entry = CommentedMap(name=name)
        if email:
            entry["email"] = email
        entry["roles"] = _flow([])
        self.people[pid] = entry
        self.notes.append(f"new person '{pid}' ({name})")
        self.changed = True
        self.added.add(pid)
        return pid

    def _grant(self, pid: str, role: str) -> None:
        person = self.people[pid]
        roles = person.get("roles")
        if roles is None:
            roles = person["roles"] = _flow(["author"])  # the schema's default when roles are not given
        wanted = ["editor", "reviewer"] if role == "editor" else [role]
        for r in wanted:
            if r not in roles:
                roles.append(r)
                self.changed = True
                if pid not in self.added:
                    self.notes.append(f"'{pid}' gets the {r} role")

    def dump(self) -> str:
        out = io.StringIO()
        _yaml().dump(self.doc, out)
        return out.getvalue()


def _yaml() -> YAML:
    y = YAML()  # round trip: comments and key order are kept
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _flow(items: list) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()  # roles: [author, reviewer], as site.yaml writes them
    return seq
