"""The public API surface."""

from __future__ import annotations

import summarize


def test_all_names_exist_and_are_documented() -> None:
    assert len(summarize.__all__) == len(set(summarize.__all__))
    for name in summarize.__all__:
        value = getattr(summarize, name)
        assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_core_entry_points_are_public() -> None:
    for name in ("Summarizer", "summarize_article", "asummarize_article", "load_article", "Result", "SummarizeError"):
        assert name in summarize.__all__


def test_every_error_is_a_summarize_error_with_an_exit_code() -> None:
    errors = [getattr(summarize, n) for n in summarize.__all__ if n.endswith("Error")]
    assert len(errors) >= 10
    for error in errors:
        assert issubclass(error, summarize.SummarizeError)
        assert isinstance(error.exit_code, int) and error.exit_code > 0


def test_readme_python_example_runs(monkeypatch, capsys) -> None:
    import re

    from .fakes import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    assert blocks, "README has no Python example"
    monkeypatch.chdir(ROOT)
    exec(compile(blocks[0], "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "Sam Altman" in out and "Anne Cagan" in out


def test_summarize_folder_is_the_batch_command_as_a_function(tmp_path) -> None:
    from .fakes import EXCHANGES, SEEDS

    seen: list[str] = []
    outcome = summarize.summarize_folder(
        SEEDS, tmp_path / "out", jobs=2, replay_dir=EXCHANGES, cache_dir=tmp_path / "cache", on_item=lambda i: seen.append(i.status)
    )
    assert (outcome.total, outcome.done, outcome.failed) == (5, 5, 0)
    assert sorted(seen) == ["done"] * 5
    assert outcome.report == tmp_path / "out" / "index.jsonl" and outcome.report.exists()
    again = summarize.summarize_folder(SEEDS, tmp_path / "out", replay_dir=EXCHANGES, cache_dir=tmp_path / "cache")
    assert again.existing == 5 and again.done == 0
