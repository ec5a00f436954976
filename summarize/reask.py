"""What the conversation itself says back to a model: re-ask texts (versioned by hash in the cache key) and loop detection."""

from __future__ import annotations

import hashlib
import re

REPAIR_TEXT = "That answer is invalid: {errors}. Reply with only the corrected JSON object."
CHECK_REPAIR_TEXT = (
    "Checked against the article, that answer has these problems:\n{problems}\n"
    "Fix every one (English fields in English, the article's-language summary in the article's language, names, "
    "numbers and dates exactly as the article gives them, evidence copied word for word from the article) and "
    "reply with the whole corrected JSON object only."
)
LOOP_REPAIR_TEXT = (
    "That answer kept repeating {fragment!r} until it was cut off. Answer again from the start, shorter, "
    "without repeating anything: one JSON object only."
)
CONVERSATION_TEXTS = (REPAIR_TEXT, CHECK_REPAIR_TEXT, LOOP_REPAIR_TEXT)
"""Every text the conversation itself adds to a request: part of the cache key, like the prompt files."""


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


def texts_hash() -> str:
    """Short hash of every re-ask text: a changed wording changes requests, so it changes cache keys."""
    return hashlib.sha256("\n".join(CONVERSATION_TEXTS).encode()).hexdigest()[:12]
