"""One rate-limit gate shared by every concurrent request of a run: a 429 slows the whole run, not one worker."""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Protocol

import httpx2

__all__ = ["MIN_RATE_LIMIT_WAITS", "RateGate", "RateLimitTransport", "retry_after_seconds"]

MIN_RATE_LIMIT_WAITS = 8
"""429s one request may wait out at the gate in a batch, at least. A 429 there says the whole run is too fast,
not that this article is bad, so it gets more patience than an error would; the pauses are shared by all."""


def retry_after_seconds(headers: httpx2.Headers, *, cap: float = 120.0) -> float | None:
    """Seconds the server asks us to wait (`retry-after-ms`, `retry-after` as seconds or HTTP date), or None."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return min(cap, max(0.0, float(millis) / 1000))
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return min(cap, max(0.0, float(value)))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(cap, max(0.0, when.timestamp() - time.time()))


def _out_of_quota(response: httpx2.Response) -> bool:
    """OpenAI's 429 `insufficient_quota` is final, unlike a rate limit."""
    return b"insufficient_quota" in response.content


class RateGate:
    """Admits requests up to an adaptive limit; a 429 pauses everyone and halves the limit, successes raise it again.

    The limit follows additive-increase / multiplicative-decrease (as TCP does), so a run settles just under
    what the endpoint accepts instead of oscillating between full speed and a wall of 429s.
    """

    def __init__(self, limit: int, *, first_pause: float = 1.0, max_pause: float = 30.0) -> None:
        self.max_limit = max(1, limit)
        self.limit = self.max_limit
        self.active = 0
        self.rate_limited = 0
        self.paused_until = 0.0
        self._first_pause = first_pause
        self._max_pause = max_pause
        self._streak = 0  # consecutive 429s without a success: drives backoff when no Retry-After is given
        self._successes = 0
        self._decrease_allowed_at = 0.0
        self._cond: asyncio.Condition | None = None

    @property
    def _condition(self) -> asyncio.Condition:
        if self._cond is None:  # created inside the running loop that will use it
            self._cond = asyncio.Condition()
        return self._cond

    async def acquire(self) -> None:
        """Wait until no pause is in force and a slot under the current limit is free."""
        loop = asyncio.get_running_loop()
        async with self._condition:
            while True:
                wait = self.paused_until - loop.time()
                if wait > 0:
                    try:
                        await asyncio.wait_for(self._condition.wait(), timeout=wait)
                    except TimeoutError:
                        pass
                    continue
                if self.active < self.limit:
                    self.active += 1
                    return
                await self._condition.wait()

    async def release(self, *, rate_limited: bool = False, retry_after: float | None = None) -> None:
        """Free the slot; on a 429 pause every request and lower the limit (once per pause window)."""
        now = asyncio.get_running_loop().time()
        async with self._condition:
            self.active -= 1
            if rate_limited:
                self.rate_limited += 1
                self._streak += 1
                pause = retry_after if retry_after is not None else self._first_pause * 2 ** (self._streak - 1)
                pause = min(self._max_pause, pause)
                self.paused_until = max(self.paused_until, now + pause)
                # Many requests in flight get the same 429 burst: halve once per window, not once per reply.
                if now >= self._decrease_allowed_at:
                    self.limit = max(1, self.limit // 2)
                    self._decrease_allowed_at = now + max(pause, 0.05)
                self._successes = 0
            else:
                self._streak = 0
                self._successes += 1
                if self.limit < self.max_limit and self._successes >= self.limit:
                    self.limit += 1
                    self._successes = 0
            self._condition.notify_all()


class DuplexTransport(Protocol):
    """A transport serving both sync and async requests, as httpx2's MockTransport and our own transports do."""

    def handle_request(self, request: httpx2.Request) -> httpx2.Response: ...

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response: ...

    def close(self) -> None: ...

    async def aclose(self) -> None: ...


class RateLimitTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """Routes async requests through a RateGate and waits out 429s there before the client sees them."""

    def __init__(self, inner: DuplexTransport, gate: RateGate, *, max_waits: int = 4) -> None:
        self.inner = inner
        self.gate = gate
        self.max_waits = max_waits

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self.inner.handle_request(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        for wait in range(self.max_waits + 1):
            await self.gate.acquire()
            try:
                response = await self.inner.handle_async_request(request)
            except BaseException:
                await self.gate.release()
                raise
            limited = response.status_code == 429
            if limited:
                await response.aread()
            if limited and _out_of_quota(response):
                await self.gate.release()
                response.headers["x-should-retry"] = "false"  # no wait will bring quota back
                return response
            await self.gate.release(rate_limited=limited, retry_after=retry_after_seconds(response.headers))
            if not limited:
                return response
            if wait == self.max_waits:
                # The gate did the retrying (max_waits = the client's max_retries): the client must not repeat it.
                response.headers["x-should-retry"] = "false"
                return response
            await response.aclose()
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        await self.inner.aclose()
