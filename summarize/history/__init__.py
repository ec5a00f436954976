"""Run history: every model run recorded in one SQLite database (`summarize history` reads it).

    recorder.py   the record of the running command, noted by the pipeline and written once when it ends
    redact.py     the command line without secrets
    store.py      the database: path, schema, one short insert per run, the queries of `summarize history`

The pipeline notes what it knows (results, cache keys, warnings) through the functions below; outside a
recorded command (the Python API, tests of the pipeline) they do nothing.
"""

from __future__ import annotations

from .recorder import Recorder, attach, current, note_key, note_output, note_result, note_usage, note_warning, recording, reprice

__all__ = ["Recorder", "attach", "current", "note_key", "note_output", "note_result", "note_usage", "note_warning", "recording", "reprice"]
