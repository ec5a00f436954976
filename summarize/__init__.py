"""summarize: news articles to briefs in any language, bilingual summaries, full translations and verified key facts, with any OpenAI-compatible model."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> module that defines it. Imported on first access (PEP 562) so that `summarize --help`
# does not pay for the openai client's import (about two seconds cold).
_EXPORTS = {
    "BatchOutcome": "runs",
    "BatchRunner": "runs",
    "ItemReport": "runs",
    "estimate_batch": "runs",
    "summarize_folder": "runs",
    "BatchAPIRun": "runs",
    "BatchFailedError": "errors",
    "Settings": "config",
    "load_settings": "config",
    "CacheError": "errors",
    "ConfigurationError": "errors",
    "check_answer": "checks",
    "EndpointError": "errors",
    "FaithfulnessError": "errors",
    "InputError": "errors",
    "ModelError": "errors",
    "OutputError": "errors",
    "PromptError": "errors",
    "RefusalError": "errors",
    "ReplayMissError": "errors",
    "SummarizeError": "errors",
    "TruncatedError": "errors",
    "ValidationFailedError": "errors",
    "load_article": "reading.read",
    "to_json": "render.json",
    "to_markdown": "render.markdown",
    "translation_markdown": "render.markdown",
    "FORMATS": "render",
    "render": "render",
    "load_glossary": "glossary",
    "Glossary": "glossary",
    "Task": "tasks",
    "TASKS": "tasks",
    "Translation": "schemas",
    "TranslationResult": "schemas",
    "ParagraphPair": "schemas",
    "Article": "schemas",
    "Brief": "schemas",
    "ClaimEvidence": "schemas",
    "KeyPoint": "schemas",
    "KeyFacts": "schemas",
    "Result": "schemas",
    "ResultWarning": "schemas",
    "Summary": "schemas",
    "Digest": "digest.model",
    "build_digest": "digest.build",
    "Summarizer": "summarizer",
    "asummarize_article": "summarizer",
    "summarize_article": "summarizer",
    "translate_article": "summarizer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'summarize' has no attribute '{name}'")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:
    from .runs import BatchAPIRun, BatchOutcome, BatchRunner, ItemReport, estimate_batch, summarize_folder
    from .checks import check_answer
    from .config import Settings, load_settings
    from .digest.build import build_digest
    from .digest.model import Digest
    from .errors import (
        BatchFailedError,
        CacheError,
        ConfigurationError,
        EndpointError,
        FaithfulnessError,
        InputError,
        ModelError,
        OutputError,
        PromptError,
        RefusalError,
        ReplayMissError,
        SummarizeError,
        TruncatedError,
        ValidationFailedError,
    )
    from .reading.read import load_article
    from .glossary import Glossary, load_glossary
    from .render import FORMATS, render
    from .render.json import to_json
    from .render.markdown import to_markdown, translation_markdown
    from .schemas import (
        Article,
        Brief,
        ClaimEvidence,
        KeyFacts,
        KeyPoint,
        ParagraphPair,
        Result,
        ResultWarning,
        Summary,
        Translation,
        TranslationResult,
    )
    from .summarizer import Summarizer, asummarize_article, summarize_article, translate_article
    from .tasks import TASKS, Task
