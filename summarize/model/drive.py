"""Drivers for sans-IO steps: a generator yields what to do, the driver does it (sync or async) and sends back the outcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

R = TypeVar("R")


def run(steps: Generator[Any, Any, R], perform: Callable[[Any], Any]) -> R:
    """Run the steps to completion, performing each yielded request synchronously."""
    try:
        request = next(steps)
    except StopIteration as done:  # nothing to do
        return done.value
    while True:
        try:
            request = steps.send(perform(request))
        except StopIteration as done:
            return done.value


async def arun(steps: Generator[Any, Any, R], perform: Callable[[Any], Awaitable[Any]]) -> R:
    """Run the steps to completion, awaiting each yielded request."""
    try:
        request = next(steps)
    except StopIteration as done:  # nothing to do
        return done.value
    while True:
        try:
            request = steps.send(await perform(request))
        except StopIteration as done:
            return done.value


async def aresume(steps: Generator[Any, Any, R], outcome: Any, perform: Callable[[Any], Awaitable[Any]]) -> R:
    """Continue steps already started (their first request answered elsewhere) from that request's outcome."""
    try:
        request = steps.send(outcome)
    except StopIteration as done:
        return done.value
    while True:
        try:
            request = steps.send(await perform(request))
        except StopIteration as done:
            return done.value
