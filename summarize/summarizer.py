"""The public face of the pipeline: one endpoint, one cache, several tasks (`summarize`, `translate`, `run`).

`Summarizer` is the pipeline of its settings' task (summary by default) and lends the same clients and
cache to the pipelines of the other tasks it is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .pipeline import Pipeline, Plan, Resources
from .schemas import Article, Result, TranslationResult

__all__ = ["Pipeline", "Plan", "Resources", "Summarizer", "asummarize_article", "summarize_article", "translate_article"]


class Summarizer(Pipeline):
    """Runs one task (summary by default, `task="translate"`) on articles; `summarize` and `translate` run either."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pipelines: dict[str, Pipeline] = {}

    def __enter__(self) -> Summarizer:
        return self

    async def __aenter__(self) -> Summarizer:
        return self

    def summarize(self, source: str | Path | Article, *, prompt_version: int | None = None) -> Result:
        """Summarize one article into a brief with key facts (the summary task's `run`)."""
        result = self._for("summary").run(source, prompt_version=prompt_version)
        assert isinstance(result, Result)
        return result

    async def asummarize(self, source: str | Path | Article, *, prompt_version: int | None = None) -> Result:
        """Async `summarize`."""
        result = await self._for("summary").arun(source, prompt_version=prompt_version)
        assert isinstance(result, Result)
        return result

    def translate(self, source: str | Path | Article, *, prompt_version: int | None = None) -> TranslationResult:
        """Translate one article paragraph by paragraph into the target language (the translate task's `run`)."""
        result = self._for("translate").run(source, prompt_version=prompt_version)
        assert isinstance(result, TranslationResult)
        return result

    async def atranslate(self, source: str | Path | Article, *, prompt_version: int | None = None) -> TranslationResult:
        """Async `translate`: the parts of a long article are translated concurrently."""
        result = await self._for("translate").arun(source, prompt_version=prompt_version)
        assert isinstance(result, TranslationResult)
        return result

    def _for(self, task: str) -> Pipeline:
        """This pipeline if it runs `task`, else one for that task sharing its clients and cache."""
        if self.task.name == task:
            return self
        if task not in self._pipelines:
            self._pipelines[task] = Pipeline(self.settings.model_copy(update={"task": task}), resources=self.resources)
        return self._pipelines[task]



def translate_article(source: str | Path | Article, **overrides: Any) -> TranslationResult:
    """One-call API: translate a path, `-`, URL or Article (`target_language="de"` ...) with settings from the environment."""
    with Summarizer(**overrides, task="translate") as translator:
        return translator.translate(source)


def summarize_article(source: str | Path | Article, **overrides: Any) -> Result:
    """One-call API: summarize a path, `-`, URL or Article with settings from the environment plus `overrides`."""
    with Summarizer(**overrides) as summarizer:
        return summarizer.summarize(source)


async def asummarize_article(source: str | Path | Article, **overrides: Any) -> Result:
    """Async one-call API."""
    async with Summarizer(**overrides) as summarizer:
        return await summarizer.asummarize(source)
