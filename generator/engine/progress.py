"""A one-line progress display for long builds on a terminal.

Only when stderr is a terminal, not in CI (`CI` set) and not on a dumb terminal; it appears
after half a second, so quick builds print nothing but their summary line, and it erases
itself when done.
"""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import TextIO

DELAY = 0.5  # seconds before anything is shown
EVERY = 0.1  # seconds between redraws


class Progress:
    def __init__(self, enabled: bool, stream: TextIO | None = None, clock=time.monotonic):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = clock()
        self._drawn = 0.0
        self._width = 0

    @staticmethod
    def wanted(stream: TextIO) -> bool:
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            return False
        return tty and not os.environ.get("CI") and os.environ.get("TERM", "") != "dumb"

    @contextmanager
    def phase(self, label: str):
        """Yields tick(n): call it as items finish."""
        done = [0]
        start = self.clock()

        def tick(n: int = 1) -> None:
            done[0] += n
            now = self.clock()
            if self.enabled and now - self.started >= DELAY and now - self._drawn >= EVERY:
                rate = done[0] / max(now - start, 1e-6)
                self._draw(f"{label}: {done[0]:,} done ({rate:,.0f}/s)")
                self._drawn = now

        try:
            yield tick
        finally:
            self.clear()

    def _draw(self, text: str) -> None:
        pad = max(0, self._width - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def close(self) -> None:
        self.clear()
