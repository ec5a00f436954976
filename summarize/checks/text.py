"""Normalized text with a map back to the original: what "found in the article" compares, and where it was found."""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass
from functools import lru_cache

from ..folding import strip_accents, table

# Quote marks and apostrophes become spaces ("l’Élysée" -> "l elysee") so elision never glues words together.
_TABLE = str.maketrans(table(quotes=" "))
_ELLIPSIS = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.|\(\s*(?:…|\.\.\.)\s*\)")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _fold(text: str) -> str:
    return strip_accents(text).translate(_TABLE).casefold()


_fold_char = lru_cache(maxsize=4096)(_fold)
"""`_fold` of one character, cached: articles reuse a few hundred distinct characters (never cache whole texts)."""


@lru_cache(maxsize=256)  # the same article is normalized for every quote it is checked against
def normalize(text: str) -> str:
    """Lower-case, accent-free, quote-free text with single spaces and no invisible characters."""
    return re.sub(r"\s+", " ", _fold(text)).strip()


_NOT_WORD = re.compile(r"[^\w]+")


def norm(text: str | None) -> str:
    """`normalize`d text (no accents, case or quotes) without punctuation: the form names are compared in."""
    return " ".join(_NOT_WORD.sub(" ", normalize(text or "")).split())


@dataclass(frozen=True)
class Span:
    """Where a passage was found: character offsets into the original text and its paragraph (0-based)."""

    start: int
    end: int
    paragraph: int


class MappedText:
    """An article normalized once, with every normalized character mapped back to its original offset."""

    def __init__(self, original: str) -> None:
        self.original = original
        chars: list[str] = []
        origin = array("I")  # 4 bytes an offset instead of a boxed int: a batch keeps several articles mapped
        for index, char in enumerate(original):
            for folded in _fold_char(char):
                if folded.isspace():
                    if not chars or chars[-1] == " ":
                        continue
                    folded = " "
                chars.append(folded)
                origin.append(index)
        self.text = "".join(chars)
        self._origin = origin
        self._breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(original)]

    def paragraph_of(self, offset: int) -> int:
        """0-based index of the paragraph (blank-line separated) holding an original offset."""
        return sum(1 for b in self._breaks if b < offset)

    def _span(self, start: int, end: int) -> Span:
        first, last = self._origin[start], self._origin[end - 1] + 1
        return Span(first, last, self.paragraph_of(first))

    def find(self, passage: str) -> Span | None:
        """Where the passage (cut at any ellipsis, fragments in order) stands in the original, or None."""
        fragments = [normalize(f).strip(" ,.;:!?") for f in _ELLIPSIS.split(passage)]
        fragments = [f for f in fragments if f]
        if not fragments:
            return None
        position, start = 0, None
        for fragment in fragments:
            found = self.text.find(fragment, position)
            if found < 0:
                return None
            start = found if start is None else start
            position = found + len(fragment)
        assert start is not None
        return self._span(start, position)

    def has_words(self, words: str) -> bool:
        """True when the words stand in the text as whole words (normalized)."""
        needle = normalize(words)
        return not needle or re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", self.text) is not None


@lru_cache(maxsize=16)  # the articles being checked right now (a batch checks a few at a time)
def mapped(text: str) -> MappedText:
    """The mapped form of an article, built once per article however many checks ask."""
    return MappedText(text)


def quote_found(quote: str, source: str) -> bool:
    """True when the quote, cut at any ellipsis, appears fragment by fragment and in order in the source."""
    return mapped(source).find(quote) is not None
