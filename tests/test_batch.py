"""`summarize batch` live: concurrency, the shared rate-limit gate, failures, resume, atomic and safe outputs, dry run, progress."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bench.fake_openai import FakeOpenAI, RequestRecord, article_key, article_text
from summarize.reading.read import load_article as prepare
from summarize.render import get_format
from summarize.runs import BatchRunner
from summarize.runs.outputs import OutputPaths, Outputs
from summarize.runs.report import LOCK_NAME, REPORT_NAME, ItemReport, ReportWriter
from summarize.runs.sources import FolderSource, Item, safe_name


def discover(root: Path, patterns: tuple[str, ...] | None = None) -> Any:
    return FolderSource(root, patterns).paths() if patterns else FolderSource(root).paths()


def output_paths(root: Path, source: Path, out: Path) -> OutputPaths:
    relative = Path(os.path.relpath(source, root))
    return Outputs(out, get_format("markdown")).paths(Item(relative.as_posix(), relative.parts, prepare))
from summarize.cli import app
from summarize.config import Settings, load_settings
from summarize.errors import OutputError
from summarize.files import atomic_write_text, atomic_writer
from summarize.runs.progress import BatchProgress
from summarize.model.ratelimit import RateGate, RateLimitTransport
from summarize.reading.read import load_article
from summarize.schemas import Result
from summarize.summarizer import Summarizer

from .fakes import EXCHANGES, SEEDS, ScriptedEndpoint, error, ok

SEED_FILES = sorted(SEEDS.glob("*.txt"))
BAR = "━"  # what rich's bar column draws
cli = CliRunner()


# --------------------------------------------------------------------------- helpers


def make_articles(folder: Path, count: int, *, start: int = 0) -> list[Path]:
    """`count` distinct articles from the seeds (a numbered first paragraph makes each text unique)."""
    texts = [p.read_text(encoding="utf-8") for p in SEED_FILES]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        path = folder / f"article-{i:03d}.txt"
        path.write_text(article_body(i, texts[i % len(texts)]), encoding="utf-8")
        paths.append(path)
    return paths


def article_body(i: int, text: str | None = None) -> str:
    text = text if text is not None else SEED_FILES[i % len(SEED_FILES)].read_text(encoding="utf-8")
    return f"Dépêche numéro {i} de la sélection hebdomadaire, reprise ici avec l'article complet qui suit.\n\n{text}"


def settings_for(server: FakeOpenAI, tmp_path: Path, **overrides: Any) -> Settings:
    return load_settings(api_key="test", base_url=server.url, cache_dir=tmp_path / "cache", **overrides)


def runner_for(settings: Settings, root: Path, out: Path, **kwargs: Any) -> BatchRunner:
    return BatchRunner(lambda gate: Summarizer(settings, gate=gate), root, out, **kwargs)


def chats(server: FakeOpenAI, since: float = 0.0) -> list[RequestRecord]:
    """Chat completions the server received (over HTTP, not batch lines) that started at or after `since`."""
    return [r for r in list(server.requests) if r.method == "POST" and r.path.endswith("/chat/completions") and r.started >= since]


def max_overlap(records: Iterable[RequestRecord]) -> int:
    """Most requests in progress at the same instant, from their start and end times."""
    events = sorted(itertools.chain.from_iterable(((r.started, 1), (r.ended, -1)) for r in records))
    current = best = 0
    for _, step in events:  # at equal times an end (-1) sorts before a start: touching intervals don't overlap
        current += step
        best = max(best, current)
    return best


def report_lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / REPORT_NAME).read_text(encoding="utf-8").splitlines()]


def request_keys(settings: Settings, root: Path, paths: Iterable[Path]) -> dict[str, str]:
    """The fake server's article key of each file's request, by source (as the report names it)."""
    summarizer = Summarizer(settings)
    try:
        return {
            p.relative_to(root).as_posix(): article_key(article_text(summarizer.plan(prepare(str(p))).calls[0].messages))
            for p in paths
        }
    finally:
        summarizer.close()


def run_interrupted(settings: Settings, root: Path, out: Path, *, after: int, jobs: int = 4) -> list[ItemReport]:
    """Run a batch and cancel it once `after` articles are finished, as Ctrl-C does (asyncio cancels the main task)."""
    finished: list[ItemReport] = []

    async def main() -> None:
        task: asyncio.Task[Any] | None = None

        def on_item(item: ItemReport) -> None:
            finished.append(item)
            if len(finished) == after and task is not None:
                task.cancel()

        task = asyncio.ensure_future(runner_for(settings, root, out, jobs=jobs, on_item=on_item).arun())
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    return finished


def leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith((".tmp", ".partial"))]


# --------------------------------------------------------------------------- concurrency


def test_requests_overlap_up_to_jobs(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    make_articles(root, 24)
    # 0.4 s per request: the first eight go out ~10 ms apart (30 ms on a loaded CI machine), well inside one latency.
    with FakeOpenAI(latency=0.4, concurrency=8) as server:
        outcome = runner_for(settings_for(server, tmp_path, max_retries=0), root, tmp_path / "out", jobs=8).run()
        records = chats(server)
    assert outcome.done == 24 and outcome.failed == 0
    assert len(records) == 24 and len({r.article_key for r in records}) == 24  # each article asked once
    assert server.peak_active == 8
    assert max_overlap(records) >= 6
    span = max(r.ended for r in records) - min(r.started for r in records)
    assert span < 24 * 0.4 / 2  # serial would take 9.6 s; 8 at a time ~1.2 s


# --------------------------------------------------------------------------- the rate-limit gate


def test_gate_caps_concurrency_at_its_limit() -> None:
    async def scenario() -> None:
        gate = RateGate(2)
        await gate.acquire()
        await gate.acquire()
        third = asyncio.ensure_future(gate.acquire())
        await asyncio.sleep(0.05)
        assert not third.done() and gate.active == 2
        await gate.release()
        await asyncio.wait_for(third, 1)
        assert gate.active == 2

    asyncio.run(scenario())


def test_a_429_pauses_every_acquirer_for_retry_after() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        gate = RateGate(4)
        await gate.acquire()
        await gate.release(rate_limited=True, retry_after=0.3)
        began = loop.time()
        waits: list[float] = []

        async def one() -> None:
            await gate.acquire()
            waits.append(loop.time() - began)

        await asyncio.wait_for(asyncio.gather(one(), one()), 2)
        assert len(waits) == 2 and min(waits) >= 0.28
        assert gate.rate_limited == 1 and gate.limit == 2

    asyncio.run(scenario())


def test_limit_halves_once_per_window_and_grows_back_additively() -> None:
    async def scenario() -> None:
        gate = RateGate(8)
        for _ in range(4):
            await gate.acquire()
        for _ in range(4):  # one burst of 429s: in flight together, so one halving, not four
            await gate.release(rate_limited=True, retry_after=0.05)
        assert gate.limit == 4 and gate.rate_limited == 4
        await asyncio.sleep(0.07)  # the window is over: a new 429 halves again
        await gate.acquire()
        await gate.release(rate_limited=True, retry_after=0.05)
        assert gate.limit == 2
        seen = []
        for _ in range(40):
            await gate.acquire()
            await gate.release()
            seen.append(gate.limit)
        # +1 after `limit` successes: 2 -> 3 after 2, -> 4 after 3 more, ... and never above the start.
        assert seen[1] == 3 and seen[4] == 4 and seen[8] == 5
        assert max(seen) == 8 and all(b - a in (0, 1) for a, b in itertools.pairwise(seen))

    asyncio.run(scenario())


def test_without_retry_after_the_pause_backs_off_exponentially() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        gate = RateGate(4, first_pause=0.5, max_pause=1.5)
        for _ in range(4):  # four requests in flight before the first 429
            await gate.acquire()
        pauses = []
        for _ in range(4):
            await gate.release(rate_limited=True)
            pauses.append(round(gate.paused_until - loop.time(), 1))
        assert pauses == [0.5, 1.0, 1.5, 1.5]  # doubling, capped at max_pause

        gate = RateGate(4, first_pause=0.2)
        for _ in range(3):
            await gate.acquire()
        await gate.release(rate_limited=True)
        await gate.release()  # a success ends the streak: the next 429 starts again from first_pause
        await gate.release(rate_limited=True)
        assert gate.paused_until - loop.time() <= 0.2

    asyncio.run(scenario())


def test_transport_waits_out_429s_before_the_client_sees_them() -> None:
    endpoint = ScriptedEndpoint(
        error(429, "slow down", {"retry-after-ms": "100"}), error(429, "slow down", {"retry-after-ms": "100"}), ok("{}")
    )

    async def scenario() -> tuple[int, float]:
        gate = RateGate(4)
        transport = RateLimitTransport(endpoint.transport, gate)
        began = time.monotonic()
        response = await transport.handle_async_request(httpx2.Request("POST", "http://fake/v1/chat/completions", json={}))
        assert gate.rate_limited == 2 and gate.active == 0
        return response.status_code, time.monotonic() - began

    status, elapsed = asyncio.run(scenario())
    assert status == 200 and len(endpoint.requests) == 3
    assert elapsed >= 0.19  # two pauses of 0.1 s


def test_a_429_storm_slows_the_run_and_still_completes(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    make_articles(root, 32)
    gates: list[RateGate] = []
    limits: list[int] = []

    def factory(gate: RateGate) -> Summarizer:
        release = gate.release

        async def watched(**kwargs: Any) -> None:  # note the limit after every reply the gate sees
            await release(**kwargs)
            limits.append(gate.limit)

        gate.release = watched  # type: ignore[method-assign]
        gates.append(gate)
        return Summarizer(settings, gate=gate)

    # 16 workers start at once against a bucket of 8 (refilled at 8/s): a storm of 429s however slow the machine.
    with FakeOpenAI(latency=0.05, concurrency=16, rate_limit=8, retry_after=0.2) as server:
        settings = settings_for(server, tmp_path, max_retries=4)
        outcome = BatchRunner(factory, root, tmp_path / "out", jobs=16).run()
    assert outcome.total == 32 and outcome.done == 32 and outcome.failed == 0
    assert server.rate_limited > 0 and outcome.rate_limited > 0
    assert outcome.rate_limited == gates[0].rate_limited
    # The first 429 halved the limit for every worker; it grows back one slot at a time, so it ends lower still.
    assert min(limits) <= 8 and gates[0].limit < 16
    assert len(limits) == 32 + gates[0].rate_limited  # every reply, 429 or not, went through the one shared gate
    assert len([line for line in report_lines(tmp_path / "out") if line["status"] == "done"]) == 32


# --------------------------------------------------------------------------- one bad article


def test_one_failing_article_is_reported_and_the_rest_succeed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "articles"
    paths = make_articles(root, 5)
    (root / "broken.txt").write_bytes(bytes(range(256)) * 8)  # binary under a text name
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    out = tmp_path / "out"
    with FakeOpenAI(latency=0.0) as server:
        poisoned = request_keys(settings_for(server, tmp_path), root, paths[2:3])["article-002.txt"]
        server.faults = lambda index, key, body: "schema-invalid" if key == poisoned else None  # never valid
        result = cli.invoke(app, ["batch", str(root), "--out", str(out), "--jobs", "4", "--base-url", server.url,
                                  "--max-repairs", "1"])  # fmt: skip
        asked = Counter(r.article_key for r in chats(server))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: 2 of 6 article(s) failed"]
    lines = {line["source"]: line for line in report_lines(out)}
    assert len(lines) == 6
    assert lines["broken.txt"]["status"] == "failed" and "binary" in lines["broken.txt"]["error"]
    assert lines["article-002.txt"]["status"] == "failed" and lines["article-002.txt"]["error_type"] == "ValidationFailedError"
    assert "still invalid after 2 attempts" in lines["article-002.txt"]["error"]
    assert "\n" not in lines["article-002.txt"]["error"]
    assert asked[poisoned] == 2  # the first answer and one repair, then it gave up
    for name in ("article-000.txt", "article-001.txt", "article-003.txt", "article-004.txt"):
        assert lines[name]["status"] == "done"
        Result.model_validate_json(Path(lines[name]["json"]).read_text(encoding="utf-8"))
    assert not (out / "article-002.txt.json").exists() and not (out / "broken.txt.json").exists()
    assert "failed: broken.txt:" in result.stdout  # the summary table names the failures
    # Not a terminal: no progress bar drawn anywhere.
    assert BAR not in result.output and "\x1b[" not in result.output and "\r" not in result.output


# --------------------------------------------------------------------------- resume


def test_interrupted_run_resumes_without_repeating_requests(tmp_path: Path) -> None:
    root, out = tmp_path / "articles", tmp_path / "out"
    paths = make_articles(root, 24)
    with FakeOpenAI(latency=0.05, concurrency=8) as server:
        settings = settings_for(server, tmp_path, max_retries=0)
        keys = request_keys(settings, root, paths)
        run_interrupted(settings, root, out, after=8)
        first = report_lines(out)
        done_first = {line["source"] for line in first if line["status"] == "done"}
        assert 8 <= len(done_first) < 24
        boundary = time.monotonic()
        outcome = runner_for(settings, root, out, jobs=4).run()
        asked = Counter(r.article_key for r in chats(server, since=boundary))
    assert not [source for source in done_first if asked[keys[source]]]  # finished once, never asked again
    assert outcome.total == 24 and outcome.failed == 0
    second = {line["source"]: line for line in report_lines(out)}
    assert sorted(second) == sorted(keys)  # the report lists every article, not only this run's
    # Outputs written just as the run was cancelled (not yet in its report) are found by their key: existing too.
    assert {s for s, line in second.items() if line["status"] == "existing"} >= done_first
    for source in keys.keys() - done_first:
        assert asked[keys[source]] == (1 if second[source]["status"] == "done" else 0)  # the rest: asked once at most
    for line in second.values():
        assert Result.model_validate_json(Path(line["json"]).read_text(encoding="utf-8")).provenance.key == line["key"]


def test_finished_runs_send_nothing_again_from_report_outputs_or_cache(tmp_path: Path) -> None:
    root, out = tmp_path / "articles", tmp_path / "out"
    paths = make_articles(root, 6)
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path, max_retries=0)
        first = runner_for(settings, root, out).run()
        assert first.done == 6 and len(chats(server)) == 6

        def again() -> tuple[Any, int]:
            boundary = time.monotonic()
            outcome = runner_for(settings, root, out).run()
            return outcome, len(chats(server, since=boundary))

        outcome, sent = again()  # report, outputs and cache all there: nothing is even read
        assert sent == 0 and outcome.existing == 6
        (out / REPORT_NAME).unlink()  # outputs only: their recorded keys are checked
        outcome, sent = again()
        assert sent == 0 and outcome.existing == 6 and len(report_lines(out)) == 6
        for path in out.glob("*.txt.json"):  # cache only
            path.unlink()
        outcome, sent = again()
        assert sent == 0 and outcome.cached == 6 and len(list(out.glob("*.txt.json"))) == 6
        paths[3].write_text(article_body(103), encoding="utf-8")  # one article changed: only it is asked
        outcome, sent = again()
        assert sent == 1 and outcome.done == 1 and outcome.existing == 5
    assert {line["status"] for line in report_lines(out)} == {"existing", "done"}


# --------------------------------------------------------------------------- atomic outputs


def test_an_interrupted_run_leaves_only_complete_files(tmp_path: Path) -> None:
    root, out = tmp_path / "articles", tmp_path / "out"
    make_articles(root, 24)
    with FakeOpenAI(latency=0.02, concurrency=16) as server:
        finished = run_interrupted(settings_for(server, tmp_path, max_retries=0), root, out, after=10, jobs=8)
    assert len(finished) >= 10
    assert leftovers(out) == []
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [LOCK_NAME]  # the (released) lock
    raw = (out / REPORT_NAME).read_text(encoding="utf-8")
    assert raw.endswith("\n")
    lines = [json.loads(line) for line in raw.splitlines()]  # every line is whole JSON
    assert len(lines) == len(finished)
    outputs = sorted(out.glob("*.txt.json"))
    assert len(outputs) >= len([line for line in lines if line["status"] == "done"])
    for path in outputs:
        Result.model_validate_json(path.read_text(encoding="utf-8"))
        assert path.with_suffix(".md").read_text(encoding="utf-8").startswith("# ")  # Markdown is written first


def test_atomic_writer_leaves_the_old_file_or_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.txt.json"
    with pytest.raises(KeyboardInterrupt):
        with atomic_writer(target) as handle:
            handle.write('{"half": ')
            raise KeyboardInterrupt
    assert list((tmp_path / "out").iterdir()) == []
    atomic_write_text(target, "old\n")
    with pytest.raises(RuntimeError):
        with atomic_writer(target) as handle:
            handle.write("new but incomp")
            raise RuntimeError("crash mid-write")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt.json"]


def test_report_becomes_visible_only_when_closed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / REPORT_NAME).write_text('{"source": "old.txt", "status": "done"}\n', encoding="utf-8")
    writer = ReportWriter(out)
    writer.write(ItemReport("new.txt", "done"))
    assert json.loads((out / REPORT_NAME).read_text(encoding="utf-8"))["source"] == "old.txt"  # a crash here keeps the old
    writer.write(ItemReport("two.txt", "failed", error="boom"))
    assert writer.close() == out / REPORT_NAME
    assert [line["source"] for line in report_lines(out)] == ["new.txt", "two.txt"]
    assert leftovers(out) == []


# --------------------------------------------------------------------------- safe output names

HOSTILE = [
    "with space.txt", 'double"quote.txt', "single'quote.txt", "new\nline.txt", "tab\tname.txt", "a:b.txt",
    "star*.txt", "question?.txt", "pipe|.txt", "back\\slash.txt", "<angle>.txt", "slash/inside.txt", "..", ".",
    "...", " .txt", "CON.txt", "con", "nul.tar.gz", "COM1.txt", "LPT9", "x" * 300 + ".txt", "é" * 200 + ".txt",
    "trailing dot.", "trailing space ", "\x00nul", "del\x7f.txt", "caf\udce9.txt", "",
]  # fmt: skip
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def assert_safe(name: str) -> None:
    assert name and name not in (".", "..")
    assert not _FORBIDDEN.search(name), name
    assert name[0] not in " ." and name[-1] not in " .", name
    assert len(name.encode("utf-8")) <= 180  # strict UTF-8: no surrogates left
    assert name.split(".")[0].upper() not in _RESERVED


@pytest.mark.parametrize("name", HOSTILE, ids=lambda n: repr(n)[:30])
def test_safe_name_neutralizes_hostile_names(name: str) -> None:
    assert_safe(safe_name(name))
    assert safe_name(name) == safe_name(name)  # stable across runs: resume finds the same outputs


def test_safe_name_leaves_ordinary_names_alone() -> None:
    for name in ("article-001.txt", "Reuters 2024-05-01.html", "été.md", "a.b.c.txt", "x" * 180):
        assert safe_name(name) == name


def test_safe_name_keeps_distinct_names_distinct() -> None:
    # Each group would collapse to one name if only the characters were replaced: one output overwriting another.
    groups = [
        ["a:b.txt", "a_b.txt", "a?b.txt", "a*b.txt", "a|b.txt", "a\\b.txt", "a\nb.txt"],
        ["CON.txt", "_CON.txt"],
        [" a.txt", "a.txt", "a.txt."],
        ["caf\udce9.txt", "caf_.txt"],
        ["e\u0301.txt", "\u00e9.txt"],  # NFD and NFC spellings are two files on Linux
        ["x" * 300 + "1.txt", "x" * 300 + "2.txt"],
    ]
    for group in groups:
        assert len({safe_name(name) for name in group}) == len(group), group


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=()), min_size=0, max_size=260), min_size=2, max_size=4, unique=True))
def test_safe_name_is_safe_and_one_to_one(names: list[str]) -> None:
    safe = [safe_name(name) for name in names]
    for name in safe:
        assert_safe(name)
    assert len(set(safe)) == len(names)


def test_output_paths_mirror_the_tree_inside_out(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    assert output_paths(root, root / "a" / "b.txt", out) == OutputPaths(out / "a" / "b.txt.json", out / "a" / "b.txt.md")
    # `..` can't come from a folder, but a crafted name (a feed's URL) stays inside too: the part is renamed, not followed.
    for sneaky in (root / ".." / "etc" / "passwd.txt", root / "a" / ".." / ".." / "x.txt", tmp_path / "elsewhere.txt"):
        paths = output_paths(root, sneaky, out)
        for path in paths.all():
            assert path.resolve().is_relative_to(out.resolve()), path


def test_output_paths_refuse_a_symlink_that_leads_out(tmp_path: Path) -> None:
    root, out, outside = tmp_path / "in", tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "sub").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError, match="outside"):
        output_paths(root, root / "sub" / "a.txt", out)


def test_discover_skips_hidden_files_and_never_follows_symlinked_dirs(tmp_path: Path) -> None:
    root, outside = tmp_path / "in", tmp_path / "outside"
    for name in ("b.md", "a.txt", "c.html", "d.pdf", "e.docx", ".hidden.txt", ".git/x.txt", "sub/e.txt", "sub/.f.txt"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x", encoding="utf-8")
    outside.mkdir()
    (outside / "z.txt").write_text("x", encoding="utf-8")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "sub" / "back").symlink_to(root / "sub", target_is_directory=True)
    (root / "escape").symlink_to(outside, target_is_directory=True)
    found = [p.relative_to(root).as_posix() for p in itertools.islice(discover(root), 100)]  # a loop would overflow 100
    assert found == ["a.txt", "b.md", "c.html", "d.pdf", "sub/e.txt"]  # PDFs are articles too
    assert [p.relative_to(root).as_posix() for p in discover(root, ("sub/*.txt",))] == ["sub/e.txt"]


def test_hostile_file_names_get_distinct_outputs_inside_out(tmp_path: Path) -> None:
    root, out = tmp_path / "articles", tmp_path / "out"
    names = [
        "with space.txt", 'double"quote.txt', "single'quote.txt", "new\nline.txt", "tab\tname.txt", "a:b.txt",
        "a_b.txt", "star*.txt", "question?.txt", "pipe|.txt", "back\\slash.txt", "<angle>.txt", "CON.txt",
        "_CON.txt", "nul.txt", "x" * 240 + ".txt", "é" * 120 + ".txt", " leading.txt", "leading.txt",
        "dir:colon/inner.txt", "dir_colon/inner.txt", "CON/inner.txt", "..dots/inner.txt", "a..b.txt",
    ]  # fmt: skip
    for i, name in enumerate(names):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(article_body(i), encoding="utf-8")
    with open(os.path.join(os.fsencode(root), b"caf\xe9.txt"), "wb") as handle:  # not UTF-8: a Latin-1 name
        handle.write(article_body(90).encode("utf-8"))
    (root / ".hidden.txt").write_text(article_body(91), encoding="utf-8")
    (root / "loop").symlink_to(root, target_is_directory=True)
    expected = {n for n in names if not n.startswith(".")} - {"..dots/inner.txt"} | {os.fsdecode(b"caf\xe9.txt")}
    with FakeOpenAI(latency=0.0) as server:
        outcome = runner_for(settings_for(server, tmp_path, max_retries=0), root, out, jobs=8).run()
        assert len(chats(server)) == len(expected)
    assert outcome.failed == 0, outcome.failures
    assert outcome.done == len(expected)
    lines = report_lines(out)
    assert {line["source"] for line in lines} == expected  # a non-UTF-8 name reads back as itself
    assert len({line["json"] for line in lines}) == len(lines) and len({line["output"] for line in lines}) == len(lines)
    for line in lines:  # each output holds its own article's result: nothing was overwritten
        result = Result.model_validate_json(Path(line["json"]).read_bytes())
        assert result.provenance.key == line["key"]
    written = [p for p in out.rglob("*") if p.is_file() and p.name != LOCK_NAME]
    assert len(written) == 2 * len(expected) + 1
    for path in written:
        assert path.resolve().is_relative_to(out.resolve())
        *folders, name = path.relative_to(out).parts
        for part in folders + [name.removesuffix(".json").removesuffix(".md")]:
            assert_safe(part)


def test_output_folder_inside_the_input_folder_is_not_summarized(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    make_articles(root, 3)
    out = root / "summaries"  # its .md outputs match the default patterns
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path, max_retries=0)
        assert runner_for(settings, root, out).run().done == 3
        again = runner_for(settings, root, out).run()
        assert len(chats(server)) == 3
    assert again.total == 3 and again.existing == 3


# --------------------------------------------------------------------------- dry run


def test_dry_run_counts_tokens_without_requests_then_sees_the_cache(tmp_path: Path) -> None:
    out = tmp_path / "out"
    summarizer = Summarizer(load_settings())
    expected_tokens = sum(summarizer.plan(load_article(str(p))).prompt_tokens for p in SEED_FILES)
    summarizer.close()

    def figure(output: str, label: str) -> int:
        match = re.search(rf"^{label}\s+([\d,]+)", output, re.MULTILINE)
        assert match, output
        return int(match.group(1).replace(",", ""))

    # No endpoint configured at all: a request would fail with "no model endpoint configured".
    dry = cli.invoke(app, ["batch", str(SEEDS), "--out", str(out), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert figure(dry.stdout, "articles") == 5 and figure(dry.stdout, "already cached") == 0
    assert figure(dry.stdout, "requests to send") == 5
    assert figure(dry.stdout, "input tokens") == expected_tokens
    assert not out.exists()  # nothing written either

    real = cli.invoke(app, ["batch", str(SEEDS), "--out", str(out), "--replay", str(EXCHANGES)])
    assert real.exit_code == 0, real.output
    assert len(list(out.glob("*.txt.json"))) == 5

    dry = cli.invoke(app, ["batch", str(SEEDS), "--out", str(out), "--dry-run", "--replay", str(EXCHANGES)])
    assert dry.exit_code == 0, dry.output
    assert figure(dry.stdout, "already cached") == 5 and figure(dry.stdout, "requests to send") == 0
    # Replayed answers are never reused by a run against the real endpoint, so it would still send 5.
    live = cli.invoke(app, ["batch", str(SEEDS), "--out", str(out), "--dry-run"])
    assert figure(live.stdout, "already cached") == 0 and figure(live.stdout, "requests to send") == 5
    assert figure(dry.stdout, "input tokens") == 0


def test_dry_run_needs_no_endpoint_and_sends_nothing(tmp_path: Path) -> None:
    endpoint = ScriptedEndpoint()  # any request would fail the test
    from summarize.runs import estimate_batch

    summarizer = Summarizer(load_settings(), transport=endpoint.transport)
    estimate = estimate_batch(summarizer, SEEDS)
    summarizer.close()
    assert endpoint.requests == [] and estimate.articles == 5 and estimate.requests == 5


# --------------------------------------------------------------------------- progress


def test_progress_bar_renders_counts_on_a_terminal_stream() -> None:
    stream = io.StringIO()
    with BatchProgress(3, stream=stream, enabled=True) as progress:
        progress.update(ItemReport("a.txt", "done", input_tokens=100, output_tokens=20, cost_usd=0.001))
        progress.update(ItemReport("b.txt", "existing"))
        progress.update(ItemReport("c.txt", "failed", error="boom"))
    shown = stream.getvalue()
    assert BAR in shown and "3/3" in shown
    assert "done 1" in shown and "cached 1" in shown and "failed 1" in shown and "120 tokens" in shown


def test_progress_stays_quiet_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()  # isatty() is False
    with BatchProgress(2, stream=stream) as progress:
        progress.update(ItemReport("a.txt", "done", input_tokens=5))
        progress.update(ItemReport("b.txt", "failed"))
    assert stream.getvalue() == ""
    assert progress.counts["done"] == 1 and progress.counts["failed"] == 1 and progress.tokens == 5


def test_a_killed_runs_partial_report_is_removed_by_the_next_run(tmp_path: Path) -> None:
    import subprocess as sp

    from summarize.runs.report import ReportWriter

    out = tmp_path / "out"
    out.mkdir()
    dead = sp.Popen(["true"])
    dead.wait()
    orphan = out / f".index.jsonl.{dead.pid}.partial"
    orphan.write_text('{"source": "a.txt"}\n', encoding="utf-8")
    ours = out / f".index.jsonl.{os.getpid()}.partial"
    writer = ReportWriter(out)
    assert not orphan.exists()
    assert ours.exists()  # the live writer's own file
    writer.close()
    assert not ours.exists() and (out / "index.jsonl").exists()


def test_a_file_symlink_leading_outside_the_folder_is_refused_not_sent(tmp_path: Path) -> None:
    outside = tmp_path / "private.txt"
    outside.write_text(article_body(999) + "\n\nSECRET-OUTSIDE-THE-FOLDER", encoding="utf-8")
    root = tmp_path / "in"
    make_articles(root, 2)
    (root / "leak.txt").symlink_to(outside)
    (root / "loop.txt").symlink_to(root / "loop.txt")
    with FakeOpenAI() as server:
        settings = settings_for(server, tmp_path)
        outcome = runner_for(settings, root, tmp_path / "out", jobs=2).run()
        sent = [r for r in chats(server)]
    report = {line["source"]: line for line in report_lines(tmp_path / "out")}
    assert (outcome.done, outcome.failed) == (2, 2)
    assert "leads outside" in report["leak.txt"]["error"]
    assert "broken or looping symlink" in report["loop.txt"]["error"]
    assert len(sent) == 2  # the linked file's text never reached the endpoint


def test_an_insufficient_quota_429_is_not_waited_out(tmp_path: Path) -> None:
    quota = httpx2.Response(429, json={"error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}})
    endpoint = ScriptedEndpoint(lambda request: quota)
    gate = RateGate(4)

    async def call() -> int:
        transport = RateLimitTransport(endpoint.transport, gate, max_waits=4)
        request = httpx2.Request("POST", "http://test/v1/chat/completions", json={})
        response = await transport.handle_async_request(request)
        return response.status_code

    assert asyncio.run(call()) == 429
    assert len(endpoint.requests) == 1 and gate.rate_limited == 0


def test_a_batch_with_work_but_no_endpoint_stops_at_once_with_a_configuration_error(tmp_path: Path) -> None:
    root = tmp_path / "in"
    make_articles(root, 3)
    result = cli.invoke(app, ["batch", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("error: no model endpoint configured")
    assert "Traceback" not in result.output
    assert (tmp_path / "out" / REPORT_NAME).exists()  # the report is still closed and complete
