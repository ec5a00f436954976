"""Test doubles at the HTTP level: an OpenAI-compatible scripted endpoint and reply builders; paths to fixtures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx2

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXCHANGES = FIXTURES / "exchanges"
ANSWERS = FIXTURES / "answers"
SEED_003 = SEEDS / "003_f41e5d1e8166288f.txt"


def chat_completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
) -> dict[str, Any]:
    """A chat.completion body as an OpenAI-compatible server sends it."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def stream_chunks(completion: dict[str, Any], *, include_usage: bool = True) -> list[dict[str, Any]]:
    """The chat.completion.chunk objects a server streams for `completion`, as OpenAI sends them: the role, the
    content (and refusal) a word at a time, the finish reason, then, if asked for, the usage in a chunk of its own."""
    head = {k: completion[k] for k in ("id", "created", "model")} | {"object": "chat.completion.chunk"}

    def chunk(delta: dict[str, Any], finish: str | None = None, index: int = 0) -> dict[str, Any]:
        return head | {"choices": [{"index": index, "delta": delta, "finish_reason": finish, "logprobs": None}]}

    chunks = []
    for choice in completion["choices"]:
        index, message = choice["index"], choice["message"]
        chunks.append(chunk({"role": message.get("role", "assistant"), "content": ""}, index=index))
        for field in ("content", "refusal"):
            for piece in re.findall(r"\S*\s*", message.get(field) or ""):
                if piece:
                    chunks.append(chunk({field: piece}, index=index))
        chunks.append(chunk({}, choice["finish_reason"], index=index))
    if include_usage and completion.get("usage") is not None:
        chunks.append(head | {"choices": [], "usage": completion["usage"]})
    return chunks


def sse(events: list[dict[str, Any]]) -> bytes:
    """Server-sent events as an OpenAI-compatible server writes them, ending with `data: [DONE]`."""
    return b"".join(f"data: {json.dumps(e, ensure_ascii=False)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"


def as_stream(response: httpx2.Response, body: dict[str, Any]) -> httpx2.Response:
    """The streamed form of a whole 200 chat completion, for a request that asked for `stream` (else as it is)."""
    if not body.get("stream") or response.status_code != 200 or response.headers.get("content-type") != "application/json":
        return response
    completion = json.loads(response.read())
    if completion.get("object") != "chat.completion":
        return response
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    content = sse(stream_chunks(completion, include_usage=include_usage))
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=content)


class ScriptedEndpoint:
    """An OpenAI-compatible endpoint as an httpx2 transport: each request gets the next scripted reply.

    A reply is an httpx2.Response, an exception to raise, or a callable(request) returning either.
    Every request is kept (with its parsed JSON body) so tests can count and inspect them. A request with
    `stream: true` gets a scripted chat completion as server-sent chunks, as a real server sends it (unless
    `streams=False`: an endpoint that ignores `stream`); `streamed` says which replies were streamed.
    """

    def __init__(self, *replies: Any, streams: bool = True) -> None:
        self.replies = list(replies)
        self.requests: list[httpx2.Request] = []
        self.streams = streams
        self.streamed: list[bool] = []

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def _next(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"unexpected request #{len(self.requests)} to {request.url}")
        reply = self.replies.pop(0) if len(self.replies) > 1 or not callable(self.replies[0]) else self.replies[0]
        if callable(reply) and not isinstance(reply, type):
            reply = reply(request)
        if isinstance(reply, BaseException):
            raise reply
        if self.streams:
            reply = as_stream(reply, json.loads(request.content or b"{}"))
        self.streamed.append(reply.headers.get("content-type") == "text/event-stream")
        return reply

    @property
    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self._next)


def ok(content: str | dict[str, Any], **kwargs: Any) -> httpx2.Response:
    """A 200 chat completion whose message content is `content` (dicts are JSON-encoded)."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return httpx2.Response(200, json=chat_completion(text, **kwargs))


def error(status: int, message: str = "error", headers: dict[str, str] | None = None) -> httpx2.Response:
    """An OpenAI-style error response."""
    return httpx2.Response(status, headers=headers or {}, json={"error": {"message": message, "type": "test"}})


class LocalServer:
    """A throwaway HTTP server on 127.0.0.1; `respond(method, path, body)` returns (status, headers, body), the
    body as bytes or as an iterable of byte pieces, each written and flushed as it comes (a stream)."""

    def __init__(self, respond: Any) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        server_self = self
        self.requests: list[tuple[str, str, bytes, dict[str, str]]] = []

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                server_self.requests.append((self.command, self.path, body, dict(self.headers)))
                status, headers, payload = respond(self.command, self.path, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if isinstance(payload, bytes):
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self.end_headers()  # pieces (a stream): written as they come, the body ends when the connection closes
                for piece in payload:
                    self.wfile.write(piece)
                    self.wfile.flush()

            do_GET = do_POST = _handle

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
