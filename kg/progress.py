"""Progress on stderr for long commands: a live counter on a terminal, silent otherwise."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``with Progress("papers") as p: p.update(n)`` shows "papers: 1,234 (56/s)" on stderr.

    Nothing is written when stderr is not a terminal (CI logs, pipes) or when disabled.
    """

    def __init__(self, label: str, *, enabled: bool = True, stream: TextIO | None = None,
                 interval: float = 0.25) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.label = label
        self.count = 0
        self.interval = interval
        self._start = time.monotonic()
        self._last = 0.0

    def update(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if self.enabled and now - self._last >= self.interval:
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.count / max(now - self._start, 1e-9)
        self.stream.write(f"\r{self.label}: {self.count:,} ({rate:,.0f}/s)\x1b[K")
        self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
