"""The Task interface and the Call a task asks the pipeline to make."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel

from ..config import Settings
from ..schemas import AnyResult, Article, Provenance

if TYPE_CHECKING:
    from ..checks import Checked
    from ..prompts import Prompt
    from ..plan import Plan


@dataclass(frozen=True)
class Call:
    """One model request the pipeline needs: messages, sampling, and the source text its answer is checked against."""

    messages: list[dict[str, str]]
    sampling: dict[str, Any]
    source: str | None = None
    """The text the answer must be faithful to (checked, with repair); None: an intermediate answer, not checked."""
    items: tuple[int, ...] = ()
    """For a follow-up: which items of the whole answer this call's items 1, 2 ... stand for."""
    optional: bool = False
    """A failure of this call is handed back to the steps instead of failing the article (follow-ups)."""
    answer: type[BaseModel] | None = None
    """The answer model, when not the task's own (a prompt's schema, a verifier's Verdict)."""
    verify: bool = False
    """Sent to the verifier's client (`--verify-model`, `--verify-base-url`), not the brief's."""
    label: str | None = None
    """What a follow-up is about (the claim field a verification judges)."""


class Task(ABC):
    """What one kind of output needs from the pipeline; the pipeline does the rest (plan, requests, cache)."""

    name: ClassVar[str]
    prompt_task: ClassVar[str]
    """The prompt folder under prompts/."""
    reduce_task: ClassVar[str | None] = None
    """A prompt that merges the answers of a long article's parts, or None when `merge` joins them locally."""
    answer: ClassVar[type[BaseModel]]
    result: ClassVar[type[AnyResult]]
    verify_task: ClassVar[str | None] = None
    """The verifier's prompt folder, for tasks whose cited answers are verified (summary)."""
    parts_checked: ClassVar[bool] = False
    """True when each part's answer stands on its own (checked against its part, with repair)."""
    schemas: ClassVar[dict[str, type[BaseModel]]] = {}
    """Answer schemas the task's prompts name in their header (`schema = "headline"`), added by `register`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abstractmethod
    def options(self) -> dict[str, Any]:
        """The settings that shape this task's requests: part of the cache key and of the provenance."""

    def reasks_whole(self, prompt: Prompt) -> bool:
        """True when an answer failing its checks is sent back whole (False: the task repairs it itself)."""
        return True

    def verified(self, prompt: Prompt) -> bool:
        """True when answers to this prompt go to the verifier (cited answers)."""
        return False

    def reduce_version(self, prompt: Prompt) -> int | None:
        """The version of the reduce prompt that goes with the task's prompt (None: the newest)."""
        return None

    def prepare(self, article: Article) -> None:
        """Refuse an article this task cannot do (an InputError), before anything is sent."""

    @abstractmethod
    def variables(self, prompt: Prompt, article: Article, text: str, part: str) -> dict[str, Any]:
        """The values of the prompt's `{{ name }}` variables for the article (or one part's `text`)."""

    def reask_values(self) -> dict[str, str]:
        """Values for the task's own `## check-repair` text."""
        return {}

    def schema_words(self) -> dict[str, str]:
        """Words to replace in the answer schema's descriptions (the target language's name for "English")."""
        return {}

    def text_limit(self, output_tokens: int) -> int | None:
        """The most article tokens one request may carry for its answer to fit `output_tokens`; None: no such limit."""
        return None

    def must_split(self, text: str) -> bool:
        """True when the text needs parts whatever its token count (too many items for one answer)."""
        return False

    @abstractmethod
    def split(self, text: str, budget: int, encoding: str) -> list[str]:
        """The article's parts when it does not fit one request (each at most `budget` tokens where possible)."""

    def part_label(self, index: int, count: int) -> str:
        """How the prompt names one part."""
        return f" (part {index} of {count})"

    @abstractmethod
    def merge(
        self, article: Article, parts: list[str], reduce: Prompt | None, answers: list[Any], *, limit: int, encoding: str
    ) -> Call | list[Call] | Any:
        """The parts' answers reduced: a final request (a Call), a round of requests whose answers are merged again
        (a list: a reduce too big for one request of `limit` tokens), or the merged answer itself."""

    def reduce_requests(self, plan: Plan) -> int:
        """How many reduce requests a chunked plan is expected to take (for `tokens` and `--dry-run`)."""
        return 0

    def follow_up(self, plan: Plan, answer: Any) -> list[Call]:
        """Requests for what a finished answer still lacks (one round, after repairs); none by default."""
        return []

    def fill(self, answer: Any, calls: list[Call], answers: list[Any]) -> Any:
        """The answer completed with the follow-up answers."""
        return answer

    @abstractmethod
    def check(self, answer: Any, article: Article, source: str, prompt: Prompt) -> Checked:
        """Check an answer against the source text it was made from (the whole article or one part)."""

    @abstractmethod
    def expected_output_tokens(self, plan: Plan, output_limit: int) -> int:
        """A fair guess of the output tokens one article's requests take, for `--dry-run` (the limit is the maximum)."""

    @abstractmethod
    def output_suffix(self) -> str:
        """What a batch adds to output names (`b.txt{suffix}.json`), so tasks and languages never overwrite each other."""

    @abstractmethod
    def build(self, article: Article, answer: Any, checked: Checked, notes: list[Any], provenance: Provenance) -> AnyResult:
        """The result envelope of a finished answer."""


TASKS: dict[str, type[Task]] = {}
"""Every task by the name `--task` and `Settings.task` use; filled by `register` as task modules are imported."""

_T = TypeVar("_T", bound=type[Task])


def register(task: _T) -> _T:
    """Make a Task subclass runnable by its name (a class decorator): its schemas become known to prompts too."""
    from ..schemas import SCHEMAS

    TASKS[task.name] = task
    SCHEMAS.update(task.schemas)
    return task
