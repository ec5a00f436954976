"""The `summarize` command: wiring from options to the Python API, errors mapped to messages in one place."""

from __future__ import annotations

import functools
import inspect
import json
import sys
import typing
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from .errors import SummarizeError, clip

app = typer.Typer(
    help="Turn news articles into briefs in your language, bilingual summaries, full translations and verified key facts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help and usage errors: rich costs ~0.4 s of start-up on every call
)
prompts_app = typer.Typer(help="List and show the versioned prompts.", no_args_is_help=True, rich_markup_mode=None)
cache_app = typer.Typer(help="Inspect or clear the result cache.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(prompts_app, name="prompts")
app.add_typer(cache_app, name="cache")


class BriefFormat(str, Enum):
    """The format registry's names (summarize.render.FORMATS), as a choice list."""

    markdown = "markdown"
    json = "json"
    html = "html"
    side_by_side = "side-by-side"


class ResponseFormat(str, Enum):
    auto = "auto"
    json_schema = "json_schema"
    json_object = "json_object"
    text = "text"


Source = Annotated[str, typer.Argument(metavar="FILE|-|URL", help="Article file (text or HTML), '-' for stdin, or an http(s) URL.")]
OutputPath = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")]

# Options every command that talks to (or prices) a model accepts; added to those commands by `_model_command`.
_MODEL_OPTIONS: dict[str, Any] = {
    "model": Annotated[Optional[str], typer.Option(help="Model name. [env: SUMMARIZE_MODEL; default gpt-4o-mini]")],
    "base_url": Annotated[
        Optional[str], typer.Option(help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1. [env: OPENAI_BASE_URL]")
    ],
    "prompt_version": Annotated[Optional[int], typer.Option(help="Prompt version (default: newest).")],
    "lang": Annotated[
        Optional[str],
        typer.Option("--lang", "--to", help="Target language, ISO 639-1 or BCP 47 (de, pt-BR). [env: SUMMARIZE_TARGET_LANGUAGE; default en]"),
    ],
    "cache_dir": Annotated[Optional[Path], typer.Option(help="Cache directory. [env: SUMMARIZE_CACHE_DIR; default ./cache]")],
    "no_cache": Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")],
    "replay": Annotated[Optional[Path], typer.Option(help="Serve recorded exchanges from DIR; never touch the network.")],
    "record": Annotated[Optional[Path], typer.Option(help="Save every exchange with the endpoint into DIR (no keys).")],
    "strict": Annotated[bool, typer.Option("--strict", help="Fail (exit 6) on any warning against the article: language, names, numbers, dates, quotes, evidence.")],
    "response_format": Annotated[
        Optional[ResponseFormat], typer.Option(help="Structured output mode (auto tries json_schema, json_object, text).")
    ],
    "max_repairs": Annotated[Optional[int], typer.Option(help="Repair attempts for invalid answers. [default 2]")],
    "max_check_repairs": Annotated[
        Optional[int], typer.Option(help="Re-asks for a valid answer that fails the checks against the article. [default 1]")
    ],
    "max_input_tokens": Annotated[
        Optional[int], typer.Option(help="Prompt token budget per request; longer articles are split into parts.")
    ],
    "max_output_tokens": Annotated[
        Optional[int], typer.Option(help="Output token limit per request. [default: the prompt's max_tokens, else 4096]")
    ],
    "prices": Annotated[Optional[Path], typer.Option(help="TOML file overriding model prices and context windows.")],
    "timeout": Annotated[Optional[float], typer.Option(help="Seconds per request. [default 120]")],
    "verify": Annotated[
        Optional[bool],
        typer.Option("--verify/--no-verify", help="Judge each cited claim against its sentences with a verifier model (cited prompts, v4+). [default: on when --verify-model or --verify-base-url is given]"),
    ],
    "verify_model": Annotated[Optional[str], typer.Option(help="The verifier's model. [default: --model]")],
    "verify_base_url": Annotated[Optional[str], typer.Option(help="The verifier's endpoint. [default: --base-url]")],
}


# Options that shape one task's requests, each declared once here; a command takes those it declares.
Length = Annotated[
    Optional[str], typer.Option("--length", help="Brief length: short (2 sentences, 3 key points), medium, long (up to 10 sentences) or a number of words. [default medium]")
]
GlossaryFile = Annotated[
    Optional[Path], typer.Option("--glossary", help="TOML or CSV glossary (term -> translation, or keep) the translation must follow.")
]
SideBySide = Annotated[bool, typer.Option("--side-by-side", help="Markdown table: each source paragraph beside its translation.")]
_TASK_OPTIONS = ("task", "length", "glossary")


def _settings_from(options: dict[str, Any]) -> Any:
    from .config import load_settings

    response_format = options.get("response_format")
    return load_settings(
        task=options.get("task"),
        target_language=options.get("lang"),
        length=options.get("length"),
        glossary_file=options.get("glossary"),
        model=options.get("model"),
        base_url=options.get("base_url"),
        cache_dir=options.get("cache_dir"),
        use_cache=False if options.get("no_cache") else None,
        replay_dir=options.get("replay"),
        record_dir=options.get("record"),
        strict=True if options.get("strict") else None,
        response_format=response_format.value if response_format else None,
        max_repairs=options.get("max_repairs"),
        max_check_repairs=options.get("max_check_repairs"),
        max_input_tokens=options.get("max_input_tokens"),
        max_output_tokens=options.get("max_output_tokens"),
        prices_file=options.get("prices"),
        timeout=options.get("timeout"),
        verify=options.get("verify"),
        verify_model=options.get("verify_model"),
        verify_base_url=options.get("verify_base_url"),
    )


def _report_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn SummarizeError (and Ctrl-C) into a one-line message on stderr and the error's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SummarizeError as exc:
            # File names and server messages may hold newlines; an error stays one line.
            typer.echo("error: " + str(exc).replace("\r", "\\r").replace("\n", "\\n"), err=True)
            if exc.hint:
                typer.echo("hint: " + exc.hint.replace("\n", "\\n"), err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper


_REQUEST_ONLY = (
    "strict", "replay", "record", "max_repairs", "max_check_repairs", "response_format", "timeout",
    "verify", "verify_model", "verify_base_url",
)
"""Shared options that only matter when requests are sent: commands that send none do not take them."""


def _repeatable(name: str) -> Any:
    """The shared option `name`, taking a list (`--model a --model b`): same flag and help, declared once above."""
    optional, option = typing.get_args(_MODEL_OPTIONS[name])
    kind = next(arg for arg in typing.get_args(optional) if arg is not type(None))
    return Annotated[Optional[list[kind]], option]  # type: ignore[valid-type]


def _model_command(
    task: str | None, *, sends: bool = True, many: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the shared model options to a command running `task` (None: the command's own --task option).

    The command receives a `summarizer` for its task and the `prompt_version`; the task options it declares
    (`--length`, `--glossary`, `--task`) go into the settings. A command that `sends` no request gets no
    request-only option (`tokens --strict` would silently do nothing). A command with `many` options (repeatable,
    one run each) receives the `settings` instead of a summarizer, and those options as lists.
    """
    names = [name for name in _MODEL_OPTIONS if sends or name not in _REQUEST_ONLY]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        own = [p for p in inspect.signature(func, eval_str=True).parameters.values()
               if p.name not in ("summarizer", "prompt_version", "settings", *many)]  # fmt: skip
        shared = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                              annotation=_repeatable(name) if name in many else _MODEL_OPTIONS[name],
                              default=None if name not in ("no_cache", "strict") else False)
            for name in names
        ]  # fmt: skip

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            from .summarizer import Summarizer

            options = {name: kwargs.pop(name, None) for name in _MODEL_OPTIONS}
            options.update({name: kwargs[name] for name in _TASK_OPTIONS if name in kwargs})
            if task is not None:
                options["task"] = task
            if many:
                lists = {name: options.pop(name) or [] for name in many}
                return func(settings=_settings_from(options), **lists, **kwargs)
            with Summarizer(_settings_from(options)) as summarizer:
                try:
                    return func(summarizer=summarizer, prompt_version=options["prompt_version"], **kwargs)
                finally:
                    if summarizer.cache_error is not None:
                        _warn_cache(str(summarizer.cache_error))

        wrapper.__signature__ = inspect.Signature(own + shared)  # type: ignore[attr-defined]
        return _report_errors(wrapper)

    return decorate


def _warn_cache(error: str) -> None:
    typer.echo(f"warning: {error}; the answer was delivered but not cached", err=True)
    typer.echo("hint: free space or choose another --cache-dir; --no-cache skips the cache", err=True)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from .files import atomic_write_text

    atomic_write_text(output, text)
    typer.echo(f"wrote {output}", err=True)


Format = Annotated[BriefFormat, typer.Option("--format", "-f", help="markdown, json (the whole result), html (a page: click a line to see its evidence), side-by-side (translations).")]


@app.command()
@_model_command("summary")
def brief(
    source: Source,
    output: OutputPath = None,
    format: Format = BriefFormat.markdown,
    length: Length = None,
    *,
    summarizer: Any,
    prompt_version: int | None,
) -> None:
    """Summarize one article into a brief in the --lang language, with the article's-language summary and key facts."""
    from .reading.read import load_article
    from .render import get_format

    fmt = get_format(format.value, summarizer.task.result)  # refused before anything is paid for
    article = load_article(source)
    _emit(fmt.render(summarizer.run(article, prompt_version=prompt_version), article), output)


@app.command()
@_model_command("summary")
def facts(source: Source, output: OutputPath = None, length: Length = None, *, summarizer: Any, prompt_version: int | None) -> None:
    """Print the key facts of one article as JSON (descriptions in the --lang language)."""
    from .render.json import facts_json

    _emit(facts_json(summarizer.run(source, prompt_version=prompt_version)), output)


@app.command()
@_model_command("translate")
def translate(
    source: Source,
    output: OutputPath = None,
    format: Format = BriefFormat.markdown,
    side_by_side: SideBySide = False,
    glossary: GlossaryFile = None,
    *,
    summarizer: Any,
    prompt_version: int | None,
) -> None:
    """Translate one article into the --to language, paragraph by paragraph (a long one in parallel parts)."""
    import asyncio

    from .reading.read import load_article
    from .render import get_format

    fmt = get_format("side-by-side" if side_by_side else format.value, summarizer.task.result)
    article = load_article(source)

    async def run() -> Any:
        try:
            return await summarizer.arun(article, prompt_version=prompt_version)
        finally:
            await summarizer.aclose()

    _emit(fmt.render(asyncio.run(run()), article), output)


# A plain name checked against the task registry (summarize.tasks.TASKS): a new task needs no CLI change.
TaskOption = Annotated[str, typer.Option("--task", help="What to produce: summary (brief + key facts) or translate.")]


@app.command()
@_model_command(None, sends=False)
def tokens(
    source: Source,
    task: TaskOption = "summary",
    length: Length = None,
    glossary: GlossaryFile = None,
    *,
    summarizer: Any,
    prompt_version: int | None,
) -> None:
    """Count tokens of the raw text, the cleaned text and the full prompt, and estimate the cost."""
    from .reading.read import read_article
    from .tokens import count_tokens

    reading = read_article(source)
    plan = summarizer.plan(reading.article, prompt_version=prompt_version)
    info = summarizer.model
    out_max = summarizer.settings.output_tokens(plan.prompt.sampling)
    expected = plan.task.expected_output_tokens(plan, out_max)
    rows = [
        ("model", f"{info.name} (encoding {info.encoding}, context {info.context_window:,})"),
        ("raw text", f"{count_tokens(reading.raw.text, info.encoding):,} tokens"),
        ("cleaned text", f"{count_tokens(reading.article.text, info.encoding):,} tokens"),
        ("prompt", f"{plan.prompt_tokens:,} tokens in {len(plan.calls)} request(s), prompt {plan.prompt.task} v{plan.prompt.version}"),
        ("parts", f"{len(plan.parts)}" + (" (done in parts, then joined)" if plan.chunked else "")),
        ("requests", f"{plan.requests}" + (f" (the parts, then {plan.requests - len(plan.calls)} to combine them)" if plan.requests > len(plan.calls) else "")),
        ("output", f"~{expected:,} tokens expected, at most {out_max * plan.requests:,}"),
    ]
    low, mid, high = (info.cost(plan.prompt_tokens, n) for n in (0, expected, out_max * plan.requests))
    rows.append(("estimated cost", f"${mid:.5f} expected (${low:.5f} input), at most ${high:.5f}" if low is not None and mid is not None and high is not None else "unknown (no price for this model; see --prices)"))
    width = max(len(label) for label, _ in rows)
    typer.echo("\n".join(f"{label:<{width}}  {value}" for label, value in rows))


@app.command()
@_report_errors
def clean(
    source: Source,
    show_dropped: Annotated[bool, typer.Option("--show-dropped", help="List each dropped line with its rule.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print text, metadata and dropped lines as JSON.")] = False,
    sentences: Annotated[
        bool, typer.Option("--sentences", help="Print the text as the numbered sentences [p.s] a cited brief refers to.")
    ] = False,
) -> None:
    """Print the cleaned article text and its metadata (no model call)."""
    from .reading.read import read_article
    from .reading.sentences import Sentences

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


@app.command()
@_report_errors
def schema(
    name: Annotated[Optional[str], typer.Argument(help="summary, brief, key-facts, result, translation or translation-result.")] = None,
) -> None:
    """Print a JSON Schema (the model-facing ones in OpenAI strict form); without a name, list the names."""
    from .errors import InputError
    from .schemas import SCHEMAS, Result, TranslationResult, strict_json_schema

    if name is None:
        width = max(map(len, SCHEMAS))
        typer.echo("\n".join(f"{key:<{width}}  {(model.__doc__ or '').strip().splitlines()[0]}" for key, model in SCHEMAS.items()))
        return
    if name not in SCHEMAS:
        raise InputError(f"unknown schema '{name}' (known: {', '.join(SCHEMAS)})")
    model = SCHEMAS[name]
    envelope = model in (Result, TranslationResult)
    typer.echo(json.dumps(model.model_json_schema() if envelope else strict_json_schema(model), indent=2))


class Via(str, Enum):
    live = "live"
    batch_api = "batch-api"


@app.command()
@_model_command(None)
def batch(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="A folder of articles (searched recursively), an RSS/Atom feed (URL or file), a file of URLs (one per line), '-' for URLs on stdin, or one file.")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Output folder. [default: NAME-summaries or NAME-translations beside the source]")] = None,
    task: TaskOption = "summary",
    length: Length = None,
    glossary: GlossaryFile = None,
    format: Annotated[BriefFormat, typer.Option("--format", "-f", help="Each article's file beside its JSON: markdown, html (plus an index.html of the run), side-by-side (translations), json (the JSON only).")] = BriefFormat.markdown,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=256, help="Concurrent requests.")] = 8,
    glob: Annotated[Optional[list[str]], typer.Option("--glob", help="File pattern in a folder, repeatable. [default: *.txt *.text *.md *.html *.htm *.pdf]")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count tokens and estimate the cost; call nothing.")] = False,
    via: Annotated[Via, typer.Option("--via", help="live requests, or the OpenAI Batch API (half price, asynchronous).")] = Via.live,
    poll_interval: Annotated[float, typer.Option(help="Seconds between Batch API status checks.")] = 30.0,
    *,
    summarizer: Any,
    prompt_version: int | None,
) -> None:
    """Run every article of a folder, feed or URL list: a JSON result and a Markdown or HTML file per article, a report, resumable."""
    from .errors import BatchFailedError
    from .render import get_format
    from .runs import DEFAULT_PATTERNS, BatchRunner, estimate_source, open_source
    from .runs.progress import BatchProgress, estimate_table, summary_table
    from .runs.sources import FolderSource
    from .summarizer import Summarizer

    get_format(format.value, summarizer.task.result)  # an impossible format is refused before anything is read
    patterns = tuple(glob) if glob else DEFAULT_PATTERNS
    given = open_source(source, patterns=patterns, exclude=out)
    out = out or given.default_out(summarizer.task.name)
    if isinstance(given, FolderSource):
        given = FolderSource(given.root, patterns, exclude=out)
    if dry_run:
        estimate = estimate_source(summarizer, given, prompt_version=prompt_version)
        typer.echo(estimate_table(estimate, model=summarizer.settings.model))
        return
    if via is Via.batch_api:
        from .runs import BatchAPIRun

        api = BatchAPIRun(summarizer, given, out, prompt_version=prompt_version, format=format.value,
                          poll_interval=poll_interval, log=lambda line: typer.echo(line, err=True))
        outcome = _interruptible(api.run, lambda: api.outcome, out)
    else:
        runner = BatchRunner(lambda gate: Summarizer(summarizer.settings, gate=gate), given, out, jobs=jobs,
                             prompt_version=prompt_version, format=format.value)
        with BatchProgress(runner.count()) as progress:
            runner.on_item = progress.update
            outcome = _interruptible(runner.run, lambda: runner.outcome, out)
    typer.echo(summary_table(outcome))
    if outcome.cache_error:
        _warn_cache(outcome.cache_error)
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


PromptsDir = Annotated[Optional[Path], typer.Option(help="Extra prompts directory. [env: SUMMARIZE_PROMPTS_DIR]")]


def _library(prompts_dir: Path | None) -> Any:
    from .config import load_settings
    from .prompts import PromptLibrary

    return PromptLibrary(load_settings(prompts_dir=prompts_dir).prompts_dir)


@prompts_app.command("list")
@_report_errors
def prompts_list(prompts_dir: PromptsDir = None) -> None:
    """List tasks, their versions and descriptions."""
    library = _library(prompts_dir)
    for task in library.tasks():
        for version in library.versions(task):
            prompt = library.load(task, version)
            newest = " (default)" if version == max(library.versions(task)) else ""
            typer.echo(f"{task:<10} v{version:<3} {prompt.hash}  {prompt.description}{newest}")


@prompts_app.command("show")
@_report_errors
def prompts_show(
    task: Annotated[str, typer.Argument(help="Task name, e.g. summary.")],
    version: Annotated[Optional[int], typer.Option("--version", "-v", help="Version (default: newest).")] = None,
    prompts_dir: PromptsDir = None,
) -> None:
    """Show one prompt: header, sampling and both message templates."""
    prompt = _library(prompts_dir).load(task, version)
    typer.echo(f"task: {prompt.task}\nversion: {prompt.version}\nhash: {prompt.hash}\nschema: {prompt.schema}")
    typer.echo(f"sampling: {json.dumps(prompt.sampling)}\nfile: {prompt.path}\n")
    sections = ({"system": prompt.system, "user": prompt.user} if prompt.schema else {}) | prompt.sections
    typer.echo("\n\n".join(f"## {name}\n{text}" for name, text in sections.items()))


CacheDir = Annotated[Optional[Path], typer.Option(help="Cache directory. [env: SUMMARIZE_CACHE_DIR; default ./cache]")]


def _cache(cache_dir: Path | None) -> Any:
    from .cache import ResultCache
    from .config import load_settings

    return ResultCache(load_settings(cache_dir=cache_dir).cache_dir)


@cache_app.command("stats")
@_report_errors
def cache_stats(cache_dir: CacheDir = None) -> None:
    """Show the cache directory, entry count and size."""
    from .config import load_settings

    directory = load_settings(cache_dir=cache_dir).cache_dir
    if not directory.exists():  # looking must not create it
        typer.echo(f"directory: {directory} (none yet)\nentries: 0\nsize: 0.0 KiB")
        return
    stats = _cache(cache_dir).stats()
    typer.echo(f"directory: {stats['directory']}\nentries: {stats['entries']}\nsize: {stats['bytes'] / 1024:.1f} KiB")


@cache_app.command("clear")
@_report_errors
def cache_clear(cache_dir: CacheDir = None) -> None:
    """Remove every cached result."""
    from .config import load_settings

    if not load_settings(cache_dir=cache_dir).cache_dir.exists():
        typer.echo("removed 0 entries")
        return
    typer.echo(f"removed {_cache(cache_dir).clear()} entries")


def main() -> None:
    """Console-script entry point."""
    app()


@app.command("eval")
@_model_command(None, many=("model", "prompt_version"))
def eval_(
    gold: Annotated[Path, typer.Argument(metavar="GOLD", help="Gold set (TOML): the facts of each article, README 'Evaluation'.")],
    task: TaskOption = "summary",
    glossary: GlossaryFile = None,
    baseline: Annotated[Optional[str], typer.Option("--baseline", help="The run to compare the others with: vN, or MODEL:vN.")] = None,
    format: Format = BriefFormat.markdown,
    output: OutputPath = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say how many requests the runs would make and what they would cost; call nothing.")] = False,
    *,
    settings: Any,
    model: list[str],
    prompt_version: list[int],
) -> None:
    """Score each (model, prompt version) on a gold set: precision, recall and F1 per fact field, and more."""
    from .errors import ConfigurationError
    from .evaluation.report import estimate_markdown, evaluation_json, evaluation_markdown
    from .evaluation.run import RunSpec, estimate, evaluate
    from .evaluation.gold import load_gold

    gold_set = load_gold(gold)
    versions: list[int | None] = list(prompt_version) or [None]
    runs = [RunSpec(m, v) for m in (model or [settings.model]) for v in versions]
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
    render = evaluation_json if format is BriefFormat.json else evaluation_markdown
    _emit(render(scores, str(gold), chosen), output)
    failed = sum(a.exit_code != 0 for run in scores for a in run.articles)
    if failed:  # part of the measurement (the exit codes column), but never silent
        total = sum(len(run.articles) for run in scores)
        typer.echo(f"warning: {failed} of {total} answer(s) ended with an error; see the exit codes in the report", err=True)
