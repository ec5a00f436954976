"""The one estimator: what articles would send and cost, without calling the model.

`summarize tokens` (one article), `batch --dry-run` (a source) and `eval --dry-run` (a gold set) all count
with `Estimate.add` and price with `Estimate.price`, so their figures always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SummarizeError
from ..plan import Plan
from ..summarizer import Summarizer
from ..tokens import ModelInfo
from .report import named
from .sources import DEFAULT_PATTERNS, Source, open_source


@dataclass
class Estimate:
    """What a run would send and cost, computed without calling the model."""

    articles: int = 0
    cached: int = 0
    unreadable: int = 0
    requests: int = 0
    chunked: int = 0
    input_tokens: int = 0
    expected_output_tokens: int = 0
    max_output_tokens: int = 0
    cost_usd: float | None = 0.0
    max_cost_usd: float | None = 0.0
    input_cost_usd: float | None = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, summarizer: Summarizer, plan: Plan, *, use_cache: bool = True) -> None:
        """Count one planned article: nothing if its answer is cached, else its requests and tokens."""
        if use_cache and summarizer.cache is not None and summarizer.cache.has(plan.key):
            self.cached += 1
            return
        per_call_max = summarizer.settings.output_tokens(plan.prompt.sampling)
        self.chunked += plan.chunked
        self.requests += plan.requests
        self.input_tokens += plan.prompt_tokens
        self.expected_output_tokens += plan.task.expected_output_tokens(plan, per_call_max)
        self.max_output_tokens += per_call_max * plan.requests

    def include(self, other: Estimate) -> None:
        """Add another estimate's counts (several sources in one run); price afterwards."""
        for name in ("articles", "cached", "unreadable", "requests", "chunked", "input_tokens", "expected_output_tokens", "max_output_tokens"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors[: max(0, 20 - len(self.errors))]

    def unreadable_item(self, name: str, exc: SummarizeError) -> None:
        """Count an article that cannot be read or planned."""
        self.unreadable += 1
        if len(self.errors) < 20:
            self.errors.append(named(name, str(exc)))

    def price(self, model: ModelInfo) -> None:
        """Set the expected, input-only and highest cost from the token counts (None when the model has no price)."""
        self.cost_usd = model.cost(self.input_tokens, self.expected_output_tokens)
        self.max_cost_usd = model.cost(self.input_tokens, self.max_output_tokens)
        self.input_cost_usd = model.cost(self.input_tokens, 0)


def estimate_source(summarizer: Summarizer, source: Source, *, prompt_version: int | None = None, out: Path | None = None) -> Estimate:
    """Count tokens and price a run over `source` (articles already cached cost nothing); no model request is made."""
    estimate = Estimate()
    for item in source.items(out):
        estimate.articles += 1
        try:
            plan = summarizer.plan(item.load(), prompt_version=prompt_version)
        except SummarizeError as exc:
            estimate.unreadable_item(item.id, exc)
            continue
        estimate.add(summarizer, plan)
    estimate.price(summarizer.model)
    return estimate


def estimate_batch(
    summarizer: Summarizer,
    source: Source | str | Path,
    *,
    patterns: tuple[str, ...] = DEFAULT_PATTERNS,
    exclude: Path | None = None,
    prompt_version: int | None = None,
) -> Estimate:
    """`estimate_source` for what a user typed (a folder, feed, URL list or file); `exclude` is the output folder."""
    if isinstance(source, (str, Path)):
        source = open_source(str(source), patterns=patterns, exclude=exclude)
    return estimate_source(summarizer, source, prompt_version=prompt_version, out=exclude)


BatchEstimate = Estimate
"""The name this had before `tokens` and `eval --dry-run` shared it."""

__all__ = ["BatchEstimate", "Estimate", "estimate_batch", "estimate_source"]
