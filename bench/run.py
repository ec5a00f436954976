"""The batch benchmark: one command, six figures, each a ratio against a baseline measured in the same run.

    python -m bench.run            # full: 500 articles cold/cached, hand-rolled loop and feed at 200, --help, memory at 5,000
    python -m bench.run --quick    # smaller sizes and fewer rounds, for a smoke test

A local fake OpenAI server (bench/fake_openai.py) answers with a fixed latency and a cap on concurrent
requests, so the ideal time of a run is known: requests x latency / concurrency. Every run is timed from the
launch of its process to its exit; "start-up" is the launch to the first chat request the server saw.

Figures (docs/benchmarks.md says what each means and what was measured):
  cold batch          end-to-end efficiency ideal / measured (target >= 0.90), start-up, client CPU per request
  cached re-run       the same command again (target < 3 s, no request)
  vs hand-rolled      `summarize batch` against bench/handrolled.py (asyncio + openai + Semaphore) on the same
                      endpoint, alternated for --rounds rounds; ratio of the medians (target <= 1.00)
  feed vs folder      efficiency of a 200-item RSS feed whose links point at a local HTTP server against a folder
                      of the same 200 pages (target ratio >= 0.95); says "feed input not available" when the
                      installed `summarize batch` does not take a feed yet
  --help start-up     against bare python (target within 0.35 s)
  peak memory         10x the articles against the cold run's size (target < 200 MB)
"""

from __future__ import annotations

import argparse
import html
import json
import os
import resource
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .fake_openai import FakeOpenAI

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
_PEAK_RSS = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


# --------------------------------------------------------------------------- inputs


def _unique(i: int) -> str:
    return f"Dépêche numéro {i} de la sélection hebdomadaire, reprise ici avec l'article complet qui suit.\n\n"


def make_articles(folder: Path, count: int) -> None:
    """`count` distinct articles built from the seeds (a numbered dispatch line makes each text unique)."""
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    for i in range(count):
        sub = folder / f"batch-{i // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        body = texts[i % len(texts)]
        (sub / f"article-{i:05d}.txt").write_text(_unique(i) + body, encoding="utf-8")


def page_html(i: int, text: str) -> tuple[str, str]:
    """(title, HTML page) of article `i`: the seed's first line as the headline, its other lines as paragraphs."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = f"{lines[0]} ({i})"
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in [_unique(i).strip(), *lines[1:]])
    page = (
        f'<!doctype html>\n<html lang="fr"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
        f"<body><header><nav><a href=\"/\">Accueil</a></nav></header>\n<article>\n<h1>{html.escape(title)}</h1>\n"
        f"{paragraphs}\n</article>\n<footer>© Bench</footer></body></html>\n"
    )
    return title, page


def make_pages(folder: Path, count: int) -> list[tuple[str, str]]:
    """`count` distinct HTML pages in `folder` (flat), the same articles as make_articles; (title, file name) each."""
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        title, page = page_html(i, texts[i % len(texts)])
        name = f"article-{i:05d}.html"
        (folder / name).write_text(page, encoding="utf-8")
        made.append((title, name))
    return made


def make_feed(path: Path, base_url: str, pages: list[tuple[str, str]]) -> None:
    """An RSS 2.0 feed whose items link to the pages under `base_url`."""
    items = []
    for n, (title, name) in enumerate(pages):
        link = f"{base_url}/{name}"
        date = formatdate(1_700_000_000 + 3600 * n, usegmt=True)
        items.append(
            f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
            f'<guid isPermaLink="true">{html.escape(link)}</guid><pubDate>{date}</pubDate>'
            f"<description>{html.escape(title)}</description></item>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Bench feed</title>'
        f"<link>{html.escape(base_url)}/</link><description>Local pages for bench.run</description>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n",
        encoding="utf-8",
    )


class PageServer:
    """The pages of a folder over HTTP on 127.0.0.1 (a thread of this process), counting the GETs."""

    def __init__(self, folder: Path) -> None:
        server = self

        class Handler(SimpleHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(folder), **kwargs)

            def do_GET(self) -> None:
                with server._lock:
                    server.gets += 1
                super().do_GET()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class HTTPServer(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

            def server_bind(self) -> None:  # no reverse DNS lookup (HTTPServer.server_bind's getfqdn can stall)
                socketserver.TCPServer.server_bind(self)
                self.server_name, self.server_port = self.server_address[:2]

        self.gets = 0
        self._lock = threading.Lock()
        self._httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="pages", daemon=True)

    def __enter__(self) -> PageServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


# --------------------------------------------------------------------------- running and timing


def summarize_cmd(*args: str) -> list[str]:
    exe = shutil.which("summarize") or str(Path(sys.executable).with_name("summarize"))
    return [exe, *args]


def handrolled_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.handrolled", *args]


@dataclass
class Measured:
    """One timed run against the fake server."""

    seconds: float
    startup: float  # launch to the first chat request the server saw
    requests: int  # chat requests the run made
    cpu: float  # user + system seconds of the process (and its children)
    body_bytes: float  # mean chat request body
    returncode: int
    stderr: str

    def ideal(self, latency: float, concurrency: int) -> float:
        return self.requests * latency / concurrency

    def efficiency(self, latency: float, concurrency: int) -> float:
        return self.ideal(latency, concurrency) / self.seconds


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(cmd: list[str], env: dict[str, str], server: FakeOpenAI, *, check: bool = True) -> Measured:
    """Run `cmd` to its exit against `server`; its chat requests are those the server saw after the launch."""
    before = len(server.requests)
    cpu = _children_cpu()
    launched = time.monotonic()  # the server records requests on the same system-wide clock
    done = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - launched
    cpu = _children_cpu() - cpu
    if check and done.returncode != 0:
        sys.exit(f"benchmark command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    chats = [r for r in server.requests[before:] if r.path.endswith("/chat/completions")]
    startup = min(r.started for r in chats) - launched if chats else float("nan")
    body = statistics.fmean(r.body_bytes for r in chats) if chats else 0.0
    return Measured(elapsed, startup, len(chats), cpu, body, done.returncode, done.stderr)


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


def spread(samples: list[float], fmt: str = ".2f") -> str:
    """`median (min-max, n=N)`."""
    if len(samples) == 1:
        return f"{samples[0]:{fmt}}"
    return f"{statistics.median(samples):{fmt}} ({min(samples):{fmt}}-{max(samples):{fmt}}, n={len(samples)})"


def loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


# --------------------------------------------------------------------------- figures


def cold_and_cached(args: argparse.Namespace, work: Path, env: dict[str, str], figures: dict[str, Any]) -> Path:
    folder = work / "articles"
    make_articles(folder, args.articles)
    with FakeOpenAI(latency=args.latency, concurrency=args.jobs) as server:
        cmd = summarize_cmd("batch", str(folder), "--out", str(work / "out"), "--jobs", str(args.jobs), "--base-url", server.url)
        cold = run_measured(cmd, env, server)
        cached = run_measured(cmd, env, server)
    ideal = cold.ideal(args.latency, args.jobs)
    running = cold.seconds - cold.startup
    budget_ms = 1000 * args.latency / args.jobs
    cpu_ms = 1000 * cold.cpu / max(cold.requests, 1)
    figures.update(cold_seconds=cold.seconds, ideal_seconds=ideal, efficiency=ideal / cold.seconds, requests=cold.requests,
                   startup_seconds=cold.startup, efficiency_after_startup=ideal / running, cold_cpu_seconds=cold.cpu,
                   cpu_ms_per_request=cpu_ms, cpu_budget_ms_per_request=budget_ms,
                   cached_seconds=cached.seconds, cached_ratio=cached.seconds / cold.seconds, cached_requests=cached.requests)  # fmt: skip
    print(f"cold batch       {args.articles} articles, {cold.requests} requests, {args.jobs} jobs, {args.latency * 1000:.0f} ms: "
          f"{cold.seconds:.2f} s end to end vs ideal {ideal:.2f} s -> efficiency {ideal / cold.seconds:.3f} (target >= 0.90)")
    print(f"                 of which start-up to the first request {cold.startup:.2f} s; from the first request to the "
          f"end {running:.2f} s -> efficiency {ideal / running:.3f}")
    print(f"                 client CPU {cold.cpu:.2f} s (start-up included) = {cpu_ms:.1f} ms a request, against the "
          f"{budget_ms:.1f} ms a request the endpoint's slots allow (latency / jobs): near or above it, the run is CPU-bound")
    print(f"cached re-run    {cached.seconds:.2f} s vs cold {cold.seconds:.2f} s -> ratio {cached.seconds / cold.seconds:.3f}, "
          f"{cached.requests} request(s) (target < 3 s)")
    return folder


def versus_handrolled(args: argparse.Namespace, work: Path, env: dict[str, str], figures: dict[str, Any]) -> None:
    """`summarize batch` and the hand-rolled loop, alternated on one endpoint, fresh outputs and cache each round."""
    folder = work / "compare"
    make_articles(folder, args.compare_articles)
    runs: dict[str, list[Measured]] = {"summarize": [], "handrolled": []}
    with FakeOpenAI(latency=args.latency, concurrency=args.jobs) as server:
        for n in range(args.rounds):
            commands = {
                "summarize": summarize_cmd("batch", str(folder), "--out", str(work / f"cmp-out-{n}"), "--jobs", str(args.jobs),
                                           "--base-url", server.url),
                "handrolled": handrolled_cmd(str(folder), "--out", str(work / f"hr-out-{n}"), "--jobs", str(args.jobs),
                                             "--base-url", server.url),
            }  # fmt: skip
            order = ["summarize", "handrolled"] if n % 2 == 0 else ["handrolled", "summarize"]
            for name in order:
                run_env = dict(env, SUMMARIZE_CACHE_DIR=str(work / f"cmp-cache-{n}"))
                runs[name].append(run_measured(commands[name], run_env, server))
    ours, theirs = runs["summarize"], runs["handrolled"]
    med = {name: statistics.median(m.seconds for m in done) for name, done in runs.items()}
    ratio = med["summarize"] / med["handrolled"]
    pairs = [a.seconds / b.seconds for a, b in zip(ours, theirs)]
    ideal = ours[0].ideal(args.latency, args.jobs)
    figures.update(
        compare_articles=args.compare_articles, compare_rounds=args.rounds, compare_ideal_seconds=ideal,
        summarize_seconds=[m.seconds for m in ours], handrolled_seconds=[m.seconds for m in theirs],
        summarize_startup_seconds=[m.startup for m in ours], handrolled_startup_seconds=[m.startup for m in theirs],
        summarize_cpu_seconds=[m.cpu for m in ours], handrolled_cpu_seconds=[m.cpu for m in theirs],
        summarize_request_bytes=ours[0].body_bytes, handrolled_request_bytes=theirs[0].body_bytes,
        vs_handrolled_ratio=ratio, vs_handrolled_pair_ratios=pairs,
    )  # fmt: skip
    print(f"vs hand-rolled   {args.compare_articles} articles, {args.jobs} jobs, {args.latency * 1000:.0f} ms, ideal {ideal:.2f} s, "
          f"{args.rounds} alternated round(s), median (min-max):")
    for label, done in (("summarize batch", ours), ("hand-rolled loop", theirs)):
        print(f"                 {label:<17} {spread([m.seconds for m in done])} s, start-up {spread([m.startup for m in done])} s, "
              f"CPU {spread([m.cpu for m in done])} s, {done[0].requests} requests of {done[0].body_bytes / 1000:.1f} kB")
    print(f"                 -> ratio summarize / hand-rolled {ratio:.3f} (per round {', '.join(f'{p:.2f}' for p in pairs)}) "
          f"(target <= 1.00)")


def feed_vs_folder(args: argparse.Namespace, work: Path, env: dict[str, str], figures: dict[str, Any]) -> None:
    """The same pages as a folder of HTML files and as an RSS feed of links to a local HTTP server, alternated."""
    pages_dir = work / "pages"
    pages = make_pages(pages_dir, args.feed_items)
    folder_eff: list[float] = []
    feed_eff: list[float] = []
    feed_note: str | None = None
    gets = 0
    with PageServer(pages_dir) as site, FakeOpenAI(latency=args.latency, concurrency=args.jobs) as server:
        feed = work / "feed.xml"
        make_feed(feed, site.url, pages)
        for n in range(args.rounds):
            order = ["folder", "feed"] if n % 2 == 0 else ["feed", "folder"]
            for kind in order:
                if kind == "feed" and feed_note is not None:
                    continue
                source = str(pages_dir) if kind == "folder" else str(feed)
                cmd = summarize_cmd("batch", source, "--out", str(work / f"{kind}-out-{n}"), "--jobs", str(args.jobs),
                                    "--base-url", server.url)  # fmt: skip
                run_env = dict(env, SUMMARIZE_CACHE_DIR=str(work / f"{kind}-cache-{n}"))
                before = site.gets
                measured = run_measured(cmd, run_env, server, check=kind == "folder")
                if kind == "folder":
                    folder_eff.append(measured.efficiency(args.latency, args.jobs))
                    continue
                gets = site.gets - before
                if measured.returncode != 0 or measured.requests < args.feed_items:
                    last = (measured.stderr.strip().splitlines() or ["no message"])[-1][:300]
                    feed_note = (f"feed input not available: `summarize batch feed.xml` exited {measured.returncode} after "
                                 f"{measured.requests} request(s) and {gets} page fetch(es): {last}")  # fmt: skip
                    continue
                feed_eff.append(measured.efficiency(args.latency, args.jobs))
    figures.update(feed_items=args.feed_items, folder_efficiency=folder_eff, feed_efficiency=feed_eff,
                   feed_available=feed_note is None)  # fmt: skip
    print(f"feed vs folder   {args.feed_items} HTML pages, {args.jobs} jobs, {args.latency * 1000:.0f} ms: folder of the pages "
          f"efficiency {spread(folder_eff, '.3f')}")
    if feed_note is not None:
        figures["feed_note"] = feed_note
        print(f"                 {feed_note}")
        return
    ratio = statistics.median(feed_eff) / statistics.median(folder_eff)
    figures.update(feed_vs_folder_ratio=ratio, feed_page_fetches=gets)
    print(f"                 feed of links to a local HTTP server efficiency {spread(feed_eff, '.3f')}, {gets} page fetches "
          f"-> ratio feed / folder {ratio:.3f} (target >= 0.95)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 articles, 1,000 for memory, 100 to compare, one round")
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--memory-articles", type=int, default=5000)
    parser.add_argument("--compare-articles", type=int, default=200, help="articles for the hand-rolled comparison")
    parser.add_argument("--feed-items", type=int, default=200, help="pages for feed vs folder")
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds of the two comparisons")
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--only", action="append", choices=["cold", "handrolled", "feed", "help", "memory", "digest"],
                        help="run only these figures (repeatable)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.memory_articles, args.compare_articles, args.feed_items, args.rounds = 100, 1000, 100, 100, 1
    wanted = set(args.only or ["cold", "handrolled", "feed", "help", "memory", "digest"])

    work = Path(tempfile.mkdtemp(prefix="summarize-bench-"))
    figures: dict[str, Any] = {"load_before": loadavg()}
    print(f"machine: {os.cpu_count()} cores, load average {figures['load_before']:.2f} before the run")
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZE_"))}
        env = dict(base_env, OPENAI_API_KEY="sk-bench-not-a-key", SUMMARIZE_CACHE_DIR=str(work / "cache"))

        folder = work / "articles"
        if "cold" in wanted or "memory" in wanted:  # 1-2. cold batch against the ideal time, then cached
            if "cold" in wanted:
                folder = cold_and_cached(args, work, env, figures)
            else:
                make_articles(folder, args.articles)
        if "handrolled" in wanted:  # 3. against the loop a user would write
            versus_handrolled(args, work, env, figures)
        if "feed" in wanted:  # 4. a feed of local pages against a folder of the same pages
            feed_vs_folder(args, work, env, figures)
        if "help" in wanted:  # 5. start-up
            bare = median_seconds([sys.executable, "-c", "pass"], 7, env)
            helped = median_seconds(summarize_cmd("--help"), 7, env)
            figures.update(help_seconds=helped, bare_python_seconds=bare, help_overhead_seconds=helped - bare)
            print(f"--help start-up  {helped:.3f} s vs bare python {bare:.3f} s -> +{helped - bare:.3f} s, "
                  f"ratio {helped / bare:.2f} (target within 0.35 s)")
        if "memory" in wanted:  # 6. peak memory at 10x the articles, against the cold run's size
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
        if "digest" in wanted:  # 7. the digest's merge over 500 briefs, against reading them
            from .digest import digest_figure

            digest_figure(args.articles, figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures["load_after"] = loadavg()
    print(f"machine: load average {figures['load_after']:.2f} after the run (other processes share the 2 cores: "
          "repeat and compare medians)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
