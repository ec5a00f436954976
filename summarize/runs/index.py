"""A run's `index.html`: every article of the report with its status, title, language, warnings and a link."""

from __future__ import annotations

import os
from pathlib import Path

from ..files import atomic_write_text
from .report import REPORT_NAME, report_lines

INDEX_NAME = "index.html"


def write_index(out: Path, label: str) -> Path:
    """Write `out/index.html` from the run's report (read back from disk: nothing is kept in memory meanwhile)."""
    from ..render.html import IndexRow, index_page

    rows = []
    for line in report_lines(out / REPORT_NAME):
        page = line.get("output")
        href = Path(os.path.relpath(page, out)).as_posix() if isinstance(page, str) and page else None
        rows.append(IndexRow(
            source=str(line.get("source")), status=str(line.get("status")), href=href, title=line.get("title"),
            language=line.get("language"), warnings=int(line.get("warnings") or 0), error=line.get("error"),
        ))  # fmt: skip
    path = out / INDEX_NAME
    atomic_write_text(path, index_page(rows, title=f"summarize: {label}"))
    return path


__all__ = ["INDEX_NAME", "write_index"]
