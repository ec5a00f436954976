"""The written digest of a story: a few sentences by the model from the merged facts (not the articles), checked.

The input is short and cheap: the story's merged events and amounts as numbered facts (F1, F2 ...), each with its
date and how many articles report it. Each sentence of the answer cites 1 to 3 facts, and is checked against
them: the ids exist, the sentence is in the target language, and every name and number it writes is in its
facts or in the article sentences those facts cite.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import languages
from ..checks.grounding import ungrounded_names, ungrounded_numbers, words_of
from ..checks.language import language_of
from ..pipeline import Pipeline
from ..grounded.pipeline import sentences_of
from ..schemas import DigestText, Result, ResultWarning
from .merge import Citation, MergedFacts

MAX_FACTS = 24
"""The most facts one request lists (events told by most articles first): the story, not every detail."""


@dataclass
class Fact:
    """One numbered fact of the request, and where it comes from."""

    id: str
    line: str
    citations: list[Citation]


@dataclass
class Written:
    """A story's digest text and what its checks found."""

    text: DigestText
    facts: dict[str, Fact]
    warnings: list[ResultWarning] = field(default_factory=list)


def numbered_facts(facts: MergedFacts) -> list[Fact]:
    """The story's events (and amounts) as numbered facts, the most reported first, then in timeline order."""
    ranked = sorted(facts.events, key=lambda e: -len({c.article for c in e.citations}))[:MAX_FACTS]
    chosen = [e for e in facts.events if e in ranked]  # back in timeline order
    made = []
    for i, event in enumerate(chosen, 1):
        sources = len({c.article for c in event.citations})
        differ = f"; sources differ on the date: {', '.join(v.value for v in event.dates)}" if event.differs else ""
        line = f"[F{i}] {event.date or 'undated'}: {event.description} ({sources} article(s){differ})"
        made.append(Fact(f"F{i}", line, event.citations))
    for j, amount in enumerate(facts.amounts, len(made) + 1):
        texts = ", ".join(v.value for v in amount.texts)
        made.append(Fact(f"F{j}", f"[F{j}] {amount.description}: {texts}", amount.citations))
    return made


def _warn(kind: str, where: str, text: str, detail: str) -> ResultWarning:
    return ResultWarning.model_validate({"kind": kind, "field": where, "text": text[:200], "detail": detail})


def check(text: DigestText, facts: dict[str, Fact], results: dict[str, Result], articles: dict[str, str], target: str) -> list[ResultWarning]:
    """Every sentence against its cited facts and their articles' sentences: ids, language, names and numbers."""
    warnings = []
    for i, sentence in enumerate(text.sentences):
        where = f"digest.sentences[{i}]"
        unknown = [f for f in sentence.facts if f not in facts]
        if unknown:
            warnings.append(_warn("wrong-citation", where, ", ".join(unknown), "no such fact"))
        found = language_of(sentence.text)
        if found is not None and found != target:
            warnings.append(_warn("wrong-language", where, sentence.text, f"written in '{found}', not '{target}'"))
        cited = [facts[f] for f in sentence.facts if f in facts]
        if not cited:
            continue  # nothing to hold it to: its wrong citation says so
        source = " ".join(f.line for f in cited)
        for fact in cited:
            for c in fact.citations:
                if c.article in articles:
                    numbered = sentences_of(articles[c.article])  # split once per article (cached), not per citation
                    source += " " + " ".join(s.text for sid in c.sentences if (s := numbered.get(sid)) is not None)
        for name in ungrounded_names(sentence.text, words_of(source)):
            warnings.append(_warn("name-not-found", where, name, "not in the facts it cites nor their sentences"))
        for number in ungrounded_numbers(sentence.text, source):
            warnings.append(_warn("number-not-found", where, number, "not in the facts it cites nor their sentences"))
    return warnings


def write(pipeline: Pipeline, facts: MergedFacts, results: dict[str, Result], articles: dict[str, str],
          *, prompt_version: int | None = None) -> Written:  # fmt: skip
    """One request for a story's digest text, in the settings' target language, checked."""
    prompt = pipeline.prompts.load("digest", prompt_version)
    made = numbered_facts(facts)
    target = languages.primary(pipeline.settings.target_language)
    messages = prompt.render(facts="\n".join(f.line for f in made), language=languages.name(pipeline.settings.target_language))
    completion = pipeline.client.complete(messages, DigestText, sampling=prompt.sampling)
    by_id = {f.id: f for f in made}
    return Written(completion.value, by_id, check(completion.value, by_id, results, articles, target))


__all__ = ["Fact", "MAX_FACTS", "Written", "check", "numbered_facts", "write"]
