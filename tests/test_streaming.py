"""Streamed answers and the live progress line: same results as whole answers, a line only on a terminal."""

from __future__ import annotations

import asyncio
import fcntl
import io
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

from summarize.cache import ResultCache
from summarize.cli import app
from summarize.cli.progress import LiveLine, live_progress, seconds
from summarize.config import load_settings
from summarize.errors import EndpointError
from summarize.model.client import ModelClient
from summarize.model.progress import reporting, watching
from summarize.model.replay import ReplayStore, RecordingTransport
from summarize.model.stream import Assembler
from summarize.render import get_format
from summarize.schemas import Result, Summary
from summarize.summarizer import Summarizer

from .fakes import EXCHANGES, SEED_003, LocalServer, ScriptedEndpoint, chat_completion, error, ok, sse, stream_chunks

MESSAGES = [{"role": "system", "content": "You summarize."}, {"role": "user", "content": "<article>x</article>"}]


class Recorder:
    """A Progress that keeps what it is told."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def on_step(self, name: str) -> None:
        self.events.append(("step", name))

    def on_tokens(self, count: int) -> None:
        self.events.append(("tokens", count))

    @property
    def steps(self) -> list[str]:
        return [value for kind, value in self.events if kind == "step"]

    @property
    def counts(self) -> list[int]:
        return [value for kind, value in self.events if kind == "tokens"]


def client(endpoint: ScriptedEndpoint, **overrides: Any) -> ModelClient:
    return ModelClient(load_settings(api_key="sk-test-key", **overrides), transport=endpoint.transport)


# The assembly --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "completion",
    [
        chat_completion('{"a": "x  y\\n z"}  ', prompt_tokens=321, completion_tokens=7),
        chat_completion("cut off here", finish_reason="length"),
        chat_completion(None, refusal="I can't help with that."),
        chat_completion(""),
    ],
)
def test_the_chunks_of_a_stream_assemble_into_the_completion_a_plain_request_gets(completion: dict[str, Any]) -> None:
    assembler = Assembler()
    pieces = sum(assembler.feed(chunk) for chunk in stream_chunks(completion))
    built = assembler.completion()
    want, got = completion["choices"][0], built["choices"][0]
    assert got["message"]["content"] == want["message"]["content"]
    assert got["message"].get("refusal") == want["message"]["refusal"]
    assert got["finish_reason"] == want["finish_reason"] and built["usage"] == completion["usage"]
    assert (built["id"], built["model"], built["object"]) == (completion["id"], completion["model"], "chat.completion")
    texts = [c["choices"][0]["delta"] for c in stream_chunks(completion) if c["choices"]]
    assert pieces == sum(1 for delta in texts if delta.get("content") or delta.get("refusal"))  # a token each


# One request through the client ------------------------------------------------------------------------------


def test_a_watched_request_is_streamed_and_its_token_counts_increase(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok(valid_answer, prompt_tokens=321, completion_tokens=5000))
    recorder = Recorder()
    with reporting(recorder):
        completion = client(endpoint).complete(MESSAGES, Summary)
    body = endpoint.bodies[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True} and endpoint.streamed == [True]
    assert completion.value == Summary.model_validate(valid_answer)
    assert (completion.input_tokens, completion.output_tokens) == (321, 5000)  # the usage of the last chunk
    assert recorder.steps == ["request"] and recorder.events[0] == ("step", "request")
    counts = recorder.counts
    assert len(counts) > 20 and counts == sorted(set(counts))  # one report per piece, each more than the last
    assert counts[-1] == 5000  # made up to the answer's own count at the end


def test_without_a_watcher_nothing_is_streamed(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok(valid_answer))
    client(endpoint).complete(MESSAGES, Summary)
    assert "stream" not in endpoint.bodies[0] and endpoint.streamed == [False]


def test_no_stream_setting_sends_whole_requests_and_reports_the_tokens_at_the_end(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok(valid_answer, completion_tokens=77))
    recorder = Recorder()
    with reporting(recorder):
        client(endpoint, stream=False).complete(MESSAGES, Summary)
    assert "stream" not in endpoint.bodies[0]
    assert recorder.events == [("step", "request"), ("tokens", 77)]


def test_a_repair_is_its_own_step_and_its_count_starts_again(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok("not json at all, sorry", completion_tokens=300), ok(valid_answer, completion_tokens=5000))
    recorder = Recorder()
    with reporting(recorder):
        completion = client(endpoint).complete(MESSAGES, Summary)
    assert completion.attempts == 2 and endpoint.streamed == [True, True]
    assert recorder.steps == ["request", "repair"]
    first, second = recorder.events.index(("step", "request")), recorder.events.index(("step", "repair"))
    before = [v for k, v in recorder.events[first:second] if k == "tokens"]
    after = [v for k, v in recorder.events[second:] if k == "tokens"]
    assert before[-1] == 300 and after[0] == 1 and after[-1] == 5000


def test_an_async_request_streams_too(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok(valid_answer, completion_tokens=5000))
    recorder = Recorder()

    async def go() -> Any:
        model = client(endpoint)
        try:
            return await model.acomplete(MESSAGES, Summary)
        finally:
            await model.aclose()

    with reporting(recorder):
        completion = asyncio.run(go())
    assert endpoint.streamed == [True] and completion.output_tokens == 5000 and recorder.counts[-1] == 5000


# Endpoints that do not stream ------------------------------------------------------------------------------------


def test_an_endpoint_refusing_stream_gets_the_plain_request_once_and_is_not_asked_again(valid_answer: dict[str, Any]) -> None:
    def reply(request: httpx2.Request) -> httpx2.Response:
        if json.loads(request.content).get("stream"):
            return error(400, "'stream' is not supported by this server")
        return ok(valid_answer, completion_tokens=42)

    endpoint = ScriptedEndpoint(reply)
    model = client(endpoint)
    recorder = Recorder()
    with reporting(recorder):
        first = model.complete(MESSAGES, Summary)
        second = model.complete(MESSAGES, Summary)
    assert [b.get("stream") for b in endpoint.bodies] == [True, None, None]  # refused, plain, then plain at once
    assert not model.streams.enabled and "400" in model.streams.reason
    assert first.value == second.value == Summary.model_validate(valid_answer) and first.output_tokens == 42
    assert recorder.events == [("step", "request"), ("tokens", 42), ("step", "request"), ("tokens", 42)]  # elapsed time only


def test_a_refused_response_format_is_not_taken_for_a_refused_stream(valid_answer: dict[str, Any]) -> None:
    rejection = error(400, "'response_format' type must be one of 'text', 'json_object'")
    endpoint = ScriptedEndpoint(rejection, ok(valid_answer))
    model = client(endpoint)
    with reporting(Recorder()):
        completion = model.complete(MESSAGES, Summary)
    assert completion.response_format == "json_object"
    assert [(b["stream"], b["response_format"]["type"]) for b in endpoint.bodies] == [(True, "json_schema"), (True, "json_object")]
    assert model.streams.enabled


def test_an_endpoint_that_ignores_stream_answers_whole_and_its_tokens_come_at_once(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok(valid_answer, completion_tokens=64), streams=False)
    recorder = Recorder()
    with reporting(recorder):
        completion = client(endpoint).complete(MESSAGES, Summary)
    assert endpoint.bodies[0]["stream"] is True and endpoint.streamed == [False]
    assert completion.output_tokens == 64 and recorder.counts == [64]


def test_a_stream_without_usage_stops_streaming_so_later_costs_stay_exact(valid_answer: dict[str, Any]) -> None:
    def reply(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        completion = chat_completion(json.dumps(valid_answer), completion_tokens=64)
        if not body.get("stream"):
            return httpx2.Response(200, json=completion)
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=sse(stream_chunks(completion, include_usage=False)))

    endpoint = ScriptedEndpoint(reply)
    model = client(endpoint)
    with reporting(Recorder()):
        streamed = model.complete(MESSAGES, Summary)
        plain = model.complete(MESSAGES, Summary)
    assert streamed.value == plain.value and (streamed.output_tokens, plain.output_tokens) == (0, 64)
    assert [b.get("stream") for b in endpoint.bodies] == [True, None] and model.streams.reason == "the stream sent no usage"


def test_an_error_in_the_middle_of_a_stream_is_an_endpoint_error(valid_answer: dict[str, Any]) -> None:
    chunks = stream_chunks(chat_completion(json.dumps(valid_answer)))[:5] + [{"error": {"message": "model crashed", "code": 500}}]
    endpoint = ScriptedEndpoint(httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=sse(chunks)))
    with reporting(Recorder()), pytest.raises(EndpointError, match="HTTP 500: model crashed"):
        client(endpoint, max_retries=0).complete(MESSAGES, Summary)


# A whole brief: same output, cache entry, usage and recording ----------------------------------------------------


def _brief(tmp_path: Path, name: str, answer: dict[str, Any], *, watched: bool) -> tuple[str, Result, ScriptedEndpoint, Recorder]:
    endpoint = ScriptedEndpoint(ok(answer, prompt_tokens=1234, completion_tokens=4321))
    recorder = Recorder()
    settings = load_settings(api_key="sk-test-key", cache_dir=tmp_path / name)
    with Summarizer(settings, transport=endpoint.transport) as summarizer:
        if watched:
            with reporting(recorder):
                result = summarizer.run(str(SEED_003))
        else:
            result = summarizer.run(str(SEED_003))
    markdown = get_format("markdown", Result).render(result, result.article)
    assert isinstance(result, Result)
    return markdown, result, endpoint, recorder


def test_a_streamed_brief_is_byte_identical_to_a_plain_one_with_the_same_cache_entry(tmp_path: Path, cited_answer: dict[str, Any]) -> None:
    plain_md, plain, plain_endpoint, _ = _brief(tmp_path, "plain", cited_answer, watched=False)
    streamed_md, streamed, streamed_endpoint, recorder = _brief(tmp_path, "streamed", cited_answer, watched=True)
    assert plain_endpoint.streamed == [False] and streamed_endpoint.streamed == [True]
    assert streamed_md == plain_md
    timing = {"provenance": {"elapsed_seconds", "created_at"}}
    assert streamed.model_dump(exclude=timing) == plain.model_dump(exclude=timing)
    assert (streamed.provenance.input_tokens, streamed.provenance.output_tokens) == (1234, 4321)
    assert streamed.provenance.key == plain.provenance.key
    stored = [ResultCache(tmp_path / name).get(plain.provenance.key) for name in ("plain", "streamed")]
    assert stored[0] is not None and stored[1] is not None
    assert stored[1].model_dump(exclude=timing) == stored[0].model_dump(exclude=timing)
    assert recorder.steps == ["request"] and recorder.counts[-1] == 4321


def _sse_or_json(answer: dict[str, Any], *, over: float = 0.0) -> Any:
    """A LocalServer reply: the answer as SSE pieces spread over `over` seconds to a streamed request, else whole."""
    completion = chat_completion(json.dumps(answer), prompt_tokens=1234, completion_tokens=4321)

    def respond(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], Any]:
        assert (method, path) == ("POST", "/v1/chat/completions")
        if not json.loads(body).get("stream"):
            return 200, {"content-type": "application/json"}, json.dumps(completion).encode()
        events = [f"data: {json.dumps(c)}\n\n".encode() for c in stream_chunks(completion)] + [b"data: [DONE]\n\n"]

        def pieces() -> Iterator[bytes]:
            for event in events:
                time.sleep(over / len(events))
                yield event

        return 200, {"content-type": "text/event-stream"}, pieces()

    return respond


def test_a_streamed_recording_holds_the_whole_completion_and_replays_like_a_plain_one(tmp_path: Path, cited_answer: dict[str, Any]) -> None:
    results = {}
    with LocalServer(_sse_or_json(cited_answer)) as server:
        url = f"{server.url}/v1"
        for name, watched in (("plain", False), ("streamed", True)):
            settings = load_settings(base_url=f"{server.url}/v1", record_dir=tmp_path / name, use_cache=False)
            with Summarizer(settings) as summarizer:
                if watched:
                    with reporting(Recorder()):
                        results[name] = summarizer.run(str(SEED_003))
                else:
                    results[name] = summarizer.run(str(SEED_003))
        assert [json.loads(r[2]).get("stream") for r in server.requests] == [None, True]
    plain_files, streamed_files = (sorted(p.name for p in (tmp_path / n).glob("*.json")) for n in ("plain", "streamed"))
    assert plain_files == streamed_files and len(plain_files) == 1  # recorded under the key of the plain request
    recorded = json.loads((tmp_path / "streamed" / streamed_files[0]).read_text())
    assert "stream" not in recorded["request"]["body"]
    response = recorded["responses"][0]
    assert response["status"] == 200 and response["headers"]["content-type"] == "application/json"
    assert response["body"]["object"] == "chat.completion" and response["body"]["usage"]["completion_tokens"] == 4321
    assert response["body"]["choices"][0]["message"]["content"] == json.dumps(cited_answer)
    # Replayed (with someone watching: the answer is counted whole, never asked for as a stream) it is the same brief.
    recorder = Recorder()
    settings = load_settings(replay_dir=tmp_path / "streamed", base_url=url, use_cache=False)
    with Summarizer(settings) as summarizer, reporting(recorder):
        replayed = summarizer.run(str(SEED_003))
    assert isinstance(replayed, Result) and replayed.brief == results["plain"].brief == results["streamed"].brief
    assert recorder.events == [("step", "request"), ("tokens", 4321)]


# The live line ---------------------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_live_line_shows_step_elapsed_time_tokens_and_rate() -> None:
    clock, out = Clock(), io.StringIO()
    line = LiveLine(out, interval=60, clock=clock)
    line.on_step("request")
    assert line.text() == "request 1 · 0 s"  # waiting for the first token: elapsed time only
    clock.now += 40
    line.on_tokens(1)
    clock.now += 2
    line.on_tokens(25)
    assert line.text() == "request 1 · 42 s · 25 tokens · 12.0 tok/s"
    clock.now += 100
    line.on_step("repair")
    assert line.text() == "repair 1 · 2 min 22 s"
    line.close()
    assert out.getvalue().startswith("\r\x1b[K⠋ request 1 · 0 s") and out.getvalue().endswith("\r\x1b[K")
    assert seconds(59.9) == "59 s" and seconds(125) == "2 min 05 s"


def test_nothing_is_watched_nor_written_when_stderr_is_not_a_terminal() -> None:
    out = io.StringIO()
    with live_progress(out):
        assert watching() is None
    assert out.getvalue() == ""


def test_the_cli_runner_gets_no_progress_output() -> None:
    result = CliRunner().invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr and "request 1" not in result.stderr


def _summarize(*args: Any) -> list[str]:
    return [sys.executable, "-m", "summarize", *map(str, args)]


def in_terminal(args: list[str], *, timeout: float = 90) -> str:
    """Run a command with stdout and stderr on a pseudo-terminal; everything it wrote there."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env={**os.environ, "TERM": "xterm"})
    os.close(slave)
    written = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the command and every child are done writing
                    break
                if not data:
                    break
                written += data
        else:
            raise AssertionError(f"still running after {timeout} s: {written.decode(errors='replace')[-500:]}")
        assert process.wait(timeout=10) == 0, written.decode(errors="replace")
    finally:
        process.kill()
        os.close(master)
    return written.decode("utf-8", "replace")


def test_on_a_terminal_a_replayed_brief_shows_the_line_then_clears_it() -> None:
    shown = in_terminal(_summarize("brief", SEED_003, "--replay", EXCHANGES, "--no-cache"))
    assert "\r\x1b[K⠋ request 1 · 0 s" in shown
    assert shown.count("\r\x1b[K") >= 2  # drawn, then cleared before the brief is printed
    assert shown.index("\r\x1b[K⠋") < shown.rindex("\r\x1b[K") < shown.index("# ")


def test_on_a_terminal_a_streamed_brief_shows_tokens_and_prints_the_same_brief(tmp_path: Path, cited_answer: dict[str, Any]) -> None:
    with LocalServer(_sse_or_json(cited_answer, over=2.5)) as server:
        common = ("--base-url", f"{server.url}/v1", "--no-cache")
        piped = subprocess.run(
            _summarize("brief", SEED_003, *common, "-o", tmp_path / "plain.md"), capture_output=True, text=True, timeout=90
        )
        assert piped.returncode == 0, piped.stderr
        shown = in_terminal(_summarize("brief", SEED_003, *common, "-o", tmp_path / "streamed.md"))
        asked = [json.loads(r[2]).get("stream") for r in server.requests]
    assert asked == [None, True]  # no terminal, no stream; on one, a stream
    assert "\r" not in piped.stderr and "request" not in piped.stderr and "tok" not in piped.stderr  # no progress into a pipe
    assert piped.stderr.startswith("wrote ")
    assert (tmp_path / "streamed.md").read_bytes() == (tmp_path / "plain.md").read_bytes()
    frames = [f for f in shown.split("\r\x1b[K") if f.startswith(tuple("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"))]
    assert any(" tokens" in f for f in frames) and any(" tok/s" in f for f in frames), shown
    counts = [int(f.split(" tokens")[0].rsplit(" ", 1)[1]) for f in frames if " tokens" in f]
    assert counts == sorted(counts) and counts[-1] > counts[0]
    assert shown.rsplit("\r\x1b[K", 1)[1].startswith("wrote ")  # the line cleared before anything else is written
