"""Stories: articles grouped by what they share, deterministically and explainably (`summarize digest --explain`).

Two articles are in one story when they report one merged event, or name at least `MIN_SHARED_PEOPLE` of the same
people; a story is everything connected that way. An organization alone never links two articles: "OpenAI" is in
every tech story of the week.
"""

from __future__ import annotations

from itertools import combinations

from pydantic import BaseModel, Field

from .merge import MergedFacts

MIN_SHARED_PEOPLE = 2


class Link(BaseModel):
    """Why two articles are in one story."""

    articles: tuple[str, str]
    events: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)


class Story(BaseModel):
    """Articles that tell one story, and the links that put them together."""

    articles: list[str]
    links: list[Link] = Field(default_factory=list)


def links(facts: MergedFacts) -> list[Link]:
    """Every pair of articles that shares an event, or enough people."""
    found: list[Link] = []
    for a, b in combinations(facts.articles, 2):
        events = [e.description for e in facts.events if {a, b} <= {c.article for c in e.citations}]
        people = [p.name for p in facts.people if {a, b} <= {c.article for c in p.citations}]
        if events or len(people) >= MIN_SHARED_PEOPLE:
            found.append(Link(articles=(a, b), events=events, people=people))
    return found


def stories(facts: MergedFacts) -> list[Story]:
    """The articles in connected groups (a story of one article included), largest first, then in article order."""
    parent = {article: article for article in facts.articles}

    def root(article: str) -> str:
        while parent[article] != article:
            parent[article] = parent[parent[article]]
            article = parent[article]
        return article

    found = links(facts)
    for link in found:
        a, b = (root(x) for x in link.articles)
        if a != b:
            parent[max(a, b, key=facts.articles.index)] = min(a, b, key=facts.articles.index)
    groups: dict[str, list[str]] = {}
    for article in facts.articles:
        groups.setdefault(root(article), []).append(article)
    result = [Story(articles=members, links=[l for l in found if l.articles[0] in members]) for members in groups.values()]
    return sorted(result, key=lambda s: (-len(s.articles), facts.articles.index(s.articles[0])))


__all__ = ["MIN_SHARED_PEOPLE", "Link", "Story", "links", "stories"]
