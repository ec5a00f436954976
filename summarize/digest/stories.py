"""Stories: articles grouped by what they share, deterministically and explainably (`summarize digest --explain`).

Two articles are in one story when they report one merged event, or name at least `MIN_SHARED_PEOPLE` of the same
people; a story is everything connected that way. Grouping is linear in the articles (events and pairs of people
are indexed), so 500 articles take a fraction of a second. An organization alone never links two articles: "OpenAI" is in
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


def _reasons(facts: MergedFacts) -> list[tuple[list[str], Link]]:
    """Groups of articles that must share a story, each with why: the articles citing one merged event, and the
    articles naming one pair of people (indexed by the pair: linear in the articles, never every pair of them)."""
    found: list[tuple[list[str], Link]] = []
    for event in facts.events:
        articles = list(dict.fromkeys(c.article for c in event.citations))
        if len(articles) > 1:
            found.append((articles, Link(articles=(articles[0], articles[1]), events=[event.description])))
    named: dict[str, list[str]] = {article: [] for article in facts.articles}
    for person in facts.people:
        for article in dict.fromkeys(c.article for c in person.citations):
            named[article].append(person.name)
    pairs: dict[tuple[str, ...], list[str]] = {}
    for article, people in named.items():
        for pair in combinations(sorted(people), MIN_SHARED_PEOPLE):
            pairs.setdefault(pair, []).append(article)
    for pair, articles in pairs.items():
        if len(articles) > 1:
            found.append((articles, Link(articles=(articles[0], articles[1]), people=list(pair))))
    return found


def stories(facts: MergedFacts) -> list[Story]:
    """The articles in connected groups (a story of one article included), largest first, then in article order.

    Each story keeps the links that joined it (a spanning tree: one reason per article added), `--explain`'s material.
    """
    order = {article: i for i, article in enumerate(facts.articles)}
    parent = {article: article for article in facts.articles}

    def root(article: str) -> str:
        while parent[article] != article:
            parent[article] = parent[parent[article]]
            article = parent[article]
        return article

    joined: list[Link] = []
    for articles, why in _reasons(facts):
        first = articles[0]
        for other in articles[1:]:
            a, b = root(first), root(other)
            if a != b:
                parent[max(a, b, key=order.__getitem__)] = min(a, b, key=order.__getitem__)
                joined.append(why.model_copy(update={"articles": (first, other)}))
    groups: dict[str, list[str]] = {}
    for article in facts.articles:
        groups.setdefault(root(article), []).append(article)
    result = [Story(articles=members, links=[link for link in joined if root(link.articles[0]) == key])
              for key, members in groups.items()]  # fmt: skip
    return sorted(result, key=lambda s: (-len(s.articles), order[s.articles[0]]))


def links(facts: MergedFacts) -> list[Link]:
    """Why the articles of each story are together: the links that joined them."""
    return [link for story in stories(facts) for link in story.links]


__all__ = ["MIN_SHARED_PEOPLE", "Link", "Story", "links", "stories"]
