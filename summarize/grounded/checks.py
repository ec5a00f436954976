"""Each claim held to its own cited sentences: names, numbers and dates there, grave claims stated there.

A claim whose name, number or date stands elsewhere in the article but not in the sentences it cites is a wrong
link (`wrong-citation`): the checks of schema 2 compared with the whole article and let "they agreed to pay
Google" cite the sentence where Google pays. Two things count with the cited sentences: the two sentences just
before each (an article names its subject once, then says "it", "the company", or quotes after a colon), and
the article's headline (its subject, which the body calls "the company").
"""

from __future__ import annotations

import re

from ..checks.grounding import (
    _COMMON_CAPITALIZED,
    is_title_case,
    ungrounded_dates,
    ungrounded_local_numbers,
    ungrounded_names,
    ungrounded_numbers,
    words_of,
)
from ..checks.grave import unstated
from ..checks.text import MappedText, mapped, normalize
from ..schemas import Article, ResultWarning, WarningKind
from ..reading.sentences import Sentences
from .claims import Claim
from .derive import quotations

CONTEXT_BEFORE = 2
"""Sentences before a cited one that may hold the name a pronoun stands for."""
QUOTE_CONTEXT = (4, 2)
"""Sentences before and after a cited quotation: a speaker is named once before a long quotation, or in the
credit line under a block quote ("John Schulman, sur son départ d'OpenAI")."""


def _warn(kind: WarningKind, field: str, text: str, detail: str) -> ResultWarning:
    return ResultWarning(kind=kind, field=field, text=text, detail=detail)


def context(claim: Claim, sentences: Sentences, before: int = CONTEXT_BEFORE, after: int = 0) -> str:
    """The cited sentences with the few before each (where a pronoun's name, or a quotation's speaker, stands)."""
    order = [s.id for s in sentences]
    position = {sid: n for n, sid in enumerate(order)}
    ids: dict[str, None] = {}
    for s in claim.sentences:
        n = position[s.id]
        for sid in order[max(0, n - before) : n + 1 + after]:
            ids[sid] = None
    return " ".join(found.text for found in (sentences.get(i) for i in ids) if found is not None)


def check_claims(claims: list[Claim], article: Article, sentences: Sentences, *, target: str) -> list[ResultWarning]:
    """Names, numbers and dates of every claim found in its cited sentences; grave claims stated there."""
    whole = "\n\n".join(filter(None, [article.title, article.text]))
    metadata = " ".join(filter(None, [article.author, article.site_name, article.published]))
    published_values = frozenset(float(p) for p in re.findall(r"\d+", article.published or ""))
    warnings: list[ResultWarning] = []
    for claim in claims:
        if not claim.sentences:
            continue  # already flagged: cites nothing that exists
        # A claim resting on a block quote may take its speaker from the credit line under it.
        quoting = any(quotations(s.text) for s in claim.sentences)
        around = QUOTE_CONTEXT if claim.field.startswith("key_facts.quotes") else (CONTEXT_BEFORE, 2 if quoting else 0)
        near = "\n".join([context(claim, sentences, *around), metadata, article.title or ""])
        if claim.prose:
            warnings += _prose(claim, near, whole, published_values, english=target == "en")
        else:
            warnings += _named(claim, near, whole)
        warnings += _grave(claim)
    return _one_per_fault(warnings)


def _one_per_fault(warnings: list[ResultWarning]) -> list[ResultWarning]:
    # "Belge Pieter Abbeel" cited at a sentence without him is one wrong link, not three warnings.
    merged: dict[tuple[str | None, str, str], ResultWarning] = {}
    for w in warnings:
        key = (w.field, w.kind, w.detail)
        if key in merged:
            merged[key].text += ", " + w.text
        else:
            merged[key] = w.model_copy()
    return list(merged.values())


def _prose(claim: Claim, near: str, whole: str, published: frozenset[float], *, english: bool) -> list[ResultWarning]:
    found: list[ResultWarning] = []
    dates = ungrounded_dates(claim.text, near)

    def numbers(text: str, source: str, extra: frozenset[float]) -> list[str]:
        # Read both ways: "180 000 euros" in an English brief is the article's own notation, not a new number.
        found = ungrounded_local_numbers(text, source, extra)
        return [n for n in ungrounded_numbers(text, source, extra) if n in found or not english] if english else found

    for number in numbers(claim.text, near, published):
        if any(re.search(rf"(?<!\d){re.escape(number)}(?!\d)", d) for d in dates):
            continue  # the day of a date flagged below: one fault, one warning
        found.append(_where(claim, number, "number", number in numbers(claim.text, whole, published)))
    for date in dates:
        found.append(_where(claim, date, "date", date in ungrounded_dates(claim.text, whole)))
    if english and not (claim.field == "brief.title" and is_title_case(claim.text)):
        # Capitals tell names apart only in English prose (see checks.grounding).
        nowhere = set(ungrounded_names(claim.text, words_of(whole)))
        near_words = words_of(near)
        for name in ungrounded_names(claim.text, near_words):
            if name not in nowhere and _other_part_near(name, whole, near_words):
                continue  # "Greg" where the cited sentence says "Brockman" and the article "Greg Brockman"
            found.append(_where(claim, name, "name", name in nowhere))
    return found


def _other_part_near(word: str, whole: str, near_words: frozenset[str]) -> bool:
    key = normalize(word)
    for m in re.finditer(r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+", whole):
        parts = normalize(m.group(0)).split()
        if key in parts and any(p in near_words for p in parts if p != key):
            return True
    return False


def _where(claim: Claim, text: str, what: str, nowhere: bool) -> ResultWarning:
    if nowhere:
        kind: WarningKind = {"number": "number-not-found", "date": "date-not-found", "name": "name-not-found"}[what]  # type: ignore[assignment]
        return _warn(kind, claim.field, text, f"this {what} is not in the article")
    return _warn("wrong-citation", claim.field, text, f"this {what} is in the article, but not in the cited sentences {_ids(claim)}")


def _ids(claim: Claim) -> str:
    return "[" + ", ".join(s.id for s in claim.sentences) + "]"


def _named(claim: Claim, near: str, whole: str) -> list[ResultWarning]:
    # People, organizations, quotes: each name the item gives must be in (or just before) its cited sentences.
    kind = claim.field.split(".")[1].split("[")[0]
    near_text, whole_text = mapped(near), mapped(whole)
    found = []
    for position, name in enumerate(claim.names):
        if _written(name, near_text):
            continue
        if _written(name, whole_text):
            found.append(_warn("wrong-citation", claim.field, name, f"named in the article, but not in the cited sentences {_ids(claim)}"))
            continue
        missing: WarningKind = (
            "speaker-not-found" if kind == "quotes" else "person-not-found" if kind == "people" and position == 0 else "organization-not-found"
        )
        found.append(_warn(missing, claim.field, name, "not in the article"))
    return found


_CORPORATE = re.compile(r"(?:,?\s+(?:Inc|Corp|Corporation|Ltd|LLC|SA|SAS|AG|GmbH|plc|Co|NV|SE)\.?)+$")


def _written(name: str, text: MappedText) -> bool:
    """The name stands in the text: as given, without a corporate suffix ("LinkedIn Corp"), or, for a name
    described in words ("Giorgia Meloni's government", "U.S. Department of Justice"), every capitalized word of it."""
    if text.has_words(name) or text.has_words(_CORPORATE.sub("", name)):
        return True
    capitals = [w.strip(".,’'") for w in re.findall(r"[A-Z][\w’'.-]*", name)]
    capitals = [re.sub(r"(?:’s|'s)$", "", w) for w in capitals if len(w.strip(".")) > 1]
    return bool(capitals) and all(text.has_words(w) or w.lower() in _COMMON_CAPITALIZED for w in capitals)


def _grave(claim: Claim) -> list[ResultWarning]:
    return [
        _warn("unsupported", claim.field, claim.text[:80], f"claims {name}; the cited sentences {_ids(claim)} state none")
        for name in unstated(claim.text, claim.cited)
    ]


def example_leaks(texts: list[tuple[str, str]], terms: list[str], article: str) -> list[ResultWarning]:
    """Fields that repeat the prompt example's names, numbers or quotes (which the article does not have)."""
    plain = normalize(article)
    absent = [t for t in terms if normalize(t) not in plain]
    warnings = []
    for field, text in texts:
        value = normalize(text)
        for term in absent:
            if re.search(rf"(?<!\w){re.escape(normalize(term))}(?!\w)", value):
                warnings.append(_warn("example-leak", field, term, "copied from the prompt's example, not from the article"))
    return warnings
