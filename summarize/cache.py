"""Result cache on diskcache, holding JSON text only: a shared or tampered cache can never run code."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any, TypeVar, cast

import diskcache
from pydantic import BaseModel, ValidationError

from .errors import CacheError
from .schemas import AnyResult, Result

M = TypeVar("M", bound=BaseModel)


class TamperedEntryError(Exception):
    """A cache row asks to be unpickled: we never do that."""


class JSONOnlyDisk(diskcache.Disk):
    """A diskcache Disk that stores str keys and str values, and refuses to unpickle anything it reads."""

    # diskcache ships no type information: its results are Any, cast to what its documentation says they are.
    def put(self, key: Any) -> tuple[Any, bool]:
        if not isinstance(key, str):
            raise TypeError("cache keys are strings")
        return cast("tuple[Any, bool]", super().put(key))

    def get(self, key: Any, raw: bool) -> Any:
        if not raw:
            raise TamperedEntryError("pickled key")
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = diskcache.core.UNKNOWN) -> tuple[Any, ...]:
        if not isinstance(value, str):
            raise TypeError("cache values are JSON text")
        return cast("tuple[Any, ...]", super().store(value, read, key=key))

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode not in (diskcache.core.MODE_TEXT, diskcache.core.MODE_RAW):
            raise TamperedEntryError(f"entry stored in mode {mode}")
        return super().fetch(mode, filename, value, read)


def cache_key(parts: dict[str, Any]) -> str:
    """A stable hash of everything that shapes a result (model, endpoint, prompts, sampling, schema, text)."""
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _seal(key: str, result: BaseModel) -> str:
    """The stored form: the result's JSON with the key it belongs to and a digest of both."""
    body = result.model_dump_json()
    return json.dumps({"key": key, "sha256": _digest(key, body), "result": body})


def _digest(key: str, body: str) -> str:
    return hashlib.sha256(f"{key}\n{body}".encode("utf-8")).hexdigest()


def _unseal(key: str, text: str, model: type[M]) -> M | None:
    """The result if the entry is intact and was stored under this key, else None."""
    try:
        entry = json.loads(text)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        body = entry.get("result")
        if not isinstance(body, str) or entry.get("sha256") != _digest(key, body):
            return None
        result = model.model_validate_json(body)
    except (ValueError, ValidationError):
        return None
    # A result answers one request set; one whose recorded key differs was copied from another entry.
    provenance = getattr(result, "provenance", None)
    return result if provenance is None or provenance.key in (None, key) else None


class ResultCache:
    """Results by key, stored as sealed JSON; an entry that fails its seal or validation is dropped as a miss.

    The seal (key + SHA-256 of the JSON) catches corruption, hand edits and entries moved between keys. It is
    not a signature: someone who can write the directory can forge one, but never make it run code.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._cache: diskcache.Cache | None = None

    @property
    def _store(self) -> diskcache.Cache:
        if self._cache is None:
            try:
                self._cache = diskcache.Cache(str(self.directory), disk=JSONOnlyDisk)
            except (OSError, sqlite3.Error) as exc:
                raise CacheError(
                    f"cannot open cache directory {self.directory}: {exc}",
                    hint="choose another --cache-dir (or SUMMARIZE_CACHE_DIR), or run with --no-cache",
                ) from None
        return self._cache

    def get(self, key: str, model: type[AnyResult] = Result) -> AnyResult | None:
        """The cached result, or None on a miss or an entry that fails to load (which is then removed)."""
        return self.get_model(key, model)

    def get_model(self, key: str, model: type[M]) -> M | None:
        """Any model stored under `key` (a digest's written text), sealed as results are; None on a miss."""
        try:
            text = self._store.get(key)
        except TamperedEntryError:
            self._discard(key)
            return None
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot read cache {self.directory}: {exc}") from None
        if text is None:
            return None
        result = _unseal(key, text, model)
        if result is None:
            self._discard(key)  # corrupted, edited or moved from another key: re-requested, never trusted
        return result

    def probe(self) -> None:
        """Open the cache and write (then remove) one entry: a CacheError now, before anything is paid for."""
        try:
            self._store.set("summarize-probe", "{}")
            self._store.delete("summarize-probe", retry=True)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(
                f"cannot write cache {self.directory}: {exc}",
                hint="choose another --cache-dir (or SUMMARIZE_CACHE_DIR), or run with --no-cache",
            ) from None

    def has(self, key: str) -> bool:
        """Whether an entry exists for the key (not validated: for estimates only)."""
        try:
            return key in self._store
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot read cache {self.directory}: {exc}") from None

    def set(self, key: str, result: BaseModel) -> None:
        """Store a result as JSON (diskcache commits each write atomically)."""
        try:
            self._store.set(key, _seal(key, result))
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot write cache {self.directory}: {exc}") from None

    def _discard(self, key: str) -> None:
        try:
            self._store.delete(key, retry=True)
        except (OSError, sqlite3.Error, TamperedEntryError):
            pass

    def stats(self) -> dict[str, Any]:
        """Entry count and bytes on disk."""
        try:
            return {"directory": str(self.directory), "entries": len(self._store), "bytes": self._store.volume()}
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot read cache {self.directory}: {exc}") from None

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        try:
            return cast(int, self._store.clear(retry=True))  # diskcache is untyped: the count of removed entries
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot clear cache {self.directory}: {exc}") from None

    def close(self) -> None:
        """Close the underlying database."""
        if self._cache is not None:
            self._cache.close()
            self._cache = None
