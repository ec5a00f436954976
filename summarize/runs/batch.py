"""Summarize a folder: stream its files, run them concurrently, write mirrored outputs and a report, lose nothing."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..config import load_settings
from ..errors import ConfigurationError, InputError, OutputError, SummarizeError
from ..files import atomic_write_text, pid_alive, remove_orphan_temps
from ..model.ratelimit import RateGate
from ..reading.read import load_article
from ..render import render
from ..render.json import to_json
from ..schemas import AnyResult, Article, Result
from ..summarizer import Plan, Summarizer
from ..tokens import ModelInfo
from ..tasks import Task

__all__ = [
    "DEFAULT_PATTERNS",
    "REPORT_NAME",
    "BatchEstimate",
    "BatchOutcome",
    "BatchRunner",
    "ItemReport",
    "OutputPaths",
    "discover",
    "estimate_batch",
    "output_paths",
    "safe_name",
    "summarize_folder",
]

DEFAULT_PATTERNS = ("*.txt", "*.text", "*.md", "*.html", "*.htm")
REPORT_NAME = "index.jsonl"
"""Typical answer size (the seed answers are 900 to 1,300 tokens), used for cost estimates before a run."""

_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\ud800-\udfff]')  # surrogates: bytes of a non-UTF-8 name
_WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))})
_MAX_NAME_BYTES = 180  # leaves room for ".json"/".md" and temp-file affixes under the usual 255-byte limit


# --------------------------------------------------------------------------- finding articles and naming outputs


def discover(root: Path, patterns: tuple[str, ...] = DEFAULT_PATTERNS, *, exclude: Path | None = None) -> Iterator[Path]:
    """Article files under `root`, recursively and in a stable order, one directory at a time (never the whole tree).

    Symlinked directories are not followed (no loops, no escaping the folder); hidden entries are skipped;
    `patterns` match the path relative to `root` from the right (`*.txt`, `2024/*.html`).
    """
    root = Path(root)
    skip = exclude.resolve() if exclude is not None else None
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and (skip is None or (here / d).resolve() != skip)
        )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            relative = PurePosixPath((here / name).relative_to(root).as_posix())
            if any(relative.match(pattern) for pattern in patterns):
                yield here / name


def check_out(root: Path, out: Path) -> None:
    """Refuse an output folder that is the input folder: a run's outputs would be the next run's articles."""
    if Path(out).resolve() == Path(root).resolve():
        raise InputError(
            f"--out must not be the input folder {root}: its outputs would be read as articles by the next run",
            hint=f"choose another folder (the default is {default_out(Path(root))})",
        )


def begin_run(summarizer: Summarizer, root: Path, out: Path) -> ReportWriter:
    """What every batch run checks before anything is paid for, then its report (which holds the lock on --out)."""
    check_out(root, out)
    if summarizer.cache is not None:
        summarizer.cache.probe()  # an unusable cache stops the run here (exit 7), not article by article
    return ReportWriter(out)


def safe_name(name: str) -> str:
    """A file-name component that is safe on every OS: no separators, controls, `..`, reserved or over-long names."""
    safe = unicodedata.normalize("NFC", name)
    safe = _UNSAFE_CHARS.sub("_", safe).strip(" .")
    if not safe:
        safe = "_"
    if safe.split(".")[0].upper() in _WINDOWS_RESERVED:
        safe = "_" + safe
    if safe != name or len(safe.encode("utf-8")) > _MAX_NAME_BYTES:
        # A changed name gets a digest of the original: `a:b.txt` and `a_b.txt` must not share one output.
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        safe = safe.encode("utf-8")[: _MAX_NAME_BYTES - 11].decode("utf-8", "ignore") + "-" + digest
    return safe


@dataclass(frozen=True)
class OutputPaths:
    """Where one article's outputs go."""

    json: Path
    markdown: Path


def check_inside(root: Path, source: Path) -> None:
    """Refuse a file whose symlink leads outside the folder (its text would be sent to the endpoint)."""
    if not Path(source).is_symlink():
        return  # discover never descends through symlinked folders, so only the file itself can lead out
    try:
        target = Path(source).resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputError(f"{source}: broken or looping symlink") from None
    if not target.is_relative_to(Path(root).resolve()):
        raise InputError(f"{source}: symlink leads outside {root} (to {target}); not read")


def output_paths(root: Path, source: Path, out: Path, suffix: str = "") -> OutputPaths:
    """Mirror `source` (under `root`) into `out` with safe names: `a/b.txt` -> `out/a/b.txt{suffix}.json` and `.md`."""
    relative = Path(source).relative_to(root)
    parts = [safe_name(part) for part in relative.parts]
    base = Path(out).joinpath(*parts)
    name = base.name + suffix
    paths = OutputPaths(json=base.with_name(name + ".json"), markdown=base.with_name(name + ".md"))
    resolved_out = Path(out).resolve()
    for path in (paths.json, paths.markdown):
        if not path.resolve().is_relative_to(resolved_out):  # cannot happen after safe_name; checked anyway
            raise OutputError(f"refusing to write outside {out}: {path}")
    return paths


# --------------------------------------------------------------------------- reports


@dataclass
class ItemReport:
    """One line of the run report: what happened to one article."""

    source: str
    status: str  # done | cached | existing | failed
    json: str | None = None
    markdown: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    cached: bool = False
    attempts: int = 0
    warnings: int = 0
    elapsed_seconds: float = 0.0
    error: str | None = None
    error_type: str | None = None
    key: str | None = None
    fingerprint: str | None = None
    source_size: int | None = None
    source_mtime_ns: int | None = None

    @property
    def ok(self) -> bool:
        """True unless the article failed."""
        return self.status != "failed"

    @classmethod
    def of_result(
        cls, source: str, result: AnyResult, paths: OutputPaths, started: float, *, price_factor: float = 1.0, **identity: Any
    ) -> ItemReport:
        """The line of an article whose result was written; a cached result cost nothing in this run."""
        p = result.provenance
        cost = p.estimated_cost_usd
        return cls(
            source=source,
            status="cached" if p.cached else "done",
            json=str(paths.json),
            markdown=str(paths.markdown),
            input_tokens=0 if p.cached else p.input_tokens,
            output_tokens=0 if p.cached else p.output_tokens,
            cost_usd=None if cost is None else (0.0 if p.cached else round(cost * price_factor, 6)),
            cached=p.cached,
            attempts=0 if p.cached else p.attempts,
            warnings=len(result.warnings),
            elapsed_seconds=round(time.perf_counter() - started, 4),
            key=p.key,
            **identity,
        )


@dataclass
class BatchOutcome:
    """Totals of a run, the report's path and the first failures."""

    total: int = 0
    done: int = 0
    cached: int = 0
    existing: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    elapsed_seconds: float = 0.0
    rate_limited: int = 0
    report: Path | None = None
    failures: list[ItemReport] = field(default_factory=list)
    cache_error: str | None = None
    """Why the cache stopped being written during the run (the answers were delivered all the same)."""
    unpriced: bool = False
    """Some paid requests have no price (a model missing from the price table): the cost is unknown."""

    def add(self, item: ItemReport) -> None:
        """Count one finished article."""
        self.total += 1
        setattr(self, item.status, getattr(self, item.status) + 1)
        self.input_tokens += item.input_tokens
        self.output_tokens += item.output_tokens
        self.cost_usd += item.cost_usd or 0.0
        if item.cost_usd is None and (item.input_tokens or item.output_tokens):
            self.unpriced = True
        if not item.ok and len(self.failures) < 50:
            self.failures.append(item)


def _remove_orphan_partials(out: Path) -> None:
    """Delete partial reports left by runs that were killed (their process is gone); a live run's is kept."""
    for partial in out.glob(f".{REPORT_NAME}.*.partial"):
        pid = partial.name.removeprefix(f".{REPORT_NAME}.").removesuffix(".partial")
        if pid.isdigit() and not pid_alive(int(pid)):
            partial.unlink(missing_ok=True)


class ReportWriter:
    """Appends report lines to a hidden partial file and moves it over `index.jsonl` when the run ends, however it ends."""

    def __init__(self, out: Path) -> None:
        self.path = out / REPORT_NAME
        self._partial = out / f".{REPORT_NAME}.{os.getpid()}.partial"
        try:
            out.mkdir(parents=True, exist_ok=True)
            self._lock = _lock(out)
            _remove_orphan_partials(out)
            remove_orphan_temps(out)  # half-written outputs of a run killed with -9
            # A non-UTF-8 file name (surrogate escapes) is written as a JSON `\udcXX` escape, which reads back as the same name.
            self._handle = self._partial.open("w", encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            raise OutputError(f"cannot write the report in {out}: {exc.strerror or exc}") from None

    def write(self, item: ItemReport) -> None:
        """Add one complete line (flushed, so a crash leaves whole lines in the partial file)."""
        self._handle.write(json.dumps(asdict(item), ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> Path:
        """Make the report visible atomically under its final name."""
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._partial, self.path)
        self._lock.close()  # releases the lock on --out
        return self.path


LOCK_NAME = ".summarize-batch.lock"


def _lock(out: Path) -> Any:
    """Hold --out for this run: a second run on it would pay for the same articles and overwrite the report.

    An OS lock (flock), so a killed run releases it with its process; the file keeps the holder's PID for the message.
    """
    handle = (out / LOCK_NAME).open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise OutputError(
            f"another summarize batch (process {holder}) is writing to {out}",
            hint="wait for it to finish (then run again: finished articles are not requested twice), or choose another --out",
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


# --------------------------------------------------------------------------- the run


def prepare(path: str) -> Article:
    """Read and clean one file (runs in a worker thread)."""
    article = load_article(path)
    # A non-UTF-8 file name (surrogate escapes) cannot be serialized into the result, its cache entry or its outputs.
    article.source = article.source.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return article


def plan_file(summarizer: Summarizer, root: Path, path: Path, prompt_version: int | None = None) -> Plan:
    """Read, clean and plan one file of a folder, refusing a symlink that leads out of it."""
    check_inside(root, path)
    return summarizer.plan(prepare(str(path)), prompt_version=prompt_version)


def outputs_current(paths: OutputPaths, key: str, model: type[AnyResult] = Result) -> bool:
    """Both outputs exist and the JSON one was written for this exact request (same cache key)."""
    return paths.json.exists() and paths.markdown.exists() and existing_key(paths.json, model) == key


def existing_key(path: Path, model: type[AnyResult] = Result) -> str | None:
    """The cache key recorded in an existing JSON output, if it is a complete, valid result of the task."""
    try:
        return model.model_validate_json(path.read_bytes()).provenance.key
    except (OSError, ValueError):
        return None


def previous_report(out: Path, fingerprint: str) -> dict[str, dict[str, Any]]:
    """Lines of the last run's report that are done under the same settings, by source."""
    done: dict[str, dict[str, Any]] = {}
    try:
        with (out / REPORT_NAME).open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a damaged line only costs that article a slower check
                if isinstance(entry, dict) and entry.get("status") != "failed" and entry.get("fingerprint") == fingerprint:
                    done[str(entry.get("source"))] = entry
    except OSError:
        pass
    return done


def write_outputs(result: AnyResult, paths: OutputPaths, task: Task) -> None:
    """Write one article's Markdown then JSON, each atomically."""
    # JSON last: its presence (with a matching key) is what marks the article as done for a re-run.
    atomic_write_text(paths.markdown, render(result))
    atomic_write_text(paths.json, to_json(result))


def failure_report(source: str, exc: BaseException, started: float) -> ItemReport:
    """The report line of an article that failed, with a one-line error."""
    message = str(exc) if isinstance(exc, SummarizeError) else f"{type(exc).__name__}: {exc}"
    return ItemReport(
        source=source,
        status="failed",
        error=message.splitlines()[0][:500] if message else type(exc).__name__,
        error_type=type(exc).__name__,
        attempts=int(getattr(exc, "attempts", 0) or 0),
        elapsed_seconds=round(time.perf_counter() - started, 4),
    )


@dataclass
class _Job:
    """An article planned and waiting for its request."""

    source: str
    paths: OutputPaths
    plan: Plan
    identity: dict[str, Any]
    started: float


class BatchRunner:
    """Summarizes every article under a folder with `jobs` concurrent requests and one shared rate-limit gate."""

    def __init__(
        self,
        summarizer_factory: Callable[[RateGate], Summarizer],
        root: Path,
        out: Path,
        *,
        jobs: int = 8,
        patterns: tuple[str, ...] = DEFAULT_PATTERNS,
        prompt_version: int | None = None,
        on_item: Callable[[ItemReport], None] | None = None,
        executor: Executor | None = None,
    ) -> None:
        if not Path(root).is_dir():
            raise InputError(f"not a directory: {root}")
        self.root = Path(root)
        self.out = Path(out)
        self.jobs = max(1, jobs)
        self.patterns = patterns
        self.prompt_version = prompt_version
        self.on_item = on_item
        self.outcome: BatchOutcome | None = None
        """The running totals (what Ctrl-C reports)."""
        self.gate = RateGate(self.jobs)
        self.summarizer = summarizer_factory(self.gate)
        self._executor = executor
        self._fingerprint = self.summarizer.fingerprint(prompt_version=prompt_version)
        self._previous: dict[str, dict[str, Any]] = {}

    def sources(self) -> Iterator[Path]:
        """The files this run covers (the output folder is skipped when it lies inside the input folder)."""
        return discover(self.root, self.patterns, exclude=self.out)

    def count(self) -> int:
        """How many files the run will cover (a cheap walk, for progress and ETA)."""
        return sum(1 for _ in self.sources())

    def run(self) -> BatchOutcome:
        """Run to completion; Ctrl-C still leaves a complete report of what finished."""
        return asyncio.run(self.arun())

    async def arun(self) -> BatchOutcome:
        """Async `run`: a pipeline of three stages so that no request waits on another article's CPU work.

        prepare (read, clean, plan; in a thread) -> request (`jobs` workers, each only sends and awaits)
        -> finish (checks, cache, atomic writes, report). A worker hands its answer on and sends the next
        request at once, so the slots the endpoint offers stay busy while answers are post-processed.
        """
        started = time.perf_counter()
        outcome = self.outcome = BatchOutcome()
        report = begin_run(self.summarizer, self.root, self.out)
        self._previous = previous_report(self.out, self._fingerprint)
        loop = asyncio.get_running_loop()
        executor = self._executor or ThreadPoolExecutor(max_workers=2, thread_name_prefix="summarize-io")
        ready: asyncio.Queue[_Job | None] = asyncio.Queue(maxsize=self.jobs * 2)  # bounded: memory stays flat
        finishing: set[asyncio.Task[None]] = set()
        finish_slots = asyncio.Semaphore(self.jobs * 2)

        def record(item: ItemReport) -> None:
            outcome.add(item)
            report.write(item)
            if self.on_item is not None:
                self.on_item(item)

        async def prepare_stage() -> None:
            for path in self.sources():
                job = await loop.run_in_executor(executor, self._prepare_job, path)
                if isinstance(job, ItemReport):
                    record(job)  # failed to read, or already done: no worker needed
                else:
                    await ready.put(job)
            for _ in range(self.jobs):
                await ready.put(None)

        async def finish(job: _Job, answer: Any) -> None:
            try:
                record(await self._finish_job(job, answer, loop, executor))
            finally:
                finish_slots.release()

        async def request_worker() -> None:
            while (job := await ready.get()) is not None:
                try:
                    answer: Any = self.summarizer.cached(job.plan, started=job.started)
                    if answer is None:
                        answer = await self.summarizer.aanswer(job.plan)
                except ConfigurationError:
                    raise  # no endpoint, bad settings: every article would fail the same way, so stop now
                except Exception as exc:  # one bad article never stops the batch; Ctrl-C still does
                    record(failure_report(job.source, exc, job.started))
                    continue
                await finish_slots.acquire()  # back-pressure if finishing falls behind
                task = asyncio.create_task(finish(job, answer))
                finishing.add(task)
                task.add_done_callback(finishing.discard)

        stages = [asyncio.ensure_future(prepare_stage()), *(asyncio.ensure_future(request_worker()) for _ in range(self.jobs))]
        try:
            await asyncio.gather(*stages)
            while finishing:
                await asyncio.gather(*list(finishing))
        finally:
            # However the run ends (error, Ctrl-C), stop every stage before the report is closed.
            pending = [task for task in (*stages, *finishing) if not task.done()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            outcome.report = report.close()
            outcome.elapsed_seconds = round(time.perf_counter() - started, 3)
            outcome.rate_limited = self.gate.rate_limited
            outcome.cache_error = str(self.summarizer.cache_error) if self.summarizer.cache_error else None
            await self.summarizer.aclose()
            if self._executor is None:
                executor.shutdown(wait=True)  # lets in-flight atomic writes finish
        return outcome

    def _prepare_job(self, path: Path) -> _Job | ItemReport:
        """Stage 1 (in a thread): the plan for one file, or its report line when nothing needs sending."""
        started = time.perf_counter()
        source = path.relative_to(self.root).as_posix()
        try:
            check_inside(self.root, path)  # before stat: a link out of the folder is not even looked at
            paths = output_paths(self.root, path, self.out, self.summarizer.task.output_suffix())
            stat = path.stat()
            identity = {"fingerprint": self._fingerprint, "source_size": stat.st_size, "source_mtime_ns": stat.st_mtime_ns}
            outputs_exist = paths.json.exists() and paths.markdown.exists()
            before = self._previous.get(source)
            # Same file, same settings, outputs still there: done, without reading it again.
            if outputs_exist and before and all(before.get(k) == v for k, v in identity.items()):
                return self._existing(source, paths, before.get("key"), identity, started)
            plan = plan_file(self.summarizer, self.root, path, self.prompt_version)
            if outputs_current(paths, plan.key, plan.task.result):
                return self._existing(source, paths, plan.key, identity, started)
            return _Job(source, paths, plan, identity, started)
        except Exception as exc:
            return failure_report(source, exc, started)

    async def _finish_job(self, job: _Job, answer: Any, loop: asyncio.AbstractEventLoop, executor: Executor) -> ItemReport:
        """Stage 3: faithfulness checks, cache, outputs written atomically; the report line."""
        try:
            if isinstance(answer, tuple):  # (answer, completions) from the model; else a cached result
                value, completions = answer
                result: AnyResult = self.summarizer.finish(job.plan, value, completions, job.started)
            else:
                result = answer
            await loop.run_in_executor(executor, write_outputs, result, job.paths, self.summarizer.task)
        except Exception as exc:
            return failure_report(job.source, exc, job.started)
        return ItemReport.of_result(job.source, result, job.paths, job.started, **job.identity)

    @staticmethod
    def _existing(source: str, paths: OutputPaths, key: str | None, identity: dict[str, Any], started: float) -> ItemReport:
        return ItemReport(source, "existing", str(paths.json), str(paths.markdown), cached=True, key=key,
                          elapsed_seconds=round(time.perf_counter() - started, 4), **identity)



def default_out(root: Path, task: str = "summary") -> Path:
    """The output folder when none is given: `DIR-summaries` (or `DIR-translations`) beside `DIR`."""
    resolved = Path(root).resolve()
    return resolved.with_name(resolved.name + ("-translations" if task == "translate" else "-summaries"))


def summarize_folder(
    root: str | Path,
    out: str | Path | None = None,
    *,
    jobs: int = 8,
    patterns: tuple[str, ...] = DEFAULT_PATTERNS,
    prompt_version: int | None = None,
    on_item: Callable[[ItemReport], None] | None = None,
    **overrides: Any,
) -> BatchOutcome:
    """Summarize every article under `root` into `out` (outputs, report, resume) like `summarize batch`."""
    settings = load_settings(**overrides)
    runner = BatchRunner(
        lambda gate: Summarizer(settings, gate=gate), Path(root), Path(out) if out else default_out(Path(root), settings.task),
        jobs=jobs, patterns=patterns, prompt_version=prompt_version, on_item=on_item,
    )
    return runner.run()


# --------------------------------------------------------------------------- dry run


@dataclass
class BatchEstimate:
    """What a run would send and cost, computed without calling the model."""

    articles: int = 0
    cached: int = 0
    unreadable: int = 0
    requests: int = 0
    chunked: int = 0
    input_tokens: int = 0
    expected_output_tokens: int = 0
    max_output_tokens: int = 0
    cost_usd: float | None = 0.0
    max_cost_usd: float | None = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, summarizer: Summarizer, plan: Plan) -> None:
        """Count one planned article: nothing if its answer is cached, else its requests and tokens."""
        if summarizer.cache is not None and summarizer.cache.has(plan.key):
            self.cached += 1
            return
        per_call_max = summarizer.settings.output_tokens(plan.prompt.sampling)
        self.chunked += plan.chunked
        self.requests += plan.requests
        self.input_tokens += plan.prompt_tokens
        self.expected_output_tokens += plan.task.expected_output_tokens(plan, per_call_max)
        self.max_output_tokens += per_call_max * plan.requests

    def price(self, model: ModelInfo) -> None:
        """Set the expected and highest cost from the token counts (None when the model has no price)."""
        self.cost_usd = model.cost(self.input_tokens, self.expected_output_tokens)
        self.max_cost_usd = model.cost(self.input_tokens, self.max_output_tokens)


def estimate_batch(
    summarizer: Summarizer,
    root: Path,
    *,
    patterns: tuple[str, ...] = DEFAULT_PATTERNS,
    exclude: Path | None = None,
    prompt_version: int | None = None,
) -> BatchEstimate:
    """Count tokens and price a folder's run (articles already cached cost nothing); no request is made."""
    if not Path(root).is_dir():
        raise InputError(f"not a directory: {root}")
    estimate = BatchEstimate()
    model = summarizer.model
    for path in discover(Path(root), patterns, exclude=exclude):
        estimate.articles += 1
        try:
            plan = plan_file(summarizer, Path(root), path, prompt_version)
        except SummarizeError as exc:
            estimate.unreadable += 1
            if len(estimate.errors) < 20:
                estimate.errors.append(f"{path}: {exc}")
            continue
        estimate.add(summarizer, plan)
    estimate.price(model)
    return estimate
