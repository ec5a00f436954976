"""The per-article step every run shares (live requests and the Batch API alike):

    prepare: done before? -> read once -> plan once -> outputs current? -> cached?    (a Job, or its report line)
    finish:  the model's answer -> checks, cache -> outputs written                     (the report line)

A run only decides how answers are obtained; what happens to an article before and after is here, once.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..history import note_key, reprice
from ..schemas import AnyResult, Article
from ..plan import Plan
from ..summarizer import Summarizer
from .outputs import OutputPaths, Outputs
from .report import ItemReport
from .sources import Item

if TYPE_CHECKING:
    from ..model.client import Completion  # openai is imported only when a request is due


@dataclass
class Job:
    """An article read and planned, waiting for its answer."""

    item: Item
    article: Article
    plan: Plan
    paths: OutputPaths
    started: float


class Step:
    """What happens to one article of a run, from its item to its report line."""

    def __init__(
        self,
        summarizer: Summarizer,
        outputs: Outputs,
        *,
        previous: Mapping[str, Mapping[str, Any]] | None = None,
        prompt_version: int | None = None,
    ) -> None:
        self.summarizer = summarizer
        self.outputs = outputs
        self.previous = previous or {}
        self.prompt_version = prompt_version
        self.fingerprint = summarizer.fingerprint(prompt_version=prompt_version)

    def prepare(self, item: Item) -> Job | ItemReport:
        """Read and plan an item (in a worker thread), or its report line when nothing needs sending (done or cached)."""
        started = time.perf_counter()
        try:
            paths = self.outputs.paths(item)
            before = self.previous.get(item.id)
            # Same input, same settings, outputs still there: done, without reading (or fetching) it again.
            if before and item.identity and before.get("identity") == dict(item.identity) and self.outputs.exist(paths):
                return self._existing(item, paths, before.get("key"), started, before)
            article = item.load()
            plan = self.summarizer.plan(article, prompt_version=self.prompt_version)
            if self.outputs.current(paths, plan.key, plan.task.result):
                return self._existing(item, paths, plan.key, started, {"title": article.title, "language": article.language})
            job = Job(item, article, plan, paths, started)
        except Exception as exc:  # one bad article never stops the run; Ctrl-C still does
            return ItemReport.of_failure(item.id, exc, started)
        try:
            cached = self.summarizer.cached(plan, started=started)  # the same reuse (and --strict) everywhere
            return job if cached is None else self.write(job, cached)
        except Exception as exc:
            return self.failed(job, exc)

    def finish(self, job: Job, answer: Any, completions: list[Completion[Any]], *, price_factor: float = 1.0) -> ItemReport:
        """Check the model's answer against the article, cache the result, write the outputs; the report line."""
        try:
            result = self.summarizer.finish(job.plan, answer, completions, job.started)
            reprice(result, price_factor)  # the history's cost: what the Batch API charged, not the list price
            return self.write(job, result, price_factor=price_factor)
        except Exception as exc:
            return self.failed(job, exc)

    def write(self, job: Job, result: AnyResult, *, price_factor: float = 1.0) -> ItemReport:
        """Write a finished result's outputs (atomically); the line says what this run paid for it."""
        self.outputs.write(job.paths, result, job.article)
        return ItemReport.of_result(job.item.id, result, job.started, price_factor=price_factor, **self._where(job.item, job.paths))

    def failed(self, job: Job, exc: BaseException) -> ItemReport:
        """The line of a job that failed after it was planned."""
        return ItemReport.of_failure(job.item.id, exc, job.started)

    def _where(self, item: Item, paths: OutputPaths) -> dict[str, Any]:
        return {
            "json": str(paths.json),
            "output": None if paths.rendered is None else str(paths.rendered),
            "fingerprint": self.fingerprint,
            "identity": dict(item.identity),
        }

    def _existing(self, item: Item, paths: OutputPaths, key: Any, started: float, known: Mapping[str, Any]) -> ItemReport:
        note_key(key)  # the history's record of which results the run stands for
        return ItemReport(item.id, "existing", cached=True, key=key, elapsed_seconds=round(time.perf_counter() - started, 4),
                          title=known.get("title"), language=known.get("language"), **self._where(item, paths))  # fmt: skip


__all__ = ["Job", "Step"]
