"""The runs layer's seams: any Source runs live and through the Batch API with one per-article step."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.fake_openai import FakeOpenAI
from summarize.config import Settings, load_settings
from summarize.reading.read import load_article
from summarize.render import FORMATS
from summarize.runs import REPORT_NAME, BatchAPIRun, BatchRunner, Item, estimate_batch
from summarize.runs.sources import FolderSource, beside
from summarize.schemas import Article, Result
from summarize.summarizer import Summarizer

from .fakes import SEEDS


class CountingSource:
    """A Source written for the test (the seam a feed plugs into): the seed files, counting every load."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = str(root)
        self.loads: Counter[str] = Counter()

    def default_out(self, task: str) -> Path:
        return beside(self.root, task)

    def items(self, out: Path | None = None) -> Iterator[Item]:
        for path in sorted(self.root.glob("*.txt")):
            yield Item(f"seed/{path.stem}", ("seed", path.stem), self._loader(path), {"stem": path.stem})

    def _loader(self, path: Path) -> Any:
        def load() -> Article:
            self.loads[path.stem] += 1
            return load_article(str(path))

        return load


def settings_for(server: FakeOpenAI, tmp_path: Path) -> Settings:
    return load_settings(api_key="test", base_url=server.url, cache_dir=tmp_path / "cache", max_retries=0)


def lines(out: Path) -> dict[str, dict[str, Any]]:
    entries = [json.loads(line) for line in (out / REPORT_NAME).read_text(encoding="utf-8").splitlines()]
    return {entry["source"]: entry for entry in entries}


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds", ignore=shutil.ignore_patterns("*.toml")))


def test_the_batch_api_reads_and_plans_each_article_once(tmp_path: Path, seeds: Path) -> None:
    source = CountingSource(seeds)
    with FakeOpenAI(latency=0.0) as server:
        outcome = BatchAPIRun(Summarizer(settings_for(server, tmp_path)), source, tmp_path / "out", poll_interval=0.01).run()
    assert outcome.done == 5 and outcome.failed == 0, outcome.failures
    assert set(source.loads.values()) == {1}, source.loads  # sorted, submitted and collected from one plan


def test_live_and_batch_api_write_the_same_report_lines_for_articles_already_done(tmp_path: Path, seeds: Path) -> None:
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path)
        live_out, api_out = tmp_path / "live", tmp_path / "api"
        BatchRunner(lambda gate: Summarizer(settings, gate=gate), seeds, live_out, jobs=2).run()
        BatchRunner(lambda gate: Summarizer(settings, gate=gate), seeds, live_out, jobs=2).run()
        BatchAPIRun(Summarizer(settings), seeds, api_out, poll_interval=0.01).run()
        BatchAPIRun(Summarizer(settings), seeds, api_out, poll_interval=0.01).run()
    live, api = lines(live_out), lines(api_out)
    assert {e["status"] for e in live.values()} == {e["status"] for e in api.values()} == {"existing"}
    for source, entry in live.items():
        other = api[source]
        # The same step made both: fingerprint, identity, title and language alike (they differed before).
        for field in ("fingerprint", "identity", "title", "language", "key"):
            assert entry[field] == other[field], (source, field)
        assert entry["identity"]["source_size"] > 0 and entry["fingerprint"]


def test_a_re_run_does_not_read_items_whose_identity_is_unchanged(tmp_path: Path, seeds: Path) -> None:
    source = CountingSource(seeds)
    out = tmp_path / "out"
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path)
        BatchRunner(lambda gate: Summarizer(settings, gate=gate), source, out, jobs=2).run()
        assert sum(source.loads.values()) == 5
        again = BatchRunner(lambda gate: Summarizer(settings, gate=gate), source, out, jobs=2).run()
    assert again.existing == 5 and sum(source.loads.values()) == 5  # nothing loaded (or fetched) a second time
    assert all(entry["identity"] == {"stem": entry["source"].split("/")[1]} for entry in lines(out).values())


@pytest.mark.parametrize("name", ["markdown", "html", "json"])
def test_a_run_writes_the_json_and_the_chosen_format(tmp_path: Path, seeds: Path, name: str) -> None:
    out = tmp_path / "out"
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path)
        outcome = BatchRunner(lambda gate: Summarizer(settings, gate=gate), seeds, out, jobs=2, format=name).run()
    assert outcome.done == 5
    suffix = FORMATS[name].suffix
    for entry in lines(out).values():
        assert Result.model_validate_json(Path(entry["json"]).read_bytes()).provenance.key == entry["key"]
        if name == "json":
            assert entry["output"] is None
        else:
            assert entry["output"].endswith(suffix) and Path(entry["output"]).read_text(encoding="utf-8").strip()
    assert (outcome.index is not None) == (name == "html")
    if outcome.index is not None:
        index = outcome.index.read_text(encoding="utf-8")
        for entry in lines(out).values():
            assert Path(entry["output"]).relative_to(out).as_posix() in index


def test_side_by_side_is_refused_for_briefs_before_anything_is_sent(tmp_path: Path, seeds: Path) -> None:
    from summarize.errors import InputError

    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path)
        with pytest.raises(InputError, match="side-by-side"):
            BatchRunner(lambda gate: Summarizer(settings, gate=gate), seeds, tmp_path / "out", format="side-by-side")
        assert not server.requests


def test_the_dry_run_estimate_covers_any_source_and_loads_nothing_twice(tmp_path: Path, seeds: Path) -> None:
    source = CountingSource(seeds)
    with Summarizer(load_settings(api_key="test", cache_dir=tmp_path / "cache")) as summarizer:
        from_source = estimate_batch(summarizer, source)
        from_folder = estimate_batch(summarizer, FolderSource(seeds, ("*.txt",)))
    assert from_source.articles == from_folder.articles == 5
    assert from_source.input_tokens == from_folder.input_tokens > 0
    assert set(source.loads.values()) == {1}


def test_tokens_and_the_dry_run_give_the_same_figures_for_one_article(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarize.cli import app

    folder = tmp_path / "one"
    folder.mkdir()
    seed = sorted(SEEDS.glob("*.txt"))[0]
    shutil.copy(seed, folder / seed.name)
    runner = CliRunner()
    tokens = runner.invoke(app, ["tokens", str(seed), "--no-cache"])
    dry = runner.invoke(app, ["batch", str(folder), "--dry-run", "--no-cache", "--out", str(tmp_path / "out")])
    assert tokens.exit_code == 0 and dry.exit_code == 0, (tokens.output, dry.output)
    with Summarizer(load_settings(use_cache=False)) as summarizer:
        estimate = estimate_batch(summarizer, folder)
    assert f"~{estimate.expected_output_tokens:,} tokens expected, at most {estimate.max_output_tokens:,}" in tokens.output
    assert f"~{estimate.expected_output_tokens:,} expected, at most {estimate.max_output_tokens:,}" in dry.output
    assert f"${estimate.cost_usd:.5f} expected" in tokens.output and f"${estimate.cost_usd:.4f}" in dry.output
