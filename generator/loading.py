"""How a stage parses its files: one path, whether the build caches and parallelises it or not.

A stage (content, reviews, bibliography) describes each file as a `Job`: how to parse it, and
what the result depends on (its cache key, computed by the stage next to its parser, so the
stage alone owns "what my output depends on"). It hands the jobs to a loader. `Serial`, the
default, parses them one after the other in this process; the build passes
engine.parallel.CachedLoader, which takes unchanged results from the cache and parses the rest
over forked workers. Either way the results come back in the jobs' order, so both give the
same posts, records and problems.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import Problem, ProblemError

Result = tuple[Any, list[Problem]]  # (the parsed value or None, its problems)


def _nothing(value: Any) -> None:
    return None


@dataclass
class Job:
    name: str  # the cache entry: the file's path
    key: Callable[[], str]  # everything the parse reads that is known before parsing
    parse: Callable[[], Result]
    # What the parsed value shows it read besides (a post's own bibliography files): stored
    # with the value, and compared again before a cached value is used.
    stamp: Callable[[Any], Any] = _nothing


class Loader(Protocol):
    def run(self, kind: str, jobs: Sequence[Job], value_type: type) -> list[Result]: ...


def guarded(parse: Callable[[], Result]) -> Result:
    """A parse's ProblemError as data (a worker's exception does not survive pickling)."""
    try:
        return parse()
    except ProblemError as exc:
        return None, exc.problems


class Serial:
    """Every job parsed in this process, in order; nothing cached."""

    def run(self, kind: str, jobs: Sequence[Job], value_type: type) -> list[Result]:
        return [guarded(job.parse) for job in jobs]


SERIAL = Serial()


def collect(loader: Loader, kind: str, jobs: Sequence[Job], value_type: type) -> tuple[list, list[Problem]]:
    """Run `jobs`: the parsed values in order (failed parses left out) and every problem."""
    values, problems = [], []
    for value, found in loader.run(kind, jobs, value_type):
        problems += found
        if value:
            values.append(value)
    return values, problems
