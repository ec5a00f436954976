"""The record of the running command: noted as the run goes (from any thread), written once when it ends."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .redact import mask, redact

if TYPE_CHECKING:
    from ..config import Settings
    from ..schemas import AnyResult


@dataclass
class Usage:
    """What one model answered and cost in a run (a cached result costs nothing)."""

    results: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None

    def as_dict(self) -> dict[str, Any]:
        cost = None if self.cost_usd is None else round(self.cost_usd, 6)
        return {"results": self.results, "tokens_in": self.tokens_in, "tokens_out": self.tokens_out, "cost_usd": cost}


class Recorder:
    """What one command run did: results, cache keys, warnings and outputs as they are noted, then one row."""

    def __init__(self, command: str, argv: Sequence[str], *, sources: Sequence[str] = (), outputs: Sequence[str] = ()) -> None:
        self.command = command
        self.argv = list(argv)
        self.sources = list(sources)
        self.outputs = list(outputs)
        self.started = time.time()
        self._clock = time.perf_counter()
        self.settings: Settings | None = None
        self.models: list[str] = []
        self.usage: dict[str, Usage] = {}
        self.endpoints: list[str] = []
        self.keys: list[str] = []
        self.warnings: Counter[str] = Counter()
        self.results = 0
        self.cached = 0
        self._lock = threading.Lock()  # a batch finishes its articles in worker threads

    def attach(self, settings: Settings, models: Sequence[str] = ()) -> None:
        """The run's settings (where the history goes, whether at all) and the models it was asked to run."""
        self.settings = settings
        self.models = list(models) or [settings.model]

    def note_result(self, result: AnyResult) -> None:
        """A result delivered (fresh or cached): its cache key, warnings, and what it cost this run."""
        p = result.provenance
        with self._lock:
            self.results += 1
            if p.key and p.key not in self.keys:
                self.keys.append(p.key)
            endpoint = p.endpoint.rpartition("@")[2]  # never a user:password part of a URL
            if endpoint not in self.endpoints:
                self.endpoints.append(endpoint)
            self.warnings.update(w.kind for w in result.warnings)
            usage = self.usage.setdefault(p.model, Usage())
            usage.results += 1
            if p.cached:
                self.cached += 1
                if p.estimated_cost_usd is not None:  # priced, and free this time
                    usage.cost_usd = usage.cost_usd or 0.0
                return
            usage.tokens_in += p.input_tokens
            usage.tokens_out += p.output_tokens
            if p.estimated_cost_usd is not None:
                usage.cost_usd = (usage.cost_usd or 0.0) + p.estimated_cost_usd

    def note_usage(self, model: str, tokens_in: int, tokens_out: int, cost_usd: float | None) -> None:
        """Requests that made no result of their own (a digest's written text and its verdicts)."""
        with self._lock:
            usage = self.usage.setdefault(model, Usage())
            usage.tokens_in += tokens_in
            usage.tokens_out += tokens_out
            if cost_usd is not None:
                usage.cost_usd = (usage.cost_usd or 0.0) + cost_usd

    def reprice(self, result: AnyResult, factor: float) -> None:
        """A fresh result was paid `factor` of its list price (the Batch API's half price)."""
        p = result.provenance
        with self._lock:
            usage = self.usage.get(p.model)
            if usage is not None and usage.cost_usd is not None and p.estimated_cost_usd is not None and not p.cached:
                usage.cost_usd -= p.estimated_cost_usd * (1 - factor)

    def note_key(self, key: str | None) -> None:
        """A result the run reused without loading it (a batch's up-to-date outputs)."""
        with self._lock:
            if key and key not in self.keys:
                self.keys.append(key)

    def note_output(self, path: str | Path | None) -> None:
        """A file the run wrote."""
        with self._lock:
            if path is not None and str(Path(path).absolute()) not in self.outputs:
                self.outputs.append(str(Path(path).absolute()))

    def note_warning(self, kind: str) -> None:
        """A warning the command printed that no result carries (a cache that could not be written)."""
        with self._lock:
            self.warnings[kind] += 1

    def row(self, exit_code: int) -> dict[str, Any]:
        """The database row of the run as it ended with `exit_code`."""
        s = self.settings
        assert s is not None
        secrets = [s.api_key.get_secret_value()] if s.api_key is not None else []
        with self._lock:
            usage = {model: u.as_dict() for model, u in self.usage.items()}
            costs = [u["cost_usd"] for u in usage.values() if u["cost_usd"] is not None]
            return {
                "started": self.started,
                "duration": round(time.perf_counter() - self._clock, 3),
                "command": self.command,
                "argv": json.dumps(redact(self.argv, secrets), ensure_ascii=False),
                "task": s.task,
                "model": ", ".join(list(self.usage) or self.models),
                "endpoint": "; ".join(self.endpoints) or s.endpoint_host.rpartition("@")[2],
                "sources": json.dumps([mask(source, secrets) for source in self.sources], ensure_ascii=False),
                "results": self.results,
                "cached": self.cached,
                "tokens_in": sum(u["tokens_in"] for u in usage.values()),
                "tokens_out": sum(u["tokens_out"] for u in usage.values()),
                "cost_usd": round(sum(costs), 6) if costs else None,
                "by_model": json.dumps(usage),
                "warnings": json.dumps(dict(sorted(self.warnings.items()))),
                "exit_code": exit_code,
                "outputs": json.dumps(self.outputs, ensure_ascii=False),
                "cache_keys": json.dumps(self.keys),
                "cache_dir": str(Path(s.cache_dir).absolute()) if s.use_cache else None,
            }

    def save(self, exit_code: int) -> None:
        """Write the run's row; a history that cannot be written is one warning line, never a failed run."""
        s = self.settings
        if s is None or not s.history:  # settings that did not load: the run never started
            return
        from .store import database_path, insert

        path = database_path(s)
        try:
            insert(path, self.row(exit_code))
        except (Exception, KeyboardInterrupt) as exc:  # recording must never change a run's output or exit code
            reason = " ".join(str(exc).split()) or type(exc).__name__
            sys.stderr.write(f"warning: run not recorded in the history {path}: {reason}\n")


_current: Recorder | None = None
"""The recorder of the command being run (one per process: worker threads see it too, unlike a contextvar)."""


def current() -> Recorder | None:
    """The recorder of the running command, if it is recorded."""
    return _current


def exit_code(exc: BaseException) -> int:
    """The exit code a command ends with when `exc` escapes it (typer.Exit, SystemExit, Ctrl-C, a crash)."""
    code = getattr(exc, "exit_code", None)
    if isinstance(code, int):
        return code
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 130 if isinstance(exc, KeyboardInterrupt) else 1


@contextmanager
def recording(command: str, argv: Sequence[str], *, sources: Sequence[str] = (), outputs: Sequence[str] = ()) -> Iterator[Recorder]:
    """Record the command run inside: its row is written when it ends, however it ends."""
    global _current
    recorder = Recorder(command, argv, sources=sources, outputs=outputs)
    previous, _current = _current, recorder
    code = 0
    try:
        yield recorder
    except BaseException as exc:
        code = exit_code(exc)
        raise
    finally:
        _current = previous
        recorder.save(code)


def attach(settings: Settings, models: Sequence[str] = ()) -> None:
    """Give the running command's recorder its settings (no recorder: nothing)."""
    if _current is not None:
        _current.attach(settings, models)


def note_result(result: AnyResult) -> None:
    """Note a delivered result in the running command's record (none: nothing)."""
    if _current is not None:
        _current.note_result(result)


def note_usage(model: str, tokens_in: int, tokens_out: int, cost_usd: float | None) -> None:
    """Tokens and cost of requests outside any result, in the running command's record (if any)."""
    recorder = current()
    if recorder is not None:
        recorder.note_usage(model, tokens_in, tokens_out, cost_usd)


def reprice(result: AnyResult, factor: float) -> None:
    """Note that a fresh result was paid `factor` of its list price."""
    if _current is not None and factor != 1.0:
        _current.reprice(result, factor)


def note_key(key: str | None) -> None:
    """Note the cache key of a result reused without loading it."""
    if _current is not None:
        _current.note_key(key)


def note_output(path: str | Path | None) -> None:
    """Note a file the running command wrote."""
    if _current is not None:
        _current.note_output(path)


def note_warning(kind: str) -> None:
    """Note a warning the running command printed that no result carries."""
    if _current is not None:
        _current.note_warning(kind)
