"""Folding text for matching, and rule families: regexes gated by cheap literal needles."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...folding import strip_accents, table


# Matching runs on a folded copy (no accents, straight quotes, casefolded, single spaces) so one
# pattern covers "À lire aussi", "A LIRE AUSSI" and "a lire aussi"; output text is never folded.
_FOLD_MAP: dict[str, str] = table(quotes="straight")
# A regex finds the few characters to map; str.translate is slow on non-ASCII text.
_FOLD_CHARS = re.compile("[" + re.escape("".join(_FOLD_MAP)) + "]")
# Control characters are scraper noise; turning them into spaces never adds visible characters.
CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f\ufeff\ufffe\uffff]")


def fold(text: str) -> str:
    text = _FOLD_CHARS.sub(lambda m: _FOLD_MAP[m.group()], text)
    if not text.isascii():
        text = strip_accents(text)
    return " ".join(text.casefold().split())


_QUOTES_RE = re.compile("[\"']")


def dedup_key(folded: str) -> str:
    return " ".join(_QUOTES_RE.sub(" ", folded).split())


@dataclass(frozen=True)
class _Family:
    """Regexes of one rule family, each gated by literal needles one of which any of its matches contains."""

    always: tuple[re.Pattern[str], ...]
    gated: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]
    needles: tuple[str, ...]


def matches(family: _Family, text: str) -> bool:
    for rx in family.always:
        if rx.search(text):
            return True
    # Substring tests are much cheaper than trying each regex at every position of long prose.
    for needle in family.needles:
        if needle in text:
            break
    else:
        return False
    for needles, rx in family.gated:
        if any(n in text for n in needles) and rx.search(text):
            return True
    return False


def family(*specs: tuple[str, str]) -> _Family:
    """A family from (needles, regex) pairs; needles are "|"-separated literals, "" for an always-run regex."""
    always, gated, needles_all = [], [], []
    for needles, rx in specs:
        words = tuple(n for n in needles.split("|") if n)
        if words:
            gated.append((words, re.compile(rx)))
            needles_all += [w for w in words if w not in needles_all]
        else:
            always.append(re.compile(rx))
    return _Family(tuple(always), tuple(gated), tuple(needles_all))
