"""The history database: one SQLite file in WAL mode, a busy timeout, one single-statement transaction per run.

Concurrent runs each add their row without waiting on one another for long: WAL lets readers go on while one
writer commits, and the busy timeout makes a second writer wait its turn instead of failing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import Settings

BUSY_MS = 10_000
"""How long a write waits for another run's write (each takes a millisecond or so)."""
SCHEMA = 1
JSON_COLUMNS = ("argv", "sources", "by_model", "warnings", "outputs", "cache_keys")
_CREATE = """
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started     REAL    NOT NULL,   -- Unix time
    duration    REAL    NOT NULL,   -- seconds
    command     TEXT    NOT NULL,
    argv        TEXT    NOT NULL,   -- JSON list, secrets masked
    task        TEXT,
    model       TEXT,
    endpoint    TEXT,
    sources     TEXT    NOT NULL,   -- JSON list
    results     INTEGER NOT NULL,
    cached      INTEGER NOT NULL,
    tokens_in   INTEGER NOT NULL,
    tokens_out  INTEGER NOT NULL,
    cost_usd    REAL,               -- NULL: no price known for the models used
    by_model    TEXT    NOT NULL,   -- JSON {model: {results, tokens_in, tokens_out, cost_usd}}
    warnings    TEXT    NOT NULL,   -- JSON {kind: count}
    exit_code   INTEGER NOT NULL,
    outputs     TEXT    NOT NULL,   -- JSON list of absolute paths
    cache_keys  TEXT    NOT NULL,   -- JSON list
    cache_dir   TEXT
);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started);
"""


def default_path() -> Path:
    """$XDG_DATA_HOME/summarize/history.db (a relative XDG_DATA_HOME is ignored, as the XDG spec says), else ~/.local/share."""
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return root / "summarize" / "history.db"


def database_path(settings: Settings) -> Path:
    """Where the settings say the history is: --history-db / SUMMARIZE_HISTORY_DB, else the default."""
    return Path(settings.history_db).expanduser() if settings.history_db is not None else default_path()


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """The database at `path`, created with its schema if need be, in WAL mode with a busy timeout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit: every statement is its own short transaction, no lock is held between them.
    with closing(sqlite3.connect(str(path), timeout=BUSY_MS / 1000, isolation_level=None)) as db:
        db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        _create(db)
        yield db


def _create(db: sqlite3.Connection) -> None:
    """The schema and WAL mode, once, when the file is new. Two runs creating it at once: switching the journal
    mode takes the database alone and does not wait on the busy timeout, so the one that loses waits and retries."""
    deadline = time.monotonic() + BUSY_MS / 1000
    while db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
        try:
            db.execute("PRAGMA journal_mode = WAL")  # persistent: set once, when the file is made
            db.executescript(f"BEGIN IMMEDIATE; {_CREATE} PRAGMA user_version = {SCHEMA}; COMMIT;")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            if db.in_transaction:
                db.execute("ROLLBACK")
            time.sleep(0.05)


def insert(path: Path, row: dict[str, Any]) -> int:
    """Add one run; its id."""
    names = list(row)
    sql = f"INSERT INTO runs ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    with connect(path) as db:
        cursor = db.execute(sql, [row[name] for name in names])
        return int(cursor.lastrowid or 0)


def _decoded(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values)) for values in cursor.fetchall()]
    for row in rows:
        for name in JSON_COLUMNS:
            if name in row:
                row[name] = json.loads(row[name]) if row[name] is not None else None
    return rows


def _where(since: float | None, models: Sequence[str]) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    values: list[Any] = []
    if since is not None:
        clauses.append("started >= ?")
        values.append(since)
    if models:
        marks = ", ".join("?" * len(models))
        # A run's models: those that answered (by_model), else the one it asked for.
        clauses.append(f"(model IN ({marks}) OR EXISTS (SELECT 1 FROM json_each(runs.by_model) WHERE json_each.key IN ({marks})))")
        values += [*models, *models]
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", values


def runs(path: Path, *, limit: int | None = None, since: float | None = None, models: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The recorded runs, newest first (none when there is no database yet: looking never creates it)."""
    if not path.exists():
        return []
    where, values = _where(since, models)
    sql = f"SELECT * FROM runs{where} ORDER BY id DESC" + (" LIMIT ?" if limit is not None else "")
    with connect(path) as db:
        return _decoded(db.execute(sql, values + ([limit] if limit is not None else [])))


def run(path: Path, run_id: int) -> dict[str, Any] | None:
    """One recorded run, or None."""
    if not path.exists():
        return None
    with connect(path) as db:
        found = _decoded(db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)))
    return found[0] if found else None
