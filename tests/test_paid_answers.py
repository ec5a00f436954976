"""A paid answer reaches the user whatever happens to the cache (issue 10, "money paid for nothing").

The full disk is real: once the endpoint has the first request (the cache is open by then), the CLI's
process gets a file-size limit (RLIMIT_FSIZE, set from outside with prlimit) below the cache's sizes.
Every later write to the cache fails as on a full disk; new output files, smaller than the limit, still fit.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.fake_openai import FakeOpenAI

from .fakes import EXCHANGES, SEED_003, SEEDS
from .test_hostile_inputs import _without_file_permission_override


def _run_filling_up(args: list[str], server: FakeOpenAI, cache: Path, *, outputs: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENAI_API_KEY": "test"}
    child = subprocess.Popen([sys.executable, "-m", "summarize", *args, "--base-url", server.url, "--cache-dir", str(cache)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while server.max_in_flight < 1 and time.monotonic() < deadline:  # counted on arrival (a record, on answering)
        time.sleep(0.01)
    # With output files to write (about 4 KB each here), 16 KB: the outputs fit, the cache's database (32 KB) and
    # its growing log do not. Without, one byte: no file can be written at all.
    assert cache.exists()
    full = 16_000 if outputs else 1
    resource.prlimit(child.pid, resource.RLIMIT_FSIZE, (full, full))  # Python ignores SIGXFSZ: writes get EFBIG
    stdout, stderr = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)


def test_brief_delivers_the_answer_when_the_cache_cannot_be_written(tmp_path: Path) -> None:
    with FakeOpenAI(latency=1.0) as server:
        done = _run_filling_up(["brief", str(SEED_003)], server, tmp_path / "cache", outputs=False)
        sent = len(server.requests)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# ") and sent == 1  # paid once, shown once
    assert done.stderr.startswith("warning: cannot write cache") and "not cached" in done.stderr


def test_batch_writes_every_paid_answer_and_warns_once_when_the_cache_fills_up(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for i in range(6):
        (articles / f"a{i}.txt").write_text(f"Article {i}\n\n" + SEED_003.read_text(encoding="utf-8") + f"\n\nFin {i}.\n", encoding="utf-8")
    with FakeOpenAI(latency=1.0) as server:
        done = _run_filling_up(["batch", str(articles), "--out", str(tmp_path / "out"), "--jobs", "1"], server, tmp_path / "cache", outputs=True)
        sent = len(server.requests)
    assert done.returncode == 0, done.stderr
    report = [json.loads(line) for line in (tmp_path / "out" / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["status"] for line in report] == ["done"] * 6 and sent == 6
    assert len(list((tmp_path / "out").glob("*.json"))) == 6
    assert done.stderr.count("warning: cannot write cache") == 1
    assert sum(line["input_tokens"] for line in report) > 0


def test_batch_with_an_unusable_cache_stops_before_any_request(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    with FakeOpenAI() as server:
        done = subprocess.run(
            _without_file_permission_override(
                [sys.executable, "-m", "summarize", "batch", str(SEEDS), "--out", str(tmp_path / "out"),
                 "--base-url", server.url, "--cache-dir", str(cache)]),
            capture_output=True, text=True, env={**os.environ, "OPENAI_API_KEY": "test"},
        )  # fmt: skip
        sent = len(server.requests)
    assert done.returncode == 7, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: cannot open cache directory") and "--no-cache" in lines[1]
    assert sent == 0


def test_a_base_url_without_scheme_is_a_configuration_error_at_once() -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "summarize", "brief", str(SEED_003), "--base-url", "localhost:11434",
                           "--no-cache"], capture_output=True, text=True, env={**os.environ, "OPENAI_API_KEY": "test"})  # fmt: skip
    assert done.returncode == 3 and time.monotonic() - started < 5
    assert done.stderr.count("\n") == 1 and "http://localhost:11434/v1" in done.stderr and "'localhost:11434'" in done.stderr


def test_temp_files_a_killed_run_left_in_out_are_removed_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a PID that no longer runs: the writer was killed
    leftovers = [out / f".a.txt.json.{dead.pid}-k3j2h1.tmp", out / "sub" / f".b.txt.md.{dead.pid}-zz99.tmp"]
    live = out / f".c.txt.json.{os.getpid()}-abcd.tmp"  # a writer still running (this test) keeps its temp
    for path in [*leftovers, live]:
        path.write_text("{half", encoding="utf-8")
    with FakeOpenAI() as server:
        done = subprocess.run([sys.executable, "-m", "summarize", "batch", str(SEEDS), "--out", str(out),
                               "--base-url", server.url, "--no-cache"], capture_output=True, text=True,
                              env={**os.environ, "OPENAI_API_KEY": "test"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not any(p.exists() for p in leftovers) and live.exists()
    assert not [p for p in out.rglob("*.tmp") if p != live]


def test_out_equal_to_the_input_folder_is_refused_before_any_request(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text(SEED_003.read_text(encoding="utf-8"), encoding="utf-8")
    with FakeOpenAI() as server:
        for via in ("live", "batch-api"):
            done = subprocess.run([sys.executable, "-m", "summarize", "batch", str(articles), "--out", str(articles),
                                   "--via", via, "--base-url", server.url, "--no-cache"], capture_output=True, text=True,
                                  env={**os.environ, "OPENAI_API_KEY": "test"})  # fmt: skip
            assert done.returncode == 2 and "--out must not be the input folder" in done.stderr
            assert done.stderr.splitlines()[1].startswith("hint: choose another folder")
        assert server.requests == [] or not list(server.requests)
    assert sorted(p.name for p in articles.iterdir()) == ["a.txt"]


def test_a_second_batch_on_the_same_out_stops_at_once_and_nothing_is_paid_twice(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "OPENAI_API_KEY": "test"}
    with FakeOpenAI(latency=0.5) as server:
        command = [sys.executable, "-m", "summarize", "batch", str(SEEDS), "--out", str(out), "--jobs", "1",
                   "--base-url", server.url, "--no-cache"]  # fmt: skip
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        first.communicate(timeout=120)
        sent = len([r for r in server.requests if r.path.endswith("/chat/completions")])
    assert first.returncode == 0
    assert second.returncode == 8 and f"another summarize batch (process {first.pid}) is writing to {out}" in second.stderr
    assert sent == 5  # each article paid once
    report = (out / "index.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(report) == 5 and all(json.loads(line)["status"] == "done" for line in report)


def test_ctrl_c_in_a_batch_says_what_is_done_where_the_report_is_and_how_to_resume(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with FakeOpenAI(latency=0.5) as server:
        child = subprocess.Popen([sys.executable, "-m", "summarize", "batch", str(SEEDS), "--out", str(out), "--jobs", "1",
                                  "--base-url", server.url, "--no-cache"], env={**os.environ, "OPENAI_API_KEY": "test"},
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        deadline = time.monotonic() + 60
        while len(server.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130
    lines = stderr.strip().splitlines()
    assert lines[-2].startswith("interrupted: ") and " done, 0 failed; report in " in lines[-2] and str(out / "index.jsonl") in lines[-2]
    assert lines[-1] == "hint: run the same command again to resume: finished articles are not requested again"
    done = int(lines[-2].removeprefix("interrupted: ").split(" done")[0])
    assert done == len((out / "index.jsonl").read_text(encoding="utf-8").splitlines()) >= 2


def test_outputs_get_the_umask_mode_keep_an_existing_mode_and_write_through_a_symlink(tmp_path: Path) -> None:
    env = {**os.environ, "OPENAI_API_KEY": "test"}

    def brief(output: Path) -> None:
        done = subprocess.run(f"umask 022 && {sys.executable} -m summarize brief {SEED_003} --replay {EXCHANGES} "
                              f"--no-cache -o {output}", shell=True, env=env, capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 0, done.stderr

    new = tmp_path / "new.md"
    brief(new)
    assert new.stat().st_mode & 0o777 == 0o644
    kept = tmp_path / "kept.md"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o640)
    brief(kept)
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_text(encoding="utf-8").startswith("# ")
    target = tmp_path / "real.md"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    brief(link)
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("# ")


def test_an_unknown_price_is_said_once_never_shown_as_zero(tmp_path: Path) -> None:
    env = {**os.environ, "OPENAI_API_KEY": "test"}
    dry = subprocess.run([sys.executable, "-m", "summarize", "batch", str(SEEDS), "--dry-run", "--model", "llama3.2"],
                         capture_output=True, text=True, env=env)  # fmt: skip
    cost = next(line for line in dry.stdout.splitlines() if line.startswith("estimated cost"))
    assert cost.split(None, 2)[2] == "unknown: no price for llama3.2 (see --prices)"
    with FakeOpenAI() as server:
        run = subprocess.run([sys.executable, "-m", "summarize", "batch", str(SEEDS), "--out", str(tmp_path / "out"),
                              "--model", "llama3.2", "--base-url", server.url, "--no-cache"], capture_output=True, text=True, env=env)  # fmt: skip
    cost = next(line for line in run.stdout.splitlines() if line.startswith("estimated cost"))
    assert "unknown" in cost and "$0.0000" not in run.stdout


def test_schema_without_a_name_lists_the_names_and_cache_stats_creates_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarize.cli import app
    from summarize.schemas import SCHEMAS

    listed = CliRunner().invoke(app, ["schema"])
    assert listed.exit_code == 0 and [line.split()[0] for line in listed.stdout.splitlines()] == [*SCHEMAS, "digest"]
    missing = tmp_path / "no-cache-here"
    for command in (["cache", "stats"], ["cache", "clear"]):
        result = CliRunner().invoke(app, [*command, "--cache-dir", str(missing)])
        assert result.exit_code == 0 and not missing.exists()


def test_text_cut_in_messages_ends_with_an_ellipsis(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarize.cli import app

    page = tmp_path / "page.txt"
    long_line = "Abonnez-vous à notre newsletter pour recevoir chaque matin " + "toute l'actualité de la tech " * 6
    page.write_text("Titre\n\n" + SEED_003.read_text(encoding="utf-8") + "\n\n" + long_line + "\n", encoding="utf-8")
    dropped = CliRunner().invoke(app, ["clean", str(page), "--show-dropped"])
    cut = [line for line in dropped.stderr.splitlines() if "Abonnez-vous" in line]
    assert cut and cut[0].endswith("…")


def test_tokens_refuses_options_that_only_matter_when_requests_are_sent() -> None:
    from typer.testing import CliRunner

    from summarize.cli import app

    for option in (["--strict"], ["--replay", str(EXCHANGES)], ["--record", "x"], ["--max-repairs", "1"],
                   ["--response-format", "text"], ["--timeout", "3"]):  # fmt: skip
        result = CliRunner().invoke(app, ["tokens", str(SEED_003), *option])
        assert result.exit_code == 2 and "No such option" in result.output, option
    assert CliRunner().invoke(app, ["tokens", str(SEED_003), "--model", "gpt-4o", "--max-input-tokens", "900"]).exit_code == 0


def test_a_replay_names_the_endpoint_the_recording_was_made_against(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarize.cli import app

    recording = tmp_path / "rec"
    with FakeOpenAI() as server:
        host = server.url.split("//", 1)[1].split("/", 1)[0]
        made = CliRunner().invoke(app, ["brief", str(SEED_003), "--base-url", server.url, "--record", str(recording),
                                        "--response-format", "json_object", "--no-cache", "--format", "json"],
                                  env={"OPENAI_API_KEY": "test"})  # fmt: skip
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["provenance"]["endpoint"] == host
    # Replayed elsewhere, with a base URL of another (local, so the same request) server that never answered.
    elsewhere = ["--base-url", "http://localhost:9/v1", "--replay", str(recording), "--response-format", "json_object"]
    replayed = CliRunner().invoke(app, ["brief", str(SEED_003), *elsewhere, "--no-cache", "--format", "json"])
    assert replayed.exit_code == 0, replayed.output
    provenance = json.loads(replayed.stdout)["provenance"]
    assert provenance["endpoint"] == host and provenance["replayed"] is True
    shown = CliRunner().invoke(app, ["brief", str(SEED_003), *elsewhere, "--no-cache"])
    assert f"via {host} (replayed)" in shown.stdout
