"""A cited answer made into the result's shape: verbatim fields taken from the cited sentences, never from the model.

The model gave ids; here every id is looked up, bad ones dropped (listed as repairs), duplicates dropped, and the
verbatim fields derived: evidence (the cited sentences, located exactly), an event's `date_text` (the date
expression of its cited sentences that agrees with its ISO date), an amount's `text` (the expression whose value
it gives), a quote's `original` (the quotation in its cited sentence). A value its cited text contradicts is
corrected from that text when the text gives exactly one candidate, else flagged.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..checks.derive import DateExpression, dates_in, find_amount, find_date, money_in, numbers_in
from ..checks.text import normalize
from ..schemas import (
    SENTENCE,
    Amount,
    Article,
    Brief,
    ClaimEvidence,
    Event,
    EvidenceSpan,
    KeyFacts,
    KeyPoint,
    Organization,
    Person,
    Quote,
    Repair,
    ResultWarning,
    Summary,
)
from ..sentences import Sentence, Sentences
from .schema import CitedOrganization, CitedPerson, CitedSummary

SUMMARY_LIMIT = 1500
"""The result's `brief.summary` bound (schema 2's, kept so results stay loadable)."""
SOURCE_SUMMARY_LIMIT = 1800
_QUOTED = re.compile(r"«\s*([^«»]+?)\s*»|“([^“”]+?)”|\"([^\"]+?)\"|„([^„“”]+?)[“”]")
MIN_QUOTE_WORDS = 3


@dataclass(frozen=True)
class Claim:
    """One claim of the answer as the reader sees it, and the sentences it cites (valid ids only)."""

    field: str
    text: str
    sentences: tuple[Sentence, ...]
    prose: bool = True
    """Written by the model in the target language (checked for names, numbers and dates against its sentences)."""
    names: tuple[str, ...] = ()
    """For people, organizations and quotes: the names the item gives (person and organization, speaker)."""

    @property
    def cited(self) -> str:
        """The cited sentences' text, one after the other."""
        return " ".join(s.text for s in self.sentences)


@dataclass
class Derived:
    """The answer in the result's shape, its claims, what was dropped or corrected, and what could not be derived."""

    summary: Summary
    claims: list[Claim]
    repairs: list[Repair] = field(default_factory=list)
    warnings: list[ResultWarning] = field(default_factory=list)


def _clip(text: str, limit: int = SENTENCE) -> str:
    # The answer schema bounds evidence at 700 characters; the full sentence stays in the result's evidence spans.
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class _Deriver:
    def __init__(self, article: Article, sentences: Sentences) -> None:
        self.article, self.index = article, sentences
        self.repairs: list[Repair] = []
        self.warnings: list[ResultWarning] = []
        self.claims: list[Claim] = []

    def cites(self, where: str, text: str, ids: list[str], *, keep: bool = False) -> tuple[Sentence, ...] | None:
        """The cited sentences (bad ids dropped and listed); None when none is left and the item must go."""
        found = [s for s in (self.index.get(i) for i in dict.fromkeys(ids)) if s is not None]
        bad = [i for i in ids if self.index.get(i) is None]
        if bad and (found or keep):
            self.repairs.append(Repair(field=where, action="dropped", text=", ".join(bad), reason="citation of a sentence that does not exist"))
        if not found and not keep:
            self.repairs.append(Repair(field=where, action="dropped", text=text[:200], reason=f"cites no sentence of the article ({', '.join(bad)})"))
            return None
        if not found:
            self.warnings.append(ResultWarning(kind="wrong-citation", field=where, text=text[:80], detail="cites no sentence of the article"))
        return tuple(found)

    def drop(self, where: str, text: str, reason: str) -> None:
        self.repairs.append(Repair(field=where, action="dropped", text=text[:200], reason=reason))

    def correct(self, where: str, text: str, reason: str) -> None:
        self.repairs.append(Repair(field=where, action="corrected", text=text[:200], reason=reason))

    def warn(self, kind: str, where: str, text: str, detail: str) -> None:
        self.warnings.append(ResultWarning(kind=kind, field=where, text=text[:80], detail=detail))  # type: ignore[arg-type]

    @property
    def published_year(self) -> int | None:
        found = re.match(r"(\d{4})", self.article.published or "")
        return int(found.group(1)) if found else None


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


_PLACEHOLDER = frozenset({"", "none", "null", "n/a", "na", "unknown", "company", "organization", "organisation", "-", "person"})
_NOT_A_THING_WITH_A_ROLE = frozenset(
    {"place", "location", "country", "city", "region", "period", "historical period", "product", "event", "date", "concept", "technology"}
)


def _value(text: str | None) -> str | None:
    # A small model fills a field it should leave null with "None", "Company" or "unknown".
    return None if text is None or normalize(text) in _PLACEHOLDER else text


_CORPORATE = re.compile(r"(?:,?\s+(?:Inc|Corp|Corporation|Ltd|LLC|SA|SAS|AG|GmbH|plc|Co|NV|SE)\.?)+$")


def _spelled(d: _Deriver, where: str, name: str) -> str:
    """The name as the article writes it: a near miss ("Antropic") is taken from the article, not from the model."""
    if not name or normalize(name) in normalize(d.index.text):
        return name
    bare = _CORPORATE.sub("", name).strip(" ,")
    if bare != name and bare and normalize(bare) in normalize(d.index.text):
        d.correct(where + ".name", f"{name} -> {bare}", "the article writes it so")
        return bare
    known = {n for s in d.index for n in re.findall(r"[A-Z][\w’'.-]*\w(?:\s+[A-Z][\w’'.-]*\w)*", s.text)}
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.85)
    if close:
        d.correct(where + ".name", f"{name} -> {close[0]}", "the article writes it so")
        return close[0]
    return name


def _naming(d: _Deriver, where: str, names: list[str], found: tuple[Sentence, ...]) -> tuple[Sentence, ...]:
    """The sentences that name an entity: the cited ones if they do, else the first that does (where to look
    a name up is no work for a model: the 1.5B model cited the wrong sentence for half the people it listed)."""
    if any(normalize(names[0]) in normalize(s.text) for s in found):
        return found
    for wanted in (names, names[:1]):
        hit = next((s for s in d.index if all(normalize(n) in normalize(s.text) for n in wanted)), None)
        if hit is not None:
            d.correct(where + ".cites", f"{', '.join(s.id for s in found)} -> {hit.id}", f"[{hit.id}] is the first sentence naming {', '.join(wanted)}")
            return (hit,)
    return found


_NOT_A_PERSON = frozenset({"company", "organization", "organisation", "firm", "startup", "start-up", "group", "media", "newspaper"})


_ORGANIZATION_WORDS = frozenset(
    """partners financial capital group bank holdings ventures management commission department court government
    ministry ministere agency agence authority autorite office council conseil union association foundation fondation
    institute university universite news media press presse inc corp ltd llc sa sas publicite""".split()
)


def _person_like(name: str, article: str) -> bool:
    # "Tigress Financial Partners", "Publicité La Commission" or "the United States" listed as people: a name
    # with an institution's word, or one the article writes after an article ("the", "la", "les"), is no person.
    words = set(normalize(name).split())
    if words & _ORGANIZATION_WORDS:
        return False
    return re.search(rf"(?<!\w)(?:the|le|la|les|l['’])\s*{re.escape(name)}(?!\w)", article, re.IGNORECASE) is None


def _is_organization(item: CitedPerson, organizations: set[str]) -> bool:
    # A 1.5B model shown a list of names put OpenAI, Anthropic and Business Insider among people with the role
    # "Company": listed as an organization too, or described as one, it is one.
    return normalize(item.name) in organizations or normalize(item.role or "") in _NOT_A_PERSON


def _people(d: _Deriver, answer: CitedSummary) -> list[Person]:
    people: list[Person] = []
    organizations = {normalize(o.name) for o in answer.key_facts.organizations}
    for item in answer.key_facts.people:
        if normalize(item.role or "") in _NOT_A_THING_WITH_A_ROLE or not _person_like(item.name, d.index.text):
            d.drop("key_facts.people", item.name, f"not a person ({item.role or 'no role'})")
            continue
        if _is_organization(item, organizations):
            if normalize(item.name) not in organizations:
                answer.key_facts.organizations.append(CitedOrganization(name=item.name, description=None, cites=item.cites))
                organizations.add(normalize(item.name))
            d.repairs.append(Repair(field="key_facts.people", action="corrected", text=item.name, reason="an organization, not a person"))
            continue
        where = f"key_facts.people[{len(people)}]"
        twin = next((p for p in people if normalize(p.name) == normalize(item.name)), None)
        if twin is not None:
            d.drop(where, item.name, "the same person twice")
            continue
        found = d.cites(where, item.name, item.cites)
        if found is None:
            continue
        role, organization = _value(item.role), _value(item.organization)
        item = item.model_copy(update={"name": _spelled(d, where, item.name)})
        organization = _spelled(d, where + ".organization", organization) if organization else None
        found = _naming(d, where, [item.name] + ([organization] if organization else []), found)
        people.append(Person.model_construct(name=item.name, role=role, organization=organization))
        described = ", ".join(filter(None, [item.name, role, organization]))
        d.claims.append(Claim(where, described, found, prose=False, names=tuple(filter(None, [item.name, organization]))))
    return people


def _organizations(d: _Deriver, answer: CitedSummary, persons: list[Person]) -> list[Organization]:
    organizations: list[Organization] = []
    people = {normalize(p.name) for p in persons}
    for item in answer.key_facts.organizations:
        where = f"key_facts.organizations[{len(organizations)}]"
        if normalize(item.name) in people:
            d.drop(where, item.name, "a person, not an organization (listed among people too)")
            continue
        if any(normalize(o.name) == normalize(item.name) for o in organizations):
            d.drop(where, item.name, "the same organization twice")
            continue
        found = d.cites(where, item.name, item.cites)
        if found is None:
            continue
        item = item.model_copy(update={"name": _spelled(d, where, item.name)})
        found = _naming(d, where, [item.name], found)
        organizations.append(Organization.model_construct(name=item.name, description=_value(item.description)))
        d.claims.append(Claim(where, f"{item.name}: {item.description or ''}".rstrip(": "), found, prose=False, names=(item.name,)))
    return organizations


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
