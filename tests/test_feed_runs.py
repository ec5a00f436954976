"""Feeds and URL lists through whole runs (live and Batch API) against pages on 127.0.0.1, and docs/batch.md's feed example."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bench.fake_openai import FakeOpenAI
from summarize.config import Settings, load_settings
from summarize.runs import REPORT_NAME, BatchAPIRun, BatchRunner
from summarize.summarizer import Summarizer

from .fakes import SEEDS

ROOT = Path(__file__).resolve().parent.parent


class Pages:
    """The seed articles served from a folder on 127.0.0.1, counting the requests for each path."""

    def __init__(self, folder: Path) -> None:
        self.hits: dict[str, int] = {}
        pages = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                pages.hits[self.path] = pages.hits.get(self.path, 0) + 1
                super().do_GET()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[Pages]:
    folder = tmp_path / "site"
    folder.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    served = Pages(folder)
    yield served
    served.close()


def feed(pages: Pages, path: Path, names: list[str], extra: str = "") -> Path:
    items = "".join(f"<item><title>{n}</title><link>{pages.url}/{n}</link><guid>{n}</guid></item>" for n in names)
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}{extra}</channel></rss>', encoding="utf-8")
    return path


def seeds() -> list[str]:
    return [p.name for p in sorted(SEEDS.glob("*.txt"))]


def lines(out: Path) -> dict[str, dict[str, Any]]:
    entries = [json.loads(line) for line in (out / REPORT_NAME).read_text(encoding="utf-8").splitlines()]
    return {entry["source"]: entry for entry in entries}


def settings_for(server: FakeOpenAI, tmp_path: Path, **overrides: Any) -> Settings:
    return load_settings(api_key="test", base_url=server.url, cache_dir=tmp_path / "cache", max_retries=0, **overrides)


def live(settings: Settings, source: Any, out: Path, **kwargs: Any) -> Any:
    return BatchRunner(lambda gate: Summarizer(settings, gate=gate), source, out, jobs=4, **kwargs).run()


def test_a_feed_file_runs_live_and_a_re_run_fetches_and_requests_nothing(tmp_path: Path, pages: Pages) -> None:
    source = feed(pages, tmp_path / "feed.xml", seeds())
    out = tmp_path / "out"
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path)
        first = live(settings, str(source), out, format="html")
        sent = len(server.requests)
        again = live(settings, str(source), out, format="html")
        assert len(server.requests) == sent  # not one request the second time
    assert first.done == 5 and first.failed == 0, first.failures
    assert again.existing == 5 and all(hits == 1 for hits in pages.hits.values())  # each page fetched once, ever
    report = lines(out)
    assert set(report) == {f"{pages.url}/{name}" for name in seeds()}
    assert all(Path(entry["output"]).suffix == ".html" and Path(entry["output"]).is_relative_to(out) for entry in report.values())
    assert (out / "index.html").is_file()


def test_an_entry_whose_content_changed_is_done_again_and_only_it(tmp_path: Path, pages: Pages) -> None:
    names = seeds()
    source = feed(pages, tmp_path / "feed.xml", names)
    out = tmp_path / "out"
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path, use_cache=False)
        live(settings, str(source), out)
        text = source.read_text(encoding="utf-8").replace(f"<title>{names[2]}</title>", "<title>Mis à jour</title>")
        source.write_text(text, encoding="utf-8")
        again = live(settings, str(source), out)
    assert again.done == 1 and again.existing == 4
    assert pages.hits[f"/{names[2]}"] == 2 and all(pages.hits[f"/{n}"] == 1 for n in names if n != names[2])


def test_bad_links_are_failed_lines_and_the_run_goes_on(tmp_path: Path, pages: Pages) -> None:
    bad = (f"<item><link>{pages.url}/missing.txt</link></item><item><link>javascript:alert(1)</link></item>"
           f"<item><link>file:///etc/passwd</link></item>")  # fmt: skip
    source = feed(pages, tmp_path / "feed.xml", seeds()[:2], extra=bad)
    with FakeOpenAI(latency=0.0) as server:
        outcome = live(settings_for(server, tmp_path), str(source), tmp_path / "out")
    assert outcome.done == 2 and outcome.failed == 3
    errors = {entry["source"]: entry["error"] for entry in lines(tmp_path / "out").values() if entry["status"] == "failed"}
    assert "HTTP 404" in errors[f"{pages.url}/missing.txt"]
    assert all("\n" not in error and "http" in error for error in errors.values())
    assert not (tmp_path / "out" / "_invalid").exists() or not any((tmp_path / "out" / "_invalid").iterdir())
    from summarize.runs.progress import summary_table

    missing = f"{pages.url}/missing.txt"
    assert f"failed: {missing}: HTTP 404" in summary_table(outcome) and f"{missing}: {missing}" not in summary_table(outcome)


def test_a_url_list_translates_through_the_batch_api(tmp_path: Path, pages: Pages) -> None:
    links = tmp_path / "links.txt"
    links.write_text("# two seeds\n" + "".join(f"{pages.url}/{name}\n" for name in seeds()[:2]), encoding="utf-8")
    with FakeOpenAI(latency=0.0) as server:
        settings = settings_for(server, tmp_path, task="translate", target_language="en")
        outcome = BatchAPIRun(Summarizer(settings), str(links), tmp_path / "out", poll_interval=0.01, format="side-by-side").run()
    assert outcome.done == 2 and outcome.failed == 0, outcome.failures
    assert all(entry["output"].endswith(".translation-en.md") for entry in lines(tmp_path / "out").values())
    assert all(hits == 1 for hits in pages.hits.values())  # read and planned once on the Batch API path too


def test_the_feed_example_of_docs_batch_runs_as_written(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```bash\n(.*?)```", page, re.S) if "examples/feed.xml" in b)
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 8765)) == 0:
            pytest.fail("port 8765 is taken: the example of docs/batch.md serves the seeds on it")
    out = Path("/tmp/feed-briefs")
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for expected in ("done", "existing"):  # the second run fetches and requests nothing
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        report = lines(out)
        assert len(report) == 5 and {e["status"] for e in report.values()} == {expected}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Mira Murati, Bob McGrew et Barret Zoph quittent OpenAI" in index  # the feed's title: the page has none
