"""What the conversation itself says back to a model (re-asks, from versioned prompt text), how it reads a text answer, and loop detection."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from ..prompts import Prompt


@dataclass(frozen=True)
class Reasks:
    """What a conversation says back to the model, rendered from prompt text (never from strings in code).

    The texts come from the `conversation` prompt; a request prompt with its own `## check-repair` section
    (a task's own fixing rules, in its target language) overrides that one. `values` fill the task's
    variables in it (`target` ...). Both prompts' hashes are in the cache key.
    """

    conversation: Prompt
    request: Prompt | None = None
    values: dict[str, str] = field(default_factory=dict)

    def repair(self, errors: str) -> str:
        """Re-ask for an answer that is not valid JSON for the schema."""
        return self.conversation.text("repair", errors=errors)

    def check_repair(self, problems: str) -> str:
        """Re-ask for a valid answer that fails the checks against its source."""
        owner = self.request if self.request is not None and "check-repair" in self.request.sections else self.conversation
        return owner.text("check-repair", problems=problems, **self.values)

    def loop_repair(self, fragment: str) -> str:
        """Re-ask for an answer cut off while repeating `fragment`."""
        return self.conversation.text("loop-repair", fragment=repr(fragment))

    def schema_instruction(self, schema: dict[str, Any]) -> str:
        """What is appended to the system message when the server cannot enforce the schema itself."""
        return "\n\n" + self.conversation.text("schema-instruction", schema=json.dumps(schema, ensure_ascii=False))


def builtin_reasks() -> Reasks:
    """The built-in conversation texts (for a client used without a pipeline)."""
    from ..prompts import CONVERSATION_TASK, PromptLibrary

    return Reasks(PromptLibrary(None).load(CONVERSATION_TASK))


def repeated_fragment(text: str, *, tail: int = 6000, min_repeats: int = 3) -> str | None:
    """The fragment a looping answer repeats at its end (3+ times, or a long line 4+ times, in its last 6,000 characters).

    Only asked of an answer already cut off at the output limit, where repetition is the likely cause: a
    real 1.5B model repeated a 450-character quote object until 2,500 tokens ran out.
    """
    window = text[-tail:]
    for size in range(8, len(window) // min_repeats + 1):
        unit = window[-size:]
        if window.endswith(unit * min_repeats):
            return unit.strip() or unit
    # Loops with small variations (a counter, a date, the cut-off last item) repeat whole lines instead.
    lines = [re.sub(r"\d+", "0", line.strip()) for line in window.splitlines() if line.strip()]
    for line in dict.fromkeys(lines):
        # Short lines ("evidence": [) recur in any answer, and three people may share a role: 4+ long ones.
        if len(line) >= 40 and lines.count(line) >= min_repeats + 1:
            return line
    return None


def extract_json(text: str) -> Any:
    """The first JSON object in a model's text answer (bare, fenced in ``` or surrounded by prose)."""
    stripped = text.strip()
    fenced = re.search(r"```(?:json)?\s*\n?(.*?)```", stripped, re.DOTALL)
    candidates = [stripped] + ([fenced.group(1).strip()] if fenced else [])
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", stripped):
        try:
            value, _ = decoder.raw_decode(stripped, match.start())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    raise ValueError("no JSON object found in the answer")


def describe_validation_error(exc: ValidationError, limit: int = 8) -> str:
    """Validation errors as short `path: message` lines, the way they are sent back for repair."""
    lines = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(part) for part in error["loc"]) or "(root)"
        lines.append(f"{where}: {error['msg']}")
    more = len(exc.errors()) - limit
    return "; ".join(lines) + (f"; and {more} more" if more > 0 else "")
