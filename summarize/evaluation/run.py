"""Run a gold set through the pipeline for each (model, prompt version) and score every answer.

Answers come through the usual pipeline, so the cache and `--replay` serve them whenever they exist: re-scoring
after a change to the metrics or the gold set costs no request. `estimate` says what a run would send and cost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import CacheError, ConfigurationError, FaithfulnessError, PromptError, SummarizeError
from .gold import GoldArticle, GoldSet
from ..schemas import Result, TranslationResult
from .scoring import FIELDS, METADATA, ArticleScore, FieldScore, score_failure, score_result, score_translation
from ..summarizer import Summarizer

if TYPE_CHECKING:
    from ..runs.estimate import BatchEstimate


@dataclass(frozen=True)
class RunSpec:
    """One row of the comparison: a model and a prompt version (None: the newest)."""

    model: str
    prompt_version: int | None = None

    @property
    def label(self) -> str:
        """`model vN` (`model newest` before the run resolves the version)."""
        return f"{self.model} v{self.prompt_version}" if self.prompt_version else f"{self.model} newest"


@dataclass
class RunScore:
    """Every article of one run, scored, and the run's totals."""

    run: RunSpec
    task: str
    articles: list[ArticleScore] = field(default_factory=list)

    def field(self, name: str) -> FieldScore:
        """One fact field summed over the articles (micro-averaged precision, recall and F1)."""
        total = FieldScore()
        for article in self.articles:
            total.add(article.fields[name])
        return total

    @property
    def facts(self) -> FieldScore:
        """All fact fields together."""
        total = FieldScore()
        for name in FIELDS:
            total.add(self.field(name))
        return total

    @property
    def metadata_accuracy(self) -> float:
        """Share of metadata fields (title, author, published, url) right over the answered articles."""
        checked = [ok for a in self.articles for ok in a.metadata.values()]
        return sum(checked) / len(checked) if checked else 0.0

    @property
    def wrong_language_share(self) -> float:
        """Share of the fields meant to be in a given language that are not."""
        fields = sum(a.language_fields for a in self.articles)
        return sum(a.wrong_language for a in self.articles) / fields if fields else 0.0

    @property
    def warnings(self) -> Counter[str]:
        """Warnings by kind over the run."""
        total: Counter[str] = Counter()
        for article in self.articles:
            total.update(article.warnings)
        return total

    @property
    def exit_codes(self) -> Counter[int]:
        """How the articles ended (0: answered)."""
        return Counter(a.exit_code for a in self.articles)

    @property
    def cost_usd(self) -> float | None:
        """Estimated cost of the answers (None when the model's price is unknown)."""
        costs = [a.cost_usd for a in self.articles if a.error is None]
        return None if any(c is None for c in costs) else sum(c for c in costs if c is not None)

    def translation(self, name: str) -> int:
        """A translation count summed over the articles (paragraphs, translated, aligned, names_missing ...)."""
        return sum(a.translation.get(name, 0) for a in self.articles)


def _score(summarizer: Summarizer, article: GoldArticle, version: int | None) -> ArticleScore:
    try:
        result = summarizer.run(article.path, prompt_version=version)
        exit_code = 0
    except FaithfulnessError as exc:  # --strict: the answer exists and is scored; the exit code says it failed
        result, exit_code = exc.result, exc.exit_code
    except (ConfigurationError, PromptError, CacheError):
        raise  # no endpoint, a bad prompt file, no cache: every article would fail the same way, so stop now
    except SummarizeError as exc:
        return score_failure(article, exc.exit_code, str(exc))
    if isinstance(result, TranslationResult):
        return score_translation(result, article, exit_code=exit_code)
    assert isinstance(result, Result)
    return score_result(result, article, exit_code=exit_code)


def evaluate(gold: GoldSet, runs: list[RunSpec], settings: Settings) -> list[RunScore]:
    """Answer and score every gold article for every run (cache and replay first, as any run)."""
    scores = []
    for run in runs:
        run_settings = settings.model_copy(update={"model": run.model})
        with Summarizer(run_settings) as summarizer:
            version = summarizer.prompt_version(run.prompt_version)
            scored = RunScore(RunSpec(run.model, version), summarizer.task.name)
            scored.articles = [_score(summarizer, article, version) for article in gold.article]
        scores.append(scored)
    return scores


@dataclass
class RunEstimate:
    """What one run would send and cost (a batch's estimate over the gold articles); replays cost nothing."""

    run: RunSpec
    counts: BatchEstimate
    replayed: bool = False


def estimate(gold: GoldSet, runs: list[RunSpec], settings: Settings) -> list[RunEstimate]:
    """Plan every article of every run without sending anything."""
    from ..reading.read import load_article
    from ..runs.estimate import BatchEstimate

    estimates = []
    for run in runs:
        with Summarizer(settings.model_copy(update={"model": run.model})) as summarizer:
            version = summarizer.prompt_version(run.prompt_version)
            counts = BatchEstimate(articles=len(gold.article))
            for article in gold.article:
                counts.add(summarizer, summarizer.plan(load_article(str(article.path)), prompt_version=version))
            counts.price(summarizer.model)
        estimates.append(RunEstimate(RunSpec(run.model, version), counts, replayed=settings.replay_dir is not None))
    return estimates


__all__ = ["FIELDS", "METADATA", "RunEstimate", "RunScore", "RunSpec", "estimate", "evaluate"]
