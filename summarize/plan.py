"""A Plan: what one article will send (prompts, parts, first requests, token counts) and its cache key."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .model.reask import Reasks
from .prompts import Prompt
from .schemas import Article
from .tasks import Call, Task
from .tokens import count_message_tokens, count_tokens


@dataclass(frozen=True)
class Plan:
    """What one article will send: the prompts, the parts, the first requests and their token counts, the key."""

    article: Article
    task: Task
    prompt: Prompt
    reduce_prompt: Prompt | None
    reasks: Reasks
    parts: list[str]
    calls: list[Call]
    text_budget: int
    key: str
    encoding: str
    request_limit: int = 0
    """The most prompt tokens one request may carry (the context or --max-input-tokens, less a margin)."""
    verify_prompt: Prompt | None = None
    """The verifier's prompt, when the task's answers are cited and verification is on."""

    @cached_property
    def prompt_tokens(self) -> int:
        """Prompt tokens of the first requests (counted on demand: a live run gets them from the endpoint)."""
        return sum(count_message_tokens(call.messages, self.encoding) for call in self.calls)

    @cached_property
    def article_tokens(self) -> int:
        """Tokens of the cleaned article text (what a translation's output is about as long as)."""
        return count_tokens(self.article.text, self.encoding)

    @property
    def chunked(self) -> bool:
        """True when the article is done in several parts, then reduced."""
        return len(self.parts) > 1

    @property
    def requests(self) -> int:
        """Requests a first try takes: the parts, plus the reduce requests the task expects (several if hierarchical)."""
        return len(self.calls) + (self.task.reduce_requests(self) if self.chunked else 0)



__all__ = ["Plan"]
