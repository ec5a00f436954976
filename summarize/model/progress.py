"""What the model calls report while they wait for answers: the seam a live display plugs into; silent by default.

Nothing is reported unless a `Progress` is installed with `reporting(progress)`. It is held in a context
variable, so the requests made inside the block report to it, in this thread and in the asyncio tasks started
from it (a translation's parts run concurrently), without the pipeline passing it down.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

__all__ = ["Progress", "Tally", "Watch", "reporting", "step", "step_name", "watching"]


class Progress(Protocol):
    """Told of each request as it starts and of the answer's tokens as they arrive (streamed answers only)."""

    def on_step(self, name: str) -> None:
        """A request starts: "request", "repair" (a re-ask after an unusable answer) or "verification"."""

    def on_tokens(self, count: int) -> None:
        """The output tokens received since the step started, so far; never decreases within a step."""


class Watch:
    """One installed Progress and the token count of its current step, summed over the requests in flight."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self._count = 0
        self._lock = threading.Lock()  # a sync run reports from one thread, but a Progress may be shared

    def step(self, name: str) -> None:
        """A request starts: the count starts again from zero."""
        with self._lock:
            self._count = 0
        self.progress.on_step(name)

    def add(self, tokens: int) -> None:
        """More tokens arrived."""
        if tokens <= 0:
            return
        with self._lock:
            self._count += tokens
            count = self._count
        self.progress.on_tokens(count)

    def tally(self) -> Tally:
        """A counter for one request's answer."""
        return Tally(self)


class Tally:
    """One request's tokens: one per streamed piece, then made up to the usage the finished answer reports."""

    def __init__(self, watch: Watch) -> None:
        self.watch = watch
        self.seen = 0

    def add(self, tokens: int) -> None:
        """Streamed pieces arrived (a piece is a token on llama.cpp and OpenAI, near enough)."""
        self.seen += tokens
        self.watch.add(tokens)

    def settle(self, total: int) -> None:
        """The answer's own count of its output tokens; the pieces seen so far are never taken back."""
        if total > self.seen:
            self.add(total - self.seen)


_current: ContextVar[Watch | None] = ContextVar("summarize_progress", default=None)


@contextmanager
def reporting(progress: Progress) -> Iterator[Watch]:
    """Report the requests made inside the block to `progress` (answers are streamed where the endpoint can)."""
    watch = Watch(progress)
    token = _current.set(watch)
    try:
        yield watch
    finally:
        _current.reset(token)


def watching() -> Watch | None:
    """The installed Watch, or None: nobody is watching, so nothing is reported nor streamed."""
    return _current.get()


def step_name(answer: type, attempt: int) -> str:
    """What a request is, as reported: "verification" (of a claim), the first "request", or a "repair"."""
    from ..grounded.schema import Verdict  # the model layer knows no task; only the name of this step needs one

    if issubclass(answer, Verdict):
        return "verification"
    return "request" if attempt == 1 else "repair"


def step(answer: type, attempt: int) -> None:
    """Report that a request for `answer` starts, its `attempt` in its conversation (nothing when nobody watches)."""
    watch = _current.get()
    if watch is not None:
        watch.step(step_name(answer, attempt))
