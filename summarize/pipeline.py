"""The pipeline of one task: article -> prompt(s) -> validated answer -> checks -> cached result.

The task (summarize.tasks) says what to ask, how to split, reduce, check and build the result; this module
plans the requests, builds the one cache key, talks to the model through the sans-IO conversation, and
caches. `summarize.summarizer.Summarizer` is the public face over it (several tasks on one endpoint).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2

from .cache import ResultCache, cache_key
from . import __version__
from .config import Settings, load_settings
from .model.drive import arun, run
from .checks import NOTES, repair_problems
from .errors import CacheError, FaithfulnessError, SummarizeError, clip
from .history import note_result
from .prompts import CONVERSATION_TASK, Prompt, PromptLibrary
from .model.ratelimit import RateGate
from .reading.read import load_article
from .model.reask import Reasks
from .schemas import SCHEMA_VERSION, AnyResult, Article, Provenance, ResultWarning
from .tasks import Call, Task, get_task
from .tokens import ModelInfo, count_message_tokens, count_tokens, model_info
from .plan import Plan
from .resources import Resources

if TYPE_CHECKING:
    from .model.client import Completion, ModelClient, Outcome, Request

_SAFETY_MARGIN = 32  # tokens kept free: our count of the chat framing is an estimate


def _byte_bound(messages: list[dict[str, str]]) -> int:
    """An upper bound of `count_message_tokens` that needs no tokenizer."""
    return 3 + sum(3 + len(m["content"].encode("utf-8")) + len(m["role"].encode("utf-8")) for m in messages)


def _fits(text: str, limit: int, encoding: str) -> bool:
    # A token covers at least one byte, so a text whose bytes fit needs no tokenizer (loading one costs ~1 s).
    return len(text.encode("utf-8")) <= limit or count_tokens(text, encoding) <= limit


class Pipeline:
    """Runs one task (the settings' `task`) on articles with one endpoint, prompt set and cache."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: httpx2.BaseTransport | httpx2.AsyncBaseTransport | None = None,
        gate: RateGate | None = None,
        resources: Resources | None = None,
        **overrides: Any,
    ) -> None:
        self.settings = settings if settings is not None else load_settings(**overrides)
        self.prompts = PromptLibrary(self.settings.prompts_dir)
        self.model: ModelInfo = model_info(self.settings.model, self.settings.prices_file)
        self.task: Task = get_task(self.settings)
        self.resources = resources or Resources(self.settings, transport, gate)

    @property
    def cache(self) -> ResultCache | None:
        """The result cache (None: --no-cache, or it failed earlier in this run)."""
        return self.resources.cache

    @property
    def cache_error(self) -> CacheError | None:
        """The first failed cache write of this run, if any."""
        return self.resources.cache_error

    @property
    def client(self) -> ModelClient:
        """The model client (shared with the Summarizer's other pipelines)."""
        return self.resources.client()

    @property
    def verifier_client(self) -> ModelClient:
        """The verifier's client: the brief's own unless --verify-model or --verify-base-url names another."""
        return self.resources.verifier()

    def _client_for(self, call: Call) -> ModelClient:
        return self.verifier_client if call.verify else self.client

    def _answered_by(self) -> str:
        """The endpoint that answered: for a replay, the one the recording was made against, not the configured one."""
        store = self.client.replay_store if self.settings.replay_dir is not None else None
        if store is None or not store.sources:
            return self.settings.endpoint_host
        return "; ".join(sorted(store.sources))

    def plan(self, article: Article, *, prompt_version: int | None = None) -> Plan:
        """Render the prompts, split the article if it exceeds the budget, and compute the cache key."""
        task = self.task
        task.prepare(article)
        prompt, reduce, conversation, verify = self._prompts(prompt_version)
        reasks = Reasks(conversation, prompt, task.reask_values())
        encoding = self.model.encoding
        limit = self.model.context_window - self.settings.max_output_tokens
        if self.settings.max_input_tokens is not None:
            limit = min(limit, self.settings.max_input_tokens)
        text_limit = task.text_limit(self.settings.output_tokens(prompt.sampling))
        whole = prompt.render(**task.variables(prompt, article, article.text, ""))
        fits = _byte_bound(whole) <= limit - _SAFETY_MARGIN or count_message_tokens(whole, encoding) <= limit - _SAFETY_MARGIN
        if fits and (text_limit is None or _fits(article.text, text_limit, encoding)) and not task.must_split(article.text):
            budget = limit - _SAFETY_MARGIN
            parts = [article.text]
            calls = [Call(whole, prompt.sampling, source=article.text if task.reasks_whole(prompt) else None, answer=prompt.answer_model)]
        else:
            empty = prompt.render(**task.variables(prompt, article, "", task.part_label(10, 10)))
            budget = max(64, limit - count_message_tokens(empty, encoding) - _SAFETY_MARGIN)
            budget = min(budget, text_limit) if text_limit is not None else budget
            for _ in range(8):
                parts = task.split(article.text, budget, encoding)
                calls = [
                    Call(
                        prompt.render(**task.variables(prompt, article, part, task.part_label(i, len(parts)))),
                        prompt.sampling,
                        source=part if task.parts_checked else None,
                        answer=prompt.answer_model,
                    )
                    for i, part in enumerate(parts, 1)
                ]
                # A prompt may add to each part's text (a cited prompt numbers every sentence, lists the names):
                # parts whose requests overshoot are made smaller until every request fits.
                largest = max(count_message_tokens(c.messages, encoding) for c in calls)
                if largest <= limit - _SAFETY_MARGIN or budget <= 64:
                    break
                budget = max(64, budget - (largest - (limit - _SAFETY_MARGIN)) - 16)
        key = cache_key(
            {
                **self.identity(prompt, reduce, reasks.conversation, verify),
                "article": article.model_dump(exclude={"source"}),  # same text from another path: same answer
                "parts": len(parts),
            }
        )
        return Plan(article, task, prompt, reduce, reasks, parts, calls, budget, key, encoding, limit - _SAFETY_MARGIN, verify)

    def identity(self, prompt: Prompt, reduce: Prompt | None, conversation: Prompt, verify: Prompt | None = None) -> dict[str, Any]:
        """Everything but the article that shapes a result: the one place the cache key is made of."""
        s = self.settings
        return {
            "task": self.task.name,
            "options": self.task.options(),
            "model": s.model,
            "endpoint": s.endpoint_host,
            # A replayed (possibly hand-written) answer must never be served later as the endpoint's own.
            "replayed": s.replay_dir is not None,
            # Every word sent: the task's prompt, its reduce prompt, the conversation's re-ask texts.
            "prompts": [[p.task, p.version, p.sha256] for p in (prompt, reduce, conversation, verify) if p is not None],
            "output_tokens": s.output_tokens(prompt.sampling),
            "response_format": s.response_format,
            "schema_version": SCHEMA_VERSION,
            "repairs": [s.max_repairs, s.max_check_repairs],
            "limits": [self.model.context_window, s.max_input_tokens, s.max_output_tokens],
            **({"verifier": s.verifier_name} if verify is not None else {}),
        }

    def fingerprint(self, *, prompt_version: int | None = None) -> str:
        """A hash of everything but the article that shapes a result (what a batch report remembers)."""
        return cache_key(self.identity(*self._prompts(prompt_version)))

    def prompt_version(self, requested: int | None = None) -> int:
        """The version of the task's prompt a run uses: the one requested, else the newest."""
        return self.prompts.load(self.task.prompt_task, requested).version

    def _prompts(self, prompt_version: int | None) -> tuple[Prompt, Prompt | None, Prompt, Prompt | None]:
        """The task's prompt, its reduce prompt, the conversation prompt and the verifier's: every prompt a request may use."""
        task = self.task
        prompt = self.prompts.load(task.prompt_task, prompt_version)
        reduce = self.prompts.load(task.reduce_task, task.reduce_version(prompt)) if task.reduce_task else None
        verifies = self.settings.verifying and task.verify_task is not None and task.verified(prompt)
        verify = self.prompts.load(task.verify_task) if verifies and task.verify_task else None
        return prompt, reduce, self.prompts.load(CONVERSATION_TASK), verify

    def _steps(self, plan: Plan) -> Generator[list[Call], list[Completion[Any]], tuple[Any, list[Completion[Any]]]]:
        # Sans-IO like the client: yields the calls to make (in parallel if the driver can), receives completions.
        completions = yield plan.calls
        answer = completions[0].value
        if plan.chunked:
            merged = self._merge(plan, [c.value for c in completions])
            while isinstance(merged, list):  # a reduce too big for one request: groups first, then their answers
                more = yield merged
                completions = completions + more
                merged = self._merge(plan, [c.value for c in more])
            if isinstance(merged, Call):
                final = yield [merged]
                merged, completions = final[0].value, completions + final
            answer = merged
        answer, more = yield from self._follow(plan, answer)
        return answer, completions + more

    def _merge(self, plan: Plan, answers: list[Any]) -> Any:
        return self.task.merge(
            plan.article, plan.parts, plan.reduce_prompt, answers, limit=plan.request_limit, encoding=plan.encoding
        )

    def _follow(self, plan: Plan, answer: Any) -> Generator[list[Call], list[Completion[Any]], tuple[Any, list[Completion[Any]]]]:
        # One round for what the answer still lacks (a translation's missing paragraphs), then filled in.
        calls = self.task.follow_up(plan, answer)
        if not calls:
            return answer, []
        outcomes = yield [replace(call, optional=True) for call in calls]
        # A follow-up that fails leaves the answer as it was (what it lacks stays flagged): never lose the paid answer.
        done = [(call, o) for call, o in zip(calls, outcomes) if not isinstance(o, SummarizeError)]
        more = [o for _, o in done]
        return self.task.fill(answer, [c for c, _ in done], [o.value for o in more]), more

    def _check(self, plan: Plan, call: Call) -> Callable[[Any], list[str]] | None:
        """What the conversation repairs against: the answer checked against the source text of its call."""
        source = call.source
        if source is None:
            return None
        return lambda answer: repair_problems(self.task.check(answer, plan.article, source, plan.prompt))

    def _request(self, plan: Plan, call: Call) -> dict[str, Any]:
        return {
            "sampling": call.sampling,
            "check": self._check(plan, call),
            "reasks": plan.reasks,
            "schema_values": self.task.schema_words(),
        }

    def conversation(self, plan: Plan) -> Generator[Request, Outcome, Completion[Any]]:
        """The sans-IO conversation of a one-part plan (the Batch API sends its first request, then feeds it)."""
        call = plan.calls[0]
        return self.client.conversation(call.messages, call.answer or self.task.answer, **self._request(plan, call))

    def cached(self, plan: Plan, *, started: float | None = None) -> AnyResult | None:
        """The cached result for a plan (marked cached, --strict applied), or None."""
        started = time.perf_counter() if started is None else started
        if self.cache is None:
            return None
        hit = self.cache.get(plan.key, plan.task.result)
        if hit is None:
            return None
        hit.article.source = plan.article.source
        hit.provenance.cached = True
        hit.provenance.elapsed_seconds = round(time.perf_counter() - started, 4)
        note_result(hit)  # the run's history: its key and warnings (a cached result costs nothing)
        return self._enforce(hit)

    def finish(self, plan: Plan, answer: Any, completions: list[Completion[Any]], started: float) -> AnyResult:
        """Check an answer against the article, build the task's result, cache it, then apply --strict."""
        article = plan.article
        checked = plan.task.check(answer, article, article.text, plan.prompt)
        notes = []
        if plan.chunked:
            notes.append(
                ResultWarning(
                    kind="chunked",
                    text=f"{len(plan.parts)} parts",
                    detail=f"article exceeded the {plan.text_budget}-token budget; done in parts, then joined",
                )
            )
        tokens_in = sum(c.input_tokens for c in completions)
        tokens_out = sum(c.output_tokens for c in completions)
        provenance = Provenance(
            model=self.settings.model,
            endpoint=self._answered_by(),
            prompt_task=plan.prompt.task,
            prompt_version=plan.prompt.version,
            prompt_hash=plan.prompt.hash,
            response_format=completions[-1].response_format,
            attempts=sum(c.attempts for c in completions),
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            estimated_cost_usd=self.model.cost(tokens_in, tokens_out),
            cached=False,
            elapsed_seconds=round(time.perf_counter() - started, 4),
            chunks=len(plan.parts),
            task=plan.task.name,
            **plan.task.options(),
            replayed=self.settings.replay_dir is not None,
            key=plan.key,
            created_at=datetime.now(timezone.utc),
            tool_version=__version__,
        )
        result = plan.task.build(article, answer, checked, notes, provenance)
        if self.cache is not None:
            try:
                self.cache.set(plan.key, result)  # before --strict can fail: a paid answer is never thrown away
            except CacheError as exc:  # a full disk must not cost the answer already paid for
                self._cache_failed(exc)
        note_result(result)  # the run's history: tokens, cost, key, warnings (before --strict can fail the run)
        return self._enforce(result)

    def _cache_failed(self, exc: CacheError) -> None:
        self.resources.cache_failed(exc)  # one failure is enough: no more writes (nor reads) this run

    def _enforce(self, result: AnyResult) -> AnyResult:
        flags = [w for w in result.warnings if w.kind not in NOTES]
        if self.settings.strict and flags:
            names = ", ".join(f"{w.kind}: {clip(w.text, 60)}" for w in flags[:3])
            more = f" and {len(flags) - 3} more" if len(flags) > 3 else ""
            raise FaithfulnessError(
                f"--strict: {len(flags)} problem(s) found checking the answer against the article ({names}{more})",
                warnings=flags,
                result=result,
            )
        return result

    def _article(self, source: str | Path | Article) -> Article:
        return source if isinstance(source, Article) else load_article(str(source))

    def run(self, source: str | Path | Article, *, prompt_version: int | None = None) -> AnyResult:
        """Run the task on one article (path, `-`, URL or Article): a validated, checked result."""
        started = time.perf_counter()
        plan = self.plan(self._article(source), prompt_version=prompt_version)
        cached = self.cached(plan, started=started)
        if cached is not None:
            return cached

        def perform(calls: list[Call]) -> list[Any]:
            outcomes: list[Any] = []
            for c in calls:
                try:
                    outcomes.append(self._client_for(c).complete(c.messages, c.answer or self.task.answer, **self._request(plan, c)))
                except SummarizeError as exc:
                    if not c.optional:
                        raise
                    outcomes.append(exc)
            return outcomes

        answer, used = run(self._steps(plan), perform)
        return self.finish(plan, answer, used, started)

    async def arun(self, source: str | Path | Article, *, prompt_version: int | None = None) -> AnyResult:
        """Async `run`: the parts of a long article are requested concurrently."""
        started = time.perf_counter()
        article = source if isinstance(source, Article) else await asyncio.to_thread(load_article, str(source))
        return await self.arun_plan(self.plan(article, prompt_version=prompt_version), started=started)

    async def arun_plan(self, plan: Plan, *, started: float | None = None) -> AnyResult:
        """Carry out a plan made by `plan()`: a cache hit makes no request."""
        started = time.perf_counter() if started is None else started
        cached = self.cached(plan, started=started)
        if cached is not None:
            return cached
        answer, used = await self.aanswer(plan)
        return self.finish(plan, answer, used, started)

    async def aanswer(self, plan: Plan) -> tuple[Any, list[Completion[Any]]]:
        """The model's validated answer for a plan (parts concurrently, then reduced), without checks or cache."""
        return await arun(self._steps(plan), self._aperform(plan))

    async def afollow(self, plan: Plan, answer: Any) -> tuple[Any, list[Completion[Any]]]:
        """The follow-up round for an answer obtained elsewhere (the Batch API's), requested live."""
        return await arun(self._follow(plan, answer), self._aperform(plan))

    def _aperform(self, plan: Plan) -> Callable[[list[Call]], Any]:
        async def one(c: Call) -> Any:
            try:
                return await self._client_for(c).acomplete(c.messages, c.answer or self.task.answer, **self._request(plan, c))
            except SummarizeError as exc:
                if not c.optional:
                    raise
                return exc

        async def perform(calls: list[Call]) -> list[Any]:
            return list(await asyncio.gather(*(one(c) for c in calls)))

        return perform

    def close(self) -> None:
        """Release the HTTP clients and the cache database."""
        self.resources.close()

    async def aclose(self) -> None:
        """Async `close`."""
        await self.resources.aclose()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Pipeline:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
