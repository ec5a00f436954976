"""Which language a field of the answer is written in, decided locally by the fastText model already shipped."""

from __future__ import annotations

import re

from ..reading.read import language_model

MIN_WORDS = 3
"""Shorter strings are not judged: "Microsoft" or "Boss" is no language at all (fastText guesses at random)."""
MIN_CONFIDENCE = 0.5
"""Below this the detector is unsure (mixed text, many names): no verdict rather than a false alarm."""

_WORD = re.compile(r"[^\W\d_]{2,}")


def language_of(text: str) -> str | None:
    """ISO 639-1 code of a field's language, or None when too short or the detector is unsure."""
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    labels, scores = language_model().predict(" ".join(text.split()), k=1)
    if not labels or float(scores[0]) < MIN_CONFIDENCE:
        return None
    code = str(labels[0]).removeprefix("__label__").split("-")[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None
