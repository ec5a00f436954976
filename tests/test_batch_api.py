"""`summarize batch --via batch-api` against the local fake: same outputs as live, resumable, failures per article."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import bench.fake_openai as fake_openai
from bench.fake_openai import FakeOpenAI, RequestRecord, article_key, article_text
from summarize.reading.read import load_article as prepare
from summarize.runs import REPORT_NAME, BatchRunner
from summarize.runs.openai_batch import STATE_NAME, BatchAPIRun
from summarize.cli import app
from summarize.config import Settings, load_settings
from summarize.schemas import Result
from summarize.summarizer import Summarizer

from .fakes import SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))
INPUT_NAME = ".batch-api-input.jsonl"


class Stop(Exception):
    """Stands for the process dying right after the batch was created."""


def settings_for(server: FakeOpenAI, tmp_path: Path, cache: str = "cache") -> Settings:
    return load_settings(api_key="test", base_url=server.url, cache_dir=tmp_path / cache, max_retries=0)


def api_run(settings: Settings, root: Path, out: Path, log: Any = None) -> BatchAPIRun:
    return BatchAPIRun(Summarizer(settings), root, out, poll_interval=0.01, log=log)


def live_run(settings: Settings, root: Path, out: Path) -> Any:
    return BatchRunner(lambda gate: Summarizer(settings, gate=gate), root, out, jobs=4).run()


def chats(server: FakeOpenAI, since: float = 0.0) -> list[RequestRecord]:
    """Live chat completions (HTTP), not the lines answered inside a batch."""
    return [r for r in list(server.requests) if r.method == "POST" and r.path.endswith("/chat/completions") and r.started >= since]


def batch_lines(server: FakeOpenAI) -> list[RequestRecord]:
    return [r for r in list(server.requests) if r.method == "BATCH"]


def report(out: Path) -> dict[str, dict[str, Any]]:
    lines = [json.loads(line) for line in (out / REPORT_NAME).read_text(encoding="utf-8").splitlines()]
    return {line["source"]: line for line in lines}


def key_of(settings: Settings, path: Path) -> str:
    """The fake server's article key for a file's request."""
    summarizer = Summarizer(settings)
    try:
        return article_key(article_text(summarizer.plan(prepare(str(path))).calls[0].messages))
    finally:
        summarizer.close()


def stop_after_creation(line: str) -> None:
    if line.startswith("created batch"):
        raise Stop(line)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A copy of the seed folder that tests may add to."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


def test_batch_api_writes_the_same_outputs_as_live_and_fills_the_cache(tmp_path: Path, seeds: Path) -> None:
    logged: list[str] = []
    with FakeOpenAI(latency=0.0, batch_polls_to_complete=2) as server:
        via_api = api_run(settings_for(server, tmp_path, "cache-api"), seeds, tmp_path / "api", logged.append).run()
        assert chats(server) == [] and len(batch_lines(server)) == 5  # all five answered inside the batch
        assert server.batches_created == 1
        (batch_id,) = server.batches
        assert server.batch_polls[batch_id] >= 2
        live = live_run(settings_for(server, tmp_path, "cache-live"), seeds, tmp_path / "live")
        assert len(chats(server)) == 5
        boundary = time.monotonic()
        # The batch answers went through validation, checks and the cache like live ones: a live run reuses them.
        again = live_run(settings_for(server, tmp_path, "cache-api"), seeds, tmp_path / "again")
        assert chats(server, since=boundary) == []
    assert via_api.done == live.done == 5 and via_api.failed == 0 and again.cached == 5
    assert any(batch_id in line and "completed" in line for line in logged)
    api_report, live_report = report(tmp_path / "api"), report(tmp_path / "live")
    assert sorted(api_report) == sorted(live_report) == [p.name for p in SEED_FILES]
    assert {line["status"] for line in api_report.values()} == {"done"}
    assert sorted(p.name for p in (tmp_path / "api").iterdir()) == sorted(p.name for p in (tmp_path / "live").iterdir())
    for source in api_report:
        a = Result.model_validate_json((tmp_path / "api" / f"{source}.json").read_text(encoding="utf-8"))
        b = Result.model_validate_json((tmp_path / "live" / f"{source}.json").read_text(encoding="utf-8"))
        assert (a.article, a.brief, a.key_facts, a.warnings) == (b.article, b.brief, b.key_facts, b.warnings)
        assert a.provenance.key == b.provenance.key and a.provenance.input_tokens == b.provenance.input_tokens
        # Half price through the Batch API; the report says what was really paid.
        assert api_report[source]["cost_usd"] == pytest.approx(live_report[source]["cost_usd"] / 2, abs=1e-6)
    assert not (tmp_path / "api" / STATE_NAME).exists() and not (tmp_path / "api" / INPUT_NAME).exists()


def test_with_verification_the_batch_answers_are_verified_live_like_a_live_run(tmp_path: Path, seeds: Path) -> None:
    verify = {"verify": True}  # off in the other tests: they count requests
    with FakeOpenAI(latency=0.0) as server:
        via_api = api_run(settings_for(server, tmp_path, "cache-api").model_copy(update=verify), seeds, tmp_path / "api").run()
        verifier = chats(server)
        assert len(batch_lines(server)) == 5 and verifier  # the briefs in the batch, the claims' verdicts live after it
        boundary = time.monotonic()
        live = live_run(settings_for(server, tmp_path, "cache-live").model_copy(update=verify), seeds, tmp_path / "live")
        assert len(chats(server, since=boundary)) == 5 + len(verifier)  # the same verdicts, asked live
    assert via_api.done == live.done == 5
    for path in SEED_FILES:
        a = Result.model_validate_json((tmp_path / "api" / f"{path.name}.json").read_text(encoding="utf-8"))
        b = Result.model_validate_json((tmp_path / "live" / f"{path.name}.json").read_text(encoding="utf-8"))
        assert (a.brief, a.key_facts, a.warnings, a.evidence) == (b.brief, b.key_facts, b.warnings, b.evidence)
        assert a.provenance.key == b.provenance.key and a.provenance.attempts == b.provenance.attempts > 1
        assert all(e.supported for e in a.evidence)  # the fake verifier supports every claim


def test_a_saved_batch_is_resumed_instead_of_paid_twice(tmp_path: Path, seeds: Path) -> None:
    out = tmp_path / "out"
    with FakeOpenAI(latency=0.0, batch_polls_to_complete=4) as server:
        settings = settings_for(server, tmp_path)
        with pytest.raises(Stop):
            api_run(settings, seeds, out, stop_after_creation).run()
        state = json.loads((out / STATE_NAME).read_text(encoding="utf-8"))
        assert list(server.batches) == [state["batch_id"]] and len(state["custom_ids"]) == 5
        assert not list(out.glob("*.txt.json"))
        logged: list[str] = []
        outcome = api_run(settings, seeds, out, logged.append).run()
        assert server.batches_created == 1 and chats(server) == []
        assert server.batch_polls[state["batch_id"]] >= 4
    assert logged[0].startswith(f"resuming batch {state['batch_id']}")
    assert outcome.done == 5 and outcome.failed == 0
    assert sorted(report(out)) == [p.name for p in SEED_FILES]
    for path in SEED_FILES:
        Result.model_validate_json((out / f"{path.name}.json").read_text(encoding="utf-8"))
    assert not (out / STATE_NAME).exists() and not (out / INPUT_NAME).exists()


def test_a_saved_batch_nothing_needs_any_more_is_forgotten(tmp_path: Path, seeds: Path) -> None:
    out = tmp_path / "out"
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path)
        with pytest.raises(Stop):
            api_run(settings, seeds, out, stop_after_creation).run()
        assert live_run(settings, seeds, out).done == 5  # finished live meanwhile
        outcome = api_run(settings, seeds, out).run()
        assert outcome.existing == 5
        assert not (out / STATE_NAME).exists()
        # A new article later goes in a new batch, at half price, rather than live because of a stale state file.
        (seeds / "new.txt").write_text(SEED_FILES[0].read_text(encoding="utf-8") + "\n\nDépêche spéciale.\n", encoding="utf-8")
        boundary = time.monotonic()
        outcome = api_run(settings, seeds, out).run()
        assert chats(server, since=boundary) == []
        assert server.batches_created == 2
    assert outcome.done == 1 and outcome.existing == 5
    assert report(out)["new.txt"]["status"] == "done"


def test_a_failed_line_is_reported_and_the_others_succeed(tmp_path: Path, seeds: Path) -> None:
    out = tmp_path / "out"
    broken = SEED_FILES[2].name
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path)
        bad = key_of(settings, seeds / broken)
        server.faults = lambda index, key, body: "500" if key == bad else None
        outcome = api_run(settings, seeds, out).run()
        lines = report(out)
        assert outcome.done == 4 and outcome.failed == 1 and chats(server) == []
        assert lines[broken]["status"] == "failed"
        assert "could not answer" in lines[broken]["error"] and "server had an error" in lines[broken]["error"]
        assert {s for s, line in lines.items() if line["status"] == "done"} == {p.name for p in SEED_FILES} - {broken}
        assert not (out / f"{broken}.json").exists() and not (out / STATE_NAME).exists()
        # Running again retries only that article, in a batch of one.
        server.faults = None
        again = api_run(settings, seeds, out).run()
        assert server.batches_created == 2
        newest = list(server.batches.values())[-1]
        assert newest["request_counts"]["total"] == 1
    assert again.done == 1 and again.existing == 4 and again.failed == 0
    Result.model_validate_json((out / f"{broken}.json").read_text(encoding="utf-8"))


def test_an_invalid_answer_in_the_batch_is_repaired_live(tmp_path: Path, seeds: Path) -> None:
    out = tmp_path / "out"
    name = SEED_FILES[1].name
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path)
        target = key_of(settings, seeds / name)
        served: list[str] = []

        def once(index: int, key: str, body: dict[str, Any]) -> str | None:
            served.append(key)
            return "schema-invalid" if key == target and served.count(key) == 1 else None

        server.faults = once
        outcome = api_run(settings, seeds, out).run()
        repairs = chats(server)
    assert outcome.done == 5 and outcome.failed == 0
    assert [r.article_key for r in repairs] == [target]  # one live repair request, for that article only
    result = Result.model_validate_json((out / f"{name}.json").read_text(encoding="utf-8"))
    assert result.provenance.attempts == 2 and report(out)[name]["attempts"] == 2


def test_a_batch_the_api_rejects_gives_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def reject(data: bytes) -> tuple[list[Any], list[dict[str, Any]]]:
        return [], [{"code": "invalid_json_line", "message": "This line is not parseable as valid JSON.", "param": None, "line": 1}]

    monkeypatch.setattr(fake_openai, "parse_batch_input", reject)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    out = tmp_path / "out"
    with FakeOpenAI(latency=0.0) as server:
        result = CliRunner().invoke(app, ["batch", str(SEEDS), "--out", str(out), "--via", "batch-api",
                                          "--poll-interval", "0.01", "--base-url", server.url])  # fmt: skip
        (batch_id,) = server.batches
        assert server.batches[batch_id]["status"] == "failed" and chats(server) == []
    assert result.exit_code == 5, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: the Batch API rejected batch {batch_id}: This line is not parseable as valid JSON."]
    assert not (out / STATE_NAME).exists()  # the next run submits a new batch instead of polling a dead one
    assert not list(out.glob("*.txt.json"))
