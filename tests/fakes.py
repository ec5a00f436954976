"""Test doubles at the HTTP level: an OpenAI-compatible scripted endpoint and reply builders; paths to fixtures."""

from __future__ import annotations

import json
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


class ScriptedEndpoint:
    """An OpenAI-compatible endpoint as an httpx2 transport: each request gets the next scripted reply.

    A reply is an httpx2.Response, an exception to raise, or a callable(request) returning either.
    Every request is kept (with its parsed JSON body) so tests can count and inspect them.
    """

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.requests: list[httpx2.Request] = []

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
    """A throwaway HTTP server on 127.0.0.1; `respond(method, path, body)` returns (status, headers, body bytes)."""

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
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

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
