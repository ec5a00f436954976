"""Tasks: what the pipeline can produce. The pipeline (summarize.summarizer) knows none of them by name.

A task is a prompt family, an answer model, a way to split an article that is too long for one request,
a reduce step for the parts, checks against the source, a result envelope and a renderer:

    Task                      the interface below
    ├── SummaryTask           prompts/summary (+ combine to reduce parts); Summary -> Result
    └── TranslateTask         prompts/translate (parts joined in order);   Translation -> TranslationResult

Adding a task: a prompt folder, an answer model and a module in this package with a Task subclass marked
`@register` (every module here is imported, so nothing else names it). Batch runs, the Batch API, the cache,
record/replay, `--dry-run`, the CLI options and the Markdown, JSON and HTML formats work for it unchanged
(docs/architecture.md).
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from ..config import Settings
from ..errors import ConfigurationError
from .base import TASKS, Call, Task, register

for _module in pkgutil.iter_modules(__path__):
    import_module(f"{__name__}.{_module.name}")  # each task module registers its task

from .summary import SummaryTask  # noqa: E402  (re-exported; already imported above)
from .translate import TranslateTask  # noqa: E402

__all__ = ["Call", "SummaryTask", "TASKS", "Task", "TranslateTask", "get_task", "register", "task_names"]


def task_names() -> list[str]:
    """The tasks the pipeline can run."""
    return sorted(TASKS)


def get_task(settings: Settings) -> Task:
    """The task the settings name, bound to them."""
    factory = TASKS.get(settings.task)
    if factory is None:
        raise ConfigurationError(f"unknown task '{settings.task}' (known: {', '.join(task_names())})")
    return factory(settings)
