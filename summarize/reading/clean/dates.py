"""Dates in folded text: finding them, and telling a date line from prose."""

from __future__ import annotations

import datetime
import re


_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "juin": 6, "jun": 6, "june": 6,
    "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "aug": 8, "august": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
# Each family yields (year, month, day) group indexes; dates are searched in folded text.
_DATE_FAMILIES = (
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?![\d-])"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d{1,2})(?:er|st|nd|rd|th)?\s" + _MONTH + r",?\s(\d{4})(?!\d)"), (3, 2, 1)),
    (re.compile(r"\b" + _MONTH + r"\s(\d{1,2})(?:st|nd|rd|th)?,?\s(\d{4})(?!\d)"), (3, 1, 2)),
    (re.compile(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)"), (3, 2, 1)),
    (re.compile(r"\b" + _MONTH + r",?\s(\d{4})(?!\d)"), (2, 1, None)),
)
_YEAR_ONLY = re.compile(r"(?<!\d)((?:19|20)\d{2})(?![\d-])")
TIME = re.compile(
    r"(?:\s?(?:,|a|at|-|\||@|t)?\s?)(\d{1,2})(?:\s?(?:h|:)\s?(\d{2})(?::(\d{2}))?|\s?h\b)(?:\s?([ap])\.?\s?m\b\.?)?"
    r"(?:\s?(?:z\b|[+-]\d{2}:?\d{2}\b))?"
)
DATE_WORDS = re.compile(
    r"\b(?:publie|publiee|publication|date|de|du|le|la|mis|mise|en|ligne|a|jour|modifie|modifiee|actualise|"
    r"actualisee|maj|posted|published|publish|updated|update|last|on|at|et|and|h|heure|heures|utc|gmt|cet|cest|"
    r"est|edt|pst|pdt|bst|cst|ct|et|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun)\b"
)
PUBLISH_LABEL = re.compile(r"\b(?:publie|publiee|publication|posted|published|publish|mis en ligne|date)\b")
_UPDATE_LABEL = re.compile(r"\b(?:mis a jour|mise a jour|modifie|modifiee|actualise|actualisee|maj|updated|update)\b")
DATE_LABEL_START = re.compile(
    r"^(?:publie|publiee|published|posted|mis en ligne|mis a jour|mise a jour|updated|last updated|"
    r"actualise|modifie|date de publication|publication)\b"
)
PUNCT_ONLY = re.compile(r"[\W_]*")
TIMEZONE = re.compile(r"\b(?:gmt|utc)\s?[+-]\s?\d{1,2}(?::?\d{2})?\b")
RELATIVE = re.compile(
    r"\b(?:aujourd'hui|hier|avant-hier|today|yesterday|just now|a l'instant|"
    r"il y a \d+ ?(?:s|sec|secondes?|min|minutes?|h|heures?|jours?|semaines?|mois|ans?|annees?)|"
    r"\d+ ?(?:s|sec|seconds?|min|mins|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?) ago)(?!\w)"
)
DIGIT = re.compile(r"\d")


def _valid_iso(y: int, m: int | None, d: int | None, time: tuple[int, int, int] | None) -> str | None:
    if not 1900 <= y <= 2100:
        return None
    if m is None:
        return f"{y:04d}"
    if not 1 <= m <= 12:
        return None
    if d is None:
        return f"{y:04d}-{m:02d}"
    try:
        datetime.date(y, m, d)
    except ValueError:
        return None
    if time is None:
        return f"{y:04d}-{m:02d}-{d:02d}"
    hh, mm, ss = time
    if hh > 23 or mm > 59 or ss > 59:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}"


def _num(value: str | None) -> int | None:
    if value is None:
        return None
    if value in _MONTHS:
        return _MONTHS[value]
    try:
        return int(value)
    except ValueError:
        return None


def find_date(folded: str, allow_year: bool = False) -> tuple[str, int, int] | None:
    """Earliest valid date in folded text as (iso, start, end); end includes a following time of day."""
    best: tuple[str, int, int] | None = None
    for pattern, (yi, mi, di) in _DATE_FAMILIES:
        for match in pattern.finditer(folded):
            if best is not None and match.start() >= best[1]:
                break
            y, m = _num(match.group(yi)), _num(match.group(mi))
            d = _num(match.group(di)) if di else None
            if pattern is _DATE_FAMILIES[3][0] and m is not None and d is not None and m > 12 >= d:
                m, d = d, m  # US month/day order, unambiguous only when the "month" cannot be one
            if y is None:
                continue
            end = match.end()
            time = None
            if d is not None:
                t = TIME.match(folded, end)
                if t and (t.group(1) is not None):
                    hh = int(t.group(1))
                    mm = int(t.group(2) or 0)
                    ss = int(t.group(3) or 0)
                    if t.group(4) == "p" and hh < 12:
                        hh += 12
                    elif t.group(4) == "a" and hh == 12:
                        hh = 0
                    time = (hh, mm, ss)
                    end = t.end()
            iso = _valid_iso(y, m, d, time)
            if iso is not None:
                best = (iso, match.start(), end)
                break
    if best is None and allow_year:
        year = _YEAR_ONLY.search(folded)
        if year:
            best = (year.group(1), year.start(), year.end())
    return best


def date_line(folded: str) -> tuple[str, int] | None:
    """(iso, priority) when the whole line is publication/update dates with only labels around them."""
    found = find_date(folded) if DIGIT.search(folded) else None
    if found is None:
        return None
    iso, start, end = found
    residue = RELATIVE.sub(" ", TIMEZONE.sub(" ", folded[:start] + " " + folded[end:]))
    for _ in range(3):  # "Publié le 12/02/2024, mis à jour le 13/02/2024"
        more = find_date(residue)
        if more is None:
            break
        residue = residue[: more[1]] + " " + residue[more[2]:]
    if not PUNCT_ONLY.fullmatch(DATE_WORDS.sub(" ", residue)):
        return None
    labels = folded[:start]
    if _UPDATE_LABEL.search(labels) and not PUBLISH_LABEL.search(labels):
        return iso, 3
    return iso, (1 if PUBLISH_LABEL.search(labels) else 2)
