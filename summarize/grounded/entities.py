"""People and organizations of a cited answer: names as the article writes them, at the sentence that names them.

Where to look a name up, how the article spells it, and whether "the United States" is a person are no work
for a model; a 1.5B model got all three wrong often enough (docs/real-model.md, "Held-out articles").
"""

from __future__ import annotations

import difflib
import re

from ..checks.text import normalize
from ..schemas import Organization, Person, Repair
from ..reading.sentences import Sentence
from .claims import Claim, _Deriver
from .schema import CitedOrganization, CitedPerson, CitedSummary

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
    known: set[str] = {n for s in d.index for n in re.findall(r"[A-Z][\w’'.-]*\w(?:\s+[A-Z][\w’'.-]*\w)*", s.text)}
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
