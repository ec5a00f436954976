"""Progress lines on stderr, and a ticker that reports a long-running process (elapsed time, its own figure)."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Callable, TextIO

PREFIX = "local-model: "


def elapsed(seconds: float) -> str:
    """`2m05s` (or `42s`)."""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


class Progress:
    """Where setup and start tell what they do: one line per step; a live line while a process runs.

    On a terminal the live line is rewritten every second; elsewhere (a log, a CI job) a line every `interval`
    seconds, so a 5-minute build neither looks stuck nor floods the log.
    """

    def __init__(self, stream: TextIO | None = None, *, interval: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty()
        self.interval = interval if interval is not None else (1.0 if self.live else 30.0)

    def say(self, text: str) -> None:
        """One line."""
        self.stream.write(PREFIX + text + "\n")
        self.stream.flush()

    def _tick(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\033[K" + PREFIX + text)
        else:
            self.stream.write(PREFIX + text + "\n")
        self.stream.flush()

    def wait(self, process: subprocess.Popen[bytes], label: str, detail: Callable[[], str] = lambda: "") -> int:
        """Wait for `process`, reporting `label`, `detail()` and the elapsed time; its exit code."""
        started = last = time.monotonic()
        try:
            while True:
                try:
                    return process.wait(timeout=0.25)
                except subprocess.TimeoutExpired:
                    pass
                now = time.monotonic()
                if now - last >= self.interval:
                    last = now
                    figure = detail()
                    self._tick(f"{label}: {figure + ', ' if figure else ''}{elapsed(now - started)}")
        finally:
            if self.live and time.monotonic() - started >= self.interval:
                self.stream.write("\n")
                self.stream.flush()
