"""The batch benchmark: one command, four figures, each a ratio against a baseline measured in the same run.

    python -m bench.run            # full: 500 articles cold/cached, --help start-up, 5,000 articles for memory
    python -m bench.run --quick    # smaller sizes, for a smoke test

A local fake OpenAI server (bench/fake_openai.py) answers with a fixed latency and a cap on concurrent
requests, so the ideal time of a run is known: requests x latency / concurrency.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .fake_openai import FakeOpenAI

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
_PEAK_RSS = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def make_articles(folder: Path, count: int) -> None:
    """`count` distinct articles built from the seeds (a numbered dispatch line makes each text unique)."""
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    for i in range(count):
        sub = folder / f"batch-{i // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        body = texts[i % len(texts)]
        unique = f"Dépêche numéro {i} de la sélection hebdomadaire, reprise ici avec l'article complet qui suit.\n\n"
        (sub / f"article-{i:05d}.txt").write_text(unique + body, encoding="utf-8")


def summarize_cmd(*args: str) -> list[str]:
    exe = shutil.which("summarize") or str(Path(sys.executable).with_name("summarize"))
    return [exe, *args]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"benchmark command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return elapsed


def peak_rss_mb(cmd: list[str], env: dict[str, str]) -> float:
    out = subprocess.run([sys.executable, "-c", _PEAK_RSS, *cmd], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024  # ru_maxrss is in KiB on Linux


def median_seconds(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 articles and 1,000 for memory")
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--memory-articles", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.memory_articles = 100, 1000

    work = Path(tempfile.mkdtemp(prefix="summarize-bench-"))
    figures: dict[str, float] = {}
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZE_"))}
        env = dict(base_env, OPENAI_API_KEY="sk-bench-not-a-key", SUMMARIZE_CACHE_DIR=str(work / "cache"))

        # 1. cold batch against the ideal time of the endpoint
        folder = work / "articles"
        make_articles(folder, args.articles)
        with FakeOpenAI(latency=args.latency, concurrency=args.jobs) as server:
            cmd = summarize_cmd("batch", str(folder), "--out", str(work / "out"), "--jobs", str(args.jobs), "--base-url", server.url)
            launched = time.monotonic()  # the server records requests on the same system-wide clock
            cold = timed(cmd, env)
            chats = [r for r in server.requests if r.path.endswith("/chat/completions")]
            requests = len(chats)
            ideal = requests * args.latency / args.jobs
            startup = min(r.started for r in chats) - launched  # interpreter, imports (openai: ~0.8 s), client
            # 2. the same command again: everything is cached or already written
            cached = timed(cmd, env)
            again = sum(1 for r in server.requests if r.path.endswith("/chat/completions")) - requests
        running = cold - startup
        figures.update(cold_seconds=cold, ideal_seconds=ideal, efficiency=ideal / cold, requests=requests,
                       startup_seconds=startup, efficiency_after_startup=ideal / running,
                       cached_seconds=cached, cached_ratio=cached / cold, cached_requests=again)
        print(f"cold batch       {args.articles} articles, {requests} requests, {args.jobs} jobs, {args.latency * 1000:.0f} ms: "
              f"{cold:.2f} s end to end vs ideal {ideal:.2f} s -> efficiency {ideal / cold:.3f} (target >= 0.90)")
        print(f"                 of which start-up to the first request {startup:.2f} s; from the first request to the "
              f"end {running:.2f} s -> efficiency {ideal / running:.3f}")
        print(f"cached re-run    {cached:.2f} s vs cold {cold:.2f} s -> ratio {cached / cold:.3f}, {again} request(s) "
              f"(target < 3 s)")

        # 3. start-up
        bare = median_seconds([sys.executable, "-c", "pass"], 7, env)
        helped = median_seconds(summarize_cmd("--help"), 7, env)
        figures.update(help_seconds=helped, bare_python_seconds=bare, help_overhead_seconds=helped - bare)
        print(f"--help start-up  {helped:.3f} s vs bare python {bare:.3f} s -> +{helped - bare:.3f} s, "
              f"ratio {helped / bare:.2f} (target within 0.35 s)")

        # 4. peak memory at 10x the articles, against the cold run's size
        big = work / "many"
        make_articles(big, args.memory_articles)
        with FakeOpenAI(latency=0.0, concurrency=args.jobs) as server:
            small_env = dict(env, SUMMARIZE_CACHE_DIR=str(work / "cache-small"))
            big_env = dict(env, SUMMARIZE_CACHE_DIR=str(work / "cache-big"))
            small_rss = peak_rss_mb(summarize_cmd("batch", str(folder), "--out", str(work / "out-small"), "--jobs", str(args.jobs), "--base-url", server.url), small_env)
            big_rss = peak_rss_mb(summarize_cmd("batch", str(big), "--out", str(work / "out-big"), "--jobs", str(args.jobs), "--base-url", server.url), big_env)
        figures.update(rss_mb_small=small_rss, rss_mb_big=big_rss, rss_ratio=big_rss / small_rss)
        print(f"peak memory      {args.memory_articles} articles: {big_rss:.0f} MB vs {args.articles} articles: "
              f"{small_rss:.0f} MB -> ratio {big_rss / small_rss:.2f} (target < 200 MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
