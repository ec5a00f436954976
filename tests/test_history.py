"""Run history: real commands recorded in SQLite (offline replays and the local fake server), read back by
`summarize history`, safe under concurrent runs, never a change to a run's output or exit code."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.fake_openai import FakeOpenAI
from summarize.cli import app
from summarize.history.redact import MASK, redact

from .fakes import EXCHANGES, ROOT, SEED_003, SEEDS

runner = CliRunner()
KEY = "sk-proj-Zq8tY3vLw9NcR2xKp7Hs4JdF6gBm"


def run(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "runs" / "history.db"
    monkeypatch.setenv("SUMMARIZE_HISTORY_DB", str(path))
    return path


def rows(path: Path) -> list[dict[str, Any]]:
    """Every recorded run, oldest first, read straight from the database."""
    with sqlite3.connect(path) as con:
        con.row_factory = sqlite3.Row
        found = [dict(r) for r in con.execute("SELECT * FROM runs ORDER BY id")]
    for row in found:
        for name in ("argv", "sources", "by_model", "warnings", "outputs", "cache_keys"):
            row[name] = json.loads(row[name])
    return found


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def test_a_brief_is_recorded_with_its_tokens_cost_model_and_key_and_show_re_renders_it(db: Path) -> None:
    brief = run("brief", SEED_003, "--replay", EXCHANGES)
    assert brief.exit_code == 0, brief.output
    again = run("brief", SEED_003, "--replay", EXCHANGES, "-f", "json")  # from the cache: the first run's provenance
    provenance = json.loads(again.stdout)["provenance"]
    assert provenance["cached"] is True

    first, second = rows(db)
    assert first["command"] == "brief" and first["exit_code"] == 0 and first["task"] == "summary"
    assert first["model"] == "gpt-4o-mini" == provenance["model"]
    assert first["tokens_in"] == provenance["input_tokens"] > 0 and first["tokens_out"] == provenance["output_tokens"] > 0
    assert first["cost_usd"] == provenance["estimated_cost_usd"] > 0
    assert first["cache_keys"] == [provenance["key"]] == second["cache_keys"]
    assert first["sources"] == [str(SEED_003)] and first["results"] == 1 and first["cached"] == 0
    assert first["argv"] == ["summarize", "brief", str(SEED_003), "--replay", str(EXCHANGES)]
    assert first["outputs"] == [] and first["duration"] > 0 and first["warnings"] == {}
    assert (second["cached"], second["tokens_in"], second["tokens_out"], second["cost_usd"]) == (1, 0, 0, 0.0)

    shown = run("history", "show", first["id"])
    assert shown.exit_code == 0, shown.output
    assert f"{first['tokens_in']:,} in, {first['tokens_out']:,} out" in shown.stdout
    assert provenance["key"] in shown.stdout
    assert shown.stdout.endswith("\n" + brief.stdout)  # the brief, re-rendered from the cache as it was printed


def test_the_listing_filters_by_model_and_day_and_prints_json(db: Path) -> None:
    assert run("brief", SEED_003, "--replay", EXCHANGES).exit_code == 0
    assert run("facts", SEED_003, "--replay", EXCHANGES).exit_code == 0
    listed = run("history", "--json")  # the bare group lists, with the list's options
    assert listed.exit_code == 0, listed.output
    found = json.loads(listed.stdout)
    assert [r["command"] for r in found] == ["facts", "brief"]  # newest first
    assert [r["command"] for r in json.loads(run("history", "list", "--json", "--limit", "1").stdout)] == ["facts"]
    assert json.loads(run("history", "--json", "--model", "gpt-4o-mini").stdout) == found
    assert json.loads(run("history", "--json", "--model", "llama3").stdout) == []
    assert json.loads(run("history", "--json", "--since", "2999-01-01").stdout) == []
    table = run("history").stdout.splitlines()
    assert table[0].split()[:5] == ["ID", "STARTED", "TIME", "COMMAND", "MODEL"] and len(table) == 3
    assert "facts" in table[1] and "gpt-4o-mini" in table[1] and str(SEED_003) in table[1]
    refused = run("history", "--since", "yesterday")
    assert refused.exit_code == 2 and "--since" in refused.stderr


def test_cost_sums_tokens_and_cost_by_day_and_model(db: Path) -> None:
    for seed in sorted(SEEDS.glob("00[0-2]_*.txt")):
        assert run("brief", seed, "--replay", EXCHANGES).exit_code == 0
    recorded = rows(db)
    result = run("history", "cost", "--since", "2000-01-01", "--json")
    assert result.exit_code == 0, result.output
    (day,) = json.loads(result.stdout)
    assert day["model"] == "gpt-4o-mini" and day["runs"] == 3
    assert day["tokens_in"] == sum(r["tokens_in"] for r in recorded) > 0
    assert day["cost_usd"] == pytest.approx(sum(r["cost_usd"] for r in recorded))
    table = run("history", "cost", "--since", "2000-01-01").stdout
    assert f"{day['tokens_in']:,}" in table and table.splitlines()[-1].startswith("total")
    assert "no matching runs" in run("history", "cost", "--since", "2999-01-01").stdout


def test_a_failing_run_is_recorded_with_its_exit_code(db: Path) -> None:
    missing = run("brief", "no-such-article.txt", "--replay", EXCHANGES)
    assert missing.exit_code == 2
    (row,) = rows(db)
    assert row["exit_code"] == 2 and row["results"] == 0 and row["cache_keys"] == []
    assert run("history", "show", 99).exit_code == 2


def test_warnings_are_counted_by_kind_and_a_strict_failure_keeps_them(db: Path, server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    # The fake writes English whatever --lang asks (wrong-language), and a small budget splits the article (chunked).
    args = ["brief", SEED_003, "--base-url", server.url, "--lang", "de", "--max-input-tokens", "700", "--no-cache"]
    ok = run(*args, "-f", "json")
    assert ok.exit_code == 0, ok.output
    kinds = Counter(w["kind"] for w in json.loads(ok.stdout)["warnings"])
    strict = run(*args, "--strict")
    assert strict.exit_code == 6
    first, second = rows(db)
    assert first["warnings"] == kinds and kinds["chunked"] == 1 and kinds["wrong-language"] > 1
    assert first["endpoint"] == server.url.split("/")[2] and first["tokens_in"] > 0
    assert second["exit_code"] == 6 and second["warnings"] == first["warnings"]


@pytest.fixture
def key_in_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return KEY


def test_no_secret_reaches_the_database(db: Path, key_in_env: str, tmp_path: Path) -> None:
    pasted = tmp_path / f"{key_in_env}.txt"  # a key pasted where an argument goes
    result = run("brief", pasted, "--replay", EXCHANGES)
    assert result.exit_code == 2
    (row,) = rows(db)
    assert key_in_env not in db.read_bytes().decode("latin-1") and key_in_env not in json.dumps(row)
    assert row["argv"][2] == str(tmp_path / f"{MASK}.txt") and row["sources"] == [row["argv"][2]]


def test_command_lines_are_kept_without_keys() -> None:
    assert redact(["summarize", "brief", "a.txt", "--api-key", KEY, "--model", "m"]) == ["summarize", "brief", "a.txt", "--api-key", MASK, "--model", "m"]
    assert redact(["--api-key=hunter2", "--token", "abc", "--max-output-tokens", "512"]) == ["--api-key=***", "--token", MASK, "--max-output-tokens", "512"]
    assert redact(["--base-url", "https://me:hunter2@llm.example.com/v1?api_key=s3cret&x=1"]) == ["--base-url", "https://me:***@llm.example.com/v1?api_key=***&x=1"]
    assert redact(["brief", f"Bearer-{KEY}", "ghp_" + "a1" * 15, "seeds/003_f41e5d1e8166288f.txt"]) == ["brief", "Bearer-***", MASK, "seeds/003_f41e5d1e8166288f.txt"]
    assert redact(["--glossary", "terms.toml", "--lang", "de", "--prompt-version", "4"]) == ["--glossary", "terms.toml", "--lang", "de", "--prompt-version", "4"]
    assert redact(["x", "only-known-secret-abc"], secrets=["known-secret"]) == ["x", f"only-{MASK}-abc"]


def test_no_history_and_the_setting_turn_recording_off_without_changing_the_output(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = run("brief", SEED_003, "--replay", EXCHANGES, "--no-cache")
    off = run("brief", SEED_003, "--replay", EXCHANGES, "--no-cache", "--no-history")
    assert off.exit_code == recorded.exit_code == 0 and off.stdout == recorded.stdout and off.stderr == recorded.stderr == ""
    monkeypatch.setenv("SUMMARIZE_HISTORY", "false")
    assert run("facts", SEED_003, "--replay", EXCHANGES).exit_code == 0
    assert [r["command"] for r in rows(db)] == ["brief"]
    assert run("brief", SEED_003, "--replay", EXCHANGES, "--history").exit_code == 0  # the flag beats the setting
    assert len(rows(db)) == 2


@pytest.mark.parametrize("where", ["directory", "under-a-file"])
def test_a_database_that_cannot_be_opened_is_one_warning_and_the_run_goes_on(where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    normal = run("brief", SEED_003, "--replay", EXCHANGES, "--no-cache", "--no-history")
    if where == "directory":
        target = tmp_path / "a-directory"
        target.mkdir()
    else:  # unwritable even for root, unlike a read-only folder
        (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
        target = tmp_path / "a-file" / "history.db"
    monkeypatch.setenv("SUMMARIZE_HISTORY_DB", str(target))
    result = run("brief", SEED_003, "--replay", EXCHANGES, "--no-cache")
    assert result.exit_code == 0 and result.stdout == normal.stdout
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"warning: run not recorded in the history {target}")
    failing = run("brief", "missing.txt", "--replay", EXCHANGES)
    assert failing.exit_code == 2 and failing.stderr.splitlines()[0].startswith("error: ")
    assert failing.stderr.splitlines()[-1].startswith("warning: run not recorded") and len(failing.stderr.splitlines()) == 2


def test_a_batch_is_one_run_with_its_outputs_and_the_sum_of_its_articles(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("batch", SEEDS, "--replay", EXCHANGES, "--out", out)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (out / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    (row,) = rows(db)
    assert row["command"] == "batch" and row["results"] == len(lines) == 5
    assert row["tokens_in"] == sum(line["input_tokens"] for line in lines) > 0
    assert row["cost_usd"] == pytest.approx(sum(line["cost_usd"] for line in lines))
    assert sorted(row["cache_keys"]) == sorted(line["key"] for line in lines)
    assert row["outputs"] == [str(out), str(out / "index.jsonl")]
    assert run("batch", SEEDS, "--replay", EXCHANGES, "--out", out).exit_code == 0  # all up to date: nothing to send
    again = rows(db)[1]
    assert (again["tokens_in"], again["results"]) == (0, 0) and sorted(again["cache_keys"]) == sorted(row["cache_keys"])
    shown = run("history", "show", again["id"])
    assert shown.exit_code == 0 and "# " not in shown.stdout  # many articles: no single brief to re-render


def test_digest_and_eval_are_recorded_through_the_same_hook(db: Path) -> None:
    digest = run("digest", SEEDS, "--replay", EXCHANGES)
    evaluated = run("eval", SEEDS / "gold.toml", "--replay", EXCHANGES)
    assert run("tokens", SEED_003).exit_code == 0  # prices, sends nothing: not a run to record
    assert run("clean", SEED_003).exit_code == 0
    first, second = rows(db)
    assert (first["command"], first["exit_code"]) == ("digest", digest.exit_code)
    assert (second["command"], second["exit_code"]) == ("eval", evaluated.exit_code)
    assert first["results"] == 5 and first["tokens_in"] > 0 and len(first["cache_keys"]) == 5
    assert second["results"] == 5 and second["cached"] == 5  # the digest's briefs, reused by the evaluation


_WRITER = """
import sys, time
from pathlib import Path
from summarize.history.store import insert
path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for n in range(count):
    insert(path, {"started": time.time(), "duration": 0.0, "command": name, "argv": "[]", "sources": "[]", "results": n,
                  "cached": 0, "tokens_in": n, "tokens_out": 1, "by_model": "{}", "warnings": "{}", "exit_code": 0,
                  "outputs": "[]", "cache_keys": "[]"})
"""


def test_two_processes_writing_at_once_lose_nothing_and_leave_the_database_intact(tmp_path: Path) -> None:
    path, count = tmp_path / "fresh" / "history.db", 200
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), name, str(count)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
               for name in ("one", "two")]  # fmt: skip
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        counts = dict(con.execute("SELECT command, COUNT(*) FROM runs GROUP BY command").fetchall())
        assert counts == {"one": count, "two": count}
        assert con.execute("SELECT SUM(tokens_in) FROM runs").fetchone()[0] == 2 * sum(range(count))
