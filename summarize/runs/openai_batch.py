"""`summarize batch --via batch-api`: the same outputs as a live run, through the OpenAI Batch API (half price).

Flow: walk the folder; articles with up-to-date outputs or a cached result need nothing; every other one
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from .batch import (
    DEFAULT_PATTERNS,
    BatchOutcome,
    ItemReport,
    begin_run,
    discover,
    failure_report,
    output_paths,
    outputs_current,
    plan_file,
    write_outputs,
)
from ..errors import ModelError, OutputError
from ..files import atomic_write_text, atomic_writer
from ..schemas import AnyResult
from ..summarizer import Plan, Summarizer

__all__ = ["STATE_NAME", "BatchAPIRun"]

STATE_NAME = ".batch-api.json"
_INPUT_NAME = ".batch-api-input.jsonl"
_FINAL = {"completed", "failed", "expired", "cancelled"}
_MAX_REQUESTS = 50_000  # the Batch API's limit per batch


@dataclass
class _Pending:
    sources: list[Path]


class BatchAPIRun:
    """One folder through the Batch API, resumable from the state file it keeps in the output folder."""

    def __init__(
        self,
        summarizer: Summarizer,
        root: Path,
        out: Path,
        *,
        patterns: tuple[str, ...] = DEFAULT_PATTERNS,
        prompt_version: int | None = None,
        poll_interval: float = 30.0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.summarizer = summarizer
        self.root = Path(root)
        self.out = Path(out)
        self.patterns = patterns
        self.prompt_version = prompt_version
        self.poll_interval = poll_interval
        self.log = log or (lambda line: None)
        self.outcome: BatchOutcome | None = None
        """The running totals (what Ctrl-C reports)."""
        self.state_path = self.out / STATE_NAME

    def run(self) -> BatchOutcome:
        """Run (or resume) to completion."""
        return asyncio.run(self.arun())

    async def arun(self) -> BatchOutcome:
        """Async `run`."""
        started = time.perf_counter()
        outcome = self.outcome = BatchOutcome()
        report = begin_run(self.summarizer, self.root, self.out)  # before a batch is paid for

        def record(item: ItemReport) -> None:
            outcome.add(item)
            report.write(item)

        try:
            state = self._load_state()
            pending, live = self._sort(record, state)
            if pending:
                if state is None:
                    state = await self._submit(pending)
                else:
                    self.log(f"resuming batch {state['batch_id']} saved in {self.state_path}")
                batch = await self._wait(state["batch_id"])
                await self._collect(batch, pending, record)
                self.state_path.unlink(missing_ok=True)  # done: the next run starts afresh
                (self.out / _INPUT_NAME).unlink(missing_ok=True)
            elif state is not None:
                # Nothing of the saved batch is needed any more (written, cached or removed since): forget it, or
                # every later run would send its new files live at full price instead of in a new batch.
                self.log(f"saved batch {state['batch_id']} is no longer needed; forgetting it")
                self.state_path.unlink(missing_ok=True)
                (self.out / _INPUT_NAME).unlink(missing_ok=True)
            for plan, paths in live:
                record(await self._live(plan, paths))
        finally:
            outcome.report = report.close()
            outcome.elapsed_seconds = round(time.perf_counter() - started, 3)
            outcome.cache_error = str(self.summarizer.cache_error) if self.summarizer.cache_error else None
            await self.summarizer.aclose()
        return outcome

    # ----------------------------------------------------------------------- sorting the folder

    def _sort(self, record: Callable[[ItemReport], None], state: dict[str, Any] | None) -> tuple[dict[str, _Pending], list[Any]]:
        """Report what needs nothing; return requests for the batch (by custom_id) and plans to run live."""
        in_saved_batch = set(state["custom_ids"]) if state else None
        pending: dict[str, _Pending] = {}
        live: list[Any] = []
        for path in discover(self.root, self.patterns, exclude=self.out):
            started = time.perf_counter()
            source = path.relative_to(self.root).as_posix()
            try:
                paths = output_paths(self.root, path, self.out, self.summarizer.task.output_suffix())
                plan = plan_file(self.summarizer, self.root, path, self.prompt_version)
                if outputs_current(paths, plan.key, plan.task.result):
                    record(ItemReport(source, "existing", str(paths.json), str(paths.markdown), cached=True, key=plan.key))
                    continue
                cached = self.summarizer.cached(plan, started=started)  # the same reuse (and --strict) as live runs
                if cached is not None:
                    record(self._written(source, cached, paths, started))
                elif plan.chunked or (in_saved_batch is not None and plan.key not in in_saved_batch):
                    live.append((plan, paths))  # parts need a combine step; new files are not in the saved batch
                else:
                    pending.setdefault(plan.key, _Pending([])).sources.append(path)
            except Exception as exc:  # one bad article never stops the run
                record(failure_report(source, exc, started))
        if len(pending) > _MAX_REQUESTS:
            raise ModelError(f"{len(pending):,} requests exceed the Batch API's {_MAX_REQUESTS:,} per batch; split the folder with --glob")
        return pending, live

    # ----------------------------------------------------------------------- submitting and waiting

    def _first_request(self, plan: Plan) -> dict[str, Any]:
        return next(self.summarizer.conversation(plan))

    async def _submit(self, pending: dict[str, _Pending]) -> dict[str, Any]:
        client = self.summarizer.client.async_client
        jsonl = self.out / _INPUT_NAME
        with atomic_writer(jsonl) as handle:  # streamed: a large folder's requests never sit in memory at once
            for custom_id, item in pending.items():
                plan = plan_file(self.summarizer, self.root, item.sources[0], self.prompt_version)
                line = {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": self._first_request(plan)}
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        uploaded = await self._api(client.files.create(file=jsonl, purpose="batch"))
        batch = await self._api(client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h",
            metadata={"tool": "summarize", "folder": self.root.name[:200]},
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

    async def _collect(self, batch: Any, pending: dict[str, _Pending], record: Callable[[ItemReport], None]) -> None:
        if batch.status == "failed":
            self.state_path.unlink(missing_ok=True)
            (self.out / _INPUT_NAME).unlink(missing_ok=True)
            errors = getattr(batch, "errors", None)
            first = errors.data[0].message if errors and errors.data else "no detail"
            raise ModelError(f"the Batch API rejected batch {batch.id}: {first}")
        answered = await self._lines(batch.output_file_id) + await self._lines(batch.error_file_id)
        seen: set[str] = set()
        for line in answered:
            custom_id = line.get("custom_id")
            if custom_id not in pending or custom_id in seen:
                continue
            seen.add(custom_id)
            for path in pending[custom_id].sources:
                record(await self._finish(path, line))
        for custom_id, item in pending.items():
            if custom_id not in seen:
                for path in item.sources:
                    exc = ModelError(f"no answer in batch {batch.id} (status {batch.status}); run again to retry")
                    record(failure_report(path.relative_to(self.root).as_posix(), exc, time.perf_counter()))

    async def _finish(self, path: Path, line: dict[str, Any]) -> ItemReport:
        started = time.perf_counter()
        source = path.relative_to(self.root).as_posix()
        try:
            paths = output_paths(self.root, path, self.out, self.summarizer.task.output_suffix())
            plan = plan_file(self.summarizer, self.root, path, self.prompt_version)
            if plan.key != line["custom_id"]:
                raise ModelError("the article changed since the batch was created; run again to summarize it anew")
            response = line.get("response") or {}
            if response.get("status_code") != 200:
                detail = (response.get("body") or {}).get("error") or line.get("error") or {}
                raise ModelError(f"the Batch API could not answer: {detail.get('message', 'no detail')}")
            steps = self.summarizer.conversation(plan)
            next(steps)  # the request that was sent in the batch
            completion = await self.summarizer.client.aresume(steps, ChatCompletion.model_validate(response["body"]))
            answer, more = await self.summarizer.afollow(plan, completion.value)  # e.g. paragraphs left out, live
            result = self.summarizer.finish(plan, answer, [completion, *more], started)
            return self._written(source, result, paths, started, half_price=True)
        except Exception as exc:  # one bad answer never stops the run
            return failure_report(source, exc, started)

    async def _live(self, plan: Plan, paths: Any) -> ItemReport:
        started = time.perf_counter()
        source = Path(plan.article.source).relative_to(self.root).as_posix()
        try:
            return self._written(source, await self.summarizer.arun_plan(plan), paths, started)
        except Exception as exc:
            return failure_report(source, exc, started)

    def _written(self, source: str, result: AnyResult, paths: Any, started: float, *, half_price: bool = False) -> ItemReport:
        write_outputs(result, paths, self.summarizer.task)
        # The Batch API bills half the live price; the report says what this run really cost.
        return ItemReport.of_result(source, result, paths, started, price_factor=0.5 if half_price else 1.0)

    # ----------------------------------------------------------------------- state

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
