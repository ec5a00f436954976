"""Record and replay HTTP exchanges with an endpoint, as httpx2 transports handed to the real openai client."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

import httpx2

from ..files import atomic_write_text

MISS_HEADER = "x-summarize-replay-miss"
# Only these response headers are kept: enough to replay retries and content types, nothing that identifies an account.
_KEPT_HEADERS = ("content-type", "retry-after", "retry-after-ms", "x-should-retry")


def request_key(method: str, path: str, body: bytes) -> str:
    """Stable key of a request: method, path and canonical JSON body (never headers, so never the API key)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (ValueError, UnicodeDecodeError):
        canonical = body.decode("utf-8", "replace")
    digest = hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()
    return digest[:24]


def _key_of(request: httpx2.Request) -> str:
    return request_key(request.method, request.url.path, request.content)


def _source_of(exchange: dict[str, Any]) -> str:
    endpoint, origin = str(exchange.get("endpoint") or "unknown endpoint"), exchange.get("origin", "recorded")
    return endpoint if origin == "recorded" else f"{endpoint}, {origin}"


def _response_from(entry: dict[str, Any], request: httpx2.Request) -> httpx2.Response:
    body = entry.get("body")
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return httpx2.Response(entry.get("status", 200), headers=entry.get("headers", {}), content=content, request=request)


class ReplayStore:
    """A directory of `<key>.json` exchanges: the request that was sent and the responses served for it, in order."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self.requests = 0
        self._index: dict[str, Path] | None = None
        self.sources: set[str] = set()
        """Where the served exchanges came from: their recorded endpoint, with their origin unless "recorded"."""

    def path_for(self, key: str) -> Path:
        """Where the exchange with this key lives."""
        return self.directory / f"{key}.json"

    def load(self, key: str) -> dict[str, Any] | None:
        """The stored exchange, or None; one not in the directory itself is looked for in its subfolders."""
        path = self.path_for(key)
        if not path.exists():
            path = self._nested().get(key, path)
        try:
            # JSON as written by `save` (or by hand): read with .get, never trusted to have every field.
            return cast("dict[str, Any]", json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None

    def _nested(self) -> dict[str, Path]:
        # A folder of recordings (one subfolder per run) replays as one; where two hold the same request, the
        # first in path order wins ("v2" before "v2-again"). Built once, on the first miss.
        if self._index is None:
            found = sorted(self.directory.rglob("*.json"), key=lambda p: p.relative_to(self.directory).parts)
            self._index = {}
            for candidate in found:
                self._index.setdefault(candidate.stem, candidate)
        return self._index

    def serve(self, request: httpx2.Request) -> httpx2.Response:
        """The next recorded response for this request (the last one repeats); a miss is a 404 marked as such."""
        key = _key_of(request)
        with self._lock:
            self.requests += 1
            exchange = self.load(key)
            if not exchange or not exchange.get("responses"):
                return httpx2.Response(
                    404,
                    headers={MISS_HEADER: key, "x-should-retry": "false"},
                    json={"error": {"message": f"no recorded exchange {key} in {self.directory}", "code": "replay_miss"}},
                    request=request,
                )
            index = self._served.get(key, 0)
            self._served[key] = index + 1
            responses = exchange["responses"]
            self.sources.add(_source_of(exchange))
        return _response_from(responses[min(index, len(responses) - 1)], request)

    def save(
        self,
        request: httpx2.Request,
        response: httpx2.Response,
        *,
        endpoint: str,
        origin: str = "recorded",
        secrets: tuple[str, ...] = (),
    ) -> Path:
        """Append a response to the request's exchange (a first save in this session starts the file afresh).

        `secrets` (the API key) are cut out of the response: a server may echo the key in an error message.
        """
        key = _key_of(request)
        text = response.content.decode("utf-8", "replace")
        for secret in secrets:
            text = text.replace(secret, "[redacted]")
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = text
        entry = {
            "status": response.status_code,
            "headers": {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers},
            "body": body,
        }
        with self._lock:
            first_this_session = key not in self._served
            self._served[key] = self._served.get(key, 0) + 1
            exchange = None if first_this_session else self.load(key)
            if exchange is None:
                try:
                    request_body: Any = json.loads(request.content)
                except ValueError:
                    request_body = request.content.decode("utf-8", "replace")
                exchange = {
                    "origin": origin,
                    "endpoint": endpoint,
                    "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "request": {"method": request.method, "path": request.url.path, "body": request_body},
                    "responses": [],
                }
            exchange["responses"].append(entry)
            path = self.path_for(key)
            atomic_write_text(path, json.dumps(exchange, ensure_ascii=False, indent=2) + "\n")
        return path


class ReplayTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """Serves recorded exchanges; never opens a connection."""

    def __init__(self, store: ReplayStore) -> None:
        self.store = store

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        return self.store.serve(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        return self.store.serve(request)


def _replayable(response: httpx2.Response, request: httpx2.Request) -> httpx2.Response:
    # The body was already decoded, so its transfer headers no longer describe it.
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
    return httpx2.Response(response.status_code, headers=headers, content=response.content, request=request)


class RecordingTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """Forwards to a real transport and saves every exchange (request body and response, no headers of ours)."""

    def __init__(
        self,
        store: ReplayStore,
        *,
        endpoint: str,
        inner: httpx2.BaseTransport | None = None,
        inner_async: httpx2.AsyncBaseTransport | None = None,
        origin: str = "recorded",
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.store = store
        self.secrets = tuple(s for s in secrets if s)
        self.endpoint = endpoint
        self.origin = origin
        self.inner = inner or httpx2.HTTPTransport()
        self.inner_async = inner_async or httpx2.AsyncHTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        response = self.inner.handle_request(request)
        response.read()
        self.store.save(request, response, endpoint=self.endpoint, origin=self.origin, secrets=self.secrets)
        return _replayable(response, request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        response = await self.inner_async.handle_async_request(request)
        await response.aread()
        self.store.save(request, response, endpoint=self.endpoint, origin=self.origin, secrets=self.secrets)
        return _replayable(response, request)

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        await self.inner_async.aclose()
