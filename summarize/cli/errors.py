"""Errors mapped to messages in one place: a SummarizeError is one line on stderr (and a hint) and its exit code."""

from __future__ import annotations

import functools
from typing import Any, Callable

import typer

from ..errors import SummarizeError


def report_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn SummarizeError (and Ctrl-C) into a one-line message on stderr and the error's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SummarizeError as exc:
            # File names and server messages may hold newlines; an error stays one line.
            typer.echo("error: " + str(exc).replace("\r", "\\r").replace("\n", "\\n"), err=True)
            if exc.hint:
                typer.echo("hint: " + exc.hint.replace("\n", "\\n"), err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper


def warn_cache(error: str) -> None:
    """The answer was delivered but could not be cached: say so, and how to avoid it."""
    from ..history import note_warning

    note_warning("cache")  # kept in the run's history beside the results' warnings
    typer.echo(f"warning: {error}; the answer was delivered but not cached", err=True)
    typer.echo("hint: free space or choose another --cache-dir; --no-cache skips the cache", err=True)
