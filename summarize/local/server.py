"""`summarize local start|serve|stop|status`: the llama-server process, its pid file and what it answers."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from ..errors import ConfigurationError, EndpointError
from .install import built, describe_version, setup
from .layout import LocalModel
from .progress import Progress, elapsed

READY_TIMEOUT = 120.0
"""Seconds `start` waits for /health (the script's 120 s: loading the 1.1 GB model takes a few)."""

# The servers this process started, kept so they are reaped when stopped (no zombie, no "still running" warning).
_STARTED: dict[int, subprocess.Popen[bytes]] = {}
# Loopback only: a proxy from the environment must never see (or break) a request to 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, timeout: float = 2.0) -> Any | None:
    """The JSON (or, for a non-JSON 200, True) that `url` answers with; None when it does not answer 200."""
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            body = response.read()
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException):  # e.g. not HTTP on that port
        return None
    try:
        return json.loads(body)
    except ValueError:
        return True


def healthy(model: LocalModel) -> bool:
    """The server answers /health with 200 (llama-server says 503 while it loads the model)."""
    return get(f"{model.url}/health") is not None


def _alive(pid: int) -> bool:
    if pid in _STARTED:
        return _STARTED[pid].poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_server(model: LocalModel, pid: int) -> bool:
    """`pid` is alive and runs our llama-server (a pid reused by another program is left alone)."""
    if not _alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # no /proc (macOS): the pid file is all there is to go by
        return True
    try:
        return str(model.server).encode() in cmdline.read_bytes()
    except OSError:
        return False


def server_pid(model: LocalModel) -> int | None:
    """The pid of the server `start` ran, while it runs; None otherwise."""
    try:
        pid = int(model.pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return pid if _is_server(model, pid) else None


def _last_line(log: Path) -> str:
    if not log.is_file():
        return "no output"
    lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def start(model: LocalModel, progress: Progress, *, timeout: float = READY_TIMEOUT) -> None:
    """Set up if needed, run llama-server in the background and wait until /health answers."""
    if healthy(model):
        progress.say(f"already serving on port {model.port} ({model.base_url})")
        return
    pid = server_pid(model)
    if pid is None:  # not already started and still loading
        setup(model, progress)
        with model.server_log.open("wb") as log:
            # Its own session: Ctrl-C on this command, or the terminal closing, leaves the server running (nohup).
            process = subprocess.Popen([str(model.server), *model.server_args()], stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        pid = process.pid
        _STARTED[pid] = process
        model.pid_file.write_text(f"{pid}\n", encoding="utf-8")
        progress.say(f"started llama-server (pid {pid}), loading the model; log: {model.server_log}")
    started = time.monotonic()
    while not healthy(model):
        if not _alive(pid):
            model.pid_file.unlink(missing_ok=True)
            code = _STARTED.pop(pid).returncode if pid in _STARTED else None
            exit_note = f" (exit {code})" if code is not None else ""
            raise EndpointError(f"llama-server stopped before answering{exit_note}: {_last_line(model.server_log)} (log: {model.server_log})")
        if time.monotonic() - started > timeout:
            raise EndpointError(f"server did not become ready in {elapsed(timeout)}: see {model.server_log}")
        time.sleep(0.25)
    progress.say(f"serving {model.pins.alias} on {model.base_url} (log: {model.server_log})")


def serve(model: LocalModel, progress: Progress) -> NoReturn:
    """Set up if needed, then become llama-server (foreground; Ctrl-C stops it)."""
    setup(model, progress)
    progress.say(f"serving {model.pins.alias} on {model.base_url} in the foreground")
    os.execv(model.server, [str(model.server), *model.server_args()])


def stop(model: LocalModel, progress: Progress, *, timeout: float = 10.0) -> None:
    """Stop the server `start` ran (SIGTERM, then SIGKILL after `timeout` s) and wait until it is gone."""
    if not model.pid_file.is_file():
        raise ConfigurationError(f"no server started with 'summarize local start' (no {model.pid_file})")
    pid = server_pid(model)
    if pid is None:
        model.pid_file.unlink()
        progress.say("the server started with 'start' is no longer running")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    if pid in _STARTED:
        _STARTED.pop(pid).wait()
    model.pid_file.unlink(missing_ok=True)
    progress.say(f"stopped llama-server (pid {pid})")


@dataclass(frozen=True)
class Status:
    """What is installed and what runs, found without starting, building or downloading anything."""

    directory: Path
    server: Path | None
    version: str | None
    gguf: Path
    gguf_size: int | None
    downloads: int
    downloads_pinned: int
    downloads_bytes: int
    url: str
    answering: bool
    pid: int | None
    model: str | None
    slots: int | None
    build: str | None

    def lines(self) -> list[str]:
        """The report `summarize local status` prints."""
        server = f"{self.server} ({self.version})" if self.server else "not built (summarize local setup builds it)"
        gguf = f"{self.gguf} ({self.gguf_size:,} bytes)" if self.gguf_size is not None else f"not assembled ({self.gguf.name})"
        lines = [
            f"directory: {self.directory}" + ("" if self.directory.exists() else " (none yet)"),
            f"llama-server: {server}",
            f"model file: {gguf}",
            f"downloads: {self.downloads} of {self.downloads_pinned} pinned files cached ({self.downloads_bytes:,} bytes)",
        ]
        started = f", pid {self.pid}" if self.pid else ", not started by 'summarize local start'"
        if self.answering:
            lines.append(f"server: running{started}, {self.url}/v1")
            lines.append(f"served model: {self.model or 'unknown'}")
            lines.append(f"slots: {self.slots if self.slots is not None else 'unknown'}")
            if self.build:
                lines.append(f"server build: {self.build}")
        elif self.pid:
            lines.append(f"server: starting (pid {self.pid}), not answering yet on {self.url}")
        else:
            lines.append(f"server: not running (nothing answers on {self.url})")
        return lines


def status(model: LocalModel) -> Status:
    """Look at the cache and ask the port (/health, /v1/models, /props, /slots); start nothing."""
    pins = [model.pins.source, *model.pins.parts]
    cached = [model.wheels / pin.filename for pin in pins if (model.wheels / pin.filename).is_file()]
    answering = healthy(model)
    served, slots, build = None, None, None
    if answering:
        models = get(f"{model.base_url}/models")
        if isinstance(models, dict) and models.get("data"):
            served = ", ".join(str(entry.get("id")) for entry in models["data"] if isinstance(entry, dict))
        props = get(f"{model.url}/props")
        if isinstance(props, dict):
            slots = props.get("total_slots") if isinstance(props.get("total_slots"), int) else None
            build = str(props["build_info"]) if props.get("build_info") else None
        if slots is None:  # older servers: one entry per slot (the endpoint may be switched off: then unknown)
            listed = get(f"{model.url}/slots")
            slots = len(listed) if isinstance(listed, list) else None
    return Status(
        directory=model.directory,
        server=model.server if built(model) else None,
        version=describe_version(model) if built(model) else None,
        gguf=model.gguf,
        gguf_size=model.gguf.stat().st_size if model.gguf.is_file() else None,
        downloads=len(cached),
        downloads_pinned=len(pins),
        downloads_bytes=sum(path.stat().st_size for path in cached),
        url=model.url,
        answering=answering,
        pid=server_pid(model),
        model=served,
        slots=slots,
        build=build,
    )
