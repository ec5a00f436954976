"""The `summarize` command: wiring from options to the Python API, errors mapped to messages in one place.

    options.py    the options: generated from the Settings fields (their Flag), the few others declared once
    commands.py   `@command` declarations built into an app; generated options built on first use
    errors.py     SummarizeError -> one line on stderr and its exit code
    single.py     brief, facts, translate, tokens, clean, schema
    runs.py       batch
    digest.py     digest (in progress)
    evaluate.py   eval
    admin.py      prompts list/show, cache stats/clear
    history.py    history (list), history show/cost: the recorded runs (summarize.history)
    local.py      local setup/start/serve/stop/status/env (the real local model)
    config.py     config show/path: the config file, its profiles, where each setting comes from
    reference.py  docs/cli.md, generated from the app
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Annotated

import typer

from .commands import build

for _module in ("single", "runs", "digest", "evaluate", "admin", "local", "config", "history"):  # their commands, in the order `summarize --help` lists them
    import_module(f".{_module}", __name__)

if TYPE_CHECKING:
    from ..config import Settings

__all__ = ["app", "build_app", "main"]

HELP = "Turn news articles into briefs in your language, bilingual summaries, full translations and verified key facts."


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"summarize {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """The options before any command."""


def build_app(settings: type[Settings] | None = None) -> typer.Typer:
    """The `summarize` app, its settings' options generated from `settings` (default: summarize.config.Settings).

    A subclass of Settings with more fields carrying a `Flag` gives an app with those flags too, and commands
    that receive settings of that class.
    """
    app = typer.Typer(
        help=HELP,
        no_args_is_help=True,
        add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # plain help and usage errors: rich costs ~0.4 s of start-up on every call
    )
    app.callback()(_root)
    return build(app, settings)


app = build_app()


def main() -> None:
    """Console-script entry point."""
    app(prog_name="summarize")  # `python -m summarize` too: its usage lines and shell completion name the command
