"""Commands on one article (brief, facts, translate, tokens, clean) and the JSON Schemas (schema)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Optional

import typer

from ..errors import clip
from .commands import command
from .options import OutputPath, Source, emit, formats_for
from .progress import live_progress


def _formats(task: str) -> Any:
    """The formats that can render the results of `task` (a name in summarize.tasks.TASKS)."""

    def names() -> list[str]:
        from ..tasks import TASKS

        return formats_for(TASKS[task].result)

    return names


@command(model=True, task="summary", settings=("length", "focus", "stream"), formats=_formats("summary"))
def brief(source: Source, output: OutputPath = None, *, summarizer: Any, prompt_version: int | None, format: str) -> None:
    """Summarize one article into a brief in the --lang language, with the article's-language summary and key facts."""
    from ..reading.read import load_article
    from ..render import get_format

    fmt = get_format(format, summarizer.task.result)  # refused before anything is paid for
    article = load_article(source)
    with live_progress():
        result = summarizer.run(article, prompt_version=prompt_version)
    emit(fmt.render(result, article), output)


@command(model=True, task="summary", settings=("length", "focus", "stream"))
def facts(source: Source, output: OutputPath = None, *, summarizer: Any, prompt_version: int | None) -> None:
    """Print the key facts of one article as JSON (descriptions in the --lang language)."""
    from ..render.json import facts_json

    with live_progress():
        result = summarizer.run(source, prompt_version=prompt_version)
    emit(facts_json(result), output)


SideBySide = Annotated[bool, typer.Option("--side-by-side", help="Markdown table: each source paragraph beside its translation (--format side-by-side).")]


@command(model=True, task="translate", settings=("glossary_file", "stream"), formats=_formats("translate"))
def translate(
    source: Source,
    output: OutputPath = None,
    side_by_side: SideBySide = False,
    *,
    summarizer: Any,
    prompt_version: int | None,
    format: str,
) -> None:
    """Translate one article into the --to language, paragraph by paragraph (a long one in parallel parts)."""
    import asyncio

    from ..reading.read import load_article
    from ..render import get_format

    fmt = get_format("side-by-side" if side_by_side else format, summarizer.task.result)
    article = load_article(source)

    async def run() -> Any:
        try:
            return await summarizer.arun(article, prompt_version=prompt_version)
        finally:
            await summarizer.aclose()

    with live_progress():
        result = asyncio.run(run())
    emit(fmt.render(result, article), output)


@command(model=True, sends=False, settings=("task", "length", "glossary_file"))
def tokens(source: Source, *, summarizer: Any, prompt_version: int | None) -> None:
    """Count tokens of the raw text, the cleaned text and the full prompt, and estimate the cost."""
    from ..reading.read import read_article
    from ..runs.estimate import Estimate
    from ..tokens import count_tokens

    reading = read_article(source)
    plan = summarizer.plan(reading.article, prompt_version=prompt_version)
    info = summarizer.model
    estimate = Estimate(articles=1)  # the same estimator as batch --dry-run and eval --dry-run
    estimate.add(summarizer, plan, use_cache=False)
    estimate.price(info)
    rows = [
        ("model", f"{info.name} (encoding {info.encoding}, context {info.context_window:,})"),
        ("raw text", f"{count_tokens(reading.raw.text, info.encoding):,} tokens"),
        ("cleaned text", f"{count_tokens(reading.article.text, info.encoding):,} tokens"),
        ("prompt", f"{plan.prompt_tokens:,} tokens in {len(plan.calls)} request(s), prompt {plan.prompt.task} v{plan.prompt.version}"),
        ("parts", f"{len(plan.parts)}" + (" (done in parts, then joined)" if plan.chunked else "")),
        ("requests", f"{plan.requests}" + (f" (the parts, then {plan.requests - len(plan.calls)} to combine them)" if plan.requests > len(plan.calls) else "")),
        ("output", f"~{estimate.expected_output_tokens:,} tokens expected, at most {estimate.max_output_tokens:,}"),
    ]
    low, mid, high = estimate.input_cost_usd, estimate.cost_usd, estimate.max_cost_usd
    rows.append(("estimated cost", f"${mid:.5f} expected (${low:.5f} input), at most ${high:.5f}" if low is not None and mid is not None and high is not None else "unknown (no price for this model; see --prices)"))
    width = max(len(label) for label, _ in rows)
    typer.echo("\n".join(f"{label:<{width}}  {value}" for label, value in rows))


@command()
def clean(
    source: Source,
    show_dropped: Annotated[bool, typer.Option("--show-dropped", help="List each dropped line with its rule.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print text, metadata and dropped lines as JSON.")] = False,
    sentences: Annotated[
        bool, typer.Option("--sentences", help="Print the text as the numbered sentences [p.s] a cited brief refers to.")
    ] = False,
) -> None:
    """Print the cleaned article text and its metadata (no model call)."""
    from ..reading.read import read_article
    from ..reading.sentences import Sentences

    reading = read_article(source)
    article, cleaned = reading.article, reading.cleaned
    meta = article.model_dump(exclude={"text"})
    if as_json:
        dropped = [{"line": d.line, "rule": d.rule, "text": d.text} for d in cleaned.dropped]
        body: dict[str, Any] = {"metadata": meta, "text": article.text, "dropped": dropped, "fixes": list(cleaned.fixes)}
        if sentences:
            body["sentences"] = [{"id": s.id, "start": s.start, "end": s.end, "text": s.text} for s in Sentences(article.text)]
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    for name, value in meta.items():
        if value:
            typer.echo(f"{name}: {value}")
    typer.echo("")
    typer.echo(Sentences(article.text).numbered() if sentences else article.text)
    if show_dropped:
        typer.echo("", err=True)
        typer.echo(f"dropped {len(cleaned.dropped)} line(s):", err=True)
        for d in cleaned.dropped:
            typer.echo(f"  line {d.line:>4}  [{d.rule}]  {clip(d.text, 100)}", err=True)
        for fix in cleaned.fixes:
            typer.echo(f"  fix: {fix}", err=True)


@command()
def schema(
    name: Annotated[Optional[str], typer.Argument(help="summary, brief, key-facts, result, translation, translation-result or digest.")] = None,
) -> None:
    """Print a JSON Schema (the model-facing ones in OpenAI strict form); without a name, list the names."""
    from pydantic import BaseModel

    from ..digest.model import Digest
    from ..errors import InputError
    from ..schemas import SCHEMAS, Result, TranslationResult, strict_json_schema

    known: dict[str, type[BaseModel]] = {**SCHEMAS, "digest": Digest}  # the answers' schemas (prompts name them), and the digest's output
    if name is None:
        width = max(map(len, known))
        typer.echo("\n".join(f"{key:<{width}}  {(model.__doc__ or '').strip().splitlines()[0]}" for key, model in known.items()))
        return
    if name not in known:
        raise InputError(f"unknown schema '{name}' (known: {', '.join(known)})")
    model = known[name]
    envelope = model in (Result, TranslationResult, Digest)  # outputs, not answers a model is held to
    typer.echo(json.dumps(model.model_json_schema() if envelope else strict_json_schema(model), indent=2))
