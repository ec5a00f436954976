"""The model call through the real openai client over a scripted HTTP transport."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import pytest

from summarize.model.client import ModelClient, describe_validation_error, extract_json
from summarize.config import load_settings
from summarize.errors import (
    ConfigurationError,
    EndpointError,
    ModelError,
    RefusalError,
    TruncatedError,
    ValidationFailedError,
)
from summarize.schemas import Summary

from .fakes import ScriptedEndpoint, chat_completion, error, ok

MESSAGES = [{"role": "system", "content": "You summarize."}, {"role": "user", "content": "<article>x</article>"}]


def make_client(endpoint: ScriptedEndpoint, **overrides: Any) -> ModelClient:
    settings = load_settings(api_key="sk-test-key", **overrides)
    return ModelClient(settings, transport=endpoint.transport)


def test_json_schema_answer_is_validated_in_one_request(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok(valid_answer, prompt_tokens=321, completion_tokens=123))
    completion = make_client(endpoint).complete(MESSAGES, Summary)
    assert isinstance(completion.value, Summary)
    assert completion.value.brief.source_language == "fr"
    assert (completion.response_format, completion.attempts) == ("json_schema", 1)
    assert (completion.input_tokens, completion.output_tokens) == (321, 123)
    body = endpoint.bodies[0]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["model"] == "gpt-4o-mini"
    assert endpoint.requests[0].headers["authorization"] == "Bearer sk-test-key"


def test_server_rejecting_json_schema_falls_back_to_json_object(valid_answer: dict[str, Any]) -> None:
    # llama.cpp's server answers this way for response_format type json_schema.
    rejection = error(400, "'response_format' type must be one of 'text', 'json_object'")
    endpoint = ScriptedEndpoint(rejection, ok(valid_answer))
    client = make_client(endpoint)
    completion = client.complete(MESSAGES, Summary)
    assert completion.response_format == "json_object"
    first, second = endpoint.bodies
    assert first["response_format"]["type"] == "json_schema"
    assert second["response_format"] == {"type": "json_object"}
    assert "JSON Schema" in second["messages"][0]["content"]  # the schema travels in the prompt instead

    # The rejection is remembered: the next call starts with json_object directly.
    endpoint.replies.append(ok(valid_answer))
    client.complete(MESSAGES, Summary)
    assert endpoint.bodies[2]["response_format"] == {"type": "json_object"}


def test_llama_cpp_500_rejection_is_not_retried_before_falling_back(valid_answer: dict[str, Any], no_sleep: list[float]) -> None:
    # The body llama-cpp-python's server (0.3.36) sends for response_format json_schema, as recorded here.
    message = (
        "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
        "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}"
    )
    endpoint = ScriptedEndpoint(error(500, message), ok(valid_answer))
    completion = make_client(endpoint).complete(MESSAGES, Summary)
    assert completion.response_format == "json_object"
    assert len(endpoint.requests) == 2 and no_sleep == []


def test_server_rejecting_both_formats_falls_back_to_text_with_json_extraction(valid_answer: dict[str, Any]) -> None:
    fenced = "Here is the summary:\n```json\n" + json.dumps(valid_answer) + "\n```\nHope it helps."
    endpoint = ScriptedEndpoint(
        error(422, "Unsupported response_format json_schema"),
        error(400, "response_format not supported"),
        ok(fenced),
    )
    completion = make_client(endpoint).complete(MESSAGES, Summary)
    assert completion.response_format == "text"
    assert "response_format" not in endpoint.bodies[2]
    assert completion.value.brief.title == valid_answer["brief"]["title"]


def test_an_unrelated_400_is_an_error_not_a_fallback() -> None:
    endpoint = ScriptedEndpoint(error(400, "messages: too many tokens"))
    with pytest.raises(EndpointError, match="HTTP 400") as info:
        make_client(endpoint).complete(MESSAGES, Summary)
    assert info.value.status_code == 400
    assert len(endpoint.requests) == 1


def test_invalid_json_is_sent_back_for_repair(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok("{not json"), ok(valid_answer))
    completion = make_client(endpoint).complete(MESSAGES, Summary)
    assert completion.attempts == 2
    repair = endpoint.bodies[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "{not json"}
    assert "invalid" in repair[-1]["content"]


def test_schema_errors_are_named_in_the_repair_message(valid_answer: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(valid_answer))
    broken["brief"]["source_language"] = "French"
    del broken["key_facts"]["quotes"]
    endpoint = ScriptedEndpoint(ok(broken), ok(valid_answer))
    completion = make_client(endpoint).complete(MESSAGES, Summary)
    assert completion.attempts == 2
    feedback = endpoint.bodies[1]["messages"][-1]["content"]
    assert "brief.source_language" in feedback
    assert "key_facts.quotes" in feedback


def test_answer_still_invalid_after_repairs_raises_with_attempts_and_last_answer() -> None:
    endpoint = ScriptedEndpoint(ok('{"brief": 1}'), ok('{"brief": 2}'), ok('{"brief": 3}'))
    with pytest.raises(ValidationFailedError) as info:
        make_client(endpoint, max_repairs=2).complete(MESSAGES, Summary)
    assert info.value.attempts == 3
    assert info.value.last_answer == '{"brief": 3}'
    assert "brief" in info.value.last_error
    assert info.value.usage == {"input_tokens": 300, "output_tokens": 150}
    assert "3 attempts" in str(info.value)
    assert len(endpoint.requests) == 3


def test_rate_limit_is_retried_honouring_retry_after(valid_answer: dict[str, Any], no_sleep: list[float]) -> None:
    endpoint = ScriptedEndpoint(
        error(429, "slow down", headers={"retry-after": "7"}),
        error(503, "overloaded", headers={"retry-after-ms": "250"}),
        ok(valid_answer),
    )
    completion = make_client(endpoint).complete(MESSAGES, Summary)
    assert completion.attempts == 1  # retries are transport-level, not repair attempts
    assert len(endpoint.requests) == 3
    assert no_sleep == [7.0, 0.25]


def test_server_errors_without_retry_after_back_off_then_give_up(no_sleep: list[float]) -> None:
    endpoint = ScriptedEndpoint(*[error(500, "boom") for _ in range(4)])
    with pytest.raises(EndpointError, match="HTTP 500") as info:
        make_client(endpoint, max_retries=3).complete(MESSAGES, Summary)
    assert info.value.status_code == 500
    assert len(endpoint.requests) == 4
    assert len(no_sleep) == 3 and no_sleep[0] < no_sleep[2]  # exponential backoff


def test_timeouts_are_retried_then_reported(no_sleep: list[float]) -> None:
    endpoint = ScriptedEndpoint(*[httpx2.ReadTimeout("slow") for _ in range(3)])
    with pytest.raises(EndpointError, match="timed out"):
        make_client(endpoint, max_retries=2).complete(MESSAGES, Summary)
    assert len(endpoint.requests) == 3


def test_truncated_answer_is_reported_not_parsed(valid_answer: dict[str, Any]) -> None:
    partial = json.dumps(valid_answer)[:200]
    endpoint = ScriptedEndpoint(ok(partial, finish_reason="length", completion_tokens=4096))
    with pytest.raises(TruncatedError, match="cut off") as info:
        make_client(endpoint).complete(MESSAGES, Summary)
    assert info.value.partial == partial
    assert info.value.usage["output_tokens"] == 4096
    assert len(endpoint.requests) == 1


def test_refusal_is_reported() -> None:
    endpoint = ScriptedEndpoint(httpx2.Response(200, json=chat_completion(None, refusal="I can't help with that.")))
    with pytest.raises(RefusalError, match="refused: I can't help with that."):
        make_client(endpoint).complete(MESSAGES, Summary)


def test_empty_choices_is_a_model_error() -> None:
    body = chat_completion("{}")
    body["choices"] = []
    with pytest.raises(ModelError, match="no choices"):
        make_client(ScriptedEndpoint(httpx2.Response(200, json=body))).complete(MESSAGES, Summary)


def test_forced_response_format_is_used_without_probing(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok(valid_answer))
    completion = make_client(endpoint, response_format="text").complete(MESSAGES, Summary)
    assert completion.response_format == "text"
    assert "response_format" not in endpoint.bodies[0]


def test_async_client_shares_the_same_logic(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok("nope"), ok(valid_answer))
    client = make_client(endpoint)
    completion = asyncio.run(client.acomplete(MESSAGES, Summary))
    assert completion.attempts == 2
    assert endpoint.requests[0].headers["x-stainless-async"].startswith("async")


def test_no_key_no_base_url_no_replay_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY.*OPENAI_BASE_URL.*--replay"):
        ModelClient(load_settings())


def test_local_server_needs_no_key(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(ok(valid_answer))
    client = ModelClient(load_settings(base_url="http://127.0.0.1:8080/v1"), transport=endpoint.transport)
    client.complete(MESSAGES, Summary)
    assert str(endpoint.requests[0].url) == "http://127.0.0.1:8080/v1/chat/completions"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('  \n{"a": [1, 2]}\n', {"a": [1, 2]}),
        ('```json\n{"a": "b"}\n```', {"a": "b"}),
        ('Sure! Here it is: {"a": {"b": "}"}} and more text', {"a": {"b": "}"}}),
        ('noise {bad} then {"ok": true}', {"ok": True}),
    ],
)
def test_extract_json_finds_the_object(text: str, expected: dict[str, Any]) -> None:
    assert extract_json(text) == expected


@pytest.mark.parametrize("text", ["", "no json here", "{unclosed", "[1, 2]"])
def test_extract_json_rejects_answers_without_an_object(text: str) -> None:
    with pytest.raises(ValueError):
        extract_json(text)


def test_describe_validation_error_is_short_and_located() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        Summary.model_validate({"brief": {}, "key_facts": {}})
    text = describe_validation_error(info.value, limit=3)
    assert text.startswith("brief.title: Field required")
    assert "and " in text and "more" in text
