"""Render a Result as a Markdown brief or JSON."""

from __future__ import annotations

import json

from .schemas import KeyFacts, Result

_WARNING_LABELS = {
    "quote-not-found": "Quote not found in the article",
    "person-not-found": "Person not found in the article",
    "organization-not-found": "Organization not found in the article",
    "chunked": "Long article",
    "language-mismatch": "Language",
}


def _facts_markdown(facts: KeyFacts) -> list[str]:
    lines: list[str] = []
    if facts.people:
        lines += ["", "### People", ""]
        for p in facts.people:
            role = ", ".join(filter(None, [p.role, p.organization]))
            lines.append(f"- **{p.name}**" + (f" ({role})" if role else ""))
    if facts.organizations:
        lines += ["", "### Organizations", ""]
        lines += [f"- **{o.name}**" + (f": {o.description}" if o.description else "") for o in facts.organizations]
    if facts.events:
        lines += ["", "### Dates and events", ""]
        lines += [f"- {e.date or e.date_text or 'undated'}: {e.description}" for e in facts.events]
    if facts.amounts:
        lines += ["", "### Amounts", ""]
        for a in facts.amounts:
            value = f"{a.value:,.0f}" if a.value == int(a.value) else f"{a.value:,}"
            lines.append(f"- {value} {a.currency or ''}".rstrip() + f" ({a.text}): {a.description}")
    if facts.quotes:
        lines += ["", "### Quotes", ""]
        for q in facts.quotes:
            lines.append(f"> {q.english}")
            lines.append(">")
            lines.append(f"> *{q.original}*" + (f" — {q.speaker}" if q.speaker else ""))
            lines.append("")
    return lines


def to_markdown(result: Result) -> str:
    """A readable brief: title, summary, key points, source-language summary, key facts, warnings, source."""
    brief, meta, prov = result.brief, result.article, result.provenance
    lines = [f"# {brief.title}", "", brief.summary, "", "## Key points", ""]
    lines += [f"- {point}" for point in brief.key_points]
    lines += ["", f"## Summary ({brief.source_language})", "", brief.source_summary]
    facts = _facts_markdown(result.key_facts)
    if facts:
        lines += ["", "## Key facts"] + facts
    if result.warnings:
        lines += ["", "## Warnings", ""]
        lines += [f"- ⚠ {_WARNING_LABELS[w.kind]}: {w.text} ({w.detail})" for w in result.warnings]
    lines += ["", "## Source", ""]
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
    cost = f", ~${prov.estimated_cost_usd:.4f}" if prov.estimated_cost_usd is not None else ""
    lines += [
        "",
        f"<sub>{prov.model} via {prov.endpoint}{' (replayed)' if prov.replayed else ''} · prompt {prov.prompt_task} v{prov.prompt_version} ({prov.prompt_hash}) · "
        f"{prov.input_tokens} tokens in, {prov.output_tokens} out{cost} · "
        f"{'cached' if prov.cached else f'{prov.attempts} attempt(s)'}</sub>",
    ]
    return "\n".join(lines).rstrip() + "\n"


def to_json(result: Result) -> str:
    """The whole result envelope as indented JSON."""
    return result.model_dump_json(indent=2) + "\n"


def facts_json(result: Result) -> str:
    """Only the key facts, as indented JSON."""
    return json.dumps(result.key_facts.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
