"""A local OpenAI-compatible fake server: fixed latency, a concurrency cap, rate limits, faults, Files and Batches."""

from __future__ import annotations

import argparse
import contextlib
import email.message
import email.parser
import email.utils
import hashlib
import itertools
import json
import random
import re
import secrets
import signal
import socket
import socketserver
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

FAULT_KINDS: tuple[str, ...] = (
    "429", "429-no-retry-after", "500", "502", "503", "timeout", "disconnect", "not-json-body",
    "content-not-json", "schema-invalid", "length", "refusal", "empty-choices", "wrong-content-type",
    "reject-json-schema",
)  # fmt: skip
FaultPicker = Callable[[int, str, dict[str, Any]], "str | None"]

# Faults a real server answers before doing any work: they take neither a slot nor the latency.
_IMMEDIATE = {"429", "429-no-retry-after", "reject-json-schema"}
_SERVER_ERRORS = {
    "500": (500, "The server had an error while processing your request. Sorry about that!"),
    "502": (502, "Bad gateway."),
    "503": (503, "The server is overloaded or not ready yet."),
}
_UPLOAD_PURPOSES = {"assistants", "batch", "fine-tune", "vision", "user_data", "evals"}
# The summary prompt wraps the article in <article> tags, the combine prompt the part summaries in <parts>.
_DATA_BLOCK = re.compile(r"<(article|parts)>\n?(.*?)\n?</\1>", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_FACT_LISTS = ("people", "organizations", "events", "amounts", "quotes")


def _text(content: Any) -> str:
    """The text of a message content: a string or a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def article_text(messages: list[dict[str, Any]]) -> str:
    """The article in the last user message that delimits one, else the whole last user message."""
    users = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
    for content in reversed(users):  # repair turns come after the article message
        if match := _DATA_BLOCK.search(content):
            return match.group(2)
    return users[-1] if users else ""


def article_key(text: str) -> str:
    """The first 16 hex digits of the article text's sha256: proves an article was (not) asked twice."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def guess_language(text: str) -> str:
    """'fr' when French articles outnumber 'the', else 'en'."""
    padded = f" {' '.join(text.lower().split())} "
    french = sum(padded.count(word) for word in (" le ", " la ", " les ", " des "))
    return "fr" if french > padded.count(" the ") else "en"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_answer(text: str) -> dict[str, Any]:
    """A deterministic answer that validates as summarize.schemas.Summary and passes its checks, built from the text.

    Its English is generic (no names, numbers or dates to ground) and its evidence is copied from the article,
    so the checks never ask this fake for a repair unless a test wants one.
    """
    flat = " ".join(text.split())
    sentences = [s for s in _SENTENCE_END.split(flat) if s] or ["(empty article)"]
    cited = [s for s in sentences if len(s.split()) >= 6][:3] or [flat]
    points = [{"text": f"The article makes this point in its own words, part {'abc'[n]}.", "evidence": [_clip(s, 600)]} for n, s in enumerate(cited)]
    brief = {
        "title": "A brief of the article",
        "summary": "This is a short summary of the article, written by a fake model for tests.",
        "source_summary": sentences[0],
        "key_points": points,
        "source_language": guess_language(flat),
    }
    # Empty fact lists are valid and pass the faithfulness check by construction.
    return {"brief": brief, "key_facts": {name: [] for name in _FACT_LISTS}}


_NUMBERED = re.compile(r"^\[(\d+)\] ", re.MULTILINE)
_SENTENCE_LINE = re.compile(r"^\[(\d+\.\d+)\] (.*)$", re.MULTILINE)
_CITE = re.compile(r'"(\d+\.\d+)"')


def cited_answer(text: str) -> dict[str, Any]:
    """For a cited-summary request (the article as [p.s] sentences, or parts that cite them): a generic brief citing
    real ids, so it validates as summarize.grounded.schema.CitedSummary and passes its checks by construction.

    Its summary cites the first sentence of six words or more, so the source-language summary the pipeline derives
    from the cited sentences is that sentence."""
    lines = _SENTENCE_LINE.findall(text)
    if lines:
        ids = [i for i, s in lines if len(s.split()) >= 6][:3] or [lines[0][0]]
        language = guess_language(" ".join(s for _, s in lines))
    else:  # a combine request: the parts' answers, whose cites are the whole article's ids
        ids = list(dict.fromkeys(_CITE.findall(text)))[:3] or ["1.1"]
        given = re.search(r'"source_language": "([a-z]{2})"', text)  # the parts' language, as they gave it
        language = given.group(1) if given else "en"
    points = [{"text": f"The article makes this point in its own words, part {'abc'[n]}.", "cites": [i]} for n, i in enumerate(ids)]
    brief = {
        "title": "A brief of the article",
        "title_cites": ids[:1],
        "summary": [{"text": "This is a short summary of the article, written by a fake model for tests.", "cites": ids[:1]}],
        "key_points": points,
        "source_language": language,
    }
    return {"key_facts": {name: [] for name in _FACT_LISTS}, "brief": brief}


VERDICT = {"label": "supported"}
"""What this fake's verifier says of every claim."""


def _wants(body: dict[str, Any], field: str) -> bool:
    # The schema (json_schema mode) or the schema instruction (other modes) names the answer's fields.
    return f'"{field}"' in json.dumps(body.get("response_format") or {}) or f'\\"{field}\\"' in json.dumps(body.get("messages") or [])


def translation_answer(text: str) -> dict[str, Any] | None:
    """For a translate request (paragraphs numbered [1], [2] ...): each paragraph echoed as its "translation".

    Aligned by construction, so the pipeline's plumbing (parts, batch, Batch API) is tested without a model;
    the language check flags the echoed French, as it should.
    """
    if not text.startswith("[1] "):
        return None
    pieces = _NUMBERED.split(text)[1:]
    paragraphs = [{"n": int(n), "text": _clip(body.strip(), 1700)} for n, body in zip(pieces[::2], pieces[1::2])]
    return {"title": None, "paragraphs": paragraphs}


def chat_completion(body: dict[str, Any], content: str | None, finish: str = "stop", refusal: str | None = None) -> dict[str, Any]:
    """A chat.completion object answering `body`, with rough 4-characters-a-token usage."""
    prompt = sum(len(_text(m.get("content"))) for m in body["messages"]) // 4
    completion = len(content or refusal or "") // 4
    message = {"role": "assistant", "content": content, "refusal": refusal}
    return {
        "id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion", "created": int(time.time()),
        "model": body["model"], "system_fingerprint": "fp_fake",
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }  # fmt: skip


@dataclass
class Reply:
    """One HTTP answer, or a transport misbehaviour: action "disconnect" (half a body) or "drop" (nothing)."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    action: str | None = None


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    """A JSON reply."""
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), headers=headers or {})


def error_reply(status: int, message: str, type_: str = "invalid_request_error", *, param: str | None = None,
                code: str | None = None, headers: dict[str, str] | None = None) -> Reply:  # fmt: skip
    """A reply with OpenAI's error body."""
    return json_reply(status, {"error": {"message": message, "type": type_, "param": param, "code": code}}, headers)


def _rate_limited(retry_after: float | None) -> Reply:
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    return error_reply(429, "Rate limit reached", "requests", code="rate_limit_exceeded", headers=headers)


class HTTPError(Exception):
    """Raised by a route to answer with `reply` at once."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def _bad_request(message: str, param: str | None = None, status: int = 400) -> HTTPError:
    return HTTPError(error_reply(status, message, param=param))


def parse_multipart(body: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """Form fields by name -> (filename, raw bytes); binary-safe, split on the boundary line."""
    header = email.message.Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str):
        raise _bad_request("expected a multipart/form-data body")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):  # the closing delimiter
            break
        head, sep, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise _bad_request("malformed multipart part")
        part = email.parser.HeaderParser().parsestr(head.decode("utf-8", "replace"))
        name = email.utils.collapse_rfc2231_value(part.get_param("name", "", header="content-disposition"))
        # The CRLF before the next delimiter belongs to the delimiter, not to the content.
        fields[name] = (part.get_filename(), content.removesuffix(b"\r\n"))
    return fields


def parse_batch_input(data: bytes) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The requests of a batch input file and the line errors that make it invalid."""
    requests: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            line = None
        custom_id = line.get("custom_id") if isinstance(line, dict) else None
        problem = (
            ("invalid_json_line", "This line is not parseable as valid JSON.", None) if not isinstance(line, dict)
            else ("missing_required_parameter", "Missing custom_id.", "custom_id") if not isinstance(custom_id, str) or not custom_id
            else ("duplicate_custom_id", f"The custom_id {custom_id!r} is not unique.", "custom_id") if custom_id in seen
            else ("invalid_method", "The method must be POST.", "method") if line.get("method") != "POST"
            else ("invalid_url", "The url must be /v1/chat/completions.", "url") if line.get("url") != "/v1/chat/completions"
            else ("missing_required_parameter", "Missing body.", "body") if not isinstance(line.get("body"), dict)
            else None
        )  # fmt: skip
        if problem:
            errors.append({"code": problem[0], "message": problem[1], "param": problem[2], "line": number})
        else:
            seen.add(custom_id)
            requests.append(line)
    if not requests and not errors:
        errors.append({"code": "empty_file", "message": "The input file has no requests.", "param": None, "line": None})
    return requests, errors


def _check_chat_body(body: Any) -> None:
    """Reject what OpenAI would: a non-object body, no model, no messages."""
    if not isinstance(body, dict):
        raise _bad_request("The request body must be a JSON object.")
    if not isinstance(body.get("model"), str):
        raise _bad_request("you must provide a model parameter", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise _bad_request("'messages' must be a non-empty array of message objects", "messages")


def _uses_json_schema(body: dict[str, Any]) -> bool:
    response_format = body.get("response_format")
    return isinstance(response_format, dict) and response_format.get("type") == "json_schema"


@dataclass
class RequestRecord:
    """One request as served: method "BATCH" marks a line of a batch rather than an HTTP request."""

    method: str
    path: str
    started: float  # time.monotonic()
    ended: float = 0.0
    status: int | None = None  # None: nothing was sent (a timeout dropped at shutdown)
    article_key: str | None = None
    fault: str | None = None
    index: int | None = None  # chat request index, the one faults are picked from
    body_bytes: int = 0  # size of the request body (the benchmark compares prompt sizes with it)


@dataclass
class StoredFile:
    """An uploaded or generated file."""

    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int

    def as_object(self) -> dict[str, Any]:
        """The FileObject JSON."""
        return {"id": self.id, "object": "file", "bytes": len(self.data), "created_at": self.created_at,
                "filename": self.filename, "purpose": self.purpose, "status": "processed",
                "expires_at": None, "status_details": None}  # fmt: skip


@dataclass
class _BatchJob:
    obj: dict[str, Any]
    outputs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)  # the worker thread has stopped
    cancel: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Request:
    method: str
    path: str
    headers: Any
    body: bytes
    record: RequestRecord

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise _bad_request("We could not parse the JSON body of your request.") from None


_ROUTES = [
    (method, re.compile(pattern), name)
    for method, pattern, name in (
        ("POST", r"/v1/chat/completions", "_chat"),
        ("POST", r"/v1/files", "_file_create"),
        ("GET", r"/v1/files/(?P<file_id>[^/]+)", "_file_get"),
        ("GET", r"/v1/files/(?P<file_id>[^/]+)/content", "_file_content"),
        ("DELETE", r"/v1/files/(?P<file_id>[^/]+)", "_file_delete"),
        ("POST", r"/v1/batches", "_batch_create"),
        ("GET", r"/v1/batches", "_batch_list"),
        ("GET", r"/v1/batches/(?P<batch_id>[^/]+)", "_batch_get"),
        ("POST", r"/v1/batches/(?P<batch_id>[^/]+)/cancel", "_batch_cancel"),
    )
]


class FakeOpenAI:
    """An OpenAI-compatible server on 127.0.0.1 with N worker slots, each request holding one for `latency` s."""

    def __init__(
        self, latency: float = 0.0, concurrency: int | None = 16, *, host: str = "127.0.0.1", port: int = 0,
        rate_limit: float | None = None, retry_after: float | None = 1.0, reject_json_schema: bool = False,
        faults: FaultPicker | None = None, fault_rate: float = 0.0, seed: int = 0,
        fault_kinds: tuple[str, ...] = FAULT_KINDS, timeout_sleep: float = 30.0,
        batch_latency: float = 0.0, batch_polls_to_complete: int = 2,
    ) -> None:  # fmt: skip
        unknown = set(fault_kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self.latency, self.concurrency, self.host, self.port = latency, concurrency, host, port
        self.rate_limit, self.retry_after, self.reject_json_schema = rate_limit, retry_after, reject_json_schema
        self.faults, self.fault_rate, self.seed, self.fault_kinds = faults, fault_rate, seed, fault_kinds
        self.timeout_sleep, self.batch_latency, self.batch_polls_to_complete = timeout_sleep, batch_latency, batch_polls_to_complete
        self.requests: list[RequestRecord] = []
        self.faults_injected: Counter[str] = Counter()
        self.rate_limited = 0  # 429s from the rate limiter (injected 429s count in faults_injected)
        self.peak_active = 0  # most chat requests holding a slot at once
        self.peak_connections = 0  # most chat requests inside the handler at once (waiting or holding)
        self.peak_handling = 0  # most requests of any kind being handled at once
        self.files: dict[str, StoredFile] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batches_created = 0
        self.batch_polls: Counter[str] = Counter()  # GET /v1/batches/{id} count by batch id
        self.errors: list[BaseException] = []  # bugs of this server, answered as 500s
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._slots = threading.BoundedSemaphore(concurrency) if concurrency else None
        self._index = itertools.count()
        self._current: Counter[str] = Counter()
        self._burst = max(1.0, rate_limit or 0.0)
        self._tokens, self._refilled = self._burst, time.monotonic()
        self._jobs: dict[str, _BatchJob] = {}
        self._conns: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to give the openai client."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def max_in_flight(self) -> int:
        """Peak chat requests in flight (holding or waiting for a slot)."""
        return self.peak_connections

    def start(self) -> FakeOpenAI:
        """Bind and serve in a background thread."""
        self._httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd.app = self
        self.port = self._httpd.server_address[1]
        # A short poll interval keeps shutdown() quick.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake sleeping requests and batches, close idle keep-alive connections."""
        self._stopping.set()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        if self._thread:
            self._thread.join(5)
        self._httpd = None
        # Requests woken by the stop (a hanging "timeout") finish in their own threads: wait for their records.
        deadline = time.monotonic() + 2
        while self._current["handling"] and time.monotonic() < deadline:
            time.sleep(0.005)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _track(self, conn: socket.socket, alive: bool) -> None:
        with self._lock:
            (self._conns.add if alive else self._conns.discard)(conn)

    @contextlib.contextmanager
    def _gauge(self, name: str) -> Iterator[None]:
        with self._lock:
            self._current[name] += 1
            setattr(self, f"peak_{name}", max(getattr(self, f"peak_{name}"), self._current[name]))
        try:
            yield
        finally:
            with self._lock:
                self._current[name] -= 1

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Reply:
        """Route one HTTP request and record it."""
        path = urlsplit(target).path.rstrip("/") or "/"
        req = _Request(method, path, headers, body, RequestRecord(method, path, time.monotonic(), body_bytes=len(body)))
        with self._gauge("handling"):  # stop() waits for these, so every request it woke is recorded
            return self._handle(req)

    def _handle(self, req: _Request) -> Reply:
        try:
            reply = self._route(req)
        except HTTPError as exc:
            reply = exc.reply
        except Exception as exc:  # a bug here must reach the test as a 500, not a hung client
            with self._lock:
                self.errors.append(exc)
            reply = error_reply(500, f"fake server error: {exc!r}", "server_error")
        req.record.ended = time.monotonic()
        req.record.status = None if reply.action == "drop" else reply.status
        with self._lock:
            self.requests.append(req.record)
        return reply

    def _route(self, req: _Request) -> Reply:
        for method, pattern, name in _ROUTES:
            if method == req.method and (match := pattern.fullmatch(req.path)):
                return getattr(self, name)(req, **match.groupdict())
        return error_reply(404, f"Invalid URL ({req.method} {req.path})")

    # Chat completions ------------------------------------------------------------------------------------

    def _intake(self, body: Any, record: RequestRecord) -> str:
        """Validate a chat body, note its article key and index; the article text."""
        _check_chat_body(body)
        text = article_text(body["messages"])
        record.article_key = article_key(text)
        with self._lock:
            record.index = next(self._index)
        return text

    def _fault_for(self, body: dict[str, Any], record: RequestRecord) -> str | None:
        """The format rejection or the injected fault this request gets, if any."""
        if self.reject_json_schema and _uses_json_schema(body):
            return "reject-json-schema"  # a server capability, not counted as an injected fault
        assert record.index is not None and record.article_key is not None
        if self.faults is not None:
            fault = self.faults(record.index, record.article_key, body)
        elif self.fault_rate > 0:
            rng = random.Random(f"{self.seed}:{record.index}")  # str seeds hash stably across runs
            fault = rng.choice(self.fault_kinds) if rng.random() < self.fault_rate else None
        else:
            fault = None
        if fault is not None and fault not in FAULT_KINDS:
            raise ValueError(f"the fault picker returned an unknown fault {fault!r}")
        if fault == "reject-json-schema" and not _uses_json_schema(body):
            fault = None
        if fault:
            record.fault = fault
            with self._lock:
                self.faults_injected[fault] += 1
        return fault

    def _take_token(self) -> bool:
        """Token bucket: False (and counted) when the request is over the rate limit."""
        if not self.rate_limit:
            return True
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self.rate_limit)
            self._refilled = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            self.rate_limited += 1
            return False

    def _chat(self, req: _Request) -> Reply:
        body = req.json()
        with self._gauge("connections"):
            text = self._intake(body, req.record)
            if not self._take_token():
                return _rate_limited(self.retry_after)
            fault = self._fault_for(body, req.record)
            if fault in _IMMEDIATE:
                return self._answer(body, text, fault)
            with self._slots or contextlib.nullcontext(), self._gauge("active"):
                # Event.wait, not time.sleep: shutdown interrupts it, and tests that patch time.sleep can't skip it.
                self._stopping.wait(self.timeout_sleep if fault == "timeout" else self.latency)
            if fault == "timeout" and self._stopping.is_set():
                return Reply(0, action="drop")
            return self._answer(body, text, fault)

    def _answer(self, body: dict[str, Any], text: str, fault: str | None) -> Reply:
        """The reply to a chat completion, shaped by its fault."""
        if fault in ("429", "429-no-retry-after"):
            return _rate_limited(0.1 if fault == "429" else None)
        if fault in _SERVER_ERRORS:
            status, message = _SERVER_ERRORS[fault]
            return error_reply(status, message, "server_error")
        if fault == "reject-json-schema":
            return error_reply(400, "response_format type json_schema is not supported", param="response_format")
        if fault == "not-json-body":
            return Reply(200, b"<html>oops</html>")
        if fault == "wrong-content-type":
            return Reply(200, b"hello", "text/plain")
        if _wants(body, "supported"):
            answer: dict[str, Any] = VERDICT
        elif _wants(body, "title_cites"):
            answer = cited_answer(text)
        else:
            answer = translation_answer(text) or summary_answer(text)
        content: str | None = json.dumps(answer, ensure_ascii=False)
        finish, refusal = "stop", None
        if fault == "content-not-json":
            content = "Sure! Here is the summary: it was a busy week."
        elif fault == "schema-invalid":
            content = json.dumps({"brief": {"title": "x"}})
        elif fault == "length":
            content, finish = content[: len(content) // 2], "length"  # type: ignore[index]
        elif fault == "refusal":
            content, refusal = None, "I can't help with that."
        completion = chat_completion(body, content, finish, refusal)
        if fault == "empty-choices":
            completion["choices"] = []
        reply = json_reply(200, completion)
        reply.action = "disconnect" if fault == "disconnect" else None
        return reply

    # Files -----------------------------------------------------------------------------------------------

    def _store(self, filename: str, purpose: str, data: bytes) -> StoredFile:
        stored = StoredFile("file-" + secrets.token_hex(12), filename, purpose, data, int(time.time()))
        self.files[stored.id] = stored
        return stored

    def _file(self, file_id: str) -> StoredFile:
        if file_id not in self.files:
            raise HTTPError(error_reply(404, f"No such File object: {file_id}", param="id"))
        return self.files[file_id]

    def _file_create(self, req: _Request) -> Reply:
        fields = parse_multipart(req.body, req.headers.get("Content-Type", ""))
        purpose = fields.get("purpose", (None, b""))[1].decode("utf-8", "replace")
        if purpose not in _UPLOAD_PURPOSES:
            raise _bad_request(f"'{purpose}' is not one of {sorted(_UPLOAD_PURPOSES)} - 'purpose'", "purpose")
        if "file" not in fields:
            raise _bad_request("Missing file.", "file")
        filename, data = fields["file"]
        with self._lock:
            return json_reply(200, self._store(filename or "upload", purpose, data).as_object())

    def _file_get(self, req: _Request, file_id: str) -> Reply:
        with self._lock:
            return json_reply(200, self._file(file_id).as_object())

    def _file_content(self, req: _Request, file_id: str) -> Reply:
        with self._lock:
            return Reply(200, self._file(file_id).data, "application/octet-stream")

    def _file_delete(self, req: _Request, file_id: str) -> Reply:
        with self._lock:
            del self.files[self._file(file_id).id]
        return json_reply(200, {"id": file_id, "object": "file", "deleted": True})

    # Batches ---------------------------------------------------------------------------------------------

    def _job(self, batch_id: str) -> _BatchJob:
        if batch_id not in self._jobs:
            raise HTTPError(error_reply(404, f"No batch found with id '{batch_id}'.", param="batch_id"))
        return self._jobs[batch_id]

    def _batch_create(self, req: _Request) -> Reply:
        body = req.json()
        if not isinstance(body, dict):
            raise _bad_request("The request body must be a JSON object.")
        if body.get("endpoint") != "/v1/chat/completions":
            raise _bad_request("This fake only batches /v1/chat/completions.", "endpoint")
        if body.get("completion_window") != "24h":
            raise _bad_request("completion_window must be '24h'.", "completion_window")
        with self._lock:
            stored = self.files.get(body.get("input_file_id") or "")
            if stored is None or stored.purpose != "batch":
                raise _bad_request("Invalid input_file_id: it must name an uploaded file with purpose 'batch'.", "input_file_id")
            now = int(time.time())
            obj: dict[str, Any] = {
                "id": "batch_" + secrets.token_hex(12), "object": "batch", "endpoint": body["endpoint"],
                "errors": None, "input_file_id": stored.id, "completion_window": "24h", "status": "validating",
                "output_file_id": None, "error_file_id": None, "created_at": now, "in_progress_at": None,
                "expires_at": now + 86400, "finalizing_at": None, "completed_at": None, "failed_at": None,
                "expired_at": None, "cancelling_at": None, "cancelled_at": None,
                "request_counts": {"total": 0, "completed": 0, "failed": 0},
                "metadata": body.get("metadata"), "model": None, "usage": None,
            }  # fmt: skip
            job = self._jobs[obj["id"]] = _BatchJob(obj)
            self.batches[obj["id"]] = obj
            self.batches_created += 1
            reply = json_reply(200, obj)
        threading.Thread(target=self._run_batch, args=(job, stored.data), name=obj["id"], daemon=True).start()
        return reply

    def _run_batch(self, job: _BatchJob, data: bytes) -> None:
        """Validate then answer every line; the batch stays "finalizing" until polled enough (see _batch_get)."""
        try:
            lines, errors = parse_batch_input(data)
            with self._lock:
                if errors:
                    job.obj.update(status="failed", failed_at=int(time.time()), errors={"object": "list", "data": errors})
                    return
                if job.obj["status"] == "validating":
                    job.obj.update(status="in_progress", in_progress_at=int(time.time()), model=lines[0]["body"].get("model"))
                job.obj["request_counts"]["total"] = len(lines)
            for line in lines:
                if job.cancel.is_set() or self._stopping.is_set():
                    break
                if self.batch_latency:
                    self._stopping.wait(self.batch_latency)
                ok, result = self._batch_line(line)
                with self._lock:
                    (job.outputs if ok else job.errors).append(result)
                    job.obj["request_counts"]["completed" if ok else "failed"] += 1
            with self._lock:
                if job.obj["status"] == "in_progress":
                    job.obj.update(status="finalizing", finalizing_at=int(time.time()))
        finally:
            job.done.set()

    def _batch_line(self, line: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        """Answer one batch line with the chat logic (no slot, no latency): (succeeded, output or error line)."""
        record = RequestRecord("BATCH", line["url"], time.monotonic())
        out: dict[str, Any] = {"id": "batch_req_" + secrets.token_hex(12), "custom_id": line["custom_id"], "response": None, "error": None}
        try:
            text = self._intake(line["body"], record)
            fault = self._fault_for(line["body"], record)
            reply = self._answer(line["body"], text, fault)
        except HTTPError as exc:
            fault, reply = None, exc.reply
        try:
            payload = json.loads(reply.body) if reply.content_type == "application/json" else None
        except ValueError:
            payload = None
        if fault in ("timeout", "disconnect") or payload is None:
            # A transport failure or an unparseable answer can't be embedded: OpenAI reports it as an error.
            out["error"] = {"code": "server_error", "message": f"The request failed ({fault or 'invalid response'})."}
            record.status = 500
        else:
            out["response"] = {"status_code": reply.status, "request_id": "req_" + secrets.token_hex(12), "body": payload}
            record.status = reply.status
        record.ended = time.monotonic()
        with self._lock:
            self.requests.append(record)
        return record.status == 200, out

    def _finish(self, job: _BatchJob, status: str) -> None:
        """Write the output and error files (only if non-empty) and settle the status; caller holds the lock."""
        batch_id = job.obj["id"]
        for lines, key, suffix in ((job.outputs, "output_file_id", "output"), (job.errors, "error_file_id", "error")):
            if lines:
                data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")
                job.obj[key] = self._store(f"{batch_id}_{suffix}.jsonl", "batch_output", data).id
        job.obj.update({"status": status, f"{status}_at": int(time.time())})

    def _batch_get(self, req: _Request, batch_id: str) -> Reply:
        with self._lock:
            job = self._job(batch_id)
            self.batch_polls[batch_id] += 1
            if job.done.is_set():
                status = job.obj["status"]
                if status == "finalizing" and self.batch_polls[batch_id] >= self.batch_polls_to_complete:
                    self._finish(job, "completed")
                elif status == "cancelling":
                    self._finish(job, "cancelled")
            return json_reply(200, job.obj)

    def _batch_cancel(self, req: _Request, batch_id: str) -> Reply:
        with self._lock:
            job = self._job(batch_id)
            status = job.obj["status"]
            if status in ("completed", "failed", "cancelled", "expired"):
                raise _bad_request(f"Cannot cancel a batch with status '{status}'.")
            if status != "cancelling":
                job.obj.update(status="cancelling", cancelling_at=int(time.time()))
                job.cancel.set()
            return json_reply(200, job.obj)

    def _batch_list(self, req: _Request) -> Reply:
        with self._lock:  # newest first, like OpenAI; one page is enough for a fake
            return json_reply(200, {"object": "list", "data": list(reversed(self.batches.values())), "has_more": False})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # a burst of 64+ connections must queue, never be refused
    app: FakeOpenAI

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall; the name is never used.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # resets and closed sockets are normal here (disconnect faults, shutdown); bugs are answered as 500s


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the openai client pools connections
    timeout = 5  # an idle keep-alive connection must not pin its thread forever
    disable_nagle_algorithm = True  # headers and body go in two writes: Nagle + delayed ACK would add ~40 ms each
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.app._track(self.connection, True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.app._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _read_body(self) -> bytes:
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        chunks = []
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
            pass
        return b"".join(chunks)

    def _serve(self) -> None:
        reply = self.server.app.handle(self.command, self.path, self.headers, self._read_body())
        if reply.action == "drop":
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("x-request-id", "req_" + secrets.token_hex(12))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.action == "disconnect":
            # Content-Length promises the whole body; half of it then a closed socket is a mid-body disconnect.
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(reply.body)

    do_GET = do_POST = do_DELETE = _serve


def main(argv: list[str] | None = None) -> None:
    """Serve until Ctrl-C, printing the base URL first."""
    parser = argparse.ArgumentParser(prog="python -m bench.fake_openai", description=__doc__)
    parser.add_argument("--latency", type=float, default=0.3, help="seconds each chat completion holds its slot")
    parser.add_argument("--concurrency", type=int, default=16, help="worker slots (0: unlimited)")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of chat requests given a random fault")
    parser.add_argument("--seed", type=int, default=0, help="fault picks depend on (seed, request index) only")
    parser.add_argument("--rate-limit", type=float, default=None, help="requests per second before 429s")
    parser.add_argument("--retry-after", type=float, default=1.0, help="Retry-After of rate-limit 429s (-1: none)")
    parser.add_argument("--reject-json-schema", action="store_true", help="answer 400 to json_schema formats")
    args = parser.parse_args(argv)
    retry_after = None if args.retry_after < 0 else args.retry_after
    with FakeOpenAI(
        args.latency, args.concurrency or None, port=args.port, fault_rate=args.fault_rate, seed=args.seed,
        rate_limit=args.rate_limit, retry_after=retry_after, reject_json_schema=args.reject_json_schema,
    ) as server:  # fmt: skip
        print(server.url, flush=True)
        # SIGTERM (kill, process managers) shuts down as cleanly as Ctrl-C.
        signal.signal(signal.SIGTERM, lambda signum, frame: signal.raise_signal(signal.SIGINT))
        signal.signal(signal.SIGINT, signal.default_int_handler)  # background jobs inherit SIGINT ignored
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
