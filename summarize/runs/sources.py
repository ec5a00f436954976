"""Article sources: what a run covers. A source yields items; each item has an id, a way to load it and an identity.

    folder      every article file under a directory (recursively, stable order)     FolderSource
    file        one article file: text, HTML or PDF                                  FileSource
    feed        an RSS/Atom feed, by URL or file; each entry's link is fetched       summarize.runs.feeds
    URL list    a file of links (one per line, `#` comments), or `-` for stdin       summarize.runs.feeds

`open_source` picks one from what the user typed. Everything that runs many articles (the live runner, the
Batch API, the dry-run estimate) sees only `Item`s, so a new kind of input is one class here.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from ..errors import InputError
from ..reading.read import load_article
from ..schemas import Article

DEFAULT_PATTERNS = ("*.txt", "*.text", "*.md", "*.html", "*.htm", "*.pdf")

_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\ud800-\udfff]')  # surrogates: bytes of a non-UTF-8 name
_WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))})
_MAX_NAME_BYTES = 180  # leaves room for ".json"/".html" and temp-file affixes under the usual 255-byte limit


@dataclass(frozen=True)
class Item:
    """One article of a run, not read yet."""

    id: str
    """What the report calls it: a path relative to the folder, or a URL."""
    name: tuple[str, ...]
    """Its output path under --out, before safe naming: `("2024", "a.txt")`, `("example.com", "story")`."""
    load: Callable[[], Article]
    """Read (or fetch) and clean it; raises a SummarizeError with a one-line reason."""
    identity: Mapping[str, Any] = field(default_factory=dict)
    """Cheap facts about the input (size and mtime, a feed entry's link and digest): unchanged and done -> not read again."""
    host: str | None = None
    """The host a load fetches from (loads are limited per host), None for local files."""


class Source(Protocol):
    """Anything that yields the items of a run."""

    label: str
    """How messages name it (the folder, feed or list the user gave)."""

    def items(self, out: Path | None = None) -> Iterator[Item]:
        """The items, in a stable order; a source that cannot be listed yields one item whose load says why.

        `out` is the run's output folder, where a source may keep state (a feed's ETag); None for a dry run.
        """
        ...

    def default_out(self, task: str) -> Path:
        """Where outputs go when --out is not given."""
        ...


def safe_name(name: str) -> str:
    """A file-name component that is safe on every OS: no separators, controls, `..`, reserved or over-long names."""
    safe = unicodedata.normalize("NFC", name)
    safe = _UNSAFE_CHARS.sub("_", safe).strip(" .")
    if not safe:
        safe = "_"
    if safe.split(".")[0].upper() in _WINDOWS_RESERVED:
        safe = "_" + safe
    if safe != name or len(safe.encode("utf-8")) > _MAX_NAME_BYTES:
        # A changed name gets a digest of the original: `a:b.txt` and `a_b.txt` must not share one output.
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        safe = safe.encode("utf-8")[: _MAX_NAME_BYTES - 11].decode("utf-8", "ignore") + "-" + digest
    return safe


def beside(path: Path, task: str) -> Path:
    """`NAME-summaries` (or `NAME-translations`) beside `path`."""
    resolved = Path(path).resolve()
    stem = resolved.name if resolved.is_dir() else resolved.stem
    return resolved.with_name(stem + ("-translations" if task == "translate" else "-summaries"))


def failing(message: str) -> Callable[[], Article]:
    """A load that raises `message` as an InputError: an item that cannot be read still gets its report line."""

    def load() -> Article:
        raise InputError(message)

    return load


def readable_name(article: Article) -> Article:
    """The article with a source name that serializes (a non-UTF-8 file name's surrogate escapes replaced)."""
    article.source = article.source.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return article


class FolderSource:
    """Every article file under `root` matching `patterns`, skipping hidden entries, symlinked folders and `exclude`."""

    def __init__(self, root: Path, patterns: tuple[str, ...] = DEFAULT_PATTERNS, *, exclude: Path | None = None) -> None:
        if not Path(root).is_dir():
            raise InputError(f"not a directory: {root}")
        self.root = Path(root)
        self.label = str(root)
        self.patterns = patterns
        self.exclude = exclude

    def default_out(self, task: str) -> Path:
        """`DIR-summaries` or `DIR-translations` beside the folder."""
        return beside(self.root, task)

    def paths(self) -> Iterator[Path]:
        """The matching files, one directory at a time (never the whole tree in memory)."""
        skip = self.exclude.resolve() if self.exclude is not None else None
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            here = Path(dirpath)
            dirnames[:] = sorted(
                d for d in dirnames if not d.startswith(".") and (skip is None or (here / d).resolve() != skip)
            )
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                relative = PurePosixPath((here / name).relative_to(self.root).as_posix())
                if any(relative.match(pattern) for pattern in self.patterns):
                    yield here / name

    def items(self, out: Path | None = None) -> Iterator[Item]:
        """One item per file; its identity is its size and mtime (a symlink out of the folder is not even looked at)."""
        for path in self.paths():
            relative = path.relative_to(self.root)
            item_id = relative.as_posix()
            try:
                self._check_inside(path)
                stat = path.stat()
            except (InputError, OSError) as exc:
                message = str(exc) if isinstance(exc, InputError) else f"{path}: cannot read: {exc.strerror or exc}"
                yield Item(item_id, relative.parts, failing(message))
                continue
            yield Item(item_id, relative.parts, self._loader(path),
                       {"source_size": stat.st_size, "source_mtime_ns": stat.st_mtime_ns})  # fmt: skip

    @staticmethod
    def _loader(path: Path) -> Callable[[], Article]:
        return lambda: readable_name(load_article(str(path)))

    def _check_inside(self, source: Path) -> None:
        """Refuse a file whose symlink leads outside the folder (its text would be sent to the endpoint)."""
        if not source.is_symlink():
            return  # paths() never descends through symlinked folders, so only the file itself can lead out
        try:
            target = source.resolve(strict=True)
        except (OSError, RuntimeError):
            raise InputError(f"{source}: broken or looping symlink") from None
        if not target.is_relative_to(self.root.resolve()):
            raise InputError(f"{source}: symlink leads outside {self.root} (to {target}); not read")


class FileSource:
    """One article file (text, HTML or PDF) as a run of one."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.label = str(path)

    def default_out(self, task: str) -> Path:
        """`NAME-summaries` beside the file."""
        return beside(self.path, task)

    def items(self, out: Path | None = None) -> Iterator[Item]:
        """The file itself."""
        try:
            stat = self.path.stat()
            identity: dict[str, Any] = {"source_size": stat.st_size, "source_mtime_ns": stat.st_mtime_ns}
        except OSError:
            identity = {}
        path = self.path
        yield Item(path.name, (path.name,), lambda: readable_name(load_article(str(path))), identity)


def excluding(source: Source, out: Path) -> Source:
    """The source without the run's output folder: a folder's outputs inside it are never read as articles."""
    if isinstance(source, FolderSource) and source.exclude is None:
        return FolderSource(source.root, source.patterns, exclude=out)
    return source


def open_source(given: str, *, patterns: tuple[str, ...] = DEFAULT_PATTERNS, exclude: Path | None = None) -> Source:
    """The source a command-line argument names: a folder, a feed (URL or file), a URL list, `-`, or one file."""
    path = Path(given)
    if given != "-" and "://" not in given and path.is_dir():
        return FolderSource(path, patterns, exclude=exclude)
    from . import feeds  # feedparser is imported only for feeds and lists

    if given == "-" or "://" in given:
        return feeds.open_remote(given)
    if not path.exists():
        raise InputError(f"{given}: no such file or directory")
    return feeds.open_file(path) or FileSource(path)


__all__ = ["DEFAULT_PATTERNS", "FileSource", "FolderSource", "Item", "Source", "beside", "excluding", "failing", "open_source", "safe_name"]
