"""Runs over many articles: sources in, one per-article step, live requests or the Batch API, outputs and a report.

    sources.py       what a run covers (folder, file, feed, URL list)          -> Item
    feeds.py         RSS/Atom feeds (feedparser; conditional GET); links.py: links as items, URL lists
    step.py          one article: prepare (read, plan, done? cached?) -> finish (check, cache, write) -> report line
    outputs.py       names under --out, in the format of the registry (summarize.render)
    report.py        index.jsonl, the lock on --out, resume
    live.py          concurrent live requests (BatchRunner)
    openai_batch.py  the OpenAI Batch API: submit, poll, collect (BatchAPIRun)
    estimate.py      the one estimator (tokens, --dry-run)
    index.py         index.html of an HTML run
    progress.py      the progress bar and the end-of-run tables
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .estimate import BatchEstimate, Estimate, estimate_batch, estimate_source
from .live import BatchRunner, summarize_folder
from .report import REPORT_NAME, BatchOutcome, ItemReport
from .sources import DEFAULT_PATTERNS, Item, Source, open_source

if TYPE_CHECKING:
    from .openai_batch import BatchAPIRun


def __getattr__(name: str) -> Any:
    # The Batch API needs the openai package (~0.5 s to import): only a run through it pays for that.
    if name == "BatchAPIRun":
        from .openai_batch import BatchAPIRun

        return BatchAPIRun
    raise AttributeError(f"module 'summarize.runs' has no attribute '{name}'")

__all__ = [
    "DEFAULT_PATTERNS", "REPORT_NAME", "BatchAPIRun", "BatchEstimate", "BatchOutcome", "BatchRunner", "Estimate", "Item",
    "ItemReport", "Source", "estimate_batch", "estimate_source", "open_source", "summarize_folder",
]  # fmt: skip
