"""The verbatim amount or date behind a value the model gave, derived from the sentences it cites."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .grounding import _EN_MONTHS, _EN_SCALES, _MONTH_NUMBER, _SOURCE_SCALES
from .text import _fold_char, normalize

__all__ = ["DateExpression", "MoneyExpression", "date_agrees", "dates_in", "find_amount", "find_date", "money_in", "numbers_in", "parse_amount"]


@dataclass(frozen=True)
class MoneyExpression:
    """A number as written (with its scale word and currency), where it stands and what it is worth."""

    text: str
    start: int
    end: int
    value: float
    currency: str | None


@dataclass(frozen=True)
class DateExpression:
    """A date as written, where it stands, and the parts of it that are written."""

    text: str
    start: int
    end: int
    year: int | None
    month: int | None
    day: int | None


@lru_cache(maxsize=64)  # the same cited sentences are searched for amounts, numbers and dates
def _folded(text: str) -> tuple[str, tuple[int, ...]]:
    """The text lower-cased, accent- and quote-free, with the original offset of every folded character."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded in _fold_char(char):  # "d’euros" -> "d euros", "\u202f" -> " ", "é" -> "e"
            chars.append(folded)
            origin.append(index)
    return "".join(chars), tuple(origin)


def _span(text: str, origin: tuple[int, ...], start: int, end: int) -> tuple[int, int]:
    first, last = origin[start], origin[end - 1] + 1
    while last < len(text) and unicodedata.combining(text[last]):  # a decomposed accent belongs to its letter
        last += 1
    return first, last


# English "billion" is 10^9; the French "billion" (10^12) is only read as such in "billions de dollars".
_SCALES = {**_SOURCE_SCALES, **_EN_SCALES, "billions": 1e9, "trillions": 1e12, "mln": 1e6}
_LETTER_SCALES = {"m", "k", "b"}  # "200 m" is metres, "4 b" a grade: a lone letter is a scale only next to a currency
_SCALE = "|".join(sorted(map(re.escape, _SCALES), key=len, reverse=True))
_ISO_CODES = "usd|eur|gbp|jpy|chf|cny|cad|aud|hkd|inr|rub"
_PREFIX = rf"us ?\$|(?:ca|au|hk|c|a)\$|\$|€|£|¥|(?:{_ISO_CODES})(?= ?\d)"
_CURRENCY_WORD = (
    r"(?:(?:us|american|canadian|australian|hong kong|swiss) )?"
    r"(?:dollars?|euros?|yens?|yuans?|renminbi|francs?|roubles?|rubles?|roupies?|rupees?|livres?|pounds?)"
    r"(?: (?:americains?|us|canadiens?|australiens?|de hong kong|suisses?|sterling))?"
)
_NUMBER = re.compile(
    # Not inside a word, a decimal or a date (2023-11-17, 17/11/2023).
    rf"(?<![\w.,])(?<!\d[-/])(?:(?P<pre>{_PREFIX}) ?)?"
    # 1 000 000 / 1.000.000 / 1,000,000 (one separator throughout, then a decimal), 4,5 / 4.5, or "un milliard".
    r"(?P<num>[1-9]\d{0,2}(?P<sep>[ .,])\d{3}(?:(?P=sep)\d{3})*(?!\d)(?:(?!(?P=sep))[.,]\d+)?"
    r"|\d+(?:[.,]\d+)?|(?:un|une|one|a)(?= (?:milliard|million|billion|trillion|thousand)))"
    rf"(?: ?(?P<pct>%|pour ?cent|per ?cent|percent)| ?(?P<scale>{_SCALE})(?![^\W\d_]))?"
    rf"(?: ?(?P<post>(?:de |d )?{_CURRENCY_WORD}|{_ISO_CODES}|€|\$|£|¥))?"
    r"(?!\w)(?![-/.,]\d)"
)
_SYMBOLS = {"$": "USD", "us$": "USD", "us $": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD", "hk$": "HKD", "€": "EUR", "£": "GBP", "¥": "JPY"}
# Checked in order: "dollars canadiens" is CAD before it is a dollar.
_WORDS = (
    ("canad", "CAD"), ("austral", "AUD"), ("hong kong", "HKD"), ("dollar", "USD"), ("euro", "EUR"), ("sterling", "GBP"),
    ("livre", "GBP"), ("pound", "GBP"), ("yen", "JPY"), ("yuan", "CNY"), ("renminbi", "CNY"), ("franc", "CHF"),
    ("roub", "RUB"), ("rubl", "RUB"), ("roupie", "INR"), ("rupee", "INR"),
)


def _currency(written: str, *, scaled: bool) -> str | None:
    """The ISO 4217 code a currency sign, code or word stands for, or None when it is not money here."""
    word = re.sub(r"^de? ", "", written)
    if word in _SYMBOLS:
        return _SYMBOLS[word]
    if re.fullmatch(_ISO_CODES, word):
        return word.upper()
    if "franc" in word and not re.search(r"suisse|swiss", word):
        return None  # French francs (pre-2002) or CFA francs: not a currency we name
    if re.search(r"livre|pound", word) and "sterling" not in word and not scaled:
        return None  # "200 livres" are books, "200 pounds" a weight; "2 millions de livres" is money
    return next((code for key, code in _WORDS if key in word), None)


def _number_value(num: str, sep: str | None, scaled: bool) -> float:
    """The value of the digits: a lone `,`/`.` group before a scale word is a decimal ("1,500 milliards")."""
    if num in ("un", "une", "one", "a"):
        return 1.0
    if sep is not None and not (sep in ".," and num.count(sep) == 1 and scaled):
        num = num.replace(sep, "")
    return float(num.replace(",", "."))


def numbers_in(text: str) -> list[MoneyExpression]:
    """Every number with its scale word, percent sign or currency, in order ("200", "86 milliards", "$3 billion")."""
    folded, origin = _folded(text)
    found = []
    for m in _NUMBER.finditer(folded):
        scale, post, end = m["scale"], m["post"], m.end()
        currency = _SYMBOLS.get(m["pre"]) or (m["pre"].upper() if m["pre"] else None)
        if post is not None:
            post_currency = _currency(post, scaled=scale is not None)
            if post_currency is None:
                end = m.end("scale") if scale else m.end("num")
            currency = currency or post_currency
        if scale in _LETTER_SCALES and currency is None:
            scale, end = None, m.end("num")
        factor = _SCALES[scale] if scale else 1.0
        if scale and scale.startswith("billion") and post and re.match(r"de? ", post):
            factor = 1e12  # "2 billions de dollars": the French billion
        start, stop = _span(text, origin, m.start(), end)
        value = _number_value(m["num"], m["sep"], scale is not None) * factor
        found.append(MoneyExpression(text[start:stop], start, stop, value, currency))
    return found


def money_in(text: str) -> list[MoneyExpression]:
    """Every amount of money (a number with a currency) in the text, in order."""
    return [e for e in numbers_in(text) if e.currency is not None]


def _is_percent(expression: MoneyExpression) -> bool:
    return re.search(r"%|cent$", normalize(expression.text)) is not None


def find_amount(text: str, value: float, currency: str | None) -> MoneyExpression | None:
    """The expression worth `value` (within 1 %, same currency when both are known), money first; None if none."""
    candidates = [
        e for e in numbers_in(text)
        if abs(e.value - value) <= 0.01 * abs(value)
        and not (currency and e.currency and e.currency != currency.upper())
        and not (currency and _is_percent(e))  # 30 % is not 30 dollars
    ]
    return min(candidates, key=lambda e: (e.currency is None, e.start), default=None)


def parse_amount(expression: str) -> tuple[float, str | None] | None:
    """The value and currency an expression stands for; None when it holds no number or several amounts."""
    money, numbers = money_in(expression), numbers_in(expression)
    chosen = money if money else numbers
    if len(chosen) != 1:
        return None  # "entre 2 et 3 milliards": no single value to give
    return chosen[0].value, chosen[0].currency


# Abbreviations are only months when followed by a day or year (the patterns below ensure it).
_ABBREVIATIONS = {
    "jan": 1, "janv": 1, "feb": 2, "fev": 2, "fevr": 2, "mar": 3, "apr": 4, "avr": 4, "jun": 6, "jul": 7, "juil": 7,
    "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTHS = {**_MONTH_NUMBER, **_ABBREVIATIONS}
_MONTH = "|".join(
    sorted([re.escape(n) for n in _MONTH_NUMBER] + [n + r"\.?" for n in _ABBREVIATIONS], key=len, reverse=True)
)
_FULL_MONTH = "|".join(sorted(set(_MONTH_NUMBER) - {"may"}, key=len, reverse=True))  # "may" alone is a verb
_WEEKDAY = (
    r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?"
)
_YEAR = r"(?:19|20)\d\d|2100"
_DATES = [  # most precise first: at the same start, the longer and earlier pattern wins
    rf"(?<![\w.,]){_WEEKDAY}(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})(?!\w)(?:\s+(?P<y>{_YEAR})(?!\w))?",
    # "novembre 20 000 manifestants" is a month and a number, not 20 November.
    rf"\b{_WEEKDAY}(?P<m>{_MONTH})(?!\w)\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\w)(?! \d{{3}}(?!\d))(?:,?\s+(?P<y>{_YEAR})(?!\w))?",
    rf"\b(?P<m>{_MONTH})(?!\w)\s+(?:de\s+|of\s+)?(?P<y>{_YEAR})(?!\w)",
    r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])",
    r"(?<![\d/.])(?P<d>\d{1,2})(?P<s>[/.])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})(?!\d)",
    rf"(?<![\w-])(?P<m>{_FULL_MONTH})(?!\w)",  # "mi-novembre" is skipped: not the month as a whole
    rf"(?<![\w.,])(?P<y>{_YEAR})(?!\w)(?![.,]\d)",
]
_DATE_PATTERNS = [re.compile(p) for p in _DATES]


def _parts(m: re.Match[str]) -> tuple[int | None, int | None, int | None] | None:
    """Year, month and day of a match, or None when they make no date."""
    groups = m.groupdict()
    year = int(groups["y"]) if groups.get("y") else None
    day = int(groups["d"]) if groups.get("d") else None
    month_text = (groups.get("m") or "").rstrip(".")
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
    if groups.get("s") and month is not None and day is not None and month > 12 >= day:
        month, day = day, month  # 11/17/2023 is American
    if year is not None and not 1900 <= year <= 2100:
        return None
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    return year, month, day


def dates_in(text: str) -> list[DateExpression]:
    """Every date written in the text, in order: day-month(-year), month-year, month or year alone."""
    folded, origin = _folded(text)
    candidates = []
    for rank, pattern in enumerate(_DATE_PATTERNS):
        for m in pattern.finditer(folded):
            parts = _parts(m)
            month_word = m.groupdict().get("m") or ""
            if parts is None or (month_word in _EN_MONTHS and parts == (None, _MONTHS[month_word], None)
                                 and not text[origin[m.start("m")]].isupper()):
                continue  # a lone lower-case "march" is a verb; English writes months with a capital
            candidates.append((m.start(), -(m.end() - m.start()), rank, m.end(), parts))
    amounts = [(e.start, e.end) for e in numbers_in(text)]
    found: list[DateExpression] = []
    last_end = 0
    for start, _length, rank, end, (year, month, day) in sorted(candidates):
        if start < last_end:
            continue  # inside a longer date already taken ("2023" of "17 novembre 2023")
        first, stop = _span(text, origin, start, end)
        if rank == len(_DATE_PATTERNS) - 1 and any(a <= first and stop <= b and (a, b) != (first, stop) for a, b in amounts):
            continue  # "2019 €", "2 019": part of an amount, not a year
        found.append(DateExpression(text[first:stop], first, stop, year, month, day))
        last_end = end
    return found


def _iso_parts(iso: str) -> tuple[int, int | None, int | None] | None:
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", iso.strip())
    if m is None:
        return None
    return int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None


def date_agrees(expression: DateExpression, iso: str, *, year_hint: int | None) -> bool:
    """True when the expression writes the ISO date's day and month, and its year or (if it writes none) `year_hint`."""
    parts = _iso_parts(iso)
    if parts is None:
        return False
    year, month, day = parts
    if (day is not None and expression.day != day) or (month is not None and expression.month != month):
        return False
    if expression.year is not None:
        return expression.year == year
    # A year-only ISO date must be written: "this month" or "15 novembre" never tells which year.
    return month is not None and expression.month is not None and year_hint == year


def find_date(text: str, iso: str, *, published: str | None = None) -> DateExpression | None:
    """The date in `text` that agrees with the ISO date, at its precision; None when none does."""
    parts = _iso_parts(iso)
    if parts is None:
        return None
    expressions = dates_in(text)
    # A date without a year takes the year of publication or one written in the same cited sentences.
    hints = {e.year for e in expressions if e.year is not None}
    if published and (m := re.match(r"\s*(\d{4})", published)):
        hints.add(int(m[1]))
    hint = parts[0] if parts[0] in hints else None
    agreeing = [e for e in expressions if date_agrees(e, iso, year_hint=hint)]
    precision = sum(p is not None for p in parts)

    def key(e: DateExpression) -> tuple[bool, bool, int]:
        written = sum(p is not None for p in (e.year, e.month, e.day))
        exact = written == precision or (e.year is None and written + 1 == precision)
        return not exact, e.year is None, e.start

    return min(agreeing, key=key, default=None)
