"""The local fake OpenAI server, driven through the real openai client over loopback."""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest

from bench.fake_openai import FAULT_KINDS, VERDICT, FakeOpenAI, article_text, cited_answer
from summarize.checks import NOTES
from summarize.config import load_settings
from summarize.grounded import pipeline as grounded
from summarize.grounded.schema import CitedSummary, Verdict
from summarize.prompts import PromptLibrary
from summarize.reading.read import load_article
from summarize.schemas import Article, Summary, strict_json_schema
from summarize.reading.sentences import Sentences
from summarize.tasks import SummaryTask

from .fakes import ROOT, SEED_003

FRENCH = (
    "Le gouvernement a présenté mardi un plan pour les hôpitaux. La ministre de la Santé a annoncé des mesures "
    "pour les urgences. Les syndicats jugent le plan insuffisant. Une grève est prévue la semaine prochaine."
)
ENGLISH = "The council approved the budget on Monday. The vote was close. The mayor said the city would hire more staff."
JSON_SCHEMA = {"type": "json_schema", "json_schema": {"name": "summary", "strict": True, "schema": {"type": "object"}}}


def messages(text: str = ENGLISH, version: int | None = None) -> list[dict[str, Any]]:
    """The messages our summary prompt (the default, cited one, or `version`) renders for `text`."""
    prompt = PromptLibrary().load("summary", version)
    article = Article(text=text, source="-", title="T", language="en")
    return prompt.render(**SummaryTask(load_settings()).variables(prompt, article, text, ""))


def shown(text: str) -> str:
    """The article as the default (cited) prompt shows it between its delimiters: numbered sentences."""
    return Sentences(text).numbered()


def key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[FakeOpenAI, openai.OpenAI]]]:
    """Start a FakeOpenAI with the given options; returns it with a no-retry client. Stops them after the test."""
    started: list[tuple[FakeOpenAI, openai.OpenAI]] = []

    def start(client_timeout: float = 10.0, max_retries: int = 0, **options: Any) -> tuple[FakeOpenAI, openai.OpenAI]:
        server = FakeOpenAI(**options).start()
        client = openai.OpenAI(base_url=server.url, api_key="test", max_retries=max_retries, timeout=client_timeout)
        started.append((server, client))
        return server, client

    yield start
    for server, client in started:
        client.close()
        server.stop()


def chat(client: openai.OpenAI, text: str = ENGLISH, **extra: Any) -> Any:
    return client.chat.completions.create(model="fake-model", messages=messages(text), **extra)


# Chat completions --------------------------------------------------------------------------------------


def test_answer_validates_as_cited_summary_and_echoes_the_request(serve: Callable[..., Any]) -> None:
    server, client = serve()
    response = chat(client, FRENCH, response_format=JSON_SCHEMA)
    assert response.object == "chat.completion" and response.model == "fake-model"
    choice = response.choices[0]
    assert choice.finish_reason == "stop" and choice.message.refusal is None
    cited = CitedSummary.model_validate_json(choice.message.content)
    assert list(json.loads(choice.message.content)) == ["key_facts", "brief"]  # the schema's order: facts first
    assert cited.brief.source_language == "fr"
    assert cited.brief.title == "A brief of the article" and cited.brief.title_cites == ["1.1"]
    assert [p.cites for p in cited.brief.key_points] == [["1.1"], ["1.2"], ["1.3"]]  # sentences of six words or more
    assert [s.cites for s in cited.brief.summary] == [["1.1"]]
    # The source-language summary is the article's own sentences the summary cites, as the pipeline derives it.
    article = Article(text=FRENCH, source="-", language="fr")
    derived = grounded.derived(cited, article).summary.brief
    assert derived.source_summary == "Le gouvernement a présenté mardi un plan pour les hôpitaux."
    assert cited.key_facts.model_dump() == {"people": [], "organizations": [], "events": [], "amounts": [], "quotes": []}
    assert response.usage.prompt_tokens > len(FRENCH) // 4 and response.usage.total_tokens > response.usage.prompt_tokens
    assert server.requests[0].article_key == key(shown(FRENCH)) and server.requests[0].status == 200


def test_a_v3_request_gets_a_summary_answer_with_copied_evidence(serve: Callable[..., Any]) -> None:
    server, client = serve()
    response = client.chat.completions.create(model="fake-model", messages=messages(FRENCH, 3), response_format=JSON_SCHEMA)
    summary = Summary.model_validate_json(response.choices[0].message.content)
    assert summary.brief.source_language == "fr"
    assert summary.brief.title == "A brief of the article"
    assert summary.brief.key_points[0].evidence == ["Le gouvernement a présenté mardi un plan pour les hôpitaux."]
    assert summary.brief.source_summary == "Le gouvernement a présenté mardi un plan pour les hôpitaux."
    assert len(summary.brief.key_points) == 3
    assert server.requests[0].article_key == key(FRENCH)


def test_article_is_taken_from_between_the_prompt_delimiters() -> None:
    assert shown(ENGLISH).startswith("[1.1] The council approved the budget on Monday.\n[1.2] ")
    assert article_text(messages(ENGLISH)) == shown(ENGLISH)
    assert article_text(messages(ENGLISH, 3)) == ENGLISH  # the v1-v3 prompts show the text as it is
    # A repair turn comes after the article message: the key must stay the article's.
    repair = messages(ENGLISH) + [
        {"role": "assistant", "content": "{}"},
        {"role": "user", "content": "That answer is invalid: brief: Field required. Reply with only the corrected JSON."},
    ]
    assert article_text(repair) == shown(ENGLISH)
    assert article_text([{"role": "user", "content": "no delimiters here"}]) == "no delimiters here"


def test_english_answer_is_english(serve: Callable[..., Any]) -> None:
    _, client = serve()
    cited = CitedSummary.model_validate_json(chat(client, ENGLISH).choices[0].message.content)
    assert cited.brief.source_language == "en" and cited.brief.summary[0].cites == ["1.1"]
    article = Article(text=ENGLISH, source="-", language="en")
    assert grounded.derived(cited, article).summary.brief.source_summary.startswith("The council approved")
    assert grounded.derived(cited, article, same=True).summary.brief.source_summary == ""  # already in English


def _checked(cited: CitedSummary, article: Article, task: SummaryTask) -> tuple[list[Any], list[Any], list[Any]]:
    """The pipeline's checks of a cited answer (derivation, citations, grounding, leaks), what derivation repaired,
    and the notes the task adds (length, same language)."""
    prompt = PromptLibrary().load("summary")
    same = task.same_language(article)
    checked, made = grounded.check(cited, article, prompt, target="en", verifier="fake", same=same)
    notes = task.check(cited, article, article.text, prompt).warnings
    return checked.warnings, made.repairs, notes


@pytest.mark.parametrize(
    "article",
    [
        Article(text=FRENCH, source="-", title="Hôpitaux", language="fr"),
        Article(text=ENGLISH, source="-", title="Budget", language="en"),
        load_article(str(SEED_003)),  # several paragraphs, names, dates, amounts and quotes the answer must not invent
    ],
    ids=["french", "english", "seed-003"],
)
def test_the_cited_answer_passes_the_pipelines_checks_without_a_warning(serve: Callable[..., Any], article: Article) -> None:
    _, client = serve()
    task = SummaryTask(load_settings())
    prompt = PromptLibrary().load("summary")
    sent = prompt.render(**task.variables(prompt, article, article.text, ""))
    schema = {"type": "json_schema", "json_schema": {"name": "cited-summary", "strict": True, "schema": strict_json_schema(CitedSummary)}}
    content = client.chat.completions.create(model="fake-model", messages=sent, response_format=schema).choices[0].message.content
    cited = CitedSummary.model_validate_json(content)
    warnings, repairs, notes = _checked(cited, article, task)
    assert warnings == [] and repairs == []
    assert {n.kind for n in notes} <= NOTES  # only processing notes (the fake writes a one-sentence summary)
    # Every citation is a sentence of the article, and the derived evidence is that sentence, found where it stands.
    made = grounded.derived(cited, article)
    for point in made.summary.brief.key_points:
        assert point.evidence and all(e in article.text for e in point.evidence)


def test_the_cited_answer_to_a_combine_request_cites_the_parts_ids_and_passes_the_checks(serve: Callable[..., Any]) -> None:
    _, client = serve()
    article = load_article(str(SEED_003))
    task = SummaryTask(load_settings())
    sentences = Sentences(article.text)
    halves = article.text.split("\n\n")
    parts = ["\n\n".join(halves[: len(halves) // 2]), "\n\n".join(halves[len(halves) // 2 :])]
    prompt = PromptLibrary().load("summary")
    answers = []
    for part in parts:
        sent = prompt.render(**task.variables(prompt, article, part, " (part 1 of 2)"))
        content = client.chat.completions.create(model="fake-model", messages=sent).choices[0].message.content
        answers.append(CitedSummary.model_validate_json(content))
    # The second part's ids are the whole article's: its first paragraph is not numbered 1.
    assert answers[1].brief.title_cites != answers[0].brief.title_cites
    assert all(sentences.get(i) is not None for a in answers for p in a.brief.key_points for i in p.cites)
    combine = PromptLibrary().load("combine", 2)
    call = task.merge(article, parts, combine, answers, limit=100_000, encoding="o200k_base")
    assert not isinstance(call, list)
    content = client.chat.completions.create(model="fake-model", messages=call.messages).choices[0].message.content
    merged = CitedSummary.model_validate_json(content)
    assert [p.cites for p in merged.brief.key_points] == [p.cites for p in answers[0].brief.key_points]
    assert merged.brief.summary[0].cites == answers[0].brief.summary[0].cites
    assert merged.brief.source_language == "fr"  # the parts' language
    warnings, repairs, _ = _checked(merged, article, task)
    assert warnings == [] and repairs == []


def test_a_verifier_request_gets_a_verdict(serve: Callable[..., Any]) -> None:
    server, client = serve()
    article = load_article(str(SEED_003))
    prompt, verify = PromptLibrary().load("summary"), PromptLibrary().load("verify")
    cited = CitedSummary.model_validate(cited_answer(shown(article.text)))
    calls = grounded.verification_calls(cited, article, prompt, verify, target="en")
    assert len(calls) >= 4  # the title, the summary sentence, the key points
    for call in calls:
        schema = {"type": "json_schema", "json_schema": {"name": "verdict", "strict": True, "schema": strict_json_schema(Verdict)}}
        for response_format in (schema, {"type": "json_object"}):
            content = client.chat.completions.create(model="fake-model", messages=call.messages, response_format=response_format)
            verdict = Verdict.model_validate_json(content.choices[0].message.content)
            assert verdict.supported and verdict == Verdict.model_validate(VERDICT)
    verified = grounded.with_verdicts(cited, calls, [verdict] * len(calls))
    checked, _ = grounded.check(verified, article, prompt, target="en", verifier="fake")
    assert checked.warnings == [] and all(e.supported for e in checked.evidence)
    assert {r.status for r in server.requests} == {200}


def test_concurrency_cap_queues_requests(serve: Callable[..., Any]) -> None:
    server, client = serve(latency=0.2, concurrency=2)
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            chat(client, f"Article number {n}. It is short.")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    assert not errors
    assert elapsed >= 0.8  # 8 requests, 2 slots, 0.2 s each: 4 rounds
    assert server.peak_active == 2
    assert server.max_in_flight == server.peak_connections > 2  # the others waited for a slot, none was refused
    assert len({r.article_key for r in server.requests}) == 8


def test_sixty_four_simultaneous_connections_are_all_served(serve: Callable[..., Any]) -> None:
    server, client = serve(latency=0.3, concurrency=16)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda n=n: results.append(chat(client, f"Story {n}."))) for n in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 64 and server.peak_active == 16
    assert all(r.status == 200 for r in server.requests)


@pytest.mark.parametrize(("retry_after", "header"), [(0.5, "0.5"), (2.0, "2"), (None, None)])
def test_rate_limit_answers_429_with_retry_after(
    serve: Callable[..., Any], retry_after: float | None, header: str | None
) -> None:
    server, client = serve(rate_limit=2, retry_after=retry_after)
    chat(client)
    chat(client)  # the burst is max(1, RPS) = 2
    with pytest.raises(openai.RateLimitError) as caught:
        chat(client)
    assert caught.value.response.headers.get("retry-after") == header
    assert caught.value.code == "rate_limit_exceeded"
    assert server.rate_limited == 1
    assert [r.status for r in server.requests] == [200, 200, 429]


def test_client_retry_honours_retry_after(serve: Callable[..., Any]) -> None:
    server, client = serve(max_retries=1, faults=lambda index, article, body: "429" if index == 0 else None)
    CitedSummary.model_validate_json(chat(client).choices[0].message.content)
    first, second = server.requests
    assert (first.status, first.fault, second.status) == (429, "429", 200)
    assert second.started - first.ended >= 0.09  # Retry-After: 0.1
    assert first.article_key == second.article_key


# Faults ------------------------------------------------------------------------------------------------


def _raises(kind: type[BaseException], check: Callable[[Any], bool] = lambda exc: True) -> Callable[[Callable[[], Any]], None]:
    def verify(call: Callable[[], Any]) -> None:
        with pytest.raises(kind) as caught:
            call()
        assert check(caught.value)

    return verify


def _returns(check: Callable[[Any], bool]) -> Callable[[Callable[[], Any]], None]:
    def verify(call: Callable[[], Any]) -> None:
        assert check(call())

    return verify


def _invalid_summary(content: str) -> bool:
    for model in (CitedSummary, Summary):  # invalid as the answer asked for, and as the older one
        with pytest.raises(ValueError):
            model.model_validate_json(content)
    return True


FAULT_OBSERVABLES: dict[str, Callable[[Callable[[], Any]], None]] = {
    "429": _raises(openai.RateLimitError, lambda e: e.response.headers["retry-after"] == "0.1"),
    "429-no-retry-after": _raises(openai.RateLimitError, lambda e: "retry-after" not in e.response.headers),
    "500": _raises(openai.InternalServerError, lambda e: e.status_code == 500 and e.type == "server_error"),
    "502": _raises(openai.InternalServerError, lambda e: e.status_code == 502),
    "503": _raises(openai.InternalServerError, lambda e: e.status_code == 503),
    "timeout": _raises(openai.APITimeoutError),
    "disconnect": _raises(openai.APIConnectionError),
    # The client reads the body as JSON because of the content type: the decode error escapes unwrapped.
    "not-json-body": _raises(json.JSONDecodeError),
    "content-not-json": _returns(lambda r: r.choices[0].message.content.startswith("Sure! Here is the summary")),
    "schema-invalid": _returns(lambda r: _invalid_summary(r.choices[0].message.content)),
    "length": _returns(lambda r: r.choices[0].finish_reason == "length" and _invalid_summary(r.choices[0].message.content)),
    "refusal": _returns(lambda r: r.choices[0].message.content is None and r.choices[0].message.refusal == "I can't help with that."),
    "empty-choices": _returns(lambda r: r.choices == []),
    # Not JSON, so the (non-strict) client hands back the body text instead of a ChatCompletion.
    "wrong-content-type": _returns(lambda r: r == "hello"),
    "reject-json-schema": _raises(openai.BadRequestError, lambda e: e.param == "response_format" and "json_schema" in e.message),
}  # fmt: skip


def test_every_fault_kind_has_an_observable() -> None:
    assert set(FAULT_OBSERVABLES) == set(FAULT_KINDS)


@pytest.mark.parametrize("fault", FAULT_KINDS)
def test_fault_is_observable_through_the_client(serve: Callable[..., Any], fault: str) -> None:
    server, client = serve(client_timeout=0.3, timeout_sleep=5, faults=lambda index, article, body: fault)
    FAULT_OBSERVABLES[fault](lambda: chat(client, response_format=JSON_SCHEMA))
    assert server.faults_injected == {fault: 1}
    began = time.monotonic()
    server.stop()  # a hanging "timeout" request must not hold up the shutdown
    assert time.monotonic() - began < 1
    assert [r.fault for r in server.requests] == [fault]


def test_reject_json_schema_fault_needs_a_json_schema_request(serve: Callable[..., Any]) -> None:
    server, client = serve(faults=lambda index, article, body: "reject-json-schema")
    CitedSummary.model_validate_json(chat(client, response_format={"type": "json_object"}).choices[0].message.content)
    assert server.faults_injected == {} and server.requests[0].fault is None


def test_server_rejecting_json_schema_accepts_json_object(serve: Callable[..., Any]) -> None:
    server, client = serve(reject_json_schema=True)
    with pytest.raises(openai.BadRequestError) as caught:
        chat(client, response_format=JSON_SCHEMA)
    # Our client recognises a format rejection by this wording, then falls back.
    assert re.search(r"response_format|json_schema", caught.value.message)
    assert caught.value.body == {
        "message": "response_format type json_schema is not supported",
        "type": "invalid_request_error",
        "param": "response_format",
        "code": None,
    }
    CitedSummary.model_validate_json(chat(client, response_format={"type": "json_object"}).choices[0].message.content)
    assert server.faults_injected == {}


def test_fault_rate_is_deterministic_per_seed(serve: Callable[..., Any]) -> None:
    def run(seed: int) -> list[str | None]:
        server, client = serve(fault_rate=0.5, seed=seed, fault_kinds=("500", "content-not-json"))
        for n in range(30):
            try:
                chat(client, f"Article {n}.")
            except openai.InternalServerError:
                pass
        return [r.fault for r in server.requests]

    first, again, other = run(7), run(7), run(8)
    assert first == again != other
    assert 5 <= sum(f is not None for f in first) <= 25


def test_unknown_fault_name_is_a_500_and_recorded(serve: Callable[..., Any]) -> None:
    server, client = serve(faults=lambda index, article, body: "nope")
    with pytest.raises(openai.InternalServerError):
        chat(client)
    assert isinstance(server.errors[0], ValueError)


def test_unknown_route_and_malformed_json(serve: Callable[..., Any]) -> None:
    server, client = serve()
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="fake-model", input="x")
    host, port = server.url.removeprefix("http://").removesuffix("/v1").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.request("POST", "/v1/chat/completions", body=b"{not json", headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.status == 400 and json.loads(response.read())["error"]["type"] == "invalid_request_error"
    # Keep-alive: the same connection serves the next request.
    connection.request("GET", "/v1/nowhere")
    response = connection.getresponse()
    assert response.status == 404 and "error" in json.loads(response.read())
    connection.close()
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="fake-model", messages=[])


# Files -------------------------------------------------------------------------------------------------


def test_file_upload_roundtrip_is_binary_safe(serve: Callable[..., Any]) -> None:
    server, client = serve()
    data = bytes(range(256)) + b"\r\n--\r\n\r\n" + "é\n".encode() + b"\r\n"
    uploaded = client.files.create(file=("data.bin", data, "application/octet-stream"), purpose="user_data")
    assert uploaded.id.startswith("file-") and uploaded.object == "file"
    assert (uploaded.bytes, uploaded.filename, uploaded.purpose, uploaded.status) == (len(data), "data.bin", "user_data", "processed")
    assert client.files.retrieve(uploaded.id) == uploaded
    assert client.files.content(uploaded.id).content == data
    deleted = client.files.delete(uploaded.id)
    assert deleted.deleted and deleted.id == uploaded.id
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(uploaded.id)
    with pytest.raises(openai.NotFoundError):
        client.files.content("file-missing")


def test_file_upload_from_a_path(serve: Callable[..., Any], tmp_path: Any) -> None:
    _, client = serve()
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b'{"a": 1}\n' * 1000)
    uploaded = client.files.create(file=path, purpose="batch")
    assert uploaded.filename == "requests.jsonl"
    assert client.files.content(uploaded.id).content == path.read_bytes()


# Batches -----------------------------------------------------------------------------------------------


def batch_line(custom_id: str, text: str, **overrides: Any) -> dict[str, Any]:
    body = {"model": "fake-model", "messages": messages(text), "response_format": JSON_SCHEMA}
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body, **overrides}


def upload(client: openai.OpenAI, lines: list[Any]) -> str:
    data = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines).encode()
    return client.files.create(file=("batch.jsonl", data, "application/jsonl"), purpose="batch").id


def create_batch(client: openai.OpenAI, file_id: str) -> Any:
    return client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")


def poll(client: openai.OpenAI, batch_id: str, until: set[str], limit: int = 50) -> tuple[Any, int]:
    for polls in range(1, limit + 1):
        batch = client.batches.retrieve(batch_id)
        if batch.status in until:
            return batch, polls
        time.sleep(0.02)
    raise AssertionError(f"batch still {batch.status} after {limit} polls")


def read_jsonl(client: openai.OpenAI, file_id: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in client.files.content(file_id).text.splitlines()]


def test_batch_flow_completes_after_polling(serve: Callable[..., Any]) -> None:
    server, client = serve()
    texts = {f"article-{n}": f"Story {n} happened today. It was notable." for n in range(3)}
    file_id = upload(client, [batch_line(cid, text) for cid, text in texts.items()])
    created = client.batches.create(
        input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h", metadata={"run": "t"}
    )
    assert (created.object, created.status, created.input_file_id) == ("batch", "validating", file_id)
    assert created.id.startswith("batch_") and created.output_file_id is None and created.metadata == {"run": "t"}
    batch, polls = poll(client, created.id, {"completed", "failed"})
    assert batch.status == "completed" and polls >= 2 and server.batch_polls[created.id] == polls
    assert batch.request_counts.model_dump() == {"total": 3, "completed": 3, "failed": 0}
    assert batch.error_file_id is None and batch.completed_at and batch.model == "fake-model"
    lines = read_jsonl(client, batch.output_file_id)
    assert sorted(line["custom_id"] for line in lines) == sorted(texts)
    for line in lines:
        assert line["id"].startswith("batch_req_") and line["error"] is None
        assert line["response"]["status_code"] == 200
        content = line["response"]["body"]["choices"][0]["message"]["content"]
        text = texts[line["custom_id"]]
        derived = grounded.derived(CitedSummary.model_validate_json(content), Article(text=text, source="-"))
        assert derived.summary.brief.source_summary == text.split(". ")[0] + "."  # the answer cites its own article
    assert client.files.retrieve(batch.output_file_id).purpose == "batch_output"
    # Resuming polls the same batch: nothing is created twice, no article is answered twice.
    assert client.batches.retrieve(created.id).status == "completed"
    assert server.batches_created == 1 and [b.id for b in client.batches.list()] == [created.id]
    keys = [r.article_key for r in server.requests if r.method == "BATCH"]
    assert sorted(keys) == sorted(key(shown(text)) for text in texts.values())


def test_batch_polls_to_complete_is_configurable(serve: Callable[..., Any]) -> None:
    server, client = serve(batch_polls_to_complete=4)
    created = create_batch(client, upload(client, [batch_line("a", ENGLISH)]))
    _, polls = poll(client, created.id, {"completed"})
    assert polls >= 4


def test_batch_failures_go_to_the_error_file(serve: Callable[..., Any]) -> None:
    faults = {key(shown("Second story.")): "500", key(shown("Third story.")): "disconnect"}
    server, client = serve(faults=lambda index, article, body: faults.get(article))
    lines = [batch_line("one", "First story."), batch_line("two", "Second story."), batch_line("three", "Third story.")]
    batch, _ = poll(client, create_batch(client, upload(client, lines)).id, {"completed"})
    assert batch.request_counts.model_dump() == {"total": 3, "completed": 1, "failed": 2}
    assert [line["custom_id"] for line in read_jsonl(client, batch.output_file_id)] == ["one"]
    errors = {line["custom_id"]: line for line in read_jsonl(client, batch.error_file_id)}
    assert errors["two"]["response"]["status_code"] == 500 and errors["two"]["response"]["body"]["error"]["type"] == "server_error"
    assert errors["three"]["response"] is None and errors["three"]["error"]["code"] == "server_error"


def test_invalid_batch_input_fails_with_line_errors(serve: Callable[..., Any]) -> None:
    _, client = serve()
    lines = [
        batch_line("a", ENGLISH),
        batch_line("a", FRENCH),
        batch_line("b", ENGLISH, url="/v1/embeddings"),
        "{not json",
        batch_line("c", ENGLISH, method="GET"),
    ]
    batch, _ = poll(client, create_batch(client, upload(client, lines)).id, {"failed"})
    assert batch.failed_at and batch.output_file_id is None and batch.errors.object == "list"
    assert [(e.code, e.line) for e in batch.errors.data] == [
        ("duplicate_custom_id", 2),
        ("invalid_url", 3),
        ("invalid_json_line", 4),
        ("invalid_method", 5),
    ]
    with pytest.raises(openai.BadRequestError):
        client.batches.cancel(batch.id)


def test_batch_create_checks_its_input(serve: Callable[..., Any]) -> None:
    _, client = serve()
    with pytest.raises(openai.BadRequestError):
        create_batch(client, "file-missing")
    not_batch = client.files.create(file=("x.jsonl", b"{}\n", "application/jsonl"), purpose="user_data").id
    with pytest.raises(openai.BadRequestError):
        create_batch(client, not_batch)
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve("batch_missing")


def test_cancel_stops_a_running_batch(serve: Callable[..., Any]) -> None:
    server, client = serve(batch_latency=0.1)
    created = create_batch(client, upload(client, [batch_line(f"a{n}", f"Story {n}.") for n in range(20)]))
    poll(client, created.id, {"in_progress"})
    cancelling = client.batches.cancel(created.id)
    assert cancelling.status == "cancelling" and cancelling.cancelling_at
    batch, _ = poll(client, created.id, {"cancelled"})
    assert batch.cancelled_at and batch.request_counts.completed < 20
    if batch.request_counts.completed:  # what was answered before the cancel is still delivered
        assert len(read_jsonl(client, batch.output_file_id)) == batch.request_counts.completed


# The command line --------------------------------------------------------------------------------------


def test_module_prints_its_url_and_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.fake_openai", "--latency", "0.01", "--concurrency", "2", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", url)
        with openai.OpenAI(base_url=url, api_key="test", max_retries=0) as client:
            CitedSummary.model_validate_json(chat(client).choices[0].message.content)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
