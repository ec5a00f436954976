"""The pipeline: article -> prompt(s) -> validated answer -> checks against the article -> cached Result."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2

from .cache import ResultCache, cache_key
from .clean import paragraphs
from .config import Settings, load_settings
from .drive import arun, run
from .checks import NOTES, TARGET_LANGUAGE, check_answer, repair_problems
from .errors import FaithfulnessError
from .reask import texts_hash
from .prompts import Prompt, PromptLibrary
from .ratelimit import RateGate
from .read import load_article
from .schemas import SCHEMA_VERSION, Article, ArticleMetadata, Provenance, Result, ResultWarning, Summary
from .tokens import ModelInfo, count_message_tokens, model_info, pack_paragraphs

if TYPE_CHECKING:
    from .client import Completion, ModelClient

SUMMARY_TASK = "summary"
COMBINE_TASK = "combine"
_SAFETY_MARGIN = 32  # tokens kept free: our count of the chat framing is an estimate


@dataclass(frozen=True)
class Call:
    """One model request the pipeline needs: messages, the answer's model and sampling parameters."""

    messages: list[dict[str, str]]
    sampling: dict[str, Any]
    final: bool = False
    """The answer the user sees (not a part to combine): checked against the article, with repair."""


@dataclass(frozen=True)
class Plan:
    """What summarizing an article will send: the prompts, the parts, the first requests and their token counts."""

    article: Article
    prompt: Prompt
    combine_prompt: Prompt
    parts: list[str]
    calls: list[Call]
    text_budget: int
    key: str
    encoding: str

    @cached_property
    def prompt_tokens(self) -> int:
        """Prompt tokens of the first requests (counted on demand: a live run gets them from the endpoint)."""
        return sum(count_message_tokens(call.messages, self.encoding) for call in self.calls)

    @property
    def chunked(self) -> bool:
        """True when the article is summarized in several parts then combined."""
        return len(self.parts) > 1


def _byte_bound(messages: list[dict[str, str]]) -> int:
    """An upper bound of `count_message_tokens` that needs no tokenizer."""
    return 3 + sum(3 + len(m["content"].encode("utf-8")) + len(m["role"].encode("utf-8")) for m in messages)


def _variables(article: Article, text: str, part: str) -> dict[str, Any]:
    return {
        "title": article.title or "(unknown)",
        "author": article.author or "(unknown)",
        "published": article.published or "(unknown)",
        "site_name": article.site_name or "(unknown)",
        "language": article.language or "(unknown)",
        # A closing tag inside the article must not end the data block early.
        "text": text.replace("</article>", "</ article>"),
        "part": part,
    }


class Summarizer:
    """Summarizes articles with one endpoint, prompt set and cache; the CLI and batch runs both use it."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: httpx2.BaseTransport | httpx2.AsyncBaseTransport | None = None,
        gate: RateGate | None = None,
        **overrides: Any,
    ) -> None:
        self.settings = settings if settings is not None else load_settings(**overrides)
        self.prompts = PromptLibrary(self.settings.prompts_dir)
        self.model: ModelInfo = model_info(self.settings.model, self.settings.prices_file)
        self.cache = ResultCache(self.settings.cache_dir) if self.settings.use_cache else None
        self._transport = transport
        self._gate = gate
        self._client: ModelClient | None = None

    @property
    def client(self) -> ModelClient:
        """The model client, built on first need so that offline commands never require an endpoint."""
        if self._client is None:
            from .client import ModelClient  # the openai package costs ~0.8 s to import: only when a request is due

            self._client = ModelClient(self.settings, transport=self._transport, gate=self._gate)
        return self._client

    def plan(self, article: Article, *, prompt_version: int | None = None) -> Plan:
        """Render the prompts, split the article if it exceeds the context budget, and compute the cache key."""
        prompt = self.prompts.load(SUMMARY_TASK, prompt_version)
        combine = self.prompts.load(COMBINE_TASK)
        encoding = self.model.encoding
        limit = self.model.context_window - self.settings.max_output_tokens
        if self.settings.max_input_tokens is not None:
            limit = min(limit, self.settings.max_input_tokens)
        whole = prompt.render(**_variables(article, article.text, ""))
        # A token covers at least one byte, so a prompt whose bytes fit needs no tokenizer (loading one costs ~1 s).
        fits = _byte_bound(whole) <= limit - _SAFETY_MARGIN or count_message_tokens(whole, encoding) <= limit - _SAFETY_MARGIN
        if fits:
            budget = limit - _SAFETY_MARGIN
            parts = [article.text]
            calls = [Call(whole, prompt.sampling, final=True)]
        else:
            overhead = count_message_tokens(prompt.render(**_variables(article, "", " (part 10 of 10)")), encoding)
            budget = max(64, limit - overhead - _SAFETY_MARGIN)
            parts = pack_paragraphs(paragraphs(article.text), budget, encoding)
            calls = [
                Call(prompt.render(**_variables(article, part, f" (part {i} of {len(parts)})")), prompt.sampling)
                for i, part in enumerate(parts, 1)
            ]
        key = cache_key(
            {
                **self._key_parts(prompt),
                "combine": [combine.task, combine.version, combine.sha256] if len(parts) > 1 else None,
                "article": article.model_dump(exclude={"source"}),  # same text from another path: same answer
                "parts": len(parts),
            }
        )
        return Plan(article, prompt, combine, parts, calls, budget, key, encoding)

    def _key_parts(self, prompt: Prompt) -> dict[str, Any]:
        return {
            "model": self.settings.model,
            "endpoint": self.settings.endpoint_host,
            # A replayed (possibly hand-written) answer must never be served later as the endpoint's own.
            "replayed": self.settings.replay_dir is not None,
            "prompt": [prompt.task, prompt.version, prompt.sha256],
            "sampling": prompt.sampling,
            "max_output_tokens": self.settings.max_output_tokens,
            "response_format": self.settings.response_format,
            "schema_version": SCHEMA_VERSION,
            # What the conversation adds (re-ask texts, check repairs) shapes the answer as much as the prompt.
            "reask": [texts_hash(), self.settings.max_repairs, self.settings.max_check_repairs, TARGET_LANGUAGE],
        }

    def fingerprint(self, *, prompt_version: int | None = None) -> str:
        """A hash of everything but the article that shapes a result (model, endpoint, prompts, limits, schema)."""
        combine = self.prompts.load(COMBINE_TASK)
        return cache_key(
            {
                **self._key_parts(self.prompts.load(SUMMARY_TASK, prompt_version)),
                "combine": [combine.task, combine.version, combine.sha256],
                "limits": [self.model.context_window, self.settings.max_input_tokens],
            }
        )

    def _steps(self, plan: Plan) -> Generator[list[Call], list[Completion[Summary]], tuple[Summary, list[Completion[Summary]]]]:
        # Sans-IO like the client: yields the calls to make (in parallel if the driver can), receives completions.
        completions = yield plan.calls
        if not plan.chunked:
            return completions[0].value, completions
        partials = [c.value.model_dump(mode="json") for c in completions]
        combine = plan.combine_prompt.render(
            title=plan.article.title or "(unknown)",
            language=plan.article.language or "(unknown)",
            parts=json.dumps(partials, ensure_ascii=False, indent=1),
        )
        final = yield [Call(combine, plan.combine_prompt.sampling, final=True)]
        return final[0].value, completions + final

    @staticmethod
    def _check(plan: Plan, call: Call) -> Callable[[Any], list[str]] | None:
        """The check the conversation repairs against: the final answer against the whole article."""
        if not call.final:
            return None
        return lambda summary: repair_problems(check_answer(summary, plan.article))

    def conversation(self, plan: Plan) -> Generator[dict[str, Any], Any, Completion[Summary]]:
        """The sans-IO conversation of a one-part plan (the Batch API sends its first request, then feeds it)."""
        call = plan.calls[0]
        return self.client.conversation(call.messages, Summary, sampling=call.sampling, check=self._check(plan, call))

    def cached(self, plan: Plan, *, started: float | None = None) -> Result | None:
        """The cached result for a plan (marked cached, --strict applied), or None."""
        started = time.perf_counter() if started is None else started
        if self.cache is None:
            return None
        hit = self.cache.get(plan.key)
        if hit is None:
            return None
        hit.article.source = plan.article.source
        hit.provenance.cached = True
        hit.provenance.elapsed_seconds = round(time.perf_counter() - started, 4)
        return self._enforce(hit)

    def finish(self, plan: Plan, summary: Summary, completions: list[Completion[Summary]], started: float) -> Result:
        """Check an answer against the article, build the Result, cache it, then apply --strict."""
        article = plan.article
        checked = check_answer(summary, article)
        warnings = list(checked.warnings)
        if plan.chunked:
            warnings.append(
                ResultWarning(
                    kind="chunked",
                    text=f"{len(plan.parts)} parts",
                    detail=f"article exceeded the {plan.text_budget}-token budget; summarized in parts, then combined",
                )
            )
        tokens_in = sum(c.input_tokens for c in completions)
        tokens_out = sum(c.output_tokens for c in completions)
        result = Result(
            article=ArticleMetadata(
                **article.model_dump(exclude={"text"}),
                characters=len(article.text),
            ),
            brief=summary.brief,
            key_facts=summary.key_facts,
            warnings=warnings,
            evidence=checked.evidence,
            provenance=Provenance(
                model=self.settings.model,
                endpoint=self.settings.endpoint_host,
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
                replayed=self.settings.replay_dir is not None,
                key=plan.key,
                created_at=datetime.now(timezone.utc),
            ),
        )
        if self.cache is not None:
            self.cache.set(plan.key, result)  # before --strict can fail: a paid answer is never thrown away
        return self._enforce(result)

    def _enforce(self, result: Result) -> Result:
        flags = [w for w in result.warnings if w.kind not in NOTES]
        if self.settings.strict and flags:
            names = ", ".join(f"{w.kind}: {w.text[:60]}" for w in flags[:3])
            more = f" and {len(flags) - 3} more" if len(flags) > 3 else ""
            raise FaithfulnessError(
                f"--strict: {len(flags)} problem(s) found checking the answer against the article ({names}{more})",
                warnings=flags,
                result=result,
            )
        return result

    def _article(self, source: str | Path | Article) -> Article:
        return source if isinstance(source, Article) else load_article(str(source))

    def summarize(self, source: str | Path | Article, *, prompt_version: int | None = None) -> Result:
        """Summarize one article (path, `-`, URL or Article) into a validated, checked Result."""
        started = time.perf_counter()
        plan = self.plan(self._article(source), prompt_version=prompt_version)
        cached = self.cached(plan, started=started)
        if cached is not None:
            return cached

        def perform(calls: list[Call]) -> list[Completion[Summary]]:
            return [self.client.complete(c.messages, Summary, sampling=c.sampling, check=self._check(plan, c)) for c in calls]

        summary, used = run(self._steps(plan), perform)
        return self.finish(plan, summary, used, started)

    async def asummarize(self, source: str | Path | Article, *, prompt_version: int | None = None) -> Result:
        """Async `summarize`: the parts of a long article are requested concurrently."""
        started = time.perf_counter()
        article = source if isinstance(source, Article) else await asyncio.to_thread(load_article, str(source))
        return await self.asummarize_plan(self.plan(article, prompt_version=prompt_version), started=started)

    async def asummarize_plan(self, plan: Plan, *, started: float | None = None) -> Result:
        """Carry out a plan made by `plan()`: a cache hit makes no request."""
        started = time.perf_counter() if started is None else started
        cached = self.cached(plan, started=started)
        if cached is not None:
            return cached
        summary, used = await self.aanswer(plan)
        return self.finish(plan, summary, used, started)

    async def aanswer(self, plan: Plan) -> tuple[Summary, list[Completion[Summary]]]:
        """The model's validated answer for a plan (parts concurrently, then combined), without checks or cache."""

        async def perform(calls: list[Call]) -> list[Completion[Summary]]:
            return list(
                await asyncio.gather(
                    *(self.client.acomplete(c.messages, Summary, sampling=c.sampling, check=self._check(plan, c)) for c in calls)
                )
            )

        return await arun(self._steps(plan), perform)

    def close(self) -> None:
        """Release the HTTP client and the cache database."""
        if self._client is not None:
            self._client.close()
        if self.cache is not None:
            self.cache.close()

    async def aclose(self) -> None:
        """Async `close`."""
        if self._client is not None:
            await self._client.aclose()
        if self.cache is not None:
            self.cache.close()

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Summarizer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def summarize_article(source: str | Path | Article, **overrides: Any) -> Result:
    """One-call API: summarize a path, `-`, URL or Article with settings from the environment plus `overrides`."""
    with Summarizer(**overrides) as summarizer:
        return summarizer.summarize(source)


async def asummarize_article(source: str | Path | Article, **overrides: Any) -> Result:
    """Async one-call API."""
    async with Summarizer(**overrides) as summarizer:
        return await summarizer.asummarize(source)
