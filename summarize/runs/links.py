"""Links as items, and URL lists as a source: each link is fetched by the URL reader when the run loads it.

    UrlListSource   a file of http(s) links, one a line (`#` comments, blank lines), or `-` for stdin

A link's output name is `(host, path-and-query)` (made safe by the runner), its identity the link (plus,
for a feed, a digest of its entry). A link that is not http(s) becomes an item whose load raises a one-line
InputError: the run reports it and goes on.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import InputError, one_line
from ..reading import read
from ..schemas import Article
from .sources import Item, beside, failing

if TYPE_CHECKING:
    from .feeds import FeedEntry

_URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


def looks_like_url_list(path: Path, head: bytes) -> bool:
    """Every non-blank, non-`#` line is one URL-like token, and at least one is an http(s) URL."""
    if b"\x00" in head or not head.strip():
        return False
    first = next((line.strip() for line in head.splitlines() if line.strip() and not line.strip().startswith(b"#")), b"")
    if not re.fullmatch(rb"[A-Za-z][A-Za-z0-9+.-]*:\S+", first):
        return False  # a text or HTML article: decided on its first line, without reading the rest
    try:
        if path.stat().st_size > read.MAX_BYTES:
            return False
        text, _encoding = read.decode(path.read_bytes(), str(path))
    except (OSError, InputError):
        return False
    links = list_lines(text)
    return bool(links) and all(_URL_LIKE.fullmatch(link) for _, link in links) and any(http_url(link) for _, link in links)


def list_lines(text: str) -> list[tuple[int, str]]:
    """(line number, stripped line) of the lines that are not blank and not `#` comments."""
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            lines.append((number, stripped))
    return lines


def http_url(url: str) -> bool:
    """An absolute http(s) URL with a host (and a valid port, and no whitespace or control characters)."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def host_of(url: str) -> str:
    """The host part of an output name and of a default folder: `example.com`, `127.0.0.1_8080` (no `:`)."""
    parts = urlsplit(url)
    host = (parts.hostname or "_").lower()
    return f"{host}_{parts.port}" if parts.port else host


def item_name(link: str) -> tuple[str, str]:
    """The output name of a link: `(host, path-and-query)`, e.g. `("example.com", "2024/05/story?id=3")`.

    The path loses its leading and trailing `/` (an empty one is `index`); the fragment is dropped (the same
    page). The runner passes each part through safe_name, which turns `/` and `?` into `_` and adds a digest
    of the original, so names stay readable and different links never share one. A link that is not http(s)
    gets `("_invalid", link)`: it is never fetched, but still needs a name of its own.
    """
    if not http_url(link):
        return ("_invalid", link)
    parts = urlsplit(link)
    rest = parts.path.strip("/")
    rest = "index" if not rest else "index/" if rest == "index" else rest  # `/index` is not `/` (safe_name digests it)
    if parts.query:
        rest += "?" + parts.query
    return (host_of(link), rest)


def link_item(link: str, entry: FeedEntry | None, identity: dict[str, Any], reason: str | None = None) -> Item:
    """The item of one link: fetched by the URL reader, completed by the feed entry's metadata."""
    name = item_name(link)
    if reason is not None or not http_url(link):
        return Item(link, name, failing(reason or f"{link}: not an http or https link"), identity)

    def load() -> Article:
        article = read.load_article(link)
        if entry is not None:
            article.title = article.title or entry.title
            article.author = article.author or entry.author
            article.published = article.published or entry.published
        article.url = article.url or link
        return article

    return Item(link, name, load, identity, host=urlsplit(link).hostname)


class UrlListSource:
    """Links, one a line (`#` comments and blank lines ignored), from a file or from stdin (`path` None)."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self.label = str(path) if path is not None else "-"
        self._text: str | InputError | None = None

    def default_out(self, task: str) -> Path:
        """`NAME-summaries` beside the file; `stdin-summaries` in the working folder for `-`."""
        if self.path is not None:
            return beside(self.path, task)
        return Path.cwd() / ("stdin-translations" if task == "translate" else "stdin-summaries")

    def items(self, out: Path | None = None) -> Iterator[Item]:
        """One item per distinct link; a line that is not an http(s) URL is an item that says so."""
        if self._text is None:
            try:
                self._text = self._read()
            except InputError as exc:
                self._text = exc
        text = self._text
        where = "stdin" if self.path is None else str(self.path)
        if isinstance(text, InputError):
            yield Item(self.label, (where,), failing(str(text)))
            return
        lines = list_lines(text)
        if not any(http_url(link) for _, link in lines):
            message = f"{where}: no http or https URL (expected one link a line, `#` for comments)"
            yield Item(self.label, (where,), failing(message))
            return
        seen: set[tuple[str, ...]] = set()
        for number, link in lines:
            name = item_name(link)
            if name in seen:
                continue
            seen.add(name)
            reason = None if http_url(link) else f"{where}, line {number}: not an http or https URL: {one_line(link, 100)}"
            yield link_item(link, None, {"link": link}, reason)

    def _read(self) -> str:
        limit = read.MAX_BYTES
        if self.path is None:
            stream = getattr(sys.stdin, "buffer", None)
            data = stream.read(limit + 1) if stream is not None else b""
            source = "stdin"
        else:
            data = read_file(self.path)
            source = str(self.path)
        if len(data) > limit:
            raise InputError(f"{source}: larger than the {limit / 1e6:.0f} MB input limit")
        if not data.strip():
            raise InputError(f"{source}: no input" if self.path is None else f"{source}: is empty")
        text, _encoding = read.decode(data, source)
        return text


def read_file(path: Path) -> bytes:
    """A feed or list file's bytes, within read.MAX_BYTES."""
    limit = read.MAX_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{path}: {size / 1e6:.1f} MB is larger than the {limit / 1e6:.0f} MB input limit")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"{path}: larger than the {limit / 1e6:.0f} MB input limit")
    return data


__all__ = ["UrlListSource", "host_of", "http_url", "item_name", "link_item", "looks_like_url_list", "read_file"]
