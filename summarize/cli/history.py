"""`summarize history ...`: the runs recorded so far (summarize.history), listed, shown one by one, and priced."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Optional

import typer

from .commands import command, group

group("history", "The recorded runs of brief, facts, translate, batch, eval and digest: list them (the default), show one, sum their cost.",
      default="list")

AsJSON = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Since = Annotated[Optional[str], typer.Option("--since", metavar="YYYY-MM-DD", help="Only runs started on or after this day (local time).")]


def _since(day: str | None) -> float | None:
    """The Unix time of local midnight of `day`."""
    from ..errors import InputError

    if day is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(day), datetime.min.time()).timestamp()
    except ValueError:
        raise InputError(f"--since wants a day like 2026-12-01, not '{day}'") from None


def _path(settings: Any) -> Any:
    from ..history.store import database_path

    return database_path(settings)


def _read(what: Any) -> Any:
    """Run a query; a database that cannot be read is one error line (exit 8), like any file we cannot use."""
    import sqlite3

    from ..errors import OutputError

    try:
        return what()
    except (OSError, sqlite3.Error) as exc:
        raise OutputError(f"cannot read the history: {exc}", hint="--history-db FILE or SUMMARIZE_HISTORY_DB names another") from None


def _when(started: float) -> str:
    return datetime.fromtimestamp(started).strftime("%Y-%m-%d %H:%M:%S")


def _cost(value: float | None, tokens: int = 1) -> str:
    """A cost; `?` for tokens of a model with no known price, `-` for a run that used none."""
    return f"${value:.5f}" if value is not None else "?" if tokens else "-"


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = [[f"{c:>{w}}" if i in right else f"{c:<{w}}" for i, (c, w) in enumerate(zip(line, widths))] for line in [header, *rows]]
    return "\n".join("  ".join(cells).rstrip() for cells in lines)


def _sources(run: dict[str, Any]) -> str:
    sources = run["sources"] or []
    return "" if not sources else sources[0] + (f" (+{len(sources) - 1})" if len(sources) > 1 else "")


@command("list", group="history", settings=("history_db", "model"), many=("model",))
def history_list(
    as_json: AsJSON = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs, newest first.")] = 20,
    since: Since = None,
    *,
    settings: Any,
    model: list[str],
) -> None:
    """List the recorded runs, newest first: when, command, model, tokens, cost, warnings, exit code, sources."""
    from ..history.store import runs

    path = _path(settings)
    found = _read(lambda: runs(path, limit=limit, since=_since(since), models=model))
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo(f"no {'matching ' if since or model else ''}runs recorded in {path}")
        return
    rows = [[str(r["id"]), _when(r["started"]), f"{r['duration']:.1f}s", r["command"], r["model"] or "",
             f"{r['tokens_in']:,}", f"{r['tokens_out']:,}", _cost(r["cost_usd"], r["tokens_in"] + r["tokens_out"]), str(sum(r["warnings"].values())),
             str(r["exit_code"]), _sources(r)] for r in found]  # fmt: skip
    header = ["ID", "STARTED", "TIME", "COMMAND", "MODEL", "IN", "OUT", "COST", "WARN", "EXIT", "SOURCES"]
    typer.echo(_table(header, rows, right={0, 2, 5, 6, 7, 8, 9}))


@command("show", group="history", settings=("history_db",))
def history_show(
    run_id: Annotated[int, typer.Argument(metavar="ID", help="The run's id (summarize history).")],
    as_json: AsJSON = False,
    *,
    settings: Any,
) -> None:
    """Print one run; a run on one article is followed by its brief, re-rendered from the cache."""
    from ..errors import InputError
    from ..history.store import run

    path = _path(settings)
    found = _read(lambda: run(path, run_id))
    if found is None:
        raise InputError(f"no run {run_id} in {path}", hint="summarize history lists the recorded runs")
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    warnings = ", ".join(f"{kind} {count}" for kind, count in found["warnings"].items()) or "none"
    fields = [
        ("run", str(found["id"])),
        ("started", f"{_when(found['started'])} ({found['duration']:.2f}s)"),
        ("command", " ".join(found["argv"])),
        ("exit code", str(found["exit_code"])),
        ("task", found["task"] or ""),
        ("model", found["model"] or ""),
        ("endpoint", found["endpoint"] or ""),
        ("sources", ", ".join(found["sources"]) or "none"),
        ("results", f"{found['results']} ({found['cached']} from the cache)"),
        ("tokens", f"{found['tokens_in']:,} in, {found['tokens_out']:,} out"),
        ("cost", _cost(found["cost_usd"], found["tokens_in"] + found["tokens_out"])),
        ("warnings", warnings),
        ("outputs", ", ".join(found["outputs"]) or "stdout"),
        ("cache keys", ", ".join(found["cache_keys"]) or "none"),
    ]
    width = max(len(label) for label, _ in fields)
    typer.echo("\n".join(f"{label:<{width}}  {value}" for label, value in fields))
    if len(found["cache_keys"]) == 1 and len(found["sources"]) == 1:
        brief = _rerendered(found)
        if brief is None:
            typer.echo(f"(its result is not in the cache {found['cache_dir'] or '(the run used --no-cache)'} any more)", err=True)
        else:
            typer.echo("\n" + brief, nl=False)


def _rerendered(found: dict[str, Any]) -> str | None:
    """The run's one result from the cache it was written to, as Markdown; None when it is gone."""
    from pathlib import Path

    from ..cache import ResultCache
    from ..errors import CacheError
    from ..render import get_format
    from ..tasks import TASKS

    task = TASKS.get(found["task"] or "")
    if task is None or not found["cache_dir"] or not Path(found["cache_dir"]).is_dir():  # looking never creates a cache
        return None
    cache = ResultCache(Path(found["cache_dir"]))
    try:
        result = cache.get(found["cache_keys"][0], task.result)
    except CacheError:
        return None
    finally:
        cache.close()
    return None if result is None else str(get_format("markdown", task.result).render(result, None))


@command("cost", group="history", settings=("history_db", "model"), many=("model",))
def history_cost(
    since: Since = None,
    as_json: AsJSON = False,
    *,
    settings: Any,
    model: list[str],
) -> None:
    """Sum the tokens and cost of the recorded runs by day and model."""
    from ..history.store import runs

    path = _path(settings)
    found = _read(lambda: runs(path, since=_since(since), models=model))
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    counted: set[int] = set()
    for r in sorted(found, key=lambda r: r["started"]):
        day = datetime.fromtimestamp(r["started"]).date().isoformat()
        for name, usage in (r["by_model"] or {r["model"] or "?": {"tokens_in": 0, "tokens_out": 0, "cost_usd": None}}).items():
            if model and name not in model:
                continue
            row = totals.setdefault((day, name), {"day": day, "model": name, "runs": 0, "tokens_in": 0, "tokens_out": 0, "cost_usd": None})
            row["runs"] += 1
            counted.add(r["id"])
            row["tokens_in"] += usage["tokens_in"]
            row["tokens_out"] += usage["tokens_out"]
            if usage["cost_usd"] is not None:
                row["cost_usd"] = round((row["cost_usd"] or 0.0) + usage["cost_usd"], 6)
    rows = list(totals.values())
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo(f"no {'matching ' if since or model else ''}runs recorded in {path}")
        return
    known = [r["cost_usd"] for r in rows if r["cost_usd"] is not None]
    table = [[r["day"], r["model"], str(r["runs"]), f"{r['tokens_in']:,}", f"{r['tokens_out']:,}",
              _cost(r["cost_usd"], r["tokens_in"] + r["tokens_out"])] for r in rows]  # fmt: skip
    table.append(["total", "", str(len(counted)), f"{sum(r['tokens_in'] for r in rows):,}",
                  f"{sum(r['tokens_out'] for r in rows):,}", _cost(round(sum(known), 6) if known else None, len(rows))])  # fmt: skip
    typer.echo(_table(["DAY", "MODEL", "RUNS", "TOKENS IN", "TOKENS OUT", "COST"], table, right={2, 3, 4, 5}))
