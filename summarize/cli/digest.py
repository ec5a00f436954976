"""`summarize digest`: the briefs of many articles merged into one cited timeline per story."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .commands import command
from .options import OutputPath, emit


def _formats() -> list[str]:
    from ..digest.model import Digest
    from ..render import FORMATS

    return [name for name, fmt in FORMATS.items() if fmt.accepts(Digest)]


@command(model=True, task="summary", settings=("length", "focus"), formats=_formats,
         format_help="markdown (a timeline per story), json (the whole digest: `summarize schema digest`) or html "
                     "(the timelines beside the articles, each entry highlighting its sentences). {formats}.")  # fmt: skip
def digest(
    sources: Annotated[list[str], typer.Argument(metavar="SOURCES...", help="Folders, feeds, URL lists, files, or an earlier batch's index.jsonl.")],
    output: OutputPath = None,
    explain: Annotated[bool, typer.Option("--explain", help="Say why articles were put in one story (Markdown; HTML and JSON always carry it).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what briefing the articles would send and cost; call nothing.")] = False,
    text: Annotated[bool, typer.Option("--text/--no-text", help="Also have the model write a few checked sentences per story from its merged facts (one request a story; --verify adds one a sentence).")] = False,
    *,
    summarizer: Any,
    prompt_version: int | None,
    format: str,
) -> None:
    """Merge the key facts of many articles into one timeline per story, each entry citing every article that reports it (no model needed for the merge)."""
    from ..digest.build import build
    from ..render import render
    from ..render.digest import digest_markdown

    if dry_run:
        from ..runs.estimate import Estimate, estimate_source
        from ..runs.progress import estimate_table
        from ..runs.sources import open_source

        total = Estimate()
        for name in sources:  # the same estimator as tokens and batch --dry-run
            total.include(estimate_source(summarizer, open_source(name), prompt_version=prompt_version))
        total.price(summarizer.model)
        typer.echo(estimate_table(total, model=summarizer.settings.model))
        typer.echo("the merge sends nothing" + ("; --text adds one short request a story (stories are known once the briefs exist)" if text else ""))
        return
    made = build(summarizer, sources, text=text, prompt_version=prompt_version)
    emit(digest_markdown(made, explain=explain) if format == "markdown" else render(made, format), output)
