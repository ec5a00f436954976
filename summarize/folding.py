"""Folding text for matching: the one table of quote marks, dashes, spaces and invisible characters.

Two folds are built on it, for two jobs: the cleaner folds quotes to straight ones (its phrase rules match
`"` and `'`), the checks fold them to spaces (elision must not glue words: "l’Élysée" -> "l elysee") and
keep a map back to the original offsets. Output text is never folded.
"""

from __future__ import annotations

import re
import unicodedata

SINGLE_QUOTES = "'‘’‚‛`´ʼ′"
DOUBLE_QUOTES = "\"«»“”„‟‹›"
DASHES = "‐‑‒–—―−"
SPACES = "\u00a0\u202f\u2009\u2007"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
"""Characters a reader does not see: "Sam\u200b Altman" in a scraped page is "Sam Altman"."""

COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def table(*, quotes: str) -> dict[str, str]:
    """The character map of a fold: quote marks become `quotes` ("straight" keeps ' and ", else the given text)."""
    if quotes == "straight":
        quote_map = {c: "'" for c in SINGLE_QUOTES} | {c: '"' for c in DOUBLE_QUOTES}
    else:
        quote_map = {c: quotes for c in SINGLE_QUOTES + DOUBLE_QUOTES}
    return quote_map | {c: "-" for c in DASHES} | {c: " " for c in SPACES} | {c: "" for c in INVISIBLE}


def strip_accents(text: str) -> str:
    """`text` decomposed (NFKD) without its combining marks: "Élysée" -> "Elysee"."""
    return COMBINING.sub("", unicodedata.normalize("NFKD", text))


__all__ = ["COMBINING", "DASHES", "DOUBLE_QUOTES", "INVISIBLE", "SINGLE_QUOTES", "SPACES", "strip_accents", "table"]
