"""Problems are data: stages return them instead of raising (docs/architecture.md)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    severity: str
    message: str
    hint: str = ""

    def text(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.severity}: {self.message}{hint}"

    def github(self) -> str:
        # GitHub workflow command; data must escape %, CR and LF, properties also : and ,.
        def esc(s: str, prop: bool = False) -> str:
            s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            return s.replace(":", "%3A").replace(",", "%2C") if prop else s
        kind = "error" if self.severity == ERROR else "warning"
        props = f"file={esc(self.path, True)}"
        if self.line:
            props += f",line={self.line}"
        msg = self.message + (f" ({self.hint})" if self.hint else "")
        return f"::{kind} {props}::{esc(msg)}"


class ProblemError(Exception):
    """Raised by a stage that cannot continue; carries every problem found so far."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems


def rel(path: Path | str, root: Path) -> str:
    """A path as shown in messages: relative to the project root where possible."""
    p = Path(path)
    # Resolved first; then as written, so a symlink pointing out of the project is still
    # named by its place in the project.
    for candidate, base in ((p.resolve(), root.resolve()), (p.absolute(), root.absolute())):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return p.as_posix()


def error(path: str, line: int | None, message: str, hint: str = "") -> Problem:
    return Problem(path, line, ERROR, message, hint)


def warning(path: str, line: int | None, message: str, hint: str = "") -> Problem:
    return Problem(path, line, WARNING, message, hint)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)


def format_problems(problems: list[Problem], fmt: str = "text") -> str:
    ordered = sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.severity, p.message))
    if fmt == "json":
        return json.dumps([asdict(p) for p in ordered], indent=2)
    if fmt == "github":
        return "\n".join(p.github() for p in ordered)
    return "\n".join(p.text() for p in ordered)
