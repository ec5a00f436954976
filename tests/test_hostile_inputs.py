"""Bad input ends in a result or a one-line error with its exit code; nothing already written is lost."""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from summarize.cli import app
from summarize.model.client import extract_json
from summarize.config import load_settings
from summarize.errors import InputError
from summarize.reading.read import MAX_BYTES, load_article, read_source
from summarize.summarizer import Summarizer

from .fakes import EXCHANGES, SEED_003, ScriptedEndpoint, ok

runner = CliRunner()


def _one_line_error(result: Any, code: int, phrase: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: ") and phrase in lines[0], result.stderr


def test_a_50_mb_file_is_refused_without_reading_it_into_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: the size is real, the disk cost is not
    tracemalloc.start()
    with pytest.raises(InputError, match="larger than the 10 MB input limit"):
        read_source(str(big))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1024 * 1024
    _one_line_error(runner.invoke(app, ["brief", str(big), "--replay", str(EXCHANGES)]), 2, "larger than")


def test_oversized_stdin_is_refused_after_reading_at_most_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["clean", "-"], input="a" * (MAX_BYTES + 10))
    _one_line_error(result, 2, "larger than the 10 MB input limit")


def test_a_socket_is_not_a_readable_article(tmp_path: Path) -> None:
    path = tmp_path / "sock.txt"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        _one_line_error(runner.invoke(app, ["clean", str(path)]), 2, "cannot read")
    finally:
        server.close()


def _without_file_permission_override(cmd: list[str]) -> list[str]:
    """Run `cmd` so that file modes apply even to root (CI runs as root, which reads any file otherwise)."""
    if os.geteuid() != 0:
        return cmd
    import shutil

    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file modes cannot be enforced")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *cmd]


def test_a_file_without_read_permission(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("texte", encoding="utf-8")
    path.chmod(0)
    done = subprocess.run(
        _without_file_permission_override([sys.executable, "-m", "summarize", "clean", str(path)]),
        capture_output=True, text=True,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and "permission denied" in done.stderr and "Traceback" not in done.stderr


def test_a_read_only_cache_directory_is_a_one_line_error_before_any_request(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    done = subprocess.run(
        _without_file_permission_override(
            [sys.executable, "-m", "summarize", "brief", str(SEED_003), "--replay", str(EXCHANGES), "--cache-dir", str(cache)]
        ),
        capture_output=True, text=True,
    )
    assert done.returncode == 7, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("error: cannot open cache directory") and lines[1].startswith("hint:")
    assert "Traceback" not in done.stderr


def test_a_symlink_loop_is_an_input_error(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    _one_line_error(runner.invoke(app, ["clean", str(loop)]), 2, "loop.txt")


def test_latin1_and_mixed_line_endings_read_as_the_same_article(tmp_path: Path) -> None:
    text = "Le président de l'Élysée a reçu vendredi les dirigeants d'OpenAI à Paris.\n\nÇa a duré deux heures."
    unix = tmp_path / "unix.txt"
    unix.write_text(text, encoding="utf-8")
    mixed = tmp_path / "mixed.txt"
    mixed.write_bytes(text.replace("\n\n", "\r\n\r").encode("latin-1"))
    assert load_article(str(mixed)).text == load_article(str(unix)).text


def test_an_article_in_another_language_is_summarized_and_its_language_recorded(tmp_path: Path) -> None:
    german = tmp_path / "de.txt"
    german.write_text(
        "OpenAI verliert seine Technikchefin\n\nDie Technikchefin von OpenAI, Mira Murati, hat am Mittwoch ihren "
        "Rücktritt angekündigt. Auch zwei Forscher verlassen das Unternehmen, teilte Sam Altman mit.",
        encoding="utf-8",
    )
    from bench.fake_openai import article_text, cited_answer

    def answer(request: Any) -> Any:
        # The fake server's cited answer to the sentences sent (German ones), in German as the article is.
        cited = cited_answer(article_text(json.loads(request.content)["messages"]))
        cited["brief"]["source_language"] = "de"
        return ok(cited)

    endpoint = ScriptedEndpoint(answer)
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as summarizer:
        result = summarizer.summarize(str(german))
    assert "[1.1] Die Technikchefin von OpenAI, Mira Murati," in endpoint.bodies[0]["messages"][1]["content"]
    assert result.article.language == "de"
    assert result.brief.source_language == "de"
    assert result.brief.source_summary.startswith("Die Technikchefin von OpenAI")
    assert not [w for w in result.warnings if w.kind == "language-mismatch"]
    assert len(endpoint.requests) == 1


def test_a_malformed_prompt_file_is_a_one_line_prompt_error(tmp_path: Path) -> None:
    bad = tmp_path / "prompts" / "summary"
    bad.mkdir(parents=True)
    (bad / "v9.md").write_text("+++\ntask = summary\n+++\n## system\nhello\n", encoding="utf-8")
    result = runner.invoke(app, ["prompts", "show", "summary", "--prompts-dir", str(tmp_path / "prompts")])
    _one_line_error(result, 9, "v9.md")


def test_a_cache_path_that_cannot_be_a_directory_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "--cache-dir", str(blocker)])
    _one_line_error(result, 7, "cache")


def _limit_file_size() -> None:
    # A write past this size fails with EFBIG, as a full disk fails with ENOSPC: the same code path.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_a_full_disk_keeps_the_previous_output_whole(tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    out.write_text("the brief a user already paid for\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "summarize", "brief", str(SEED_003), "--replay", str(EXCHANGES), "--no-cache",
         "-f", "json", "-o", str(out)],
        capture_output=True, text=True, preexec_fn=_limit_file_size, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 8, done.stderr
    assert done.stderr.startswith("error: cannot write") and "Traceback" not in done.stderr
    assert out.read_text(encoding="utf-8") == "the brief a user already paid for\n"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"]  # no temp file left behind


# --------------------------------------------------------------------------- JSON extraction and repair


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
_objects = st.dictionaries(st.text(min_size=1, max_size=8), _json_values, min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(obj=_objects, before=st.sampled_from(["", "Here you go:\n", "Sure! "]), fence=st.booleans(),
       after=st.sampled_from(["", "\nHope this helps.", " (end)"]))
def test_extract_json_finds_the_object_however_it_is_wrapped(obj: dict[str, Any], before: str, fence: bool, after: str) -> None:
    body = json.dumps(obj, ensure_ascii=False)
    text = before + (f"```json\n{body}\n```" if fence else body) + after
    assert extract_json(text) == obj


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_extract_json_on_any_text_returns_a_dict_or_raises_value_error(text: str) -> None:
    try:
        value = extract_json(text)
    except ValueError:
        return
    assert isinstance(value, dict)


@settings(max_examples=40, deadline=None)
@given(garbage=st.text(max_size=200))
def test_any_invalid_first_answer_leads_to_one_repair_then_the_valid_answer(garbage: str) -> None:
    from .fakes import ANSWERS

    valid_answer = json.loads((ANSWERS / "cited" / f"{SEED_003.stem}.json").read_text(encoding="utf-8"))
    try:
        from summarize.grounded.schema import CitedSummary

        CitedSummary.model_validate(extract_json(garbage))
        return  # hypothesis found a valid answer by chance: nothing to repair
    except ValueError:
        pass
    endpoint = ScriptedEndpoint(ok(garbage), ok(valid_answer))
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as summarizer:
        result = summarizer.summarize(str(SEED_003))
    assert result.provenance.attempts == 2
    assert len(endpoint.requests) == 2
    assert endpoint.bodies[1]["messages"][-2] == {"role": "assistant", "content": garbage}


def test_a_hostile_file_name_is_read_and_named_in_errors_on_one_line(tmp_path: Path) -> None:
    weird = tmp_path / 'a "quoted" name\nwith newline ..%2F.txt'
    weird.write_bytes(SEED_003.read_bytes())
    result = runner.invoke(app, ["brief", str(weird), "--replay", str(EXCHANGES), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "Satya Nadella" in result.stdout
    empty = tmp_path / "x\n..%2F..%2Fetc passwd.txt"
    empty.write_text("", encoding="utf-8")
    bad = runner.invoke(app, ["brief", str(empty), "--replay", str(EXCHANGES)])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: ")
    assert len(bad.stderr.strip().splitlines()) == 1  # the newline in the name is escaped, not printed


def test_a_cache_that_cannot_be_written_is_a_one_line_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "summarize", "brief", str(SEED_003), "--replay", str(EXCHANGES),
         "--cache-dir", str(tmp_path / "cache")],
        capture_output=True, text=True, preexec_fn=_limit_file_size,
    )
    assert done.returncode == 7, done.stderr
    assert done.stderr.startswith("error: cannot") and "cache" in done.stderr.splitlines()[0]
    assert "Traceback" not in done.stderr
