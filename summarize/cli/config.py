"""`summarize config show|path`: the config file, its profiles and where each setting comes from; and the
built-in `local` profile's server, started when a command needs it."""

from __future__ import annotations

import os
from typing import Any

import typer

from .commands import command, group

group("config", "The config file ($XDG_CONFIG_HOME/summarize/config.toml): defaults and named profiles.")

HIDDEN = "(set, hidden)"


def shown(name: str, value: Any) -> str:
    """A setting's value as `config show` prints it: keys never, a URL's password never."""
    from pydantic import SecretStr

    if value is None:
        return "(none)"
    if isinstance(value, SecretStr) or name.endswith("api_key"):
        return HIDDEN
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if "://" in text and "@" in text.split("://", 1)[1].split("/", 1)[0]:  # user:password@host
        scheme, rest = text.split("://", 1)
        text = f"{scheme}://***@{rest.split('@', 1)[1]}"
    return text


@command("show", group="config", settings=("profile",))
def config_show(*, settings: Any) -> None:
    """Print every effective setting and where it comes from.

    Sources, each over the one before: default, config file (path:line), profile NAME, environment VAR, flag.
    Keys are never printed.
    """
    layers = settings.layers()
    config = layers.config
    typer.echo(f"config file: {config.path}" + ("" if config.exists else " (none)"))
    profile = layers.profile.name if layers.profile is not None else "(none)"
    typer.echo(f"profile: {profile}\n")
    rows = [(name, shown(name, getattr(settings, name)), layers.origin(name, getattr(settings, name)))
            for name in type(settings).model_fields]  # fmt: skip
    if settings.history_db is None:  # where the history goes all the same
        from ..history.store import default_path

        rows = [(n, str(default_path()) if n == "history_db" else v, o) for n, v, o in rows]
    width = max(len(name) for name, _, _ in rows)
    values = min(max(len(value) for _, value, _ in rows), 48)
    for name, value, origin in rows:
        typer.echo(f"{name:<{width}}  {value:<{values}}  {origin}".rstrip())


@command("path", group="config")
def config_path() -> None:
    """Print where the config file is (stdout) and whether it exists (stderr).

    $SUMMARIZE_CONFIG, else $XDG_CONFIG_HOME/summarize/config.toml, else ~/.config/summarize/config.toml.
    """
    from ..config_file import config_path as path

    where = path()
    why = "SUMMARIZE_CONFIG" if os.environ.get("SUMMARIZE_CONFIG") else "the default location"
    typer.echo(str(where))
    state = "exists" if where.is_file() else "does not exist yet" if not where.exists() else "exists but is not a file"
    typer.echo(f"{state} ({why})", err=True)


def ensure_local(settings: Any) -> None:
    """The `local` profile points at the local model: start it if nothing answers (saying so); not set up, a
    ConfigurationError telling to run `summarize local setup` (never a silent build)."""
    from ..errors import ConfigurationError
    from ..local import LocalModel, Progress, start, status

    model = LocalModel.from_env()
    if settings.profile != "local" or settings.base_url != model.base_url:
        return  # another endpoint (a flag, the environment or the file's [profiles.local] says so)
    state = status(model)
    if state.answering:
        return
    if state.server is None or state.gguf_size is None:
        raise ConfigurationError(
            f"the local model is not set up in {model.directory}: run 'summarize local setup' first (it builds "
            "llama-server and assembles the model, a few minutes), then this command again"
        )
    typer.echo("starting the local model (summarize local start) ...", err=True)
    start(model, Progress())
