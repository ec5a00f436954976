"""A live run: every item of a source through `jobs` concurrent requests, outputs and a report, resumable.

Three stages so that no request waits on another article's CPU work:

    prepare (read, clean, plan; worker threads, a few fetches at a time for remote items)
      -> request (`jobs` workers on the event loop; each only sends and awaits)
      -> finish (checks, cache, atomic writes, report line; one thread)

A worker hands its answer on and sends the next request at once, so the slots the endpoint offers stay busy.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from ..history import note_output
from ..model.ratelimit import RateGate
from ..render import get_format
from ..summarizer import Summarizer
from .outputs import Outputs, check_out
from .report import BatchOutcome, ItemReport, ReportWriter, previous_report
from .sources import DEFAULT_PATTERNS, FolderSource, Item, Source, excluding, open_source
from .step import Job, Step

REMOTE_AHEAD = 8
"""How many remote items are fetched ahead of the requests (the reader also limits each host)."""


def as_source(source: Source | str | Path, *, patterns: tuple[str, ...] = DEFAULT_PATTERNS, exclude: Path | None = None) -> Source:
    """A Source from a Source, or from what a user typed (folder, feed, URL list, `-`, file), without `exclude`."""
    if isinstance(source, (str, Path)):
        return open_source(str(source), patterns=patterns, exclude=exclude)
    return excluding(source, exclude) if exclude is not None else source


class Run:
    """What every run over a source shares: the source, the output folder, the step, the report and its lifecycle."""

    def __init__(self, summarizer: Summarizer, source: Source | str | Path, out: Path, *, patterns: tuple[str, ...] = DEFAULT_PATTERNS,
                 prompt_version: int | None = None, format: str = "markdown") -> None:  # fmt: skip
        self.out = Path(out)
        self.source = as_source(source, patterns=patterns, exclude=self.out)
        self.summarizer = summarizer
        self.prompt_version = prompt_version
        self.format = get_format(format, summarizer.task.result)
        self.outcome: BatchOutcome | None = None
        """The running totals (what Ctrl-C reports)."""

    def items(self) -> Iterator[Item]:
        """The items this run covers."""
        return self.source.items(self.out)

    def count(self) -> int:
        """How many items the run will cover (for progress and ETA; a feed is listed, nothing is fetched)."""
        return sum(1 for _ in self.items())

    def begin(self) -> tuple[Step, ReportWriter]:
        """What a run checks before anything is paid for, then its step and report (which holds the lock on --out)."""
        check_out(self.source.root if isinstance(self.source, FolderSource) else None, self.out)
        if self.summarizer.cache is not None:
            self.summarizer.cache.probe()  # an unusable cache stops the run here (exit 7), not article by article
        report = ReportWriter(self.out)
        fingerprint = self.summarizer.fingerprint(prompt_version=self.prompt_version)
        outputs = Outputs(self.out, self.format, self.summarizer.task.output_suffix())
        step = Step(self.summarizer, outputs, previous=previous_report(self.out, fingerprint), prompt_version=self.prompt_version)
        return step, report

    def end(self, outcome: BatchOutcome, report: ReportWriter, started: float) -> None:
        """Close the report (and write the HTML index) however the run ends."""
        outcome.report = report.close()
        outcome.elapsed_seconds = round(time.perf_counter() - started, 3)
        outcome.cache_error = str(self.summarizer.cache_error) if self.summarizer.cache_error else None
        if self.format.name == "html":
            from .index import write_index

            outcome.index = write_index(self.out, self.source.label)
        for path in (self.out, outcome.report, outcome.index):  # the history's record of what the run wrote
            note_output(path)


class BatchRunner(Run):
    """Runs every item of a source with `jobs` concurrent requests and one shared rate-limit gate."""

    def __init__(
        self,
        summarizer_factory: Callable[[RateGate], Summarizer],
        source: Source | str | Path,
        out: Path,
        *,
        jobs: int = 8,
        patterns: tuple[str, ...] = DEFAULT_PATTERNS,
        prompt_version: int | None = None,
        format: str = "markdown",
        on_item: Callable[[ItemReport], None] | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.jobs = max(1, jobs)
        self.gate = RateGate(self.jobs)
        super().__init__(summarizer_factory(self.gate), source, out, patterns=patterns, prompt_version=prompt_version, format=format)
        self.on_item = on_item
        self._executor = executor

    def run(self) -> BatchOutcome:
        """Run to completion; Ctrl-C still leaves a complete report of what finished."""
        return asyncio.run(self.arun())

    async def arun(self) -> BatchOutcome:
        """Async `run`."""
        started = time.perf_counter()
        outcome = self.outcome = BatchOutcome()
        step, report = self.begin()
        loop = asyncio.get_running_loop()
        readers = self._executor or ThreadPoolExecutor(max_workers=REMOTE_AHEAD, thread_name_prefix="summarize-read")
        finisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarize-finish")  # one: the checks share state
        ready: asyncio.Queue[Job | None] = asyncio.Queue(maxsize=self.jobs * 2)  # bounded: memory stays flat
        finishing: set[asyncio.Future[None]] = set()
        finish_slots = asyncio.Semaphore(self.jobs * 2)

        def record(item: ItemReport) -> None:
            outcome.add(item)
            report.write(item)
            if self.on_item is not None:
                self.on_item(item)

        async def settle(prepared: asyncio.Future[Job | ItemReport]) -> None:
            job = await prepared
            if isinstance(job, ItemReport):
                record(job)  # failed to read, done before or cached: no request needed
            else:
                await ready.put(job)

        async def prepare_stage() -> None:
            # In order; remote items are fetched several at a time, local files one at a time (CPU, not waiting).
            ahead: deque[asyncio.Future[Job | ItemReport]] = deque()
            for item in self.items():
                while ahead and len(ahead) >= (REMOTE_AHEAD if item.host else 1):
                    await settle(ahead.popleft())
                ahead.append(loop.run_in_executor(readers, step.prepare, item))
            while ahead:
                await settle(ahead.popleft())
            for _ in range(self.jobs):
                await ready.put(None)

        async def finish(job: Job, answer: Any, completions: Any) -> None:
            try:
                record(await loop.run_in_executor(finisher, lambda: step.finish(job, answer, completions)))
            finally:
                finish_slots.release()

        async def request_worker() -> None:
            while (job := await ready.get()) is not None:
                try:
                    answer, completions = await self.summarizer.aanswer(job.plan)
                except ConfigurationError:
                    raise  # no endpoint, bad settings: every article would fail the same way, so stop now
                except Exception as exc:  # one bad article never stops the batch; Ctrl-C still does
                    record(step.failed(job, exc))
                    continue
                await finish_slots.acquire()  # back-pressure if finishing falls behind
                task = asyncio.ensure_future(finish(job, answer, completions))
                finishing.add(task)
                task.add_done_callback(finishing.discard)

        stages = [asyncio.ensure_future(prepare_stage()), *(asyncio.ensure_future(request_worker()) for _ in range(self.jobs))]
        try:
            await asyncio.gather(*stages)
            while finishing:
                await asyncio.gather(*list(finishing))
        finally:
            # However the run ends (error, Ctrl-C), stop every stage before the report is closed.
            pending = [task for task in (*stages, *finishing) if not task.done()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            finisher.shutdown(wait=True)  # lets in-flight atomic writes finish
            if self._executor is None:
                readers.shutdown(wait=True)
            self.end(outcome, report, started)
            outcome.rate_limited = self.gate.rate_limited
            await self.summarizer.aclose()
        return outcome


def summarize_folder(
    source: str | Path,
    out: str | Path | None = None,
    *,
    jobs: int = 8,
    patterns: tuple[str, ...] = DEFAULT_PATTERNS,
    prompt_version: int | None = None,
    format: str = "markdown",
    on_item: Callable[[ItemReport], None] | None = None,
    **overrides: Any,
) -> BatchOutcome:
    """Run every article of a folder, feed or URL list into `out` (outputs, report, resume) like `summarize batch`."""
    from ..config import load_settings

    settings = load_settings(**overrides)
    given = open_source(str(source), patterns=patterns)
    target = Path(out) if out else given.default_out(settings.task)
    runner = BatchRunner(lambda gate: Summarizer(settings, gate=gate), given, target, jobs=jobs, patterns=patterns,
                         prompt_version=prompt_version, format=format, on_item=on_item)  # fmt: skip
    return runner.run()


__all__ = ["BatchRunner", "Run", "as_source", "summarize_folder"]
