"""The digest's merge at 500 articles: merge + stories timed against reading the same 500 results (same run).

    python -m bench.digest            # also a figure of `python -m bench.run` (--only digest)

The results are the seeds' briefs (replayed from the shipped answers) under 500 article names, so the merge meets
what it meets in a real week of one story: the same people and events told again and again.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def digest_figure(articles: int, figures: dict[str, Any]) -> None:
    """Time merge + stories over `articles` results against parsing them from JSON; print and record the figure."""
    sys.path.insert(0, str(ROOT))
    from summarize.config import load_settings
    from summarize.digest.merge import merge
    from summarize.digest.stories import stories
    from summarize.schemas import Result
    from summarize.summarizer import Summarizer

    with Summarizer(load_settings(replay_dir=ROOT / "tests" / "fixtures" / "exchanges", use_cache=False)) as summarizer:
        seeds = [summarizer.summarize(p) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i in range(articles):
            path = Path(folder) / f"article-{i:04d}.json"
            path.write_text(seeds[i % len(seeds)].model_dump_json(), encoding="utf-8")
            paths.append(path)
        reads, merges = [], []
        for _ in range(3):
            started = time.perf_counter()
            results = [(p.stem, Result.model_validate_json(p.read_bytes())) for p in paths]
            reads.append(time.perf_counter() - started)
            started = time.perf_counter()
            found = stories(merge(results))
            merges.append(time.perf_counter() - started)
    read, merged = statistics.median(reads), statistics.median(merges)
    figures.update(digest_articles=articles, digest_merge_seconds=merged, digest_read_seconds=read, digest_stories=len(found))
    print(f"digest merge     {articles} articles: merge + stories {merged:.3f} s vs reading their results {read:.3f} s "
          f"-> ratio {merged / read:.2f}, {len(found)} story (target < 1 s)")


def main() -> int:
    """Run the digest figure alone."""
    digest_figure(500, {})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
