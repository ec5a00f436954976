"""Markdown: a brief (Result) with footnoted evidence, a translation (TranslationResult), any other result generically."""

from __future__ import annotations

import functools

from pydantic import BaseModel

from ..digest.model import Digest
from ..warning_kinds import WARNING_LABELS
from ..schemas import ArticleMetadata, ClaimEvidence, EvidenceSpan, KeyFacts, Provenance, Result, ResultWarning, TranslationResult
from .digest import digest_markdown




class _Footnotes:
    """Numbers each claim's evidence as a Markdown footnote: the reader checks any line in one click."""

    def __init__(self, evidence: list[ClaimEvidence]) -> None:
        self.by_field = {e.field: e for e in evidence}
        self.notes: list[str] = []

    def mark(self, field: str) -> str:
        claim = self.by_field.get(field)
        if claim is None:
            return ""
        number = len(self.notes) + 1
        cited = [_cited(span) for span in claim.evidence]
        body = " ".join(cited) if cited else "no evidence given"
        self.notes.append(f"[^{number}]: {'⚠ unsupported: ' if not claim.supported else ''}{body}")
        return f"[^{number}]" + ("" if claim.supported else " ⚠")


def _cited(span: EvidenceSpan) -> str:
    if span.sentence is not None:
        return f"[{span.sentence}] «{span.text}»"
    return f"¶{span.paragraph + 1} «{span.text}»" if span.paragraph is not None else f"«{span.text}» (not in the article)"


def _summary(result: Result, notes: _Footnotes) -> str:
    # A cited brief's summary is a list of sentences, each with its own footnote; an older one is one paragraph.
    sentences = [e for e in result.evidence if e.field.startswith("brief.summary[")]
    if not sentences:
        return result.brief.summary
    return " ".join(f"{e.claim}{notes.mark(e.field)}" for e in sentences)


def _facts_markdown(facts: KeyFacts, notes: _Footnotes) -> list[str]:
    lines: list[str] = []
    if facts.people:
        lines += ["", "### People", ""]
        for p in facts.people:
            role = ", ".join(filter(None, [p.role, p.organization]))
            lines.append(f"- **{p.name}**" + (f" ({role})" if role else "") + notes.mark(f"key_facts.people[{facts.people.index(p)}]"))
    if facts.organizations:
        lines += ["", "### Organizations", ""]
        lines += [
            f"- **{o.name}**" + (f": {o.description}" if o.description else "") + notes.mark(f"key_facts.organizations[{i}]")
            for i, o in enumerate(facts.organizations)
        ]
    if facts.events:
        lines += ["", "### Dates and events", ""]
        lines += [
            f"- {e.date or e.date_text or 'undated'}: {e.description}{notes.mark(f'key_facts.events[{i}]')}"
            for i, e in enumerate(facts.events)
        ]
    if facts.amounts:
        lines += ["", "### Amounts", ""]
        for i, a in enumerate(facts.amounts):
            value = f"{a.value:,.0f}" if a.value == int(a.value) else f"{a.value:,}"
            mark = notes.mark(f"key_facts.amounts[{i}]")
            lines.append(f"- {value} {a.currency or ''}".rstrip() + f" ({a.text}): {a.description}{mark}")
    if facts.quotes:
        lines += ["", "### Quotes", ""]
        for i, q in enumerate(facts.quotes):
            lines.append(f"> {q.english}{notes.mark(f'key_facts.quotes[{i}]')}")
            lines.append(">")
            lines.append(f"> *{q.original}*" + (f" — {q.speaker}" if q.speaker else ""))
            lines.append("")
    return lines


def _one_summary(result: Result) -> bool:
    """The result says the article was already in the target language (a `same-language` note)."""
    return any(w.kind == "same-language" for w in result.warnings)


def to_markdown(result: Result) -> str:
    """A readable brief: title, summary, key points, source-language summary, key facts, warnings, source."""
    brief = result.brief
    notes = _Footnotes(result.evidence)
    lines = [f"# {brief.title}{notes.mark('brief.title')}", "", _summary(result, notes), "", "## Key points", ""]
    lines += [f"- {point.text}{notes.mark(f'brief.key_points[{i}]')}" for i, point in enumerate(brief.key_points)]
    if brief.source_summary.strip() and _one_summary(result):
        # The article is in the target language: no second summary was asked for, and this one is not labelled
        # as if it were the article's language (a model that wrote French anyway would be shown under "(en)").
        lines += ["", "## A second summary, not asked for (flagged)", "",
                  f"> ⚠ The article is already in {brief.source_language}: the prompt asked for one summary; the model wrote this too.",
                  "", brief.source_summary]  # fmt: skip
    elif brief.source_summary.strip():  # empty when the article is already in the target language
        lines += ["", f"## Summary ({brief.source_language})", "", brief.source_summary]
    facts = _facts_markdown(result.key_facts, notes)
    if facts:
        lines += ["", "## Key facts"] + facts
    lines += _warnings(result.warnings) + _repairs(result) + _source(result.article) + _footer(result.provenance)
    if notes.notes:
        where = "[p.s] = paragraph and sentence, `summarize clean --sentences`" if result.schema_version >= 3 else "¶ = paragraph"
        lines += ["", f"Evidence ({where} of the cleaned article):", ""] + notes.notes
    return "\n".join(lines).rstrip() + "\n"


def translation_markdown(result: TranslationResult, *, side_by_side: bool = False) -> str:
    """The translated article (or a source | translation table), then warnings, source and provenance.

    A paragraph still missing after repair is shown in its source language, marked, never left out.
    """
    title = result.title or result.article.title or "(untitled)"
    lines = [f"# {title}", ""]
    if side_by_side:
        lines += [f"| ¶ | {result.article.language or 'source'} | {result.target_language} |", "|---|---|---|"]
        for pair in result.paragraphs:
            target = pair.target if pair.target is not None else "⚠ *(not translated)*"
            lines.append(f"| {pair.n} | {_cell(pair.source)} | {_cell(target)} |")
    else:
        for pair in result.paragraphs:
            lines += [pair.target if pair.target is not None else f"⚠ *(paragraph {pair.n} not translated)* {pair.source}", ""]
    lines += _warnings(result.warnings) + _source(result.article) + _footer(result.provenance)
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def _warnings(warnings: list[ResultWarning]) -> list[str]:
    if not warnings:
        return []
    return ["", "## Warnings", ""] + [
        f"- ⚠ {WARNING_LABELS[w.kind]}: {w.text} ({w.detail}{f'; {w.field}' if w.field else ''})" for w in warnings
    ]


def _repairs(result: Result) -> list[str]:
    if not result.repairs:
        return []
    return ["", "## Dropped or corrected", ""] + [f"- {r.action} {r.field}: {r.text} ({r.reason})" for r in result.repairs]


def _source(meta: ArticleMetadata) -> list[str]:
    lines = ["", "## Source", ""]
    for label, value in (
        ("Title", meta.title),
        ("Author", meta.author),
        ("Published", meta.published),
        ("Site", meta.site_name),
        ("URL", meta.url),
        ("Language", meta.language),
        ("File", meta.source),
    ):
        if value:
            lines.append(f"- {label}: {value}")
    return lines


def _footer(prov: Provenance) -> list[str]:
    cost = f", ~${prov.estimated_cost_usd:.4f}" if prov.estimated_cost_usd is not None else ""
    return [
        "",
        f"<sub>{prov.model} via {prov.endpoint}{' (replayed)' if prov.replayed else ''} · prompt {prov.prompt_task} v{prov.prompt_version} ({prov.prompt_hash}) · "
        f"{prov.input_tokens} tokens in, {prov.output_tokens} out{cost} · "
        f"{'cached' if prov.cached else f'{prov.attempts} attempt(s)'}{f' · summarize {prov.tool_version}' if prov.tool_version else ''}</sub>",
    ]


@functools.singledispatch
def markdown(result: BaseModel) -> str:
    """Any result as Markdown: a task without a renderer of its own gets its fields listed (no code in render/ needed)."""
    data = result.model_dump(mode="json", exclude={"provenance", "article", "warnings"})
    lines = [f"# {type(result).__name__}", ""]
    lines += [f"- **{key}**: {value}" for key, value in data.items()]
    warnings = getattr(result, "warnings", [])
    return "\n".join(lines + _warnings(warnings)).rstrip() + "\n"


@markdown.register
def _(result: Result) -> str:
    return to_markdown(result)


@markdown.register
def _(result: TranslationResult) -> str:
    return translation_markdown(result)


@markdown.register
def _(result: Digest) -> str:
    return digest_markdown(result)


def side_by_side(result: TranslationResult) -> str:
    """A translation as a table: each source paragraph beside its translation."""
    return translation_markdown(result, side_by_side=True)
