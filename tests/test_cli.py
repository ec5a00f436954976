"""The CLI through Typer's runner: each command, its output, and one-line errors with exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarize.cli import app

from .fakes import EXCHANGES, SEED_003, SEEDS

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def test_brief_prints_a_markdown_brief_from_replayed_answers() -> None:
    result = run("brief", SEED_003, "--replay", EXCHANGES)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# ")
    for heading in ("## Key points", "## Summary (fr)", "### People", "### Organizations", "### Dates and events", "## Source"):
        assert heading in out
    for name in ("Sam Altman", "Greg Brockman", "Mira Murati", "Satya Nadella"):
        assert name in out
    assert "- Author: Anne Cagan" in out and "2023-11-20" in out and "lexpress.fr" in out


def test_brief_json_and_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "brief.json"
    result = run("brief", SEED_003, "--replay", EXCHANGES, "--format", "json", "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    envelope = json.loads(target.read_text(encoding="utf-8"))
    assert envelope["provenance"]["prompt_task"] == "summary"
    assert envelope["article"]["author"] == "Anne Cagan"
    assert [p.name for p in target.parent.iterdir()] == ["brief.json"]  # no temp file left behind


def test_second_run_is_served_from_the_cache() -> None:
    assert run("brief", SEED_003, "--replay", EXCHANGES, "-f", "json").exit_code == 0
    again = run("brief", SEED_003, "--replay", EXCHANGES, "-f", "json")
    assert json.loads(again.stdout)["provenance"]["cached"] is True
    stats = run("cache", "stats")
    assert "entries: 1" in stats.stdout
    assert "removed 1 entries" in run("cache", "clear").stdout
    assert "entries: 0" in run("cache", "stats").stdout


def test_facts_prints_key_facts_json() -> None:
    result = run("facts", SEED_003, "--replay", EXCHANGES)
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert set(facts) == {"people", "organizations", "events", "amounts", "quotes"}
    assert "Satya Nadella" in {p["name"] for p in facts["people"]}


def test_brief_reads_stdin() -> None:
    result = run("brief", "-", "--replay", EXCHANGES, "-f", "json", input=SEED_003.read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["article"]["source"] == "-"


def test_no_configuration_is_a_short_error_without_traceback() -> None:
    result = run("brief", SEED_003)
    assert result.exit_code == 3
    assert "error: no model endpoint configured" in result.stderr
    assert "OPENAI_API_KEY" in result.stderr and "--replay" in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("brief", "missing.txt", "--replay", EXCHANGES), 2, "missing.txt: no such file"),
        (("brief", SEEDS, "--replay", EXCHANGES), 2, "is a directory"),
        (("brief", SEED_003, "--replay", "nowhere"), 3, "replay directory not found"),
        (("brief", SEED_003, "--replay", EXCHANGES, "--prompt-version", "9"), 9, "no version 9"),
        (("brief", SEED_003, "--replay", EXCHANGES, "--model", "gpt-4o"), 4, "no recorded exchange"),
        (("brief", SEED_003, "--replay", EXCHANGES, "--max-repairs", "-1"), 3, "invalid setting max_repairs"),
        (("schema", "nope"), 2, "unknown schema"),
        (("prompts", "show", "nope"), 9, "no prompt for task 'nope'"),
    ],
)
def test_bad_input_gives_one_line_error_and_exit_code(args: tuple, code: int, message: str) -> None:
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n ")
    result = run("brief", empty, "--replay", EXCHANGES)
    assert result.exit_code == 2 and "is empty" in result.stderr


def test_clean_prints_text_metadata_and_dropped_lines() -> None:
    result = run("clean", SEED_003, "--show-dropped")
    assert result.exit_code == 0, result.output
    assert "author: Anne Cagan" in result.stdout
    assert "SQLSTATE" not in result.stdout and "Source link" not in result.stdout
    assert "SQLSTATE" in result.stderr and "dropped" in result.stderr


def test_clean_json() -> None:
    data = json.loads(run("clean", SEED_003, "--json").stdout)
    assert data["metadata"]["author"] == "Anne Cagan"
    assert any(d["rule"] and "SQLSTATE" in d["text"] for d in data["dropped"])


def test_prompts_list_and_show() -> None:
    listing = run("prompts", "list")
    assert listing.exit_code == 0
    assert "summary" in listing.stdout and "(default)" in listing.stdout
    shown = run("prompts", "show", "summary", "--version", "1")
    assert "version: 1" in shown.stdout and "## system" in shown.stdout and "{{ text }}" in shown.stdout


def test_schema_prints_strict_json_schema() -> None:
    schema = json.loads(run("schema", "summary").stdout)
    assert schema["additionalProperties"] is False and schema["required"] == ["brief", "key_facts"]
    assert "provenance" in json.loads(run("schema", "result").stdout)["properties"]


def test_tokens_reports_raw_cleaned_prompt_and_cost() -> None:
    result = run("tokens", SEED_003)
    assert result.exit_code == 0, result.output
    def figure(label: str) -> int:
        match = re.search(label + r"\s+([\d,]+) tokens", result.stdout)
        assert match, result.stdout
        return int(match.group(1).replace(",", ""))

    assert figure("cleaned text") < figure("raw text") / 1.5  # seed 003 is its article twice plus boilerplate
    assert figure("prompt") > figure("cleaned text")
    assert re.search(r"estimated cost\s+\$0\.\d+ expected \(\$0\.\d+ input\), at most \$0\.\d+", result.stdout)


def test_tokens_unknown_model_says_cost_unknown() -> None:
    result = run("tokens", SEED_003, "--model", "llama3")
    assert "unknown (no price for this model" in result.stdout


def test_help_lists_the_commands() -> None:
    out = run("--help").stdout
    for command in ("brief", "facts", "translate", "clean", "tokens", "batch", "eval", "prompts", "cache", "schema"):
        assert f"\n  {command} " in out


@pytest.mark.parametrize("flag", ["--lang", "--to"])
def test_lang_and_to_are_one_option_that_sets_the_target_language(flag: str) -> None:
    result = run("tokens", SEED_003, flag, "not a language")
    assert result.exit_code == 3 and "invalid setting target_language" in result.stderr


def test_record_against_a_local_server_then_replay_offline(tmp_path: Path, cited_answer: dict) -> None:
    from .fakes import LocalServer, chat_completion

    def respond(method: str, path: str, body: bytes):
        assert (method, path) == ("POST", "/v1/chat/completions")
        return 200, {"content-type": "application/json"}, json.dumps(chat_completion(json.dumps(cited_answer))).encode()

    recordings = tmp_path / "rec"
    with LocalServer(respond) as server:
        live = run("brief", SEED_003, "--base-url", f"{server.url}/v1", "--record", recordings, "--no-cache", "-f", "json")
        assert live.exit_code == 0, live.output
        assert len(server.requests) == 1
    files = list(recordings.glob("*.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["origin"] == "recorded"
    replayed = run("brief", SEED_003, "--replay", recordings, "--base-url", "http://127.0.0.1:9/v1", "--no-cache", "-f", "json")
    assert replayed.exit_code == 0, replayed.output
    assert json.loads(replayed.stdout)["brief"] == json.loads(live.stdout)["brief"]


def test_strict_fails_with_exit_code_6_when_a_quote_is_invented(tmp_path: Path, valid_answer: dict) -> None:
    from summarize.config import load_settings
    from summarize.model.replay import RecordingTransport, ReplayStore
    from summarize.summarizer import Summarizer

    from .fakes import ScriptedEndpoint, ok

    invented = json.loads(json.dumps(valid_answer))
    invented["key_facts"]["quotes"][0]["original"] = "Nous avons gagné la guerre de l'IA"
    store = ReplayStore(tmp_path / "rec")
    # The invented quote is sent back once for repair; the model repeats it.
    transport = RecordingTransport(store, endpoint="api.openai.com", inner=ScriptedEndpoint(ok(invented), ok(invented)).transport)
    # Prompt v3 copies quotations (v4 takes them from the cited sentence): the check that catches a copy is v3's.
    Summarizer(load_settings(api_key="k", use_cache=False), transport=transport).summarize(SEED_003, prompt_version=3)

    lenient = run("brief", SEED_003, "--replay", tmp_path / "rec", "--no-cache", "--prompt-version", "3")
    assert lenient.exit_code == 0
    assert "Quote not found in the article: Nous avons gagné la guerre de l'IA" in lenient.stdout
    strict = run("brief", SEED_003, "--replay", tmp_path / "rec", "--no-cache", "--strict", "--prompt-version", "3")
    assert strict.exit_code == 6
    assert "--strict: 1 problem(s) found checking the answer against the article" in strict.stderr


def test_every_kind_of_error_has_an_exit_code_of_its_own_and_docs_failures_lists_them() -> None:
    import summarize.errors as errors

    kinds = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.SummarizeError)]
    # A kind is a direct child of the base; ModelError's children are model errors too and share its code.
    codes = {c.__name__: c.exit_code for c in kinds if c.__bases__ == (errors.SummarizeError,)}
    assert len(set(codes.values())) == len(codes), codes
    page = (Path(__file__).parent.parent / "docs" / "failures.md").read_text(encoding="utf-8")
    listed = re.search(r"Exit codes, one per kind of failure: (.*?)\. Errors are one", page, re.S)
    assert listed is not None
    assert sorted(int(n) for n in re.findall(r"(?<![\w-])(\d{1,3})\s", listed.group(1))) == sorted([0, 130, *codes.values()])
