"""A cited answer made into the result's shape: verbatim fields taken from the cited sentences, never from the model.

The model gave ids; here every id is looked up, bad ones dropped (listed as repairs), duplicates dropped, and the
verbatim fields derived: evidence (the cited sentences, located exactly), an event's `date_text` (the date
expression of its cited sentences that agrees with its ISO date), an amount's `text` (the expression whose value
it gives), a quote's `original` (the quotation in its cited sentence). A value its cited text contradicts is
corrected from that text when the text gives exactly one candidate, else flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..checks.derive import DateExpression, dates_in, find_amount, find_date, money_in, numbers_in
from ..checks.text import normalize
from ..schemas import (
    Amount,
    Article,
    Brief,
    ClaimEvidence,
    Event,
    EvidenceSpan,
    KeyFacts,
    KeyPoint,
    Quote,
    Repair,
    ResultWarning,
    Summary,
)
from ..reading.sentences import Sentence, Sentences
from .claims import Claim, _clip, _Deriver
from .entities import _organizations, _people
from .schema import CitedSummary

SUMMARY_LIMIT = 1500
"""The result's `brief.summary` bound (schema 2's, kept so results stay loadable)."""
SOURCE_SUMMARY_LIMIT = 1800
_QUOTED = re.compile(r"«\s*([^«»]+?)\s*»|“([^“”]+?)”|\"([^\"]+?)\"|„([^„“”]+?)[“”]")
MIN_QUOTE_WORDS = 3


@dataclass
class Derived:
    """The answer in the result's shape, its claims, what was dropped or corrected, and what could not be derived."""

    summary: Summary
    claims: list[Claim]
    repairs: list[Repair] = field(default_factory=list)
    warnings: list[ResultWarning] = field(default_factory=list)


def derive(answer: CitedSummary, article: Article, sentences: Sentences, *, same_language: bool = False) -> Derived:
    """The result's Summary and claims from a cited answer (see the module's docstring)."""
    d = _Deriver(article, sentences)
    answer = answer.model_copy(deep=True)  # items move between lists below; the model's answer stays as given
    brief, facts = answer.brief, answer.key_facts
    title_cites: tuple[Sentence, ...] = d.cites("brief.title", brief.title, brief.title_cites, keep=True) or ()
    d.claims.append(Claim("brief.title", brief.title, title_cites))
    summary_sentences: list[str] = []
    for item in brief.summary:
        where = f"brief.summary[{len(summary_sentences)}]"
        cited: tuple[Sentence, ...] = d.cites(where, item.text, item.cites, keep=True) or ()
        if len(" ".join(summary_sentences + [item.text])) > SUMMARY_LIMIT:
            d.drop(where, item.text, f"the summary would exceed {SUMMARY_LIMIT} characters")
            continue
        summary_sentences.append(item.text)
        d.claims.append(Claim(where, item.text, cited))
    key_points: list[KeyPoint] = []
    for n, item in enumerate(brief.key_points):
        where = f"brief.key_points[{len(key_points)}]"
        if any(normalize(k.text) == normalize(item.text) for k in key_points):
            d.drop(where, item.text, "repeats an earlier key point")
            continue
        # A brief keeps one key point at least (the result's schema wants one): the last one is flagged, not dropped.
        last = not key_points and n == len(brief.key_points) - 1
        found = d.cites(where, item.text, item.cites, keep=last)
        if found is None:
            continue
        key_points.append(KeyPoint.model_construct(text=item.text, evidence=[_clip(s.text) for s in found]))
        d.claims.append(Claim(where, item.text, found))
    derived_brief = Brief.model_construct(
        title=brief.title,
        summary=" ".join(summary_sentences),
        source_summary="" if same_language else _source_summary(d.claims),
        key_points=key_points,
        source_language=brief.source_language,
    )
    people = _people(d, answer)
    facts_out = KeyFacts.model_construct(
        people=people, organizations=_organizations(d, answer, people), events=_events(d, answer),
        amounts=_amounts(d, answer), quotes=_quotes(d, answer),
    )  # fmt: skip
    del facts
    return Derived(Summary.model_construct(brief=derived_brief, key_facts=facts_out), d.claims, d.repairs, d.warnings)


def _source_summary(claims: list[Claim]) -> str:
    # The summary in the article's own language is the article's own words: the sentences the summary cites, in
    # order. A 1.5B model asked to write it wrote English half the time; these sentences are exact by construction.
    cited = {s.id: s for c in claims if c.field.startswith("brief.summary[") for s in c.sentences}
    chosen: list[str] = []
    for sentence in sorted(cited.values(), key=lambda s: s.start):
        if len(" ".join(chosen + [sentence.text])) > SOURCE_SUMMARY_LIMIT:
            break
        chosen.append(sentence.text)
    return " ".join(chosen)


def _iso(expression: DateExpression, year_hint: int | None) -> str | None:
    year = expression.year or year_hint
    if year is None:
        return None
    if expression.month is None:
        return f"{year:04d}"
    if expression.day is None:
        return f"{year:04d}-{expression.month:02d}"
    return f"{year:04d}-{expression.month:02d}-{expression.day:02d}"


def _year_hint(d: _Deriver, cited: str) -> int | None:
    # A day and month without a year: the year written in the same sentences, else the publication year.
    years = {e.year for e in dates_in(cited) if e.year}
    return years.pop() if len(years) == 1 else d.published_year


def _events(d: _Deriver, answer: CitedSummary) -> list[Event]:
    events: list[Event] = []
    seen: set[tuple[str, str]] = set()
    for item in answer.key_facts.events:
        where = f"key_facts.events[{len(events)}]"
        found = d.cites(where, item.description, item.cites)
        if found is None:
            continue
        cited = " ".join(s.text for s in found)
        date, date_text = item.date, None
        candidates = [e for e in dates_in(cited) if e.month is not None or e.year is not None]
        if date is not None:
            match = find_date(cited, date, published=d.article.published)
            if match is not None:
                date_text = match.text
            elif len(candidates) == 1 and _iso(candidates[0], _year_hint(d, cited)) is not None:
                date, date_text = _iso(candidates[0], _year_hint(d, cited)), candidates[0].text
                d.correct(where + ".date", f"{item.date} -> {date}", f"the cited sentences say {candidates[0].text!r}")
            else:  # a date no cited sentence gives is not kept (the event stays, undated)
                d.correct(where + ".date", f"{item.date} -> none", "the cited sentences give no date that agrees")
                date = None
        elif len(candidates) == 1:
            date, date_text = _iso(candidates[0], _year_hint(d, cited)), candidates[0].text
        key = (normalize(item.description), date or "")
        if key in seen or any(e.date == date and _alike(e.description, item.description) for e in events):
            d.drop(where, item.description, "the same event twice")
            continue
        seen.add(key)
        evidence = [_clip(s.text) for s in found]
        events.append(Event.model_construct(date=date, date_text=date_text, description=item.description, evidence=evidence))
        d.claims.append(Claim(where, item.description, found))
    return events


def _alike(a: str, b: str) -> bool:
    # The same event told twice (a 1.5B model repeated one event six times, in slightly different words).
    x, y = set(normalize(a).split()), set(normalize(b).split())
    return len(x & y) / max(1, len(x | y)) >= 0.6


def _amounts(d: _Deriver, answer: CitedSummary) -> list[Amount]:
    amounts: list[Amount] = []
    for item in answer.key_facts.amounts:
        where = f"key_facts.amounts[{len(amounts)}]"
        found = d.cites(where, item.description, item.cites)
        if found is None:
            continue
        cited = " ".join(s.text for s in found)
        value, currency, text = item.value, item.currency, ""
        match = find_amount(cited, item.value, item.currency)
        if match is not None:
            text, currency = match.text, match.currency or currency
        else:
            options = money_in(cited) if item.currency else [n for n in numbers_in(cited) if n.currency is None]
            if len(options) == 1:
                value, currency, text = options[0].value, options[0].currency, options[0].text
                d.correct(where + ".value", f"{item.value:g} -> {value:g}", f"the cited sentences say {text!r}")
            else:  # an amount no cited sentence gives is no fact of the article
                d.drop(where, item.description, f"the cited sentences do not give {item.value:g} {item.currency or ''}".rstrip())
                continue
        if any(a.value == value and a.currency == currency and a.text == text for a in amounts):
            d.drop(where, item.description, "the same amount twice")
            continue
        amounts.append(
            Amount.model_construct(
                value=value, currency=currency, text=text[:120], description=item.description, evidence=[_clip(s.text) for s in found]
            )
        )
        d.claims.append(Claim(where, f"{item.description} ({text or f'{item.value:g}'})", found))
    return amounts


_FIRST_PERSON = re.compile(r"(?<!\w)(je|j|me|m|mon|ma|mes|nous|notre|nos|i|my|we|our|us)(?!\w)", re.IGNORECASE)


def quotations(text: str) -> list[str]:
    """The quoted passages of a sentence (« », “ ”, " ", „ “) of three words or more; with no quotation marks, a
    sentence in the first person is itself a quotation (a block quote whose marks the scraper dropped)."""
    spans = [s.strip() for s in ("".join(filter(None, m.groups())) for m in _QUOTED.finditer(text))]
    spans = [s for s in spans if len(s.split()) >= MIN_QUOTE_WORDS]
    if not spans and not re.search(r"[«»“”\"„]", text) and _FIRST_PERSON.search(text.replace("’", " ").replace("'", " ")):
        return [text.strip()]
    return spans


def _quotes(d: _Deriver, answer: CitedSummary) -> list[Quote]:
    quotes: list[Quote] = []
    for item in answer.key_facts.quotes:
        where = f"key_facts.quotes[{len(quotes)}]"
        found = d.cites(where, item.translation, item.cites)
        if found is None:
            continue
        # One quotation may run over several sentences: its words are the quoted words of each, in order.
        spans = [max(quotations(s.text), key=len) for s in found if quotations(s.text)]
        if not spans:
            d.drop(where, item.translation, "the cited sentences hold no quotation")
            continue
        original = " ".join(spans)
        if any(q.original == _clip(original) for q in quotes):
            d.drop(where, item.translation, "the same quotation twice")
            continue
        quotes.append(Quote.model_construct(speaker=item.speaker, original=_clip(original), english=item.translation))
        speaker = tuple(filter(None, [item.speaker]))
        d.claims.append(Claim(where, f"{item.speaker or 'someone'}: {item.translation}", found, prose=False, names=speaker))
    return quotes


def evidence_of(claims: list[Claim]) -> list[ClaimEvidence]:
    """Each claim with its cited sentences located in the cleaned text (exact: they are the article's own)."""
    return [
        ClaimEvidence(
            field=c.field,
            claim=c.text,
            evidence=[EvidenceSpan(text=s.text, paragraph=s.paragraph - 1, start=s.start, end=s.end, sentence=s.id) for s in c.sentences],
            supported=True,
        )
        for c in claims
    ]
