"""The result cache stores JSON only and never trusts or executes a tampered entry."""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path
from typing import Any

import diskcache
import pytest

from summarize.cache import JSONOnlyDisk, ResultCache, cache_key
from summarize.schemas import Result


@pytest.fixture
def result(valid_answer: dict[str, Any]) -> Result:
    """A complete Result envelope built from the hand-written seed answer."""
    return Result.model_validate(
        {
            **valid_answer,
            "article": {"source": "a.txt", "title": "T", "characters": 10},
            "warnings": [],
            "provenance": {
                "model": "gpt-4o-mini", "endpoint": "api.openai.com", "prompt_task": "summary", "prompt_version": 1,
                "prompt_hash": "abc", "response_format": "json_schema", "attempts": 1, "input_tokens": 1,
                "output_tokens": 1, "estimated_cost_usd": 0.0, "cached": False, "elapsed_seconds": 0.1,
                "created_at": "2026-11-23T00:00:00Z",
            },
        }
    )


class Boom:
    def __reduce__(self) -> tuple:
        return (Path("/tmp/summarize-pwned").touch, ())


def test_round_trip_and_stats(tmp_path: Path, result: Result) -> None:
    cache = ResultCache(tmp_path / "c")
    assert cache.get("k") is None
    cache.set("k", result)
    assert cache.get("k") == result
    stats = cache.stats()
    assert stats["entries"] == 1 and stats["bytes"] > 0
    assert cache.clear() == 1 and cache.get("k") is None


def test_values_are_stored_as_json_text(tmp_path: Path, result: Result) -> None:
    ResultCache(tmp_path).set("k", result)
    with sqlite3.connect(tmp_path / "cache.db") as db:
        mode, value = db.execute("SELECT mode, value FROM Cache").fetchone()
    assert mode in (diskcache.core.MODE_RAW, diskcache.core.MODE_TEXT)  # text in the row, or a text file
    assert isinstance(value, str) and value.startswith('{"schema_version":1')


def test_a_pickled_entry_is_ignored_and_removed_never_unpickled(tmp_path: Path, result: Result) -> None:
    marker = Path("/tmp/summarize-pwned")
    marker.unlink(missing_ok=True)
    ResultCache(tmp_path).set("k", result)
    with sqlite3.connect(tmp_path / "cache.db") as db:  # an attacker rewrites the row as a pickle
        db.execute("UPDATE Cache SET mode = ?, value = ?", (diskcache.core.MODE_PICKLE, pickle.dumps(Boom())))
    cache = ResultCache(tmp_path)
    assert cache.get("k") is None
    assert not marker.exists()
    assert cache.stats()["entries"] == 0


def test_a_tampered_json_entry_is_a_miss(tmp_path: Path, result: Result) -> None:
    ResultCache(tmp_path).set("k", result)
    with sqlite3.connect(tmp_path / "cache.db") as db:
        db.execute("UPDATE Cache SET value = ?", ('{"brief": "forged"}',))
    assert ResultCache(tmp_path).get("k") is None


def test_disk_refuses_non_string_values(tmp_path: Path) -> None:
    with diskcache.Cache(str(tmp_path), disk=JSONOnlyDisk) as raw, pytest.raises(TypeError):
        raw.set("k", {"a": 1})


def test_cache_key_is_stable_and_sensitive() -> None:
    parts = {"model": "m", "prompt": ["summary", 1, "h"], "article": {"text": "t"}}
    assert cache_key(parts) == cache_key(dict(reversed(parts.items())))
    for change in ({"model": "m2"}, {"prompt": ["summary", 2, "h"]}, {"article": {"text": "t "}}):
        assert cache_key({**parts, **change}) != cache_key(parts)


def test_unwritable_cache_directory_is_a_cache_error(tmp_path: Path, result: Result) -> None:
    from summarize.errors import CacheError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CacheError, match="cannot open cache directory"):
        ResultCache(blocker / "sub").get("k")
