"""Shared fixtures: isolated environment and cache, no network, seed answers, recorded sleeps."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .fakes import ANSWERS, SEED_003


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No OPENAI_* / SUMMARIZE_* from the developer's shell; the cache lives in a fresh temp dir; cwd is tmp."""
    import os

    for name in list(os.environ):
        if name.startswith(("OPENAI_", "SUMMARIZE_")):
            monkeypatch.delenv(name)
    cache = tmp_path / "cache"
    monkeypatch.setenv("SUMMARIZE_CACHE_DIR", str(cache))
    monkeypatch.setenv("SUMMARIZE_CONFIG", str(tmp_path.parent / f"{tmp_path.name}-no-config.toml"))  # never ~/.config/summarize
    monkeypatch.setenv("SUMMARIZE_HISTORY_DB", str(tmp_path.parent / f"{tmp_path.name}-history.db"))  # not ~/.local/share, nor in tmp_path (tests list it)
    # Transport, batch and fault tests count requests: the verifier's one-per-claim requests are on only in the
    # tests about them (and in replays of the shipped answers, which hold the verifier's exchanges).
    monkeypatch.setenv("SUMMARIZE_VERIFY", "false")
    # tiktoken must work from the shipped files, never from a download or a warm user cache.
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "no-tiktoken-cache"))
    return cache


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any socket connection outside loopback fails the test."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("/"):
            raise AssertionError(f"test tried to reach the network: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def seed_answer() -> Callable[[str], dict[str, Any]]:
    """The hand-written model answer for a seed, by file stem."""

    def load(stem: str) -> dict[str, Any]:
        return json.loads((ANSWERS / f"{stem}.json").read_text(encoding="utf-8"))

    return load


@pytest.fixture
def cited_answer() -> dict[str, Any]:
    """A valid cited answer (prompt v4 and later): the hand-written one for seed 003."""
    return json.loads((ANSWERS / "cited" / f"{SEED_003.stem}.json").read_text(encoding="utf-8"))


@pytest.fixture
def valid_answer(seed_answer: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """A valid Summary answer (the hand-written one for seed 003)."""
    return seed_answer(SEED_003.stem)


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the openai client's retry sleeps instead of sleeping."""
    import time

    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", lambda seconds: slept.append(seconds))
    return slept
