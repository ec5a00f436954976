"""The result cache stores JSON only and never trusts or executes a tampered entry."""

from __future__ import annotations

import json
import pickle
import sqlite3
from pathlib import Path
from typing import Any

import diskcache
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_values_are_stored_as_sealed_json_text(tmp_path: Path, result: Result) -> None:
    ResultCache(tmp_path).set("k", result)
    with sqlite3.connect(tmp_path / "cache.db") as db:
        (mode, value), = db.execute("SELECT mode, value FROM Cache").fetchall()
    entry = json.loads(value)
    assert mode == diskcache.core.MODE_RAW
    assert entry["key"] == "k"
    assert Result.model_validate_json(entry["result"]) == result


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


def _rewrite(directory: Path, edit: Any) -> None:
    with sqlite3.connect(directory / "cache.db") as db:
        (value,), = db.execute("SELECT value FROM Cache").fetchall()
        db.execute("UPDATE Cache SET value = ?", (edit(value),))


def test_an_edited_but_valid_result_fails_its_seal_and_is_re_requested(tmp_path: Path, result: Result) -> None:
    ResultCache(tmp_path).set("k", result)

    def forge(value: str) -> str:
        entry = json.loads(value)
        entry["result"] = entry["result"].replace(result.brief.title, "Forged headline")
        return json.dumps(entry)

    _rewrite(tmp_path, forge)
    cache = ResultCache(tmp_path)
    assert cache.get("k") is None
    assert cache.stats()["entries"] == 0  # dropped, so the next run asks the model again


def test_an_entry_moved_to_another_key_is_not_trusted(tmp_path: Path, result: Result) -> None:
    cache = ResultCache(tmp_path)
    cache.set("a", result)
    with sqlite3.connect(tmp_path / "cache.db") as db:
        db.execute("UPDATE Cache SET key = 'b'")
    assert ResultCache(tmp_path).get("b") is None


_part = st.one_of(st.text(max_size=20), st.integers(), st.lists(st.text(max_size=5), max_size=3))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["model", "endpoint", "prompt", "sampling", "article"]), _part, min_size=1))
def test_equal_inputs_give_equal_keys_whatever_the_order(parts: dict[str, Any]) -> None:
    assert cache_key(parts) == cache_key(dict(reversed(list(parts.items()))))
    assert cache_key(parts) == cache_key(json.loads(json.dumps(parts)))


@settings(max_examples=200, deadline=None)
@given(
    model=st.text(min_size=1, max_size=20), version=st.integers(1, 99), text=st.text(max_size=200),
    field=st.sampled_from(["model", "version", "text"]), suffix=st.text(min_size=1, max_size=5),
)
def test_any_change_to_model_prompt_version_or_text_changes_the_key(
    model: str, version: int, text: str, field: str, suffix: str
) -> None:
    base = {"model": model, "prompt": ["summary", version, "h"], "article": {"text": text}}
    changed = {
        "model": {**base, "model": model + suffix},
        "version": {**base, "prompt": ["summary", version + 1, "h"]},
        "text": {**base, "article": {"text": text + suffix}},
    }[field]
    assert cache_key(changed) != cache_key(base)


def test_the_summarizer_key_moves_with_model_prompt_version_and_text(tmp_path: Path) -> None:
    from summarize import Summarizer
    from summarize.schemas import Article

    prompts = tmp_path / "prompts" / "summary"
    prompts.mkdir(parents=True)
    from summarize.prompts import builtin_prompts_dir

    v1 = (builtin_prompts_dir() / "summary" / "v1.md").read_text(encoding="utf-8")
    (prompts / "v2.md").write_text(v1.replace("version = 1", "version = 2").replace("careful", "precise"), encoding="utf-8")
    article = Article(text="Un article sur OpenAI et Microsoft.", source="a.txt")
    with Summarizer(api_key="k", prompts_dir=tmp_path / "prompts") as s:
        base = s.plan(article, prompt_version=1).key
        assert s.plan(article.model_copy(update={"source": "b.txt"}), prompt_version=1).key == base
        assert s.plan(article, prompt_version=2).key != base
        assert s.plan(article.model_copy(update={"text": article.text + " "}), prompt_version=1).key != base
    with Summarizer(api_key="k", model="gpt-4o", prompts_dir=tmp_path / "prompts") as s:
        assert s.plan(article, prompt_version=1).key != base


def test_unwritable_cache_directory_is_a_cache_error(tmp_path: Path, result: Result) -> None:
    from summarize.errors import CacheError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CacheError, match="cannot open cache directory"):
        ResultCache(blocker / "sub").get("k")
