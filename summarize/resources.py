"""What the pipelines of one Summarizer share: the model clients, built on first need, and the cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx2

from .cache import ResultCache
from .config import Settings
from .errors import CacheError
from .model.ratelimit import RateGate

if TYPE_CHECKING:
    from .model.client import ModelClient


class Resources:
    """What the pipelines of one Pipeline share: the model clients (built on first need), the cache and its first error."""

    def __init__(self, settings: Settings, transport: httpx2.BaseTransport | httpx2.AsyncBaseTransport | None, gate: RateGate | None) -> None:
        self.settings = settings
        self.transport = transport
        self.gate = gate
        self.cache = ResultCache(settings.cache_dir) if settings.use_cache else None
        self.cache_error: CacheError | None = None
        """The first failed cache write: the cache is then left alone, the answers still delivered."""
        self._client: ModelClient | None = None
        self._verifier: ModelClient | None = None

    def client(self) -> ModelClient:
        """The model client, built on first need so that offline commands never require an endpoint."""
        if self._client is None:
            from .model.client import ModelClient  # the openai package costs ~0.8 s to import: only when a request is due

            self._client = ModelClient(self.settings, transport=self.transport, gate=self.gate)
        return self._client

    def verifier(self) -> ModelClient:
        """The verifier's client: the brief's own unless --verify-model or --verify-base-url names another."""
        verifier = self.settings.verifier()
        if verifier is self.settings:
            return self.client()
        if self._verifier is None:
            from .model.client import ModelClient

            self._verifier = ModelClient(verifier, transport=self.transport, gate=self.gate)
        return self._verifier

    def cache_failed(self, exc: CacheError) -> None:
        """Stop using the cache after its first failure (no more writes nor reads this run)."""
        self.cache_error = self.cache_error or exc
        self.cache = None

    def close(self) -> None:
        """Release the HTTP clients and the cache database."""
        for client in (self._client, self._verifier):
            if client is not None:
                client.close()
        if self.cache is not None:
            self.cache.close()

    async def aclose(self) -> None:
        """Async `close`."""
        for client in (self._client, self._verifier):
            if client is not None:
                await client.aclose()
        if self.cache is not None:
            self.cache.close()


__all__ = ["Resources"]
