"""Streamed answers, for the live progress: the stream is asked for and read below the openai client, which gets
the chat.completion a plain request returns, so the conversation, the cache and the recordings see no difference.

Only while someone watches (summarize.model.progress) is a request sent with `stream: true`; the request the
client made, without it, is what a recording keeps and what a replay is looked up by. A recording made of a
streamed answer holds the assembled completion, in the format of any other, so old and new recordings replay
alike; a replayed (or otherwise whole) answer reports its token count when it arrives.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2

from .endpoint import WrappingTransport, names_format
from .progress import Tally, Watch, watching

__all__ = ["Assembler", "StreamSupport", "StreamingTransport", "rejects_stream"]

_STREAM_OPTIONS = {"include_usage": True}  # the usage then comes in a last chunk, so tokens and cost stay exact
_DROPPED_HEADERS = ("content-encoding", "content-length", "transfer-encoding", "content-type")


@dataclass
class StreamSupport:
    """Whether this endpoint is still asked for streams; shared by the sync and async transports of one client."""

    enabled: bool = True
    reason: str = field(default="")

    def stop(self, reason: str) -> None:
        """Ask for whole answers from now on."""
        self.enabled, self.reason = False, reason


def rejects_stream(status: int, text: str) -> bool:
    """True when an error may be the endpoint refusing `stream` (or `stream_options`), worth one plain try."""
    if "stream" in text.lower():
        return status in (400, 415, 422, 500, 501)
    # A refused response format is the conversation's to handle (it falls back), not a reason to stop streaming.
    return status in (400, 415, 422, 501) and not names_format(text)


class Assembler:
    """Builds, from a stream's chunks, the chat.completion body the same request without `stream` gets."""

    def __init__(self) -> None:
        self.head: dict[str, Any] = {}
        self.choices: dict[int, dict[str, Any]] = {}
        self.usage: dict[str, Any] | None = None
        self.error: dict[str, Any] | None = None

    def feed(self, chunk: dict[str, Any]) -> int:
        """Take one chunk; returns the pieces of answer it carried (each about a token)."""
        if "error" in chunk and not chunk.get("choices"):
            self.error = chunk
            return 0
        for key in ("id", "created", "model", "system_fingerprint", "service_tier"):
            if chunk.get(key) is not None:
                self.head.setdefault(key, chunk[key])
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        pieces = 0
        for choice in chunk.get("choices") or []:
            index = int(choice.get("index", 0))
            built = self.choices.setdefault(
                index, {"index": index, "message": {"role": "assistant", "content": None}, "finish_reason": None, "logprobs": None}
            )
            message = built["message"]
            for key, value in (choice.get("delta") or {}).items():
                if key == "role" and value:
                    message["role"] = value
                elif isinstance(value, str):  # content, refusal, and a reasoning model's reasoning_content
                    message[key] = (message.get(key) or "") + value
                    pieces += bool(value)
            if choice.get("finish_reason") is not None:
                built["finish_reason"] = choice["finish_reason"]
        return pieces

    def completion(self) -> dict[str, Any]:
        """The assembled chat.completion body."""
        body: dict[str, Any] = {"id": self.head.get("id", ""), "object": "chat.completion", "created": self.head.get("created", 0)}
        body["model"] = self.head.get("model", "")
        body.update({k: v for k, v in self.head.items() if k not in body})
        body["choices"] = [self.choices[i] for i in sorted(self.choices)]
        for choice in body["choices"]:
            message = choice["message"]
            if message.get("refusal") and not message.get("content"):
                message["content"] = None  # as a whole refusal has it; the stream opened with an empty content

        if self.usage is not None:
            body["usage"] = self.usage
        return body


class _Events:
    """Server-sent events, line by line: the data of each event (`data:` lines joined; llama.cpp sends a failure
    as an `error:` line)."""

    def __init__(self) -> None:
        self.data: list[str] = []

    def feed(self, line: str) -> str | None:
        """The event this line ends, if it ends one."""
        if not line.strip():
            done, self.data = self.data, []
            return "\n".join(done) if done else None
        if line.startswith(("data:", "error:")):
            self.data.append(line.partition(":")[2].removeprefix(" "))
        return None

    def end(self) -> str | None:
        """The last event, when the stream ends without a blank line."""
        return "\n".join(self.data) if self.data else None


def _events(lines: Iterator[str]) -> Iterator[str]:
    """The data of each event of a stream."""
    parser = _Events()
    for line in lines:
        if (data := parser.feed(line)) is not None:
            yield data
    if (last := parser.end()) is not None:
        yield last


async def _aevents(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """Async `_events`."""
    parser = _Events()
    async for line in lines:
        if (data := parser.feed(line)) is not None:
            yield data
    if (last := parser.end()) is not None:
        yield last


def _chunk(data: str) -> dict[str, Any] | None:
    try:
        chunk = json.loads(data)
    except ValueError:
        return None  # a keep-alive or comment of some server: not part of the answer
    return chunk if isinstance(chunk, dict) else None


def _is_stream(response: httpx2.Response) -> bool:
    return response.status_code == 200 and response.headers.get("content-type", "").startswith("text/event-stream")


def _ask_stream(request: httpx2.Request) -> httpx2.Request | None:
    """The request asking for a stream, or None for one that is not a chat completion (or names `stream` itself)."""
    if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
        return None
    try:
        body = json.loads(request.content)
    except ValueError:
        return None
    if not isinstance(body, dict) or "stream" in body:
        return None
    body.update(stream=True, stream_options=_STREAM_OPTIONS)
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
    content = json.dumps(body, ensure_ascii=False).encode()
    return httpx2.Request(request.method, request.url, headers=headers, content=content, extensions=request.extensions)


class StreamingTransport(WrappingTransport):
    """Asks for a stream while someone watches, reports its tokens, returns the completion assembled from it.

    `asks=False` (a replay) never changes the request: the answer is counted whole when it arrives.
    An endpoint that refuses `stream` gets the plain request once more, and is not asked again if that works.
    """

    def __init__(self, inner: Any | None = None, inner_async: Any | None = None, *, support: StreamSupport, asks: bool = True) -> None:
        super().__init__(inner, inner_async)
        self.support = support
        self.asks = asks

    def _streamed(self, request: httpx2.Request, watch: Watch | None) -> httpx2.Request | None:
        return _ask_stream(request) if watch is not None and self.asks and self.support.enabled else None

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        watch = watching()
        asked = self._streamed(request, watch)
        if watch is None or asked is None:
            return _counted(self.inner.handle_request(request), watch)
        response: httpx2.Response = self.inner.handle_request(asked)
        if response.status_code >= 400:
            response.read()
            if not rejects_stream(response.status_code, response.text):
                return response
            response.close()
            return self._fell_back(_counted(self.inner.handle_request(request), watch), response)
        if not _is_stream(response):  # an endpoint that ignores `stream`: a whole answer
            return _counted(response, watch)
        assembler, tally = Assembler(), watch.tally()
        try:
            for data in _events(response.iter_lines()):
                if not _took(data, assembler, tally):
                    break
        finally:
            response.close()
        return self._assembled(assembler, tally, response, request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        watch = watching()
        asked = self._streamed(request, watch)
        if watch is None or asked is None:
            return await _acounted(await self.inner_async.handle_async_request(request), watch)
        response: httpx2.Response = await self.inner_async.handle_async_request(asked)
        if response.status_code >= 400:
            await response.aread()
            if not rejects_stream(response.status_code, response.text):
                return response
            await response.aclose()
            return self._fell_back(await _acounted(await self.inner_async.handle_async_request(request), watch), response)
        if not _is_stream(response):
            return await _acounted(response, watch)
        assembler, tally = Assembler(), watch.tally()
        try:
            async for data in _aevents(response.aiter_lines()):
                if not _took(data, assembler, tally):
                    break
        finally:
            await response.aclose()
        return self._assembled(assembler, tally, response, request)

    def _fell_back(self, plain: httpx2.Response, refusal: httpx2.Response) -> httpx2.Response:
        # Remembered only when the plain request got through: an error both get is the request's, not the stream's.
        if plain.status_code < 400:
            self.support.stop(f"HTTP {refusal.status_code} to a streamed request: {refusal.text[:120]}")
        return plain

    def _assembled(self, assembler: Assembler, tally: Tally, response: httpx2.Response, request: httpx2.Request) -> httpx2.Response:
        if assembler.error is not None:  # failed mid-answer: an error the openai client treats as any other
            error = assembler.error.get("error")
            code = error.get("code") if isinstance(error, dict) else None
            status = code if isinstance(code, int) and 400 <= code < 600 else 500
            return httpx2.Response(status, json=assembler.error, request=request)
        body = assembler.completion()
        usage = body.get("usage")
        if isinstance(usage, dict):
            tally.settle(int(usage.get("completion_tokens") or 0))
        else:
            # Without its usage a streamed answer would cost nothing in the result: whole answers from now on.
            self.support.stop("the stream sent no usage")
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROPPED_HEADERS]
        headers.append(("content-type", "application/json"))
        return httpx2.Response(200, headers=headers, content=json.dumps(body, ensure_ascii=False).encode(), request=request)


def _took(data: str, assembler: Assembler, tally: Tally) -> bool:
    """One event of the stream taken into the answer; False at its end (`[DONE]`)."""
    if data.strip() == "[DONE]":
        return False
    chunk = _chunk(data)
    if chunk is not None:
        tally.add(assembler.feed(chunk))
    return True


def _count(response: httpx2.Response, watch: Watch) -> None:
    try:
        usage = json.loads(response.content).get("usage") or {}
        watch.tally().settle(int(usage.get("completion_tokens") or 0))
    except (ValueError, AttributeError, TypeError):
        pass  # not a completion: the client makes sense of it (or of the error) as ever


def _counted(response: httpx2.Response, watch: Watch | None) -> httpx2.Response:
    """A whole answer, its tokens reported on arrival (read here only when someone watches)."""
    if response.status_code == 200 and watch is not None:
        response.read()
        _count(response, watch)
    return response


async def _acounted(response: httpx2.Response, watch: Watch | None) -> httpx2.Response:
    """Async `_counted`."""
    if response.status_code == 200 and watch is not None:
        await response.aread()
        _count(response, watch)
    return response
