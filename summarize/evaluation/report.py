"""An evaluation as a person reads it (Markdown: a comparison table, F1 bars, per-article rows) or as JSON."""

from __future__ import annotations

import json
from typing import Any

from .run import RunEstimate, RunScore
from .scoring import FIELDS, FieldScore

_SHORT = {"people": "people", "organizations": "orgs", "events": "events", "amounts": "amounts", "quotes": "quotes"}
_TRANSLATION = ("paragraphs", "translated", "aligned", "names_missing", "numbers_missing", "glossary_missing")
_BAR = 20


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _pct(value: float) -> str:
    return f"{100 * value:.0f} %"


def _delta(value: float | None, base: float | None) -> str:
    if value is None or base is None:
        return ""
    change = value - base
    return f" ({'+' if change >= 0 else '−'}{abs(change):.2f})"


def _cost(value: float | None) -> str:
    return "unknown" if value is None else f"${value:.4f}"


def _codes(run: RunScore) -> str:
    return ", ".join(f"{code}×{n}" for code, n in sorted(run.exit_codes.items()))


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), *("| " + " | ".join(r) + " |" for r in rows)]


def _label(run: RunScore, baseline: RunScore | None) -> str:
    return run.run.label + (" (baseline)" if run is baseline else "")


_TAIL = ["exit codes", "tokens in / out", "cost", "seconds"]


def _tail(run: RunScore) -> list[str]:
    """The cells every task's row ends with: how the answers ended and what they took."""
    tokens = f"{sum(a.input_tokens for a in run.articles):,} / {sum(a.output_tokens for a in run.articles):,}"
    return [_codes(run), tokens, _cost(run.cost_usd), f"{sum(a.seconds for a in run.articles):.1f}"]


def _summary_rows(runs: list[RunScore], baseline: RunScore | None) -> list[str]:
    head = ["run", "facts F1", "P", "R", *(f"{_SHORT[f]} F1" for f in FIELDS), "metadata", "wrong language",
            "warnings", "unsupported", *_TAIL]  # fmt: skip
    rows = []
    for run in runs:
        base = baseline if baseline is not None and run is not baseline else None
        facts = run.facts
        rows.append([
            _label(run, baseline),
            _num(facts.f1) + (_delta(facts.f1, base.facts.f1) if base else ""),
            _num(facts.precision),
            _num(facts.recall),
            *(_num(run.field(f).f1) + (_delta(run.field(f).f1, base.field(f).f1) if base else "") for f in FIELDS),
            _pct(run.metadata_accuracy),
            _pct(run.wrong_language_share),
            str(sum(run.warnings.values())),
            str(run.warnings["unsupported"]),
            *_tail(run),
        ])  # fmt: skip
    return _table(head, rows)


def _aligned(run: RunScore) -> float:
    return run.translation("aligned") / (run.translation("paragraphs") or 1)


def _translation_rows(runs: list[RunScore], baseline: RunScore | None) -> list[str]:
    head = ["run", "paragraphs translated", "aligned", "names dropped", "numbers dropped", "glossary missed",
            "wrong language", "warnings", *_TAIL]  # fmt: skip
    rows = []
    for run in runs:
        base = baseline if baseline is not None and run is not baseline else None
        rows.append([
            _label(run, baseline),
            f"{run.translation('translated')} / {run.translation('paragraphs')}",
            _pct(_aligned(run)) + (_delta(_aligned(run), _aligned(base)) if base else ""),
            str(run.translation("names_missing")),
            str(run.translation("numbers_missing")),
            str(run.translation("glossary_missing")),
            _pct(run.wrong_language_share),
            str(sum(run.warnings.values())),
            *_tail(run),
        ])  # fmt: skip
    return _table(head, rows)


def _bars(runs: list[RunScore]) -> list[str]:
    width = max(len(r.run.label) for r in runs)
    lines = ["```"]
    for name in FIELDS:
        lines.append(name)
        for run in runs:
            f1 = run.field(name).f1
            filled = round((f1 or 0) * _BAR)
            lines.append(f"  {run.run.label:<{width}}  {'█' * filled}{'░' * (_BAR - filled)}  {_num(f1)}")
    lines.append("```")
    return lines


def _article_rows(run: RunScore) -> list[str]:
    head = ["article", "facts F1", *(_SHORT[f] for f in FIELDS), "metadata", "wrong language", "warnings",
            "unsupported", "exit"]  # fmt: skip
    rows = []
    for article in run.articles:
        facts = FieldScore()
        for name in FIELDS:
            facts.add(article.fields[name])
        cells = [
            article.source,
            _num(facts.f1),
            *(f"{s.tp}/{s.tp + s.fn} found, {s.fp} extra" for s in (article.fields[f] for f in FIELDS)),
            f"{sum(article.metadata.values())}/{len(article.metadata)}",
            f"{article.wrong_language}/{article.language_fields}",
            str(sum(article.warnings.values())),
            str(article.warnings["unsupported"]),
            str(article.exit_code) + (f" ({article.error[:60]})" if article.error else ""),
        ]
        rows.append(cells)
    return _table(head, rows)


def _misses(run: RunScore, limit: int = 6) -> list[str]:
    lines = []
    for article in run.articles:
        for name in FIELDS:
            score = article.fields[name]
            if score.misses:
                shown = "; ".join(score.misses[:limit]) + (" …" if len(score.misses) > limit else "")
                lines.append(f"- {article.source} {name}, missed: {shown}")
            if score.extras:
                shown = "; ".join(score.extras[:limit]) + (" …" if len(score.extras) > limit else "")
                lines.append(f"- {article.source} {name}, not in the gold set: {shown}")
    return lines


def evaluation_markdown(runs: list[RunScore], gold_path: str, baseline: RunScore | None = None) -> str:
    """The comparison table (deltas against the baseline), F1 bars per field, then each run's articles."""
    task = runs[0].task if runs else "summary"
    articles = len(runs[0].articles) if runs else 0
    out = [f"# Evaluation of {gold_path}: {articles} article(s), task {task}", ""]
    if task == "translate":
        out += _translation_rows(runs, baseline)
    else:
        out += _summary_rows(runs, baseline)
        out += ["", "F1 per field:", "", *_bars(runs)]
    for run in runs:
        out += ["", f"## {run.run.label}", ""]
        if task != "translate":
            out += _article_rows(run)
            missed = _misses(run)
            if missed:
                out += ["", *missed]
        else:
            out += ["| article | translated | aligned | names dropped | numbers dropped | glossary missed | exit |",
                    "|---|---|---|---|---|---|---|"]  # fmt: skip
            out += [
                f"| {a.source} | {a.translation.get('translated', 0)}/{a.translation.get('paragraphs', 0)} | "
                f"{a.translation.get('aligned', 0)} | {a.translation.get('names_missing', 0)} | "
                f"{a.translation.get('numbers_missing', 0)} | {a.translation.get('glossary_missing', 0)} | "
                f"{a.exit_code}{f' ({a.error[:60]})' if a.error else ''} |"
                for a in run.articles
            ]
    return "\n".join(out) + "\n"


def _field_json(score: FieldScore) -> dict[str, Any]:
    return {"tp": score.tp, "fp": score.fp, "fn": score.fn, "precision": score.precision, "recall": score.recall,
            "f1": score.f1, "missed": score.misses, "extra": score.extras}  # fmt: skip


def evaluation_json(runs: list[RunScore], gold_path: str, baseline: RunScore | None = None) -> str:
    """Every figure of every run and article, for machines."""
    data = {
        "gold": gold_path,
        "baseline": baseline.run.label if baseline else None,
        "runs": [
            {
                "model": run.run.model,
                "prompt_version": run.run.prompt_version,
                "task": run.task,
                "facts": _field_json(run.facts),
                "fields": {name: _field_json(run.field(name)) for name in FIELDS},
                "metadata_accuracy": run.metadata_accuracy,
                "wrong_language_share": run.wrong_language_share,
                "warnings": dict(run.warnings),
                "exit_codes": {str(code): n for code, n in run.exit_codes.items()},
                "translation": {name: run.translation(name) for name in _TRANSLATION} if run.task == "translate" else None,
                "input_tokens": sum(a.input_tokens for a in run.articles),
                "output_tokens": sum(a.output_tokens for a in run.articles),
                "cost_usd": run.cost_usd,
                "seconds": sum(a.seconds for a in run.articles),
                "articles": [
                    {
                        "source": a.source,
                        "fields": {name: _field_json(a.fields[name]) for name in FIELDS},
                        "metadata": a.metadata,
                        "wrong_language": a.wrong_language,
                        "language_fields": a.language_fields,
                        "warnings": dict(a.warnings),
                        "exit_code": a.exit_code,
                        "error": a.error,
                        "translation": a.translation or None,
                        "input_tokens": a.input_tokens,
                        "output_tokens": a.output_tokens,
                        "cost_usd": a.cost_usd,
                        "seconds": a.seconds,
                    }
                    for a in run.articles
                ],
            }
            for run in runs
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def estimate_markdown(estimates: list[RunEstimate]) -> str:
    """What each run would send: requests, prompt tokens and cost (cached answers cost nothing)."""
    rows = ["| run | articles | cached | requests | prompt tokens | estimated cost |", "|---|---|---|---|---|---|"]
    for e in estimates:
        c = e.counts
        cost = "free (replayed)" if e.replayed else _cost(c.cost_usd)
        rows.append(f"| {e.run.label} | {c.articles} | {c.cached} | {c.requests} | {c.input_tokens:,} | {cost} |")
    total = sum(e.counts.requests for e in estimates)
    return "\n".join(rows) + f"\n\n{total} request(s) in all; nothing was sent.\n"
