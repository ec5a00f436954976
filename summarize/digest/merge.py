"""The key facts of many briefs merged into one set, with no model: each item cites every article that reports it.

- People merge across name forms ("Altman" and "Sam Altman"; a bare surname joins the one full name it ends);
  organizations by their normalized name.
- Events merge when they are the same kind of thing (summarize.digest.actions), are about the same person (or
  organization: the one their description names first), and their dates agree at the coarser precision ("2023-11" and "2023-11-17"); the merged date is the most precise.
- Amounts merge by currency and value (within 1 %).
- Where sources give different organizations for a person, or different dates or amounts at the same precision,
  the item is marked `differs` and keeps every variant with its citations: never silently resolved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from ..checks.text import norm
from ..schemas import Result
from .actions import action_of


class Citation(BaseModel):
    """Where one article says it: the article, the field of its brief, and the sentence ids that field cites."""

    article: str
    field: str
    sentences: list[str] = Field(default_factory=list)


class Variant(BaseModel):
    """One value sources give (a date, an organization, a role) and the citations that give it."""

    value: str
    citations: list[Citation]


class MergedPerson(BaseModel):
    """A person across articles."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    citations: list[Citation]
    roles: list[Variant] = Field(default_factory=list)
    organizations: list[Variant] = Field(default_factory=list)
    differs: bool = False
    """Sources give different organizations."""


class MergedOrganization(BaseModel):
    """An organization across articles."""

    name: str
    citations: list[Citation]


class MergedEvent(BaseModel):
    """One event across articles: a timeline entry."""

    date: str | None
    action: str | None
    description: str
    people: list[str] = Field(default_factory=list)
    organizations: list[str] = Field(default_factory=list)
    citations: list[Citation]
    dates: list[Variant] = Field(default_factory=list)
    descriptions: list[Variant] = Field(default_factory=list)
    differs: bool = False
    """Sources give dates that disagree at the same precision."""


class MergedAmount(BaseModel):
    """An amount across articles."""

    value: float
    currency: str | None
    description: str
    citations: list[Citation]
    texts: list[Variant] = Field(default_factory=list)
    differs: bool = False
    """Sources give values more than 1 % apart for what was merged by description (not used yet)."""


class MergedFacts(BaseModel):
    """The merged key facts of a set of articles."""

    articles: list[str]
    people: list[MergedPerson]
    organizations: list[MergedOrganization]
    events: list[MergedEvent]
    amounts: list[MergedAmount]


_key = norm
"""A name or text as compared: no accents, case, quotes or punctuation, single spaces (as the evaluation compares)."""


def _sentences(result: Result) -> dict[str, list[str]]:
    return {e.field: [s.sentence for s in e.evidence if s.sentence] for e in result.evidence}


def _cite(article: str, field: str, cited: dict[str, list[str]]) -> Citation:
    return Citation(article=article, field=field, sentences=cited.get(field, []))


def _add_variant(variants: list[Variant], value: str | None, citation: Citation) -> None:
    if not value:
        return
    for variant in variants:
        if _key(variant.value) == _key(value):
            variant.citations.append(citation)
            return
    variants.append(Variant(value=value, citations=[citation]))


def _differ(variants: list[Variant]) -> bool:
    """Sources give more than one value (each variant is a different value, compared as names)."""
    return len(variants) > 1


# --------------------------------------------------------------------------- people and organizations


@dataclass
class _Names:
    """Every name form seen, mapped to the one full name it stands for."""

    full: dict[str, str]  # key -> display name of the full form
    alias: dict[str, str]  # key of any form -> key of its full form

    def of(self, name: str) -> str | None:
        """The full form's key of a name, if it is known."""
        return self.alias.get(_key(name))


def _names(forms: Iterable[str]) -> _Names:
    keyed = {_key(n): n for n in forms if _key(n)}
    multi = {k: n for k, n in keyed.items() if len(k.split()) > 1}
    alias = {k: k for k in multi}
    for key in keyed:
        if key in alias:
            continue
        # A shorter form joins the one full name that ends with it ("Altman" -> "Sam Altman"); otherwise it stands alone.
        ending = [full for full in multi if full.endswith(" " + key) or full.split()[-1] == key]
        alias[key] = ending[0] if len(ending) == 1 else key
    full = {k: keyed[k] for k in set(alias.values())}
    return _Names(full, alias)


def merge(results: Sequence[tuple[str, Result]]) -> MergedFacts:
    """Merge the key facts of `(article id, result)` pairs; the order of the pairs is the order of citations."""
    names = _names(p.name for _, r in results for p in r.key_facts.people)
    people: dict[str, MergedPerson] = {}
    organizations: dict[str, MergedOrganization] = {}
    for article, result in results:
        cited = _sentences(result)
        for i, person in enumerate(result.key_facts.people):
            key = names.of(person.name) or _key(person.name)
            citation = _cite(article, f"key_facts.people[{i}]", cited)
            merged = people.setdefault(key, MergedPerson(name=names.full.get(key, person.name), citations=[]))
            merged.citations.append(citation)
            if person.name != merged.name and person.name not in merged.aliases:
                merged.aliases.append(person.name)
            _add_variant(merged.roles, person.role, citation)
            _add_variant(merged.organizations, person.organization, citation)
        for i, org in enumerate(result.key_facts.organizations):
            citation = _cite(article, f"key_facts.organizations[{i}]", cited)
            organizations.setdefault(_key(org.name), MergedOrganization(name=org.name, citations=[])).citations.append(citation)
    for merged_person in people.values():
        merged_person.differs = _differ(merged_person.organizations)
    events = _events(results, names, people, organizations)
    return MergedFacts(
        articles=[article for article, _ in results],
        people=sorted(people.values(), key=lambda p: -len({c.article for c in p.citations})),
        organizations=sorted(organizations.values(), key=lambda o: -len({c.article for c in o.citations})),
        events=events,
        amounts=_amounts(results),
    )


# --------------------------------------------------------------------------- events


def _precision(date: str) -> int:
    return len(date.split("-"))


def _agree(a: str | None, b: str | None) -> bool:
    """Dates agree at the coarser precision (an unknown date agrees with any)."""
    if not a or not b:
        return True
    n = min(_precision(a), _precision(b))
    return a.split("-")[:n] == b.split("-")[:n]


def _mentioned(description: str, keys: Iterable[str]) -> dict[str, int]:
    """The names a description mentions (in full or by their last word), with where it first does."""
    text = f" {_key(description)} "
    found: dict[str, int] = {}
    for key in keys:
        at = [i for i in (text.find(f" {key} "), text.find(f" {key.split()[-1]} ")) if i >= 0]
        if at:
            found[key] = min(at)
    return found


def _subject(mentioned: dict[str, int]) -> set[str]:
    """Who an event is about: the name it mentions first ("Mira Murati left" is about Murati; "Sam Altman
    announced the departures of McGrew and Zoph" about Altman). Matching on every name chained unrelated events."""
    return {min(mentioned, key=lambda k: mentioned[k])} if mentioned else set()


@dataclass
class _Draft:
    event: MergedEvent
    keys: set[str]


def _events(
    results: Sequence[tuple[str, Result]], names: _Names, people: dict[str, MergedPerson], organizations: dict[str, MergedOrganization]
) -> list[MergedEvent]:
    drafts: list[_Draft] = []
    for article, result in results:
        cited = _sentences(result)
        for i, event in enumerate(result.key_facts.events):
            citation = _cite(article, f"key_facts.events[{i}]", cited)
            who = _mentioned(event.description, people)
            orgs = _mentioned(event.description, organizations)
            action = action_of(event.description)
            # The subject decides: a person, or an organization when no person is named (it is in almost every event).
            keys = _subject(who) or _subject(orgs)
            match = next((d for d in drafts if action is not None and d.event.action == action and d.keys & keys
                          and _agree(d.event.date, event.date)), None)  # fmt: skip
            if match is None:
                merged = MergedEvent(date=event.date, action=action, description=event.description, citations=[],
                                     people=sorted(people[k].name for k in who), organizations=sorted(organizations[k].name for k in orgs))  # fmt: skip
                match = _Draft(merged, set(keys))
                drafts.append(match)
            merged = match.event
            merged.citations.append(citation)
            _add_variant(merged.descriptions, event.description, citation)
            _add_variant(merged.dates, event.date, citation)
            if event.date and (not merged.date or _precision(event.date) > _precision(merged.date)):
                merged.date = event.date
    for draft in drafts:
        dates = [v.value for v in draft.event.dates]
        draft.event.differs = any(not _agree(a, b) for a in dates for b in dates)
    # The timeline: dated events in date order, then those no source dates (in the order they were first told).
    return [d.event for d in sorted(drafts, key=lambda d: (d.event.date is None, d.event.date or ""))]


# --------------------------------------------------------------------------- amounts


def _amounts(results: Sequence[tuple[str, Result]]) -> list[MergedAmount]:
    merged: list[MergedAmount] = []
    for article, result in results:
        cited = _sentences(result)
        for i, amount in enumerate(result.key_facts.amounts):
            citation = _cite(article, f"key_facts.amounts[{i}]", cited)
            same = next((m for m in merged if m.currency == amount.currency
                         and abs(m.value - amount.value) <= 0.01 * max(abs(m.value), abs(amount.value))), None)  # fmt: skip
            if same is None:
                same = MergedAmount(value=amount.value, currency=amount.currency, description=amount.description, citations=[])
                merged.append(same)
            same.citations.append(citation)
            _add_variant(same.texts, amount.text, citation)
    return merged


__all__ = ["Citation", "MergedAmount", "MergedEvent", "MergedFacts", "MergedOrganization", "MergedPerson", "Variant", "merge"]
