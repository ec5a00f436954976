"""`summarize batch --via batch-api`: the same outputs as a live run, through the OpenAI Batch API (half price).

Flow: list the source's items; articles with up-to-date outputs or a cached result need nothing; every other one
contributes the exact first request the live client would send. The JSONL is uploaded, a batch created and
its id saved in the output folder (a second invocation resumes it instead of paying twice), then polled.
Each answer is fed into the same sans-IO conversation as a live answer, so validation, repair (live),
faithfulness checks, cache and outputs are identical. Long articles (several parts) run live.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from ..errors import ModelError, OutputError
from ..files import atomic_write_text, atomic_writer
from ..summarizer import Summarizer
from .live import Run
from .report import BatchOutcome, ItemReport
from .sources import DEFAULT_PATTERNS, Source
from .step import Job, Step

__all__ = ["STATE_NAME", "BatchAPIRun"]

STATE_NAME = ".batch-api.json"
_INPUT_NAME = ".batch-api-input.jsonl"
_FINAL = {"completed", "failed", "expired", "cancelled"}
_MAX_REQUESTS = 50_000  # the Batch API's limit per batch


class BatchAPIRun(Run):
    """One source through the Batch API, resumable from the state file it keeps in the output folder."""

    def __init__(
        self,
        summarizer: Summarizer,
        source: Source | str | Path,
        out: Path,
        *,
        patterns: tuple[str, ...] = DEFAULT_PATTERNS,
        prompt_version: int | None = None,
        format: str = "markdown",
        poll_interval: float = 30.0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(summarizer, source, out, patterns=patterns, prompt_version=prompt_version, format=format)
        self.poll_interval = poll_interval
        self.log = log or (lambda line: None)
        self.state_path = self.out / STATE_NAME

    def run(self) -> BatchOutcome:
        """Run (or resume) to completion."""
        return asyncio.run(self.arun())

    async def arun(self) -> BatchOutcome:
        """Async `run`."""
        started = time.perf_counter()
        outcome = self.outcome = BatchOutcome()
        step, report = self.begin()  # before a batch is paid for

        def record(item: ItemReport) -> None:
            outcome.add(item)
            report.write(item)

        try:
            state = self._load_state()
            pending, live = self._sort(step, record, state)
            if pending:
                if state is None:
                    state = await self._submit(pending)
                else:
                    self.log(f"resuming batch {state['batch_id']} saved in {self.state_path}")
                batch = await self._wait(state["batch_id"])
                await self._collect(step, batch, pending, record)
                self._forget()  # done: the next run starts afresh
            elif state is not None:
                # Nothing of the saved batch is needed any more (written, cached or removed since): forget it, or
                # every later run would send its new files live at full price instead of in a new batch.
                self.log(f"saved batch {state['batch_id']} is no longer needed; forgetting it")
                self._forget()
            for job in live:
                record(await self._live(step, job))
        finally:
            self.end(outcome, report, started)
            await self.summarizer.aclose()
        return outcome

    # ----------------------------------------------------------------------- sorting the items

    def _sort(self, step: Step, record: Callable[[ItemReport], None], state: dict[str, Any] | None) -> tuple[dict[str, list[Job]], list[Job]]:
        """Report what needs nothing; return the jobs for the batch (by custom_id) and those to run live.

        Each item is read and planned once: the jobs keep their plans for the request and for the answer.
        """
        in_saved_batch = set(state["custom_ids"]) if state else None
        pending: dict[str, list[Job]] = {}
        live: list[Job] = []
        for item in self.items():
            job = step.prepare(item)
            if isinstance(job, ItemReport):
                record(job)  # failed, done before, or cached
            elif job.plan.chunked or (in_saved_batch is not None and job.plan.key not in in_saved_batch):
                live.append(job)  # parts need a combine step; new files are not in the saved batch
            else:
                pending.setdefault(job.plan.key, []).append(job)
        if len(pending) > _MAX_REQUESTS:
            raise ModelError(f"{len(pending):,} requests exceed the Batch API's {_MAX_REQUESTS:,} per batch; split the folder with --glob")
        return pending, live

    # ----------------------------------------------------------------------- submitting and waiting

    async def _submit(self, pending: dict[str, list[Job]]) -> dict[str, Any]:
        client = self.summarizer.client.async_client
        jsonl = self.out / _INPUT_NAME
        with atomic_writer(jsonl) as handle:  # streamed to disk, one line at a time
            for custom_id, jobs in pending.items():
                body = next(self.summarizer.conversation(jobs[0].plan))  # the exact first request a live run sends
                line = {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        uploaded = await self._api(client.files.create(file=jsonl, purpose="batch"))
        batch = await self._api(client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h",
            metadata={"tool": "summarize", "folder": Path(self.source.label).name[:200]},
        ))
        state = {"batch_id": batch.id, "input_file_id": uploaded.id, "created_at": batch.created_at, "custom_ids": list(pending)}
        atomic_write_text(self.state_path, json.dumps(state, indent=1))
        self.log(f"created batch {batch.id} with {len(pending)} request(s); id saved in {self.state_path}")
        return state

    async def _wait(self, batch_id: str) -> Any:
        client = self.summarizer.client.async_client
        while True:
            batch = await self._api(client.batches.retrieve(batch_id))
            counts = batch.request_counts
            done = f" ({counts.completed}/{counts.total} done, {counts.failed} failed)" if counts else ""
            self.log(f"batch {batch_id}: {batch.status}{done}")
            if batch.status in _FINAL:
                return batch
            await asyncio.sleep(self.poll_interval)

    @staticmethod
    async def _api(call: Any) -> Any:
        try:
            return await call
        except openai.APIError as exc:
            raise ModelError(f"Batch API request failed: {exc.message if hasattr(exc, 'message') else exc}") from None

    # ----------------------------------------------------------------------- results

    async def _lines(self, file_id: str | None) -> list[dict[str, Any]]:
        if not file_id:
            return []
        content = await self._api(self.summarizer.client.async_client.files.content(file_id))
        return [json.loads(line) for line in content.text.splitlines() if line.strip()]

    async def _collect(self, step: Step, batch: Any, pending: dict[str, list[Job]], record: Callable[[ItemReport], None]) -> None:
        if batch.status == "failed":
            self._forget()
            errors = getattr(batch, "errors", None)
            first = errors.data[0].message if errors and errors.data else "no detail"
            raise ModelError(f"the Batch API rejected batch {batch.id}: {first}")
        answered = await self._lines(batch.output_file_id) + await self._lines(batch.error_file_id)
        seen: set[str] = set()
        for line in answered:
            custom_id = line.get("custom_id")
            if not isinstance(custom_id, str) or custom_id not in pending or custom_id in seen:
                continue
            seen.add(custom_id)
            for job in pending[custom_id]:
                record(await self._finish(step, job, line))
        for custom_id, jobs in pending.items():
            if custom_id not in seen:
                for job in jobs:
                    record(step.failed(job, ModelError(f"no answer in batch {batch.id} (status {batch.status}); run again to retry")))

    async def _finish(self, step: Step, job: Job, line: dict[str, Any]) -> ItemReport:
        try:
            response = line.get("response") or {}
            if response.get("status_code") != 200:
                detail = (response.get("body") or {}).get("error") or line.get("error") or {}
                raise ModelError(f"the Batch API could not answer: {detail.get('message', 'no detail')}")
            steps = self.summarizer.conversation(job.plan)
            next(steps)  # the request that was sent in the batch
            completion = await self.summarizer.client.aresume(steps, ChatCompletion.model_validate(response["body"]))
            answer, more = await self.summarizer.afollow(job.plan, completion.value)  # e.g. paragraphs left out, live
        except Exception as exc:  # one bad answer never stops the run
            return step.failed(job, exc)
        # The Batch API bills half the live price; the report says what this run really cost.
        return step.finish(job, answer, [completion, *more], price_factor=0.5)

    async def _live(self, step: Step, job: Job) -> ItemReport:
        try:
            answer, completions = await self.summarizer.aanswer(job.plan)
        except Exception as exc:
            return step.failed(job, exc)
        return step.finish(job, answer, completions)

    # ----------------------------------------------------------------------- state

    def _forget(self) -> None:
        self.state_path.unlink(missing_ok=True)
        (self.out / _INPUT_NAME).unlink(missing_ok=True)

    def _load_state(self) -> dict[str, Any] | None:
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise OutputError(f"cannot read the saved batch state {self.state_path}: {exc}") from None
        if not isinstance(state, dict) or not isinstance(state.get("batch_id"), str):
            raise OutputError(f"the saved batch state {self.state_path} is not valid; remove it to start a new batch")
        return state
