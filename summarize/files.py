"""Atomic file writes: a reader (or a crash) never sees a half-written output, recording or report."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from .errors import OutputError


def _umask() -> int:
    # Read once at import (the main thread): os.umask can only be read by setting it, which races with threads.
    current = os.umask(0o022)
    os.umask(current)
    return current


_UMASK = _umask()


def _mode_for(path: Path) -> int:
    """An existing file keeps its mode; a new one gets what the umask allows (0644 under the usual 022)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """A text handle on a temp file beside `path`; on success it is fsynced and renamed over `path`, else removed.

    A symlink is written through (its target is replaced, the link stays), as most tools do; the file gets the
    mode the old one had, or the umask's for a new one (mkstemp alone would make every output 0600).
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    mode = _mode_for(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The writer's PID in the name lets a later run remove what a killed one left (remove_orphan_temps).
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_TEMP = re.compile(r"^\..+\.(\d+)-[^.]+\.tmp$")


def remove_orphan_temps(directory: Path) -> int:
    """Delete the hidden temp files that killed writers left under `directory` (a live writer's are kept)."""
    removed = 0
    for temp in Path(directory).rglob(".*.tmp"):
        match = _TEMP.match(temp.name)
        if match is None or pid_alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            temp.unlink()
            removed += 1
    return removed


def pid_alive(pid: int) -> bool:
    """True when a process with this PID runs (or exists but is not ours to signal): its files are left alone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, not ours to signal
    return True


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` through a temp file in the same directory, fsync, then rename over the target."""
    with atomic_writer(path) as handle:
        handle.write(text)
