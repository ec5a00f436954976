"""Tasks: what the pipeline can produce. The pipeline (summarize.summarizer) knows none of them by name.

A task is a prompt family, an answer model, a way to split an article that is too long for one request,
a reduce step for the parts, checks against the source, a result envelope and a renderer:

    Task                      the interface below
    ├── SummaryTask           prompts/summary (+ combine to reduce parts); Summary -> Result
    └── TranslateTask         prompts/translate (parts joined in order);   Translation -> TranslationResult

Adding a task: a prompt folder, an answer model (summarize/schemas.py), a Task subclass in this package,
and one line in `TASKS`. Batch runs, the Batch API, the cache, record/replay, `--dry-run` and the CLI
options work for it unchanged (README, "Adding a task").
"""

from __future__ import annotations

from ..config import Settings
from ..errors import ConfigurationError
from .base import Call, Task
from .summary import SummaryTask
from .translate import TranslateTask

__all__ = ["Call", "SummaryTask", "TASKS", "Task", "TranslateTask", "get_task", "task_names"]

TASKS: dict[str, type[Task]] = {SummaryTask.name: SummaryTask, TranslateTask.name: TranslateTask}
"""Every task by the name `--task` and `Settings.task` use."""


def task_names() -> list[str]:
    """The tasks the pipeline can run."""
    return sorted(TASKS)


def get_task(settings: Settings) -> Task:
    """The task the settings name, bound to them."""
    factory = TASKS.get(settings.task)
    if factory is None:
        raise ConfigurationError(f"unknown task '{settings.task}' (known: {', '.join(task_names())})")
    return factory(settings)
