"""A digest as one self-contained HTML page: each story's timeline beside its articles; click an entry (or Tab to it
and press Enter) and the sentences it cites are highlighted in every article that reports it.

The page is the HTML reader's (summarize.render.html): the same stylesheet, script and Content-Security-Policy, and
Jinja2 with autoescape, so no article or model text is ever markup. Sentence elements are `a<n>-<sentence id>`, one
prefix per article, so the same "6.2" in two articles is two targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..digest.model import Digest, DigestArticle
from ..digest.merge import Citation, Variant
from ..warning_kinds import WARNING_LABELS


@dataclass
class Ref:
    """A link to one article's cited sentences: its label ("001 §6.2, 6.3") and the first sentence's element id."""

    label: str
    target: str


@dataclass
class Entry:
    """A clickable line: its text, the element ids of every sentence it cites, and a link per article."""

    text: str
    evidence: str
    refs: list[Ref]
    sources: int
    variants: list[tuple[str, list[Ref]]] = field(default_factory=list)
    """Other tellings or values of the same item (each with its own refs), when sources differ or word it differently."""
    differs: str = ""
    flags: list[str] = field(default_factory=list)


@dataclass
class ArticlePane:
    """An article in the pane: its heading and its paragraphs of (element id, sentence) pairs."""

    number: int
    article: DigestArticle
    link: str | None
    paragraphs: list[tuple[int, list[tuple[str, str]]]]


class _Ids:
    """Element ids of the articles' sentences, and which of them the page shows."""

    def __init__(self, articles: list[DigestArticle]) -> None:
        self.number = {a.id: i for i, a in enumerate(articles, 1)}
        self.present = {f"a{self.number[a.id]}-{s.id}" for a in articles for s in a.sentences}

    def of(self, article: str, sentence: str) -> str:
        return f"a{self.number.get(article, 0)}-{sentence}"

    def entry(self, text: str, citations: list[Citation], sources: int | None = None) -> Entry:
        by_article: dict[str, list[str]] = {}
        for c in citations:
            ids = by_article.setdefault(c.article, [])
            ids += [s for s in c.sentences if s not in ids]
        evidence = [self.of(a, s) for a, ids in by_article.items() for s in ids if self.of(a, s) in self.present]
        refs = [Ref(f"{_short(a)} §{', '.join(ids)}" if ids else _short(a), self.of(a, ids[0]) if ids else "") for a, ids in by_article.items()]
        return Entry(text, " ".join(evidence), refs, sources if sources is not None else len(by_article))

    def variants(self, variants: list[Variant]) -> list[tuple[str, list[Ref]]]:
        return [(v.value, self.entry(v.value, v.citations).refs) for v in variants]


def _short(article: str) -> str:
    """An article's label: the file name without its suffix."""
    return re.sub(r"\.(txt|html?|pdf|md)$", "", article)


def _paragraphs(article: DigestArticle, ids: _Ids) -> list[tuple[int, list[tuple[str, str]]]]:
    grouped: dict[int, list[tuple[str, str]]] = {}
    for s in article.sentences:
        paragraph = int(s.id.split(".")[0]) if s.id.split(".")[0].isdigit() else 0
        grouped.setdefault(paragraph, []).append((ids.of(article.id, s.id), s.text))
    return list(grouped.items())


def view(digest: Digest) -> dict[str, object]:
    """What the digest template shows: per story, its timeline, people, amounts and written text; the article pane."""
    from .html import _link

    ids = _Ids(digest.articles)
    stories = []
    for number, item in enumerate(digest.stories, 1):
        events = []
        for event in item.facts.events:
            entry = ids.entry(event.description, event.citations)
            entry.variants = [v for v in ids.variants(event.descriptions) if v[0] != event.description]
            entry.differs = ", ".join(v.value for v in event.dates) if event.differs else ""
            if event.unnamed:
                entry.text += f" (about {', '.join(event.unnamed)})"
            events.append((event.date or ("then" if event.told_after else "undated"), entry))
        people = []
        for person in item.facts.people:
            entry = ids.entry(person.name, person.citations)
            entry.variants = ids.variants(person.roles)
            entry.differs = "; ".join(v.value for v in person.organizations) if person.differs else ""
            people.append((person, entry))
        amounts = [(a, ids.entry(a.description, a.citations), ids.variants(a.texts)) for a in item.facts.amounts]
        written = []
        if item.digest is not None:
            for i, sentence in enumerate(item.digest.text.sentences):
                cited = [c for f in sentence.facts if f in item.digest.facts for c in item.digest.facts[f].citations]
                entry = ids.entry(sentence.text, cited)
                entry.flags = [f"{WARNING_LABELS[w.kind]}: {w.text} ({w.detail})" for w in item.digest.warnings if w.field == f"digest.sentences[{i}]"]
                written.append((sentence, entry))
        stories.append({"number": number, "item": item, "events": events, "people": people, "amounts": amounts, "written": written})
    panes = [ArticlePane(ids.number[a.id], a, _link(a.url), _paragraphs(a, ids)) for a in digest.articles]
    return {"d": digest, "stories": stories, "panes": panes, "has_text": any(p.paragraphs for p in panes)}


__all__ = ["Entry", "Ref", "view"]
