"""A digest as Markdown: per story, one timeline with every source cited, people and amounts, where sources differ."""

from __future__ import annotations

from ..digest.model import Digest, Written
from ..digest.merge import Citation, MergedFacts, Variant
from ..digest.stories import Story
from ..warning_kinds import WARNING_LABELS


def _cites(citations: list[Citation]) -> str:
    """`[003 §4.1, 4.2; 001 §2.1]`: each article once, with the sentences its brief cited."""
    by_article: dict[str, list[str]] = {}
    for c in citations:
        by_article.setdefault(c.article, [])
        by_article[c.article] += [s for s in c.sentences if s not in by_article[c.article]]
    parts = [f"{a} §{', '.join(s)}" if s else a for a, s in by_article.items()]
    return "[" + "; ".join(parts) + "]"


def _variants(variants: list[Variant]) -> str:
    return "; ".join(f"{v.value} {_cites(v.citations)}" for v in variants)


def text_markdown(written: Written) -> list[str]:
    """The digest's sentences, each with the articles and sentences its facts rest on, and the warnings."""
    lines = ["### Digest", ""]
    for sentence in written.text.sentences:
        cited = [c for f in sentence.facts if f in written.facts for c in written.facts[f].citations]
        lines.append(f"- {sentence.text} ({', '.join(sentence.facts)}) {_cites(cited)}")
    if written.verified:
        lines += ["", f"{written.verified} of {len(written.text.sentences)} sentence(s) judged by the verifier against their article sentences."]
    if written.warnings:
        lines += ["", "Warnings:", ""] + [f"- ⚠ {WARNING_LABELS[w.kind]}: {w.text} ({w.detail}; {w.field})" for w in written.warnings]
    return lines + [""]


def story_markdown(number: int, story: Story, facts: MergedFacts, *, explain: bool = False, written: Written | None = None) -> list[str]:
    """One story's section."""
    lines = [f"## Story {number}: {len(story.articles)} article(s)", "", "Articles: " + ", ".join(story.articles), ""]
    if len(story.articles) == 1:
        lines += ["One article only: nothing to merge, no other source to confirm or contradict it.", ""]
    if written is not None:
        lines += text_markdown(written)
    lines += ["### Timeline", ""]
    for event in facts.events:
        when = event.date or ("then" if event.told_after else "undated")
        sources = len({c.article for c in event.citations})
        mark = " **sources differ on the date:** " + _variants(event.dates) if event.differs else ""
        about = f" *(about {', '.join(event.unnamed)})*" if event.unnamed else ""
        lines.append(f"- **{when}** {event.description}{about} {_cites(event.citations)} ({sources} source(s)){mark}")
        others = [v for v in event.descriptions if v.value != event.description]
        lines += [f"  - also told as: {v.value} {_cites(v.citations)}" for v in others]
    lines += ["", "### People", ""]
    for person in facts.people:
        roles = _variants(person.roles)
        lines.append(f"- **{person.name}**" + (f" ({', '.join(person.aliases)})" if person.aliases else "") + f" {_cites(person.citations)}"
                     + (f": {roles}" if roles else ""))  # fmt: skip
        if person.differs:
            lines.append(f"  - **sources differ on the organization:** {_variants(person.organizations)}")
    if facts.amounts:
        lines += ["", "### Amounts", ""]
        lines += [f"- {a.description}: {_variants(a.texts)}" for a in facts.amounts]
    if explain:
        lines += ["", "### Why these articles are one story", ""]
        for link in story.links:
            why = [f"{len(link.events)} shared event(s)" if link.events else "", f"people: {', '.join(link.people)}" if link.people else ""]
            lines.append(f"- {link.articles[0]} + {link.articles[1]}: " + "; ".join(w for w in why if w))
    return lines + [""]


def digest_markdown(digest: Digest, *, explain: bool = False) -> str:
    """The whole digest: a section per story, the languages when they are several, and the articles left out."""
    lines = [f"# Digest of {len(digest.articles)} article(s), {len(digest.stories)} story(ies)", ""]
    if len(digest.languages) > 1:
        lines += [f"Articles in {', '.join(digest.languages)}: their facts are merged as their briefs state them, in {digest.target_language}.", ""]
    for number, item in enumerate(digest.stories, 1):
        lines += story_markdown(number, item.story, item.facts, explain=explain, written=item.digest)
    if digest.left_out:
        lines += ["## Left out", ""] + [f"- {line}" for line in digest.left_out] + [""]
    return "\n".join(lines)


__all__ = ["digest_markdown", "story_markdown", "text_markdown"]
