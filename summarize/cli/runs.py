"""`summarize batch`: every article of a folder, feed or URL list (the runner is summarize/runs/)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from .commands import command
from .errors import warn_cache


class Via(str, Enum):
    live = "live"
    batch_api = "batch-api"


def _formats() -> list[str]:
    """Every registered format: which ones a task's results accept is checked once --task is known."""
    from ..render import FORMATS

    return list(FORMATS)


@command(model=True, settings=("task", "length", "focus", "glossary_file"), formats=_formats,
         format_help="Each article's file beside its JSON (json: the JSON only; html adds an index.html of the run). {formats}.")  # fmt: skip
def batch(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="A folder of articles (searched recursively), an RSS/Atom feed (URL or file), a file of URLs (one per line), '-' for URLs on stdin, or one file.")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Output folder. [default: NAME-summaries or NAME-translations beside the source]")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=256, help="Concurrent requests.")] = 8,
    glob: Annotated[Optional[list[str]], typer.Option("--glob", help="File pattern in a folder, repeatable. [default: *.txt *.text *.md *.html *.htm *.pdf]")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count tokens and estimate the cost; call nothing.")] = False,
    via: Annotated[Via, typer.Option("--via", help="live requests, or the OpenAI Batch API (half price, asynchronous).")] = Via.live,
    poll_interval: Annotated[float, typer.Option(help="Seconds between Batch API status checks.")] = 30.0,
    *,
    summarizer: Any,
    prompt_version: int | None,
    format: str,
) -> None:
    """Run every article of a folder, feed or URL list: a JSON result and a Markdown or HTML file per article, a report, resumable."""
    from ..errors import BatchFailedError
    from ..render import get_format
    from ..runs import DEFAULT_PATTERNS, BatchRunner, estimate_source, open_source
    from ..runs.progress import BatchProgress, estimate_table, summary_table
    from ..runs.sources import excluding
    from ..summarizer import Summarizer

    get_format(format, summarizer.task.result)  # an impossible format is refused before anything is read
    patterns = tuple(glob) if glob else DEFAULT_PATTERNS
    opened = open_source(source, patterns=patterns)
    out = out or opened.default_out(summarizer.task.name)
    given = excluding(opened, out)
    if dry_run:
        estimate = estimate_source(summarizer, given, prompt_version=prompt_version)
        typer.echo(estimate_table(estimate, model=summarizer.settings.model))
        return
    if via is Via.batch_api:
        from ..runs import BatchAPIRun

        api = BatchAPIRun(summarizer, given, out, prompt_version=prompt_version, format=format,
                          poll_interval=poll_interval, log=lambda line: typer.echo(line, err=True))
        outcome = _interruptible(api.run, lambda: api.outcome, out)
    else:
        runner = BatchRunner(lambda gate: Summarizer(summarizer.settings, gate=gate), given, out, jobs=jobs,
                             prompt_version=prompt_version, format=format)
        with BatchProgress(runner.count()) as progress:
            runner.on_item = progress.update
            outcome = _interruptible(runner.run, lambda: runner.outcome, out)
    typer.echo(summary_table(outcome))
    if outcome.cache_error:
        warn_cache(outcome.cache_error)
    if outcome.failed:
        raise BatchFailedError(f"{outcome.failed} of {outcome.total} article(s) failed", failed=outcome.failed,
                               total=outcome.total, report=str(outcome.report))


def _interruptible(run: Callable[[], Any], progress: Callable[[], Any], out: Path) -> Any:
    """Run a batch; on Ctrl-C say what is done, where the report is, and that running again resumes."""
    try:
        return run()
    except KeyboardInterrupt:
        done = progress()
        counts = f"{done.done + done.cached + done.existing} done, {done.failed} failed" if done else "none finished"
        typer.echo(f"interrupted: {counts}; report in {out / 'index.jsonl'}", err=True)
        typer.echo("hint: run the same command again to resume: finished articles are not requested again", err=True)
        raise typer.Exit(130) from None
