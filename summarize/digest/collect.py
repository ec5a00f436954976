"""The per-article results a digest merges: from the normal pipeline and its cache, or from an earlier batch's report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, SummarizeError
from ..runs.report import REPORT_NAME, named, report_lines
from ..runs.sources import DEFAULT_PATTERNS, Source, open_source
from ..schemas import Result
from ..summarizer import Summarizer


@dataclass
class Collected:
    """The briefs a digest is made of, and the articles left out with the reason."""

    results: list[tuple[str, Result]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    """The cleaned text of each article briefed here (what the digest's checks read its cited sentences in)."""


def _from_report(path: Path, collected: Collected) -> None:
    """The results an earlier `summarize batch` wrote, from its index.jsonl (failed lines are said, not merged)."""
    for line in report_lines(path):
        source = str(line.get("source"))
        if line.get("status") == "failed" or not line.get("json"):
            collected.left_out.append(named(source, f"failed in that run: {line.get('error') or 'no result'}"))
            continue
        try:
            collected.results.append((source, Result.model_validate_json(Path(str(line["json"])).read_bytes())))
        except (OSError, ValueError) as exc:
            collected.left_out.append(named(source, f"its result cannot be read: {str(exc).splitlines()[0]}"))


def collect(summarizer: Summarizer, given: Sequence[str], *, prompt_version: int | None = None) -> Collected:
    """Every article of every source briefed (cached answers cost nothing); a batch report's results read as they are."""
    collected = Collected()
    seen: set[str] = set()
    for name in given:
        path = Path(name)
        if path.name == REPORT_NAME or (path.is_dir() and (path / REPORT_NAME).is_file() and not any(path.glob("*.txt"))):
            _from_report(path if path.name == REPORT_NAME else path / REPORT_NAME, collected)
            continue
        source: Source = open_source(name, patterns=DEFAULT_PATTERNS)
        for item in source.items(None):
            if item.id in seen:
                continue
            seen.add(item.id)
            try:
                article = item.load()
                result = summarizer.run(article, prompt_version=prompt_version)
            except SummarizeError as exc:
                collected.left_out.append(named(item.id, str(exc).splitlines()[0]))
                continue
            if not isinstance(result, Result):
                raise InputError("a digest merges briefs: run it with the summary task")
            collected.results.append((item.id, result))
            collected.texts[item.id] = article.text
    return collected


__all__ = ["Collected", "collect"]
