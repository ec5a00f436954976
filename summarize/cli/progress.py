"""The live line brief, facts and translate draw on stderr while the model answers; nothing unless it is a terminal.

    ⠹ request 1 · 42 s · 512 tokens · 12.3 tok/s

rewritten in place with `\\r`, and cleared when the command is done, so the output and any error that follows
start on a clean line. The model layer reports (summarize.model.progress); this module only draws.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["LiveLine", "live_progress", "seconds"]

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
CLEAR = "\r\033[K"
_RATE_AFTER = 1.0  # seconds of tokens before a rate is shown: the first pieces arrive in a burst


def seconds(value: float) -> str:
    """`42 s`, `2 min 05 s`."""
    minutes, secs = divmod(int(value), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


class LiveLine:
    """A Progress drawn as one line: the step, the time since the first request, tokens and tokens/s of the step.

    A thread redraws it every `interval` seconds (the elapsed time moves while the model reads the prompt and
    no token comes); a new step is drawn at once.
    """

    def __init__(self, stream: TextIO, *, interval: float = 0.1, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._steps: dict[str, int] = {}
        self._label = ""
        self._started: float | None = None
        self._tokens = 0
        self._first: tuple[float, int] | None = None  # when the step's first tokens came, and how many
        self._frame = 0
        self._drawn = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def on_step(self, name: str) -> None:
        """A request starts: drawn at once, numbered among the steps of its kind."""
        with self._lock:
            self._steps[name] = self._steps.get(name, 0) + 1
            self._label = f"{name} {self._steps[name]}"
            self._started = self._started if self._started is not None else self.clock()
            self._tokens, self._first = 0, None
        if self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="summarize-progress", daemon=True)
            self._ticker.start()
        self.draw()

    def on_tokens(self, count: int) -> None:
        """Tokens of the step so far (drawn at the next tick)."""
        with self._lock:
            self._tokens = count
            if self._first is None:
                self._first = (self.clock(), count)

    def text(self) -> str:
        """The line as it stands (without spinner)."""
        with self._lock:
            now = self.clock()
            parts = [self._label, seconds(now - (self._started or now))]
            if self._tokens:
                parts.append(f"{self._tokens} tokens")
            if self._first is not None and now - self._first[0] >= _RATE_AFTER:
                parts.append(f"{(self._tokens - self._first[1]) / (now - self._first[0]):.1f} tok/s")
        return " · ".join(parts)

    def draw(self) -> None:
        """Rewrite the line (cut to the terminal's width: a wrapped line could not be rewritten in place)."""
        text = self.text()
        width = _width(self.stream)
        with self._lock:
            if self._stop.is_set():
                return
            line = f"{SPINNER[self._frame % len(SPINNER)]} {text}"
            self._frame += 1
            self.stream.write(CLEAR + line[: max(10, width - 1)])
            self.stream.flush()
            self._drawn = True

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            self.draw()

    def close(self) -> None:
        """Stop drawing and clear the line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            if self._drawn:
                self.stream.write(CLEAR)
                self.stream.flush()


def _width(stream: TextIO) -> int:
    """The columns of the terminal the line is drawn on (stdout, which shutil asks, may be a file)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return shutil.get_terminal_size((80, 24)).columns


def _live(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


@contextmanager
def live_progress(stream: TextIO | None = None) -> Iterator[None]:
    """Draw the model's progress while the block runs, when stderr is a terminal; elsewhere, do nothing at all."""
    stream = stream if stream is not None else sys.stderr
    if not _live(stream):
        yield
        return
    from ..model.progress import reporting

    line = LiveLine(stream)
    try:
        with reporting(line):
            yield
    finally:
        line.close()
