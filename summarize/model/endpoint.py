"""The endpoint's side of a call: its rejection of a response format made final, and its failures as our errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx2
import openai

from ..errors import EndpointError, ReplayMissError
from .replay import MISS_HEADER

_FORMAT_REJECTION = re.compile(r"response_format|json_schema|json schema|structured output|grammar", re.IGNORECASE)


class WrappingTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """A transport over another (sync and async), the network's own unless given one."""

    def __init__(self, inner: Any | None = None, inner_async: Any | None = None) -> None:
        self._inner = inner
        self._inner_async = inner_async or inner

    # Built on first use: each default transport loads the CA bundle into an SSL context (20-36 ms), and an
    # async batch never uses the sync one.
    @property
    def inner(self) -> Any:
        """The sync transport."""
        if self._inner is None:
            self._inner = httpx2.HTTPTransport()
        return self._inner

    @property
    def inner_async(self) -> Any:
        """The async transport."""
        if self._inner_async is None:
            self._inner_async = httpx2.AsyncHTTPTransport()
        return self._inner_async

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()

    async def aclose(self) -> None:
        if self._inner_async is not None:
            await self._inner_async.aclose()


class FormatRejectionTransport(WrappingTransport):
    """Marks an endpoint's rejection of a `response_format` as final, so the client falls back instead of retrying.

    llama-cpp-python's server answers an unsupported `json_schema` format with HTTP 500, which the openai
    client would otherwise retry with backoff; `x-should-retry: false` is the header it obeys.
    """

    @staticmethod
    def _mark(request: httpx2.Request, response: httpx2.Response) -> httpx2.Response:
        if response.status_code not in (400, 415, 422, 500, 501) or b'"response_format"' not in request.content:
            return response
        if not _FORMAT_REJECTION.search(response.content.decode("utf-8", "replace")):
            return response
        response.headers["x-should-retry"] = "false"
        return response

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self.inner.handle_request(request)
        if response.status_code >= 400:
            response.read()
        return self._mark(request, response)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner_async.handle_async_request(request)
        if response.status_code >= 400:
            await response.aread()
        return self._mark(request, response)


def names_format(text: str) -> bool:
    """True when an error message is about the response format (structured output, a grammar)."""
    return bool(_FORMAT_REJECTION.search(text))


def rejects_format(exc: openai.APIStatusError) -> bool:
    """True when an error says the endpoint does not support the requested response format."""
    # Servers that lack a response format answer 400/422 (llama.cpp, vLLM) or 501 naming the parameter.
    return exc.status_code in (400, 415, 422, 500, 501) and bool(_FORMAT_REJECTION.search(str(exc.message)))


def endpoint_error(exc: openai.APIError, host: str, replay_dir: Path | None) -> Exception:
    """The client's error as ours: a replay miss, an HTTP status with its hint, a timeout or a failed connection."""
    if isinstance(exc, openai.APIStatusError):
        miss = exc.response.headers.get(MISS_HEADER)
        if miss:
            return ReplayMissError(
                f"no recorded exchange for this request (key {miss}); record one with --record DIR against a real "
                "endpoint, or check that the model, endpoint, prompt version, options (--lang, --length, --glossary, token "
                "limits) and article match the recording",
                request_key=miss,
                directory=str(replay_dir),
            )
        status = exc.status_code
        detail = str(exc.message).splitlines()[0][:200] if exc.message else ""
        detail = re.sub(r"^Error code: \d+ - ", "", detail)  # the client's prefix repeats the status
        hints = {
            401: "check OPENAI_API_KEY (or the key your server expects)",
            403: "the key is not allowed to use this model or endpoint",
            404: "check the model name and the base URL (it usually ends in /v1)",
            429: "rate limited or out of quota after every retry; lower --jobs or try later",
        }
        return EndpointError(f"{host} answered HTTP {status}: {detail}", status_code=status, hint=hints.get(status))
    if isinstance(exc, openai.APITimeoutError):
        return EndpointError(f"{host} timed out after every retry", hint="raise --timeout or check the server")
    return EndpointError(f"connection to {host} failed: {exc.__cause__ or exc}", hint="check --base-url and that the server runs")


def not_json(host: str, exc: ValueError) -> EndpointError:
    """A 200 answer whose body is not JSON: almost always a base URL that is not an OpenAI-compatible API."""
    return EndpointError(
        f"{host} answered with a body that is not JSON ({exc})",
        hint="check --base-url: it must point at an OpenAI-compatible API (usually ending in /v1)",
    )


__all__ = ["FormatRejectionTransport", "endpoint_error", "names_format", "not_json", "rejects_format"]
