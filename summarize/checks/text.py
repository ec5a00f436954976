"""Check a validated answer against its source: every quote and every name must be in the cleaned article."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .schemas import KeyFacts, ResultWarning

# Quote marks and apostrophes become spaces ("l’Élysée" -> "l elysee") so elision never glues words together.
_QUOTE_CHARS = str.maketrans({c: " " for c in "\"'«»“”„‟‘’‚‛‹›`´ʼ"})
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_ELLIPSIS = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.|\(\s*(?:…|\.\.\.)\s*\)")


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=256)  # the same article is normalized for every quote it is checked against
def normalize(text: str) -> str:
    """Lower-case, accent-free, quote-free text with single spaces: what 'found in the article' compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    no_accents = _COMBINING.sub("", decomposed)
    plain = no_accents.translate(_QUOTE_CHARS).translate(_DASHES).casefold()
    return re.sub(r"\s+", " ", plain).strip()


def _contains_words(haystack: str, needle: str) -> bool:
    if not needle:
        return True
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", haystack) is not None


def quote_found(quote: str, source: str) -> bool:
    """True when the quote, cut at any ellipsis, appears fragment by fragment and in order in the source."""
    haystack = normalize(source)
    position = 0
    fragments = [normalize(f).strip(" ,.;:!?") for f in _ELLIPSIS.split(quote)]
    fragments = [f for f in fragments if f]
    if not fragments:
        return False
    for fragment in fragments:
        found = haystack.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True


def check_facts(facts: KeyFacts, source: str) -> list[ResultWarning]:
    """Warnings for quotes, people and organizations that the source text does not contain."""
    haystack = normalize(source)
    warnings: list[ResultWarning] = []
    for quote in facts.quotes:
        if not quote_found(quote.original, source):
            warnings.append(
                ResultWarning(kind="quote-not-found", text=quote.original, detail="not found verbatim in the article")
            )
    for person in facts.people:
        if not _contains_words(haystack, normalize(person.name)):
            warnings.append(ResultWarning(kind="person-not-found", text=person.name, detail="name not in the article"))
    for organization in facts.organizations:
        if not _contains_words(haystack, normalize(organization.name)):
            warnings.append(
                ResultWarning(kind="organization-not-found", text=organization.name, detail="name not in the article")
            )
    return warnings
