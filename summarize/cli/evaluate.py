"""`summarize eval`: score (model, prompt version) runs on a gold set."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .commands import command
from .options import OutputPath, emit

_REPORTS = ("markdown", "json")
"""The formats an evaluation report is written in (summarize.evaluation.report)."""


def _formats() -> list[str]:
    from ..render import FORMATS

    return [name for name in FORMATS if name in _REPORTS]


@command("eval", model=True, settings=("task", "glossary_file"), many=("model", "prompt_version"), formats=_formats,
         format_help="The report: markdown (tables to read) or json (every figure).")  # fmt: skip
def eval_(
    gold: Annotated[Path, typer.Argument(metavar="GOLD", help="Gold set (TOML): the facts of each article, docs/evaluation.md.")],
    baseline: Annotated[Optional[str], typer.Option("--baseline", help="The run to compare the others with: vN, or MODEL:vN.")] = None,
    output: OutputPath = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say how many requests the runs would make and what they would cost; call nothing.")] = False,
    *,
    settings: Any,
    model: list[str],
    prompt_version: list[int],
    format: str,
) -> None:
    """Score each (model, prompt version) on a gold set: precision, recall and F1 per fact field, and more."""
    from ..errors import ConfigurationError
    from ..evaluation.gold import load_gold
    from ..evaluation.report import estimate_markdown, evaluation_json, evaluation_markdown
    from ..evaluation.run import RunSpec, estimate, evaluate
    from ..evaluation.timeline import is_timeline

    versions: list[int | None] = list(prompt_version) or [None]
    runs = [RunSpec(m, v) for m in (model or [settings.model]) for v in versions]
    if is_timeline(gold):
        emit(_timeline(gold, runs, settings), output)
        return
    gold_set = load_gold(gold)
    if dry_run:
        typer.echo(estimate_markdown(estimate(gold_set, runs, settings)), nl=False)
        return
    scores = evaluate(gold_set, runs, settings)
    chosen = None
    if baseline is not None:
        wanted_model, _, wanted_version = baseline.rpartition(":")
        chosen = next((r for r in scores if (not wanted_model or r.run.model == wanted_model)
                       and f"v{r.run.prompt_version}" == wanted_version.lower()), None)  # fmt: skip
        if chosen is None:
            raise ConfigurationError(f"--baseline {baseline} is none of the runs ({', '.join(r.run.label for r in scores)})")
    render = evaluation_json if format == "json" else evaluation_markdown
    emit(render(scores, str(gold), chosen), output)
    failed = sum(a.exit_code != 0 for run in scores for a in run.articles)
    if failed:  # part of the measurement (the exit codes column), but never silent
        total = sum(len(run.articles) for run in scores)
        typer.echo(f"warning: {failed} of {total} answer(s) ended with an error; see the exit codes in the report", err=True)


def _timeline(gold: Path, runs: list[Any], settings: Any) -> str:
    """A digest's merge of the timeline's articles, for each run, scored against the gold timeline."""
    from ..digest.collect import collect
    from ..digest.merge import merge
    from ..evaluation.timeline import load_timeline, score_timeline, timeline_markdown
    from ..summarizer import Summarizer

    timeline = load_timeline(gold)
    rows = []
    for run in runs:
        with Summarizer(settings.model_copy(update={"model": run.model, "task": "summary"})) as summarizer:
            collected = collect(summarizer, [str(gold.parent / name) for name in timeline.articles()], prompt_version=run.prompt_version)
            version = summarizer.prompt_version(run.prompt_version)
        results = [(Path(article).name, result) for article, result in collected.results]
        rows.append((f"{run.model} v{version}", score_timeline(merge(results), timeline)))
    return timeline_markdown(rows, str(gold))
