"""Numbers, dates and proper names in the answer's own words must be grounded in the article's text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import normalize

# English scale words in the answer, French and English ones in the article (4 milliards = 4 billion).
_EN_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12}
_SOURCE_SCALES = {
    "mille": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "md": 1e9, "mds": 1e9, "milliard": 1e9, "milliards": 1e9,
    "billion": 1e12, "billions": 1e12, "thousand": 1e3, "trillion": 1e12, "bn": 1e9, "mn": 1e6, "b": 1e9, "k": 1e3,
}
_SPELLED = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "cent": 100, "mille": 1000, "premier": 1, "premiere": 1, "dizaine": 10, "douzaine": 12, "centaine": 100,
}
# 1,000,000 / 4.5 in English; 1 000 000 / 4,5 / 1.000.000 in French. Ordinal suffixes are dropped (20th, 1er).
_EN_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:st|nd|rd|th)?\s*(%|per ?cent)?\s*"
    r"(thousand|trillion|billion|million|bn|mn|k|m|b)?(?![\w])",
    re.IGNORECASE,
)
_SOURCE_NUMBER = re.compile(
    r"(?<![\w,])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?!\d)|\d+)(?:[,.](\d+))?(?:er|e|eme|ème|st|nd|rd|th)?\s*"
    r"(%|pour ?cent)?\s*(milliards?|millions?|mille|mds?|md|billions?|trillion|thousand|bn|mn|m|b|k)?(?![\w])",
    re.IGNORECASE,
)
_EN_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
_FR_MONTHS = ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre"]
_MONTH_NUMBER = {name: i + 1 for names in (_EN_MONTHS, _FR_MONTHS) for i, name in enumerate(names)}
_MONTH = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?\s+({_MONTH})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*\d{{3}})")
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SLASH_DAY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")

# Capitalized words an English text uses without a source-language counterpart: not names to look for.
_COMMON_CAPITALIZED = set(
    """i a an the this that these those it its he she his her they their we our on in at of to for from by with as
    after before during since until while when where whether if but and or nor so yet also both each every some many
    most more other another such what which who whom whose how why there here then than according despite however
    monday tuesday wednesday thursday friday saturday sunday ceo cfo cto coo ai us uk eu un usa english french
    american european british chinese german spanish italian japanese russian indian dutch belgian swiss canadian
    vp svp evp hr ipo mr mrs ms dr prof st president minister chairman chairwoman chief executive officer board director founder
    co-founder cofounder boss inc ltd llc corp company group""".split()
) | set(_EN_MONTHS)
_CAPITALIZED = re.compile(r"(?<![\w’'-])([A-Z][\w’'.-]*[\w])")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[\n\"“«(]\s*)$")


@dataclass(frozen=True)
class Number:
    """A number as written, with the value(s) it can stand for."""

    text: str
    values: tuple[float, ...]


def _value(integer: str, fraction: str | None, thousands: str) -> float:
    digits = re.sub(thousands, "", integer)
    return float(f"{digits}.{fraction}") if fraction else float(digits)


def english_numbers(text: str) -> list[Number]:
    """Numbers in English prose (`$1.5 billion`, `30%`, `2019`, `20th`), with their expanded value."""
    found = []
    for m in _EN_NUMBER.finditer(text):
        base = _value(m.group(1), m.group(2), ",")
        scale = _EN_SCALES.get((m.group(4) or "").lower(), 1.0)
        found.append(Number(m.group(0).strip(), (base, base * scale) if scale != 1.0 else (base,)))
    return found


def source_numbers(text: str) -> list[Number]:
    """Numbers written in digits in the article (French or English notation, scale words), with their values."""
    found = []
    for m in _SOURCE_NUMBER.finditer(text):
        integer, fraction = m.group(1), m.group(2)
        candidates = {_value(integer, fraction, r"[ \u00a0\u202f.]")}
        if fraction and len(fraction) == 3 and "," in m.group(0) and not re.search(r"[ \u00a0\u202f.]", integer):
            candidates.add(_value(integer + fraction, None, ""))  # English thousands in a French text: 1,500
        scale = _SOURCE_SCALES.get((m.group(4) or "").lower(), 1.0)
        found.append(Number(m.group(0).strip(), tuple(sorted({v for base in candidates for v in (base, base * scale)}))))
    return found


@lru_cache(maxsize=64)
def source_values(text: str) -> frozenset[float]:
    """Every value a number in the article can stand for (French or English notation, scales, spelled-out)."""
    values: set[float] = {v for number in source_numbers(text) for v in number.values}
    for word in re.findall(r"[a-z]+", normalize(text)):
        if word in _SPELLED:
            values.add(float(_SPELLED[word]))
    return frozenset(values)


def ungrounded_numbers(english: str, article: str, extra: frozenset[float] = frozenset()) -> list[str]:
    """Numbers written in the English text whose value appears nowhere in the article."""
    known = source_values(article) | extra
    return [n.text for n in english_numbers(english) if not any(_close(v, known) for v in n.values)]


def ungrounded_local_numbers(text: str, article: str, extra: frozenset[float] = frozenset()) -> list[str]:
    """Numbers of a text in another language than English (4,5 Milliarden, 1.000), read the article's way."""
    known = source_values(article) | extra
    return [n.text for n in source_numbers(text) if not any(_close(v, known) for v in n.values)]


def missing_numbers(source: str, translation: str) -> list[str]:
    """Numbers written in digits in `source` whose value the translation never gives (in either notation)."""
    known = source_values(translation) | {v for n in english_numbers(translation) for v in n.values}
    return [n.text for n in source_numbers(source) if not any(_close(v, known) for v in n.values)]


def _close(value: float, known: frozenset[float]) -> bool:
    return value in known or any(abs(value - k) <= 1e-9 * max(1.0, abs(k)) for k in known)


@lru_cache(maxsize=64)  # asked of the same article for every field
def day_months(text: str) -> frozenset[tuple[int, int]]:
    """(day, month) pairs written in the text: `17 novembre`, `November 17`, `1er mai`, `2023-11-17`, `17/11/2023`."""
    plain = normalize(text)
    pairs = {(int(d), _MONTH_NUMBER[m]) for d, m in _DAY_MONTH.findall(plain)}
    pairs |= {(int(d), _MONTH_NUMBER[m]) for m, d in _MONTH_DAY.findall(plain)}
    pairs |= {(int(d), int(m)) for _y, m, d in _ISO_DAY.findall(plain)}
    pairs |= {(int(d), int(m)) for d, m, _y in _SLASH_DAY.findall(plain)}
    return frozenset(pairs)


@lru_cache(maxsize=64)
def months(text: str) -> frozenset[int]:
    """Months named or written as ISO/slash dates in the text."""
    plain = normalize(text)
    found = {_MONTH_NUMBER[w] for w in re.findall(r"[a-z]+", plain) if w in _MONTH_NUMBER and w != "may"}
    found |= {m for _d, m in day_months(text)}
    found |= {int(m) for m in re.findall(r"\b\d{4}-(\d{2})\b", plain)}
    if re.search(r"\bmay\s+(\d{1,2}|\d{4})\b|\b\d{1,2}\s+may\b", plain):
        found.add(5)  # "may" alone is a verb in English
    return frozenset(found)


def ungrounded_dates(english: str, article: str) -> list[str]:
    """Day-and-month dates in the English text that the article never writes."""
    known = day_months(article)
    plain = normalize(english)
    missing = []
    for m in list(_DAY_MONTH.finditer(plain)) + list(_MONTH_DAY.finditer(plain)):
        groups = m.groups()
        day, month = (groups[0], groups[1]) if groups[0].isdigit() else (groups[1], groups[0])
        if (int(day), _MONTH_NUMBER[month]) not in known:
            missing.append(m.group(0))
    return missing


def iso_date_grounded(date: str, article: str, published: str | None) -> bool:
    """True when every part of an ISO date the model gave is written in the article (or is its publication date)."""
    parts = [int(p) for p in date.split("-")]
    if published and published.startswith(date):
        return True
    year_ok = float(parts[0]) in source_values(article) or bool(published and published.startswith(str(parts[0])))
    if len(parts) == 1:
        return year_ok
    if len(parts) == 2:
        return year_ok and (parts[1] in months(article) or bool(published and published[:7] == date))
    return year_ok and (parts[2], parts[1]) in day_months(article)


def ungrounded_names(english: str, article_words: frozenset[str]) -> list[str]:
    """Capitalized words of English prose (names, places, brands) that the article never writes."""
    missing = []
    for m in _CAPITALIZED.finditer(english):
        word = m.group(1)
        bare = re.sub(r"(?:’s|'s|’|')$", "", word)
        key = normalize(bare)
        if not key or key in _COMMON_CAPITALIZED or key.replace("-", " ") in article_words:
            continue
        parts = key.replace("-", " ").replace(".", " ").split()
        if all(p in article_words or p in _COMMON_CAPITALIZED for p in parts):
            continue
        # A sentence's first word is capitalized anyway: only check it when it looks like a name (OpenAI, GPT-4).
        looks_named = re.search(r"[A-Z].*[A-Z]|\d", bare) is not None  # OpenAI, GPT-4, VP
        at_start = _SENTENCE_START.search(english[: m.start()]) is not None
        if not looks_named and (at_start or _common_english(key)):
            continue
        missing.append(bare)
    return list(dict.fromkeys(missing))


@lru_cache(maxsize=4096)
def _common_english(word: str) -> bool:
    # A capitalized common English word ("Middle Ages", "Board") is a translation, not a name to find: in
    # cl100k a common English word is one token (" middle"), while most names take several (" brockman").
    from ..tokens import get_encoding

    return len(get_encoding("cl100k_base").encode(" " + word)) == 1


@lru_cache(maxsize=64)
def words_of(text: str) -> frozenset[str]:
    """The article's normalized words, with hyphen and apostrophe parts (`l'intelligence` -> `intelligence`)."""
    plain = normalize(text)
    words = set(re.findall(r"[\w-]+", plain))
    words |= {part for w in words for part in w.split("-")}
    return frozenset(words)


def is_title_case(text: str) -> bool:
    """True for a Headline Written Like This: its capitals say nothing about names."""
    words = re.findall(r"[A-Za-z][\w’'-]*", text)
    long_words = [w for w in words if len(w) > 3]
    return len(long_words) >= 3 and sum(w[0].isupper() for w in long_words) / len(long_words) > 0.6
