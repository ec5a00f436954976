"""Drivers for sans-IO steps: a generator yields what to do, the driver does it (sync or async) and sends back the outcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import TypeVar, cast

Q = TypeVar("Q")  # what the steps ask for (a request)
S = TypeVar("S")  # what doing it came to (its outcome), sent back into the steps
R = TypeVar("R")  # what the steps return once done

# `StopIteration.value` is typed Any; it is what the generator returned, so an R (hence the casts below).


def run(steps: Generator[Q, S, R], perform: Callable[[Q], S]) -> R:
    """Run the steps to completion, performing each yielded request synchronously."""
    try:
        request = next(steps)
        while True:
            request = steps.send(perform(request))
    except StopIteration as done:  # also when there was nothing to do
        return cast(R, done.value)


async def arun(steps: Generator[Q, S, R], perform: Callable[[Q], Awaitable[S]]) -> R:
    """Run the steps to completion, awaiting each yielded request."""
    try:
        request = next(steps)
        while True:
            request = steps.send(await perform(request))
    except StopIteration as done:  # also when there was nothing to do
        return cast(R, done.value)


async def aresume(steps: Generator[Q, S, R], outcome: S, perform: Callable[[Q], Awaitable[S]]) -> R:
    """Continue steps already started (their first request answered elsewhere) from that request's outcome."""
    try:
        request = steps.send(outcome)
        while True:
            request = steps.send(await perform(request))
    except StopIteration as done:
        return cast(R, done.value)
