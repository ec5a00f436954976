"""Batch progress on a terminal (rich), silence elsewhere, and the end-of-run summary table."""

from __future__ import annotations

import sys
from typing import IO, Any

from .estimate import Estimate as BatchEstimate
from .report import BatchOutcome, ItemReport, named


class BatchProgress:
    """A progress bar with done / failed / cached, tokens, cost and ETA; a no-op when the stream is not a terminal."""

    def __init__(self, total: int, *, stream: IO[str] | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.counts = {"done": 0, "cached": 0, "existing": 0, "failed": 0}
        self.tokens = 0
        self.cost = 0.0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> BatchProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[stats]}"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("batch", total=self.total, stats=self._stats())
        return self

    def _stats(self) -> str:
        c = self.counts
        return (
            f"done {c['done']}  cached {c['cached'] + c['existing']}  failed {c['failed']}  "
            f"{self.tokens:,} tokens  ${self.cost:.4f}"
        )

    def update(self, item: ItemReport) -> None:
        """Count one finished article."""
        self.counts[item.status] = self.counts.get(item.status, 0) + 1
        self.tokens += item.input_tokens + item.output_tokens
        self.cost += item.cost_usd or 0.0
        if self._progress is not None:
            self._progress.update(self._task, advance=1, stats=self._stats())

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def summary_table(outcome: BatchOutcome) -> str:
    """The end-of-run summary as aligned text."""
    rows = [
        ("articles", f"{outcome.total:,}"),
        ("summarized", f"{outcome.done:,}"),
        ("from cache", f"{outcome.cached:,}"),
        ("already written", f"{outcome.existing:,}"),
        ("failed", f"{outcome.failed:,}"),
        ("tokens", f"{outcome.input_tokens:,} in, {outcome.output_tokens:,} out"),
        ("estimated cost", "unknown (no price for this model; see --prices)" if outcome.unpriced else f"${outcome.cost_usd:.4f}"),
        ("rate limited", f"{outcome.rate_limited:,} time(s)"),
        ("elapsed", f"{outcome.elapsed_seconds:.1f} s"),
        ("report", str(outcome.report)),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    for item in outcome.failures[:10]:
        lines.append(f"failed: {named(item.source, item.error or '')}")
    if outcome.failed > 10:
        lines.append(f"... and {outcome.failed - 10} more failures in the report")
    return "\n".join(lines)


def estimate_table(estimate: BatchEstimate, *, model: str) -> str:
    """The `--dry-run` figures as aligned text."""

    def money(value: float | None) -> str:
        return f"${value:.4f}" if value is not None else "unknown (no price for this model; see --prices)"

    rows = [
        ("articles", f"{estimate.articles:,}"),
        ("already cached", f"{estimate.cached:,} (no request, no cost)"),
        ("unreadable", f"{estimate.unreadable:,}"),
        ("requests to send", f"{estimate.requests:,}" + (f" ({estimate.chunked} long article(s) in parts)" if estimate.chunked else "")),
        ("input tokens", f"{estimate.input_tokens:,}"),
        ("output tokens", f"~{estimate.expected_output_tokens:,} expected, at most {estimate.max_output_tokens:,}"),
        ("estimated cost", f"{money(estimate.cost_usd)} ({model}; at most {money(estimate.max_cost_usd)})"
         if estimate.cost_usd is not None else f"unknown: no price for {model} (see --prices)"),
    ]  # fmt: skip
    if estimate.cost_usd is not None:
        rows.append(("via batch-api", f"{money(estimate.cost_usd / 2)} (the Batch API is half price)"))
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    lines += [f"unreadable: {error}" for error in estimate.errors[:10]]
    return "\n".join(lines)
