"""The run report: one JSON line per article in `index.jsonl`, written as the run goes, made visible when it ends.

The report is also what makes a re-run cheap: a line that is done under the same settings (fingerprint) with
the same input identity (size and mtime, a feed entry's digest) marks its article as done without reading it.
The report's writer holds an OS lock on the output folder, so two runs never pay for the same articles.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError, SummarizeError
from ..files import pid_alive, remove_orphan_temps
from ..schemas import AnyResult

REPORT_NAME = "index.jsonl"
LOCK_NAME = ".summarize-batch.lock"


@dataclass
class ItemReport:
    """One line of the run report: what happened to one article."""

    source: str
    status: str  # done | cached | existing | failed
    json: str | None = None
    output: str | None = None
    """The rendered file (Markdown, HTML...) beside the JSON one; None when the format is JSON."""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    cached: bool = False
    attempts: int = 0
    warnings: int = 0
    elapsed_seconds: float = 0.0
    error: str | None = None
    error_type: str | None = None
    key: str | None = None
    fingerprint: str | None = None
    identity: dict[str, Any] = field(default_factory=dict)
    """The input's identity when it was done (see `Item.identity`)."""
    title: str | None = None
    language: str | None = None

    @property
    def ok(self) -> bool:
        """True unless the article failed."""
        return self.status != "failed"

    @classmethod
    def of_result(cls, source: str, result: AnyResult, started: float, *, price_factor: float = 1.0, **fields: Any) -> ItemReport:
        """The line of an article whose result was written; a cached result cost nothing in this run."""
        p = result.provenance
        cost = p.estimated_cost_usd
        return cls(
            source=source,
            status="cached" if p.cached else "done",
            input_tokens=0 if p.cached else p.input_tokens,
            output_tokens=0 if p.cached else p.output_tokens,
            cost_usd=None if cost is None else (0.0 if p.cached else round(cost * price_factor, 6)),
            cached=p.cached,
            attempts=0 if p.cached else p.attempts,
            warnings=len(result.warnings),
            elapsed_seconds=round(time.perf_counter() - started, 4),
            key=p.key,
            title=result.article.title,
            language=result.article.language,
            **fields,
        )

    @classmethod
    def of_failure(cls, source: str, exc: BaseException, started: float) -> ItemReport:
        """The line of an article that failed, with a one-line error."""
        message = str(exc) if isinstance(exc, SummarizeError) else f"{type(exc).__name__}: {exc}"
        return cls(
            source=source,
            status="failed",
            error=message.splitlines()[0][:500] if message else type(exc).__name__,
            error_type=type(exc).__name__,
            attempts=int(getattr(exc, "attempts", 0) or 0),
            elapsed_seconds=round(time.perf_counter() - started, 4),
        )


@dataclass
class BatchOutcome:
    """Totals of a run, the report's path and the first failures."""

    total: int = 0
    done: int = 0
    cached: int = 0
    existing: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    elapsed_seconds: float = 0.0
    rate_limited: int = 0
    report: Path | None = None
    index: Path | None = None
    """The run's `index.html`, when the format is html."""
    failures: list[ItemReport] = field(default_factory=list)
    cache_error: str | None = None
    """Why the cache stopped being written during the run (the answers were delivered all the same)."""
    unpriced: bool = False
    """Some paid requests have no price (a model missing from the price table): the cost is unknown."""

    def add(self, item: ItemReport) -> None:
        """Count one finished article."""
        self.total += 1
        setattr(self, item.status, getattr(self, item.status) + 1)
        self.input_tokens += item.input_tokens
        self.output_tokens += item.output_tokens
        self.cost_usd += item.cost_usd or 0.0
        if item.cost_usd is None and (item.input_tokens or item.output_tokens):
            self.unpriced = True
        if not item.ok and len(self.failures) < 50:
            self.failures.append(item)


def _remove_orphan_partials(out: Path) -> None:
    """Delete partial reports left by runs that were killed (their process is gone); a live run's is kept."""
    for partial in out.glob(f".{REPORT_NAME}.*.partial"):
        pid = partial.name.removeprefix(f".{REPORT_NAME}.").removesuffix(".partial")
        if pid.isdigit() and not pid_alive(int(pid)):
            partial.unlink(missing_ok=True)


class ReportWriter:
    """Appends report lines to a hidden partial file and moves it over `index.jsonl` when the run ends, however it ends."""

    def __init__(self, out: Path) -> None:
        self.path = out / REPORT_NAME
        self._partial = out / f".{REPORT_NAME}.{os.getpid()}.partial"
        try:
            out.mkdir(parents=True, exist_ok=True)
            self._lock = _lock(out)
            _remove_orphan_partials(out)
            remove_orphan_temps(out)  # half-written outputs of a run killed with -9
            # A non-UTF-8 file name (surrogate escapes) is written as a JSON `\udcXX` escape, which reads back as the same name.
            self._handle = self._partial.open("w", encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            raise OutputError(f"cannot write the report in {out}: {exc.strerror or exc}") from None

    def write(self, item: ItemReport) -> None:
        """Add one complete line (flushed, so a crash leaves whole lines in the partial file)."""
        self._handle.write(json.dumps(asdict(item), ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> Path:
        """Make the report visible atomically under its final name."""
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._partial, self.path)
        self._lock.close()  # releases the lock on --out
        return self.path


def _lock(out: Path) -> IO[str]:
    """Hold --out for this run: a second run on it would pay for the same articles and overwrite the report.

    An OS lock (flock), so a killed run releases it with its process; the file keeps the holder's PID for the message.
    """
    handle = (out / LOCK_NAME).open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise OutputError(
            f"another summarize batch (process {holder}) is writing to {out}",
            hint="wait for it to finish (then run again: finished articles are not requested twice), or choose another --out",
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def named(source: str, message: str) -> str:
    """`source: message`, unless the message already starts with the source (most InputErrors do)."""
    return message if message.startswith(source) else f"{source}: {message}"


def report_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The lines of a report that parse as JSON objects (a damaged line is skipped)."""
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a damaged line only costs that article a slower check
                if isinstance(entry, dict):
                    yield entry
    except OSError:
        return


def previous_report(out: Path, fingerprint: str) -> dict[str, Mapping[str, Any]]:
    """Lines of the last run's report that are done under the same settings, by source."""
    return {
        str(entry.get("source")): entry
        for entry in report_lines(out / REPORT_NAME)
        if entry.get("status") != "failed" and entry.get("fingerprint") == fingerprint
    }


__all__ = ["LOCK_NAME", "REPORT_NAME", "BatchOutcome", "ItemReport", "ReportWriter", "named", "previous_report", "report_lines"]
