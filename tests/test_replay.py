"""Record/replay transports: round trip, no secrets on disk, misses are clear, sequences replay in order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarize.model.client import ModelClient
from summarize.config import load_settings
from summarize.errors import ReplayMissError
from summarize.model.replay import RecordingTransport, ReplayStore, request_key
from summarize.schemas import Summary

from .fakes import ScriptedEndpoint, error, ok

MESSAGES = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
SECRET = "sk-secret-never-on-disk-123"


def recording_client(directory: Path, upstream: ScriptedEndpoint) -> ModelClient:
    settings = load_settings(api_key=SECRET, record_dir=directory)
    store = ReplayStore(directory)
    transport = RecordingTransport(store, endpoint="api.openai.com", inner=upstream.transport)
    return ModelClient(settings, transport=transport)


def test_record_then_replay_gives_the_same_answer_without_the_upstream(
    tmp_path: Path, valid_answer: dict[str, Any], no_sleep: list[float]
) -> None:
    upstream = ScriptedEndpoint(error(429, "slow", {"retry-after": "1"}), ok(valid_answer))
    recorded = recording_client(tmp_path, upstream).complete(MESSAGES, Summary)
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 1
    exchange = json.loads(files[0].read_text())
    assert exchange["origin"] == "recorded"
    assert [r["status"] for r in exchange["responses"]] == [429, 200]
    assert exchange["responses"][0]["headers"] == {"content-type": "application/json", "retry-after": "1"}

    replayer = ModelClient(load_settings(replay_dir=tmp_path))
    replayed = replayer.complete(MESSAGES, Summary)
    assert replayed.value == recorded.value
    assert replayer.replay_store is not None and replayer.replay_store.requests == 2  # the 429 replays too
    assert no_sleep == [1.0, 1.0]


def test_recordings_never_contain_the_api_key_or_auth_headers(tmp_path: Path, valid_answer: dict[str, Any]) -> None:
    recording_client(tmp_path, ScriptedEndpoint(ok(valid_answer))).complete(MESSAGES, Summary)
    for file in tmp_path.rglob("*"):
        if file.is_file():
            text = file.read_text(errors="replace")
            assert SECRET not in text
            assert "authorization" not in text.lower()


def test_replay_miss_is_a_clear_error(tmp_path: Path) -> None:
    client = ModelClient(load_settings(replay_dir=tmp_path))
    with pytest.raises(ReplayMissError, match="no recorded exchange for this request") as info:
        client.complete(MESSAGES, Summary)
    assert len(info.value.request_key) == 24 and int(info.value.request_key, 16) >= 0
    assert info.value.directory == str(tmp_path)
    assert list(tmp_path.iterdir()) == []  # a miss writes nothing


def test_replay_directory_must_exist(tmp_path: Path) -> None:
    from summarize.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="replay directory not found"):
        ModelClient(load_settings(replay_dir=tmp_path / "nope"))


def test_request_key_ignores_json_formatting_but_not_content() -> None:
    a = request_key("POST", "/v1/chat/completions", b'{"a": 1, "b": [1, 2]}')
    b = request_key("POST", "/v1/chat/completions", b'{"b":[1,2],"a":1}')
    c = request_key("POST", "/v1/chat/completions", b'{"b":[1,2],"a":2}')
    assert a == b != c


def test_a_folder_of_recordings_replays_as_one_the_first_in_path_order_winning(tmp_path: Path) -> None:
    exchange = {"responses": [{"status": 200, "body": {"which": ""}}]}
    for folder in ("v2-again/exchanges", "v2/exchanges", "v3"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "k1.json").write_text(json.dumps({**exchange, "endpoint": folder}), encoding="utf-8")
    (tmp_path / "v3" / "k2.json").write_text(json.dumps({**exchange, "endpoint": "v3"}), encoding="utf-8")
    store = ReplayStore(tmp_path)
    assert store.load("k1")["endpoint"] == "v2/exchanges" and store.load("k2")["endpoint"] == "v3"
    (tmp_path / "k1.json").write_text(json.dumps({**exchange, "endpoint": "top"}), encoding="utf-8")
    assert store.load("k1")["endpoint"] == "top" and store.load("missing") is None
