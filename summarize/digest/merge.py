"""The key facts of many briefs merged into one set, with no model: each item cites every article that reports it.

- People merge across name forms ("Altman" and "Sam Altman"; a bare surname joins the one full name it ends);
  organizations by their normalized name.
- A brief's event description may tell several events: it is cut into clauses where each side tells a kind of its
  own (summarize.digest.actions.clauses: "A was fired; B resigned", "A was fired and B resigned", "went to X before
  returning"), each clause keeping the event's date and citations. A clause naming no one is about the people named
  before it ("both went to Microsoft").
- An event is about its subject: the people named together first ("A, B and C left": all three), or, after a
  reporting verb, the people it reports ("X announced that A and B joined": A and B); else its first organization.
- Events merge when they are the same kind of thing (summarize.digest.actions), share a person of their subjects,
  and their dates agree at the coarser precision ("2023-11" and "2023-11-17"); the merged date is the most precise.
  A move ("left A to join B") is one event with the joining that names B ("B hired him"), told from the other side.
  An event that may join several entries joins the one sharing the most of its people (never all: that would chain).
- Amounts merge by currency and value (within 1 %).
- Where sources give different organizations for a person, or different dates or amounts at the same precision,
  the item is marked `differs` and keeps every variant with its citations: never silently resolved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, Field

from ..checks.text import norm
from ..schemas import Result
from .actions import MOVE
from .told import Lexicon, Told, read_event


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
    told_after: str | None = None
    """Undated, and placed after this entry: a brief told the two in one description, this one next ("then")."""

    @property
    def unnamed(self) -> list[str]:
        """The people it is about when its wording names none of them (a clause such as "returning a few days later")."""
        text = self.description.lower()
        return [] if any(p.split()[-1].lower() in text for p in self.people) else self.people


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


_key = lru_cache(maxsize=1 << 16)(norm)  # each variant is compared with every later telling: normalize it once
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


@dataclass
class _Draft:
    event: MergedEvent
    keys: set[str]
    orgs: set[str]
    destinations: set[str]
    headlined: bool
    """Its description names the people it is about."""
    index: int
    """Its place among the entries, in the order they were first told."""


def _same(draft: _Draft, told: Told, date: str | None) -> bool:
    """One event: the same kind (or the two sides of one move), about the same people, on agreeing dates."""
    if told.action is None or not draft.keys & told.subject or not _agree(draft.event.date, date):
        return False
    if draft.event.action == told.action:
        return True
    if {draft.event.action, told.action} != set(MOVE):
        return False
    return _goes_to(draft, told)


def _goes_to(draft: _Draft, told: Told) -> bool:
    """A move ("left A to join B") and a joining ("B hired him") are one when the joining names where the move went."""
    return bool(told.destination and told.destination in draft.orgs) or bool(draft.destinations & told.orgs)


def _best(same: list[_Draft], subject: set[str]) -> _Draft | None:
    """Of the entries an event may join, the one sharing the most of its people (the first on a tie): "A, B and C
    left" joins "B and C left" rather than "A left"; joining every one would make them all one."""
    return max(same, key=lambda d: len(d.keys & subject), default=None)


def _events(
    results: Sequence[tuple[str, Result]], names: _Names, people: dict[str, MergedPerson], organizations: dict[str, MergedOrganization]
) -> list[MergedEvent]:
    drafts: list[_Draft] = []
    follows: dict[int, int] = {}  # an undated entry a description told right after another clause: that entry
    by_key: dict[str, list[int]] = {}  # subject -> drafts about it: the merge looks only at these (linear-ish)
    who, where = Lexicon(people), Lexicon(organizations)
    clauses_of: dict[str, list[Told]] = {}
    # What may open a clause with its subject: a known name, in full or by its last word.
    known = frozenset(k for key in [*people, *organizations] for k in (key, key.split()[-1]))
    for article, result in results:
        cited = _sentences(result)
        for i, event in enumerate(result.key_facts.events):
            citation = _cite(article, f"key_facts.events[{i}]", cited)
            # A description telling several events adds to one entry per clause, each keeping the event's citations.
            if event.description not in clauses_of:  # briefs of one story repeat their descriptions: read each once
                clauses_of[event.description] = read_event(event.description, who, where, known)
            before: int | None = None  # the entry the previous clause of this description went to
            for told in clauses_of[event.description]:
                candidates = sorted({n for key in told.subject for n in by_key.get(key, ())})
                same = [drafts[n] for n in candidates if _same(drafts[n], told, event.date)]
                match = _best(same, told.subject)
                if match is None:
                    merged = MergedEvent(date=event.date, action=told.action, description=told.text, citations=[],
                                         people=sorted(people[k].name for k in told.people),
                                         organizations=sorted(organizations[k].name for k in told.orgs))  # fmt: skip
                    match = _Draft(merged, set(told.subject), set(), set(), told.names_people, len(drafts))
                    if event.date is None and before is not None:
                        follows[match.index] = before
                    # An event of no known kind never merges: indexing it would only make every later look-up longer.
                    for key in told.subject if told.action else ():
                        by_key.setdefault(key, []).append(len(drafts))
                    drafts.append(match)
                elif told.names_people and not match.headlined:
                    match.event.description, match.headlined = told.text, True  # a telling that names who, not "both ..."
                before = match.index
                match.orgs |= told.orgs
                match.destinations |= {told.destination} if told.destination else set()
                merged = match.event
                merged.citations.append(citation)
                _add_variant(merged.descriptions, told.text, citation)
                _add_variant(merged.dates, event.date, citation)
                if event.date and (not merged.date or _precision(event.date) > _precision(merged.date)):
                    merged.date = event.date
    for draft in drafts:
        dates = [v.value for v in draft.event.dates]
        draft.event.differs = any(not _agree(a, b) for a in dates for b in dates)
    return _timeline(drafts, follows)


def _timeline(drafts: list[_Draft], follows: dict[int, int]) -> list[MergedEvent]:
    """Dated entries in date order, each followed by the undated ones a description told right after it ("went to
    Microsoft before returning": the return follows the move); the other undated entries last, as first told."""
    after: dict[int, list[int]] = {}
    for n, previous in follows.items():
        if drafts[n].event.date is None:  # one source's date, merged in later, places it by itself
            after.setdefault(previous, []).append(n)
    placed: set[int] = set()
    order: list[MergedEvent] = []

    def place(n: int) -> None:
        if n in placed:
            return
        placed.add(n)
        order.append(drafts[n].event)
        for later in after.get(n, ()):
            drafts[later].event.told_after = drafts[n].event.description
            place(later)

    ranked = sorted(range(len(drafts)), key=lambda n: (drafts[n].event.date is None, drafts[n].event.date or ""))
    placed_by_another = {n for children in after.values() for n in children}
    for n in ranked:
        if n not in placed_by_another:
            place(n)
    for n in ranked:  # a loop of "told after" links (each after the other): in told order
        place(n)
    return order


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
