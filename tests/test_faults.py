"""Endpoint faults end to end: every fault the fake server can inject, through the real CLI and the real openai client.

Each case pins down what the user sees (one `error:` line, maybe one `hint:` line, never a traceback), the exit
code, and exactly how many requests reached the server, for a fault on every request (persistent) and on the first
request only (transient). Then the same faults inside a batch, and a soak run with random faults followed by a
fault-free re-run that must send requests only for the articles that failed.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.fake_openai import FAULT_KINDS, FakeOpenAI, RequestRecord, article_key, article_text
from summarize.cli import app
from summarize.config import load_settings
from summarize.model.ratelimit import MIN_RATE_LIMIT_WAITS
from summarize.reading.read import load_article
from summarize.summarizer import Summarizer

from .fakes import SEED_003, SEEDS

runner = CliRunner()

MAX_RETRIES = 2  # SUMMARIZE_MAX_RETRIES: the openai client's own retries
MAX_REPAIRS = 1  # --max-repairs

RETRIED = ("429", "429-no-retry-after", "500", "502", "503", "timeout", "disconnect")  # by the openai client
REPAIRED = ("content-not-json", "schema-invalid")  # by the repair loop
FALLBACK = ("reject-json-schema",)  # json_schema -> json_object
FATAL = ("not-json-body", "length", "refusal", "empty-choices", "wrong-content-type")  # no second request
assert sorted(RETRIED + REPAIRED + FALLBACK + FATAL) == sorted(FAULT_KINDS), "a fault kind was added: classify it"

# The start of the one-line error each fault ends in when it never goes away (the host:port varies).
MESSAGE = {
    "429": "answered HTTP 429",
    "429-no-retry-after": "answered HTTP 429",
    "500": "answered HTTP 500",
    "502": "answered HTTP 502",
    "503": "answered HTTP 503",
    "timeout": "timed out after every retry",
    "disconnect": "connection to",
    "not-json-body": "answered with a body that is not JSON",
    "content-not-json": f"the model's answer was still invalid after {MAX_REPAIRS + 1} attempts (json_schema): no JSON object",
    # The cited answer's fields, facts first: what the fault's {"brief": {"title": "x"}} lacks.
    "schema-invalid": f"the model's answer was still invalid after {MAX_REPAIRS + 1} attempts (json_schema): "
    "key_facts: Field required; brief.title_cites: Field required",
    "length": "the answer was cut off at the output token limit",
    "refusal": "the model refused: I can't help with that.",
    "empty-choices": "the endpoint returned no choices",
    "wrong-content-type": "answered with something that is not a chat completion: 'hello'",
}
HINT = {
    "429": "rate limited",
    "429-no-retry-after": "rate limited",
    "timeout": "raise --timeout",
    "disconnect": "check --base-url",
    "not-json-body": "check --base-url",
    "wrong-content-type": "check --base-url",
    "length": "output limit",
}
ERROR_TYPE = {
    **{kind: "EndpointError" for kind in RETRIED},
    "not-json-body": "EndpointError",
    "wrong-content-type": "EndpointError",
    "content-not-json": "ValidationFailedError",
    "schema-invalid": "ValidationFailedError",
    "length": "TruncatedError",
    "refusal": "RefusalError",
    "empty-choices": "ModelError",
}


def persistent_requests(kind: str) -> int:
    """Requests `brief` sends when every request gets `kind`."""
    if kind in RETRIED:
        return MAX_RETRIES + 1
    if kind in REPAIRED:
        return MAX_REPAIRS + 1
    if kind in FALLBACK:
        return 2  # the fake rejects json_schema bodies only, so the json_object fallback is answered
    return 1


def transient_requests(kind: str) -> int:
    """Requests `brief` sends when only the first request gets `kind`."""
    return 1 if kind in FATAL else 2


class Picker:
    """A fault picker for FakeOpenAI that also keeps every chat request body, in arrival order."""

    def __init__(self, kind: str, *, first_only: bool = False, key: str | None = None) -> None:
        self.kind, self.first_only, self.key = kind, first_only, key
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, index: int, key: str, body: dict[str, Any]) -> str | None:
        self.bodies.append(body)
        if self.key is not None and key != self.key:
            return None
        if self.first_only and len(self.bodies) > 1:
            return None
        return self.kind


def pause(seconds: float) -> None:
    """Wait for real: the `no_sleep` fixture replaces time.sleep with a recorder."""
    threading.Event().wait(seconds)


def chat_records(server: FakeOpenAI, expected: int, wait: float = 5.0) -> list[RequestRecord]:
    """The server's chat records once `expected` are in: a timed-out request is recorded when its handler wakes."""
    deadline = time.monotonic() + wait
    while True:
        records = [r for r in server.requests if r.path == "/v1/chat/completions"]
        if len(records) >= expected or time.monotonic() > deadline:
            return sorted(records, key=lambda r: r.index if r.index is not None else -1)
        pause(0.02)


def assert_one_line_error(result: Any, phrase: str, hint: str | None = None) -> None:
    """stderr is `error: ...` plus at most one `hint: ...` line; nothing on stdout; no traceback anywhere."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, lines
    assert lines[0].startswith("error: "), lines
    assert phrase in lines[0], lines[0]
    assert all(line.startswith("hint: ") for line in lines[1:]), lines
    if hint is not None:
        assert len(lines) == 2 and hint in lines[1], lines


@pytest.fixture
def endpoint_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("SUMMARIZE_MAX_RETRIES", str(MAX_RETRIES))


def brief(server: FakeOpenAI, timeout: float) -> Any:
    return runner.invoke(
        app,
        ["brief", str(SEED_003), "--base-url", server.url, "--no-cache", "--timeout", f"{timeout:g}",
         "--max-repairs", str(MAX_REPAIRS)],
    )  # fmt: skip


# 1. One article through `summarize brief` ------------------------------------------------------------------


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_persistent_fault_through_brief(kind: str, endpoint_env: None, no_sleep: list[float]) -> None:
    picker = Picker(kind)
    timeout = 1.0 if kind == "timeout" else 2.0
    with FakeOpenAI(faults=picker, timeout_sleep=3.0) as server:
        result = brief(server, timeout)
    records = chat_records(server, persistent_requests(kind))

    assert len(picker.bodies) == len(records) == persistent_requests(kind), (result.output, records)
    if kind in FALLBACK:
        # Persistent or not, the rejection is of json_schema only: the json_object fallback is answered.
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("# ") and result.stderr == ""
        assert [b["response_format"]["type"] for b in picker.bodies] == ["json_schema", "json_object"]
        assert [r.status for r in records] == [400, 200]
        return
    assert result.exit_code == 5, result.output
    assert_one_line_error(result, MESSAGE[kind], HINT.get(kind))
    assert all(r.fault == kind for r in records)
    assert server.faults_injected == {kind: len(records)}
    if kind in RETRIED:
        assert len(no_sleep) == MAX_RETRIES  # the client backed off between its retries ...
        if kind == "429":
            assert no_sleep == [0.1] * MAX_RETRIES  # ... for exactly the Retry-After the server sent
    else:
        assert no_sleep == []
    if kind in REPAIRED:
        assert "That answer is invalid" in picker.bodies[-1]["messages"][-1]["content"]


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_transient_fault_through_brief(kind: str, endpoint_env: None, no_sleep: list[float]) -> None:
    picker = Picker(kind, first_only=True)
    timeout = 1.0 if kind == "timeout" else 2.0
    with FakeOpenAI(faults=picker, timeout_sleep=3.0) as server:
        result = brief(server, timeout)
    records = chat_records(server, transient_requests(kind))

    assert len(picker.bodies) == len(records) == transient_requests(kind), (result.output, records)
    assert records[0].fault == kind and all(r.fault is None for r in records[1:])
    if kind in FATAL:
        # Not an HTTP error, so the client does not retry it, and not an invalid answer, so it is not repaired.
        assert result.exit_code == 5, result.output
        assert_one_line_error(result, MESSAGE[kind], HINT.get(kind))
        return
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# ") and result.stderr == ""
    assert records[-1].status == 200
    formats = [b["response_format"]["type"] for b in picker.bodies]
    if kind in RETRIED:
        assert picker.bodies[0] == picker.bodies[1]  # the same request, resent by the openai client
        assert len(no_sleep) == 1
    elif kind in REPAIRED:
        assert formats == ["json_schema", "json_schema"]
        repair = picker.bodies[1]["messages"]
        assert repair[:-2] == picker.bodies[0]["messages"] and repair[-2]["role"] == "assistant"
        assert repair[-1]["content"].startswith("That answer is invalid")
        assert no_sleep == []
    else:
        assert formats == ["json_schema", "json_object"]
        assert no_sleep == []


# 2. One faulty article among three through `summarize batch` ----------------------------------------------

BATCH_KINDS = ("429", "500", "disconnect", "content-not-json", "length", "refusal", "empty-choices", "not-json-body",
               "wrong-content-type")  # fmt: skip


def keys_by_source(folder: Path) -> dict[str, str]:
    """The fake server's article_key of each file's (single) request, computed from the real plan."""
    summarizer = Summarizer(load_settings())
    keys = {}
    for path in sorted(folder.rglob("*.txt")):
        plan = summarizer.plan(load_article(str(path)))
        assert len(plan.calls) == 1
        keys[path.relative_to(folder).as_posix()] = article_key(article_text(plan.calls[0].messages))
    summarizer.close()
    return keys


def batch(server: FakeOpenAI, folder: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(
        app,
        ["batch", str(folder), "--out", str(out), "--base-url", server.url, "--max-repairs", str(MAX_REPAIRS), *extra],
    )


def read_report(out: Path) -> dict[str, dict[str, Any]]:
    lines = [json.loads(line) for line in (out / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    by_source = {line["source"]: line for line in lines}
    assert len(by_source) == len(lines), "a source appears twice in the report"
    return by_source


@pytest.mark.parametrize("kind", BATCH_KINDS)
def test_one_faulty_article_fails_alone_in_a_batch(kind: str, endpoint_env: None, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:3]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    keys = keys_by_source(folder)
    victim = sorted(keys)[1]
    out = tmp_path / "out"
    picker = Picker(kind, key=keys[victim])
    with FakeOpenAI(faults=picker) as server:
        result = batch(server, folder, out, "--no-cache", "--timeout", "2", "--jobs", "3")
    records = chat_records(server, 0)

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "error: 1 of 3 article(s) failed" in result.stderr
    assert f"hint: see {out / 'index.jsonl'}" in result.stderr
    report = read_report(out)
    assert set(report) == set(keys)
    failed = report[victim]
    assert failed["status"] == "failed"
    assert failed["error"] and "\n" not in failed["error"] and MESSAGE[kind] in failed["error"]
    assert failed["error_type"] == ERROR_TYPE[kind]
    assert not (out / f"{victim}.json").exists() and not (out / f"{victim}.md").exists()
    for source in set(keys) - {victim}:
        assert report[source]["status"] == "done", report[source]
        assert report[source]["error"] is None and report[source]["attempts"] == 1
        assert Path(report[source]["json"]).is_file() and Path(report[source]["output"]).is_file()

    per_key = defaultdict(int)
    for record in records:
        per_key[record.article_key] += 1
    expected = persistent_requests(kind)
    if kind == "429":
        # In a batch the shared gate waits out 429s instead of the client, with at least MIN_RATE_LIMIT_WAITS
        # waits (a 429 there is about the run's pace, not the article), and the client does not repeat them.
        expected = max(MAX_RETRIES, MIN_RATE_LIMIT_WAITS) + 1
    assert per_key[keys[victim]] == expected
    assert all(per_key[keys[source]] == 1 for source in set(keys) - {victim})


# 3. Soak: 300 articles, random faults, then a fault-free re-run ---------------------------------------------

SOAK_ARTICLES = 300


def write_soak_articles(folder: Path) -> None:
    """SOAK_ARTICLES files built from the seeds, each with its own first paragraph (so each is a distinct article)."""
    seeds = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    folder.mkdir()
    for n in range(SOAK_ARTICLES):
        lead = (
            f"Dépêche numéro {n} : le conseil municipal de la commune {n} s'est réuni lundi pour examiner "
            f"le dossier {n * 7 + 3}, adopté par {n % 40 + 10} voix contre {n % 9}."
        )
        (folder / f"{n:03d}.txt").write_text(lead + "\n\n" + seeds[n % len(seeds)], encoding="utf-8")


def test_soak_random_faults_then_clean_rerun(
    endpoint_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SUMMARIZE_MAX_RETRIES", "1")
    folder, out = tmp_path / "articles", tmp_path / "out"
    write_soak_articles(folder)
    keys = keys_by_source(folder)
    assert len(set(keys.values())) == SOAK_ARTICLES, "the articles are not distinct"
    source_of = {key: source for source, key in keys.items()}
    args = ("--jobs", "16", "--timeout", "1")

    with FakeOpenAI(latency=0.0, fault_rate=0.25, seed=20240917, timeout_sleep=2.0) as server:
        first = batch(server, folder, out, *args)
        first_report = read_report(out)
        # A timed-out request is recorded when the server answers it, after the client gave up: wait for those.
        deadline = time.monotonic() + 10
        while sum(r.fault == "timeout" for r in server.requests) < server.faults_injected["timeout"]:
            assert time.monotonic() < deadline, "timed-out requests were never recorded"
            pause(0.05)
        first_records = [r for r in server.requests if r.path == "/v1/chat/completions"]

        # Every article ends done or failed with a recorded one-line error; nothing is lost or counted twice.
        assert set(first_report) == set(keys)
        statuses = {line["status"] for line in first_report.values()}
        assert statuses <= {"done", "failed"}, statuses
        failed = {source for source, line in first_report.items() if line["status"] == "failed"}
        assert failed, "no article failed: the fault rate no longer exercises failures"
        assert first.exit_code == 1, first.output
        assert "Traceback" not in first.output
        assert f"error: {len(failed)} of {SOAK_ARTICLES} article(s) failed" in first.stderr
        for source, line in first_report.items():
            if source in failed:
                assert line["error"] and "\n" not in line["error"] and line["error_type"], line
            else:
                assert line["error"] is None and line["attempts"] >= 1, line
                assert Path(line["json"]).is_file() and Path(line["output"]).is_file()

        # Per article, from the server's side: a done article got exactly one clean answer and was never asked
        # again after it; a failed article never got a clean answer (no paid answer was thrown away), and its
        # error is the one its last request's fault calls for.
        by_key: dict[str, list[RequestRecord]] = defaultdict(list)
        for record in first_records:
            assert record.article_key in source_of, "a request for an unknown article"
            by_key[record.article_key].append(record)
        for key, records in by_key.items():
            records.sort(key=lambda r: r.started)
            clean = [r for r in records if r.status == 200 and r.fault is None]
            source = source_of[key]
            if source in failed:
                assert clean == [], (source, records)
                last_fault = records[-1].fault
                assert last_fault is not None, (source, records)
                assert first_report[source]["error_type"] == ERROR_TYPE[last_fault], (source, records)
            else:
                assert len(clean) == 1 and records[-1] is clean[0], (source, records)
        assert set(by_key) == set(keys.values())
        assert len(server.faults_injected) >= 10, server.faults_injected  # most kinds were exercised

        # Faults off, same server (same endpoint, so the same cache keys and settings fingerprint), same command.
        server.fault_rate = 0.0
        second_started = time.monotonic()
        second = batch(server, folder, out, *args)
        # Late records of first-run timeouts can land now: keep the requests the second run started.
        second_records = [r for r in server.requests if r.path == "/v1/chat/completions" and r.started >= second_started]

    assert second.exit_code == 0, second.output
    assert sorted(r.article_key for r in second_records) == sorted(keys[source] for source in failed)
    assert all(r.status == 200 and r.fault is None for r in second_records)
    final = read_report(out)
    assert set(final) == set(keys)
    assert all(line["status"] != "failed" and line["error"] is None for line in final.values())
    assert {source for source, line in final.items() if line["status"] == "done"} == failed
    assert {source for source, line in final.items() if line["status"] == "existing"} == set(keys) - failed
    for line in final.values():
        assert Path(line["json"]).is_file() and Path(line["output"]).is_file()
