"""Feeds as sources (and the choice between a feed, a URL list and an article file): each entry's link is one item.

    FeedSource      an RSS or Atom feed, by URL (conditional GET, state in OUT/.feeds.json) or by file
    UrlListSource   a file of http(s) links (summarize.runs.links)

Feeds are parsed by feedparser, never by hand. A link's output name is `(host, path-and-query)` (made safe by
the runner), its identity the link plus a digest of the feed entry, so a re-run redoes a changed entry and
skips an unchanged one without fetching it. Whatever cannot be read becomes an item whose load raises a
one-line InputError: the run reports it and goes on.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime
import hashlib
import io
import json
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import InputError, OutputError, one_line
from ..files import atomic_write_text
from ..reading import read
from .links import UrlListSource, host_of, http_url, item_name, link_item, looks_like_url_list, read_file
from .sources import Item, Source, beside, failing, safe_name

STATE_FILE = ".feeds.json"
"""In the output folder: each feed URL's ETag, Last-Modified and entries, for the next run's conditional GET."""
_STATE_VERSION = 1
_SNIFF_BYTES = 4096
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>/]")
_FEED_SUFFIXES = (".rss", ".atom", ".xml")
_FIRST_ELEMENT = re.compile(rb"<\w")
_DOCTYPE = re.compile(rb"<!doctype", re.IGNORECASE)
_FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"


def open_remote(given: str) -> Source:
    """`-`: a URL list on stdin; an http(s) URL: a feed. Anything else with `://` is an InputError."""
    if given == "-":
        return UrlListSource(None)
    if http_url(given):
        return FeedSource(given)
    raise InputError(f"{given}: only http and https URLs are supported (a feed's URL, or `-` for a list of links on stdin)")


def open_file(path: Path) -> Source | None:
    """A feed file or a URL-list file as a source; None for anything else (one article: text, HTML or PDF)."""
    path = Path(path)
    try:
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return None  # the article reader says what is wrong with it
    if head.lstrip().startswith(b"%PDF-") or path.suffix.lower() == ".pdf":
        return None
    if _looks_like_feed(head) or path.suffix.lower() in _FEED_SUFFIXES:
        return FeedSource(path)
    if looks_like_url_list(path, head):
        return UrlListSource(path)
    return None


def _looks_like_feed(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.replace(b"\x00", b"")  # UTF-16: the markup, in ASCII, is every other byte
    folded = head.lower()
    return bool(_FEED_ROOT.search(folded)) and b"<html" not in folded


@dataclass(frozen=True)
class FeedEntry:
    """What a run keeps of one feed entry (also what .feeds.json stores, so a 304 rebuilds the same items)."""

    link: str
    """The entry's link, resolved against the feed's URL; "" when it has none feedparser would keep."""
    digest: str
    """Short sha256 of the entry's id, date, title and summary or content: it changes when the entry does."""
    title: str | None = None
    author: str | None = None
    published: str | None = None

    @classmethod
    def of(cls, parsed: Mapping[str, Any]) -> FeedEntry:
        entry = dict(parsed)  # plain lookups: feedparser's dict maps a missing `updated` to `published`, with a warning
        content = entry.get("content") or []
        body = entry.get("summary") or (content[0].get("value") if content else None) or ""
        date = entry.get("updated") or entry.get("published") or ""
        facts = [entry.get("id") or "", date, entry.get("title") or "", body]
        digest = hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return cls(
            link=(entry.get("link") or "").strip(),
            digest=digest,
            title=_text(entry.get("title")),
            author=_text(entry.get("author")),
            published=_date(entry),
        )


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split())[:500] or None


def _date(entry: dict[str, Any]) -> str | None:
    """ISO 8601 (UTC) from the entry's publication (or update) date; feedparser's own text if it could not parse it."""
    for key in ("published", "updated"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            with contextlib.suppress(TypeError, ValueError, OverflowError):
                return datetime.datetime.fromtimestamp(calendar.timegm(parsed), tz=datetime.timezone.utc).isoformat()
        if entry.get(key):
            return _text(entry.get(key))
    return None


def _without_dtd(data: bytes) -> bytes:
    """The document without its DOCTYPE (and internal subset): no entity of the feed's own is ever expanded.

    Expat stops the nested "billion laughs", but feedparser's fallback parser re-declares "safe" entities
    (plain text values) and expands them: one 100 kB entity used 2,000 times is 200 MB. Feeds need no DTD.
    The prolog ends at the first element, as feedparser sees it; everything from `<!DOCTYPE` to there goes.
    """
    first = _FIRST_ELEMENT.search(data)
    end = first.start() if first else len(data)
    doctype = _DOCTYPE.search(data, 0, end)
    return data if doctype is None else data[: doctype.start()] + data[end:]


def parse_feed(data: bytes, label: str, *, base: str | None = None, content_type: str | None = None) -> list[FeedEntry]:
    """The entries of an RSS or Atom document; a one-line InputError when it is not a feed or has no items."""
    import feedparser

    headers = {"content-location": base} if base else {}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never a string: feedparser would take a string for a URL or a path and open it.
    parsed = feedparser.parse(io.BytesIO(_without_dtd(data)), response_headers=headers, sanitize_html=False)
    if not parsed.entries:
        if parsed.get("version"):
            raise InputError(f"{label}: the feed has no items")
        problem = parsed.get("bozo_exception")
        reason = one_line(str(problem), 200) if problem else "no <rss>, <feed> or <rdf:RDF> element"
        raise InputError(f"{label}: not an RSS or Atom feed: {reason}")
    return [FeedEntry.of(entry) for entry in parsed.entries]


class FeedSource:
    """An RSS or Atom feed, by http(s) URL or by file: one item per distinct link, in feed order."""

    def __init__(self, feed: str | Path) -> None:
        self.url = feed if isinstance(feed, str) and http_url(feed) else None
        self.path = None if self.url is not None else Path(feed)
        self.label = str(feed)
        self._listed: dict[Path | None, list[FeedEntry] | InputError] = {}

    def default_out(self, task: str) -> Path:
        """`HOST-summaries` in the working folder for a URL; `NAME-summaries` beside a feed file."""
        suffix = "-translations" if task == "translate" else "-summaries"
        if self.url is not None:
            return Path.cwd() / safe_name(host_of(self.url) + suffix)
        assert self.path is not None
        return beside(self.path, task)

    def items(self, out: Path | None = None) -> Iterator[Item]:
        """The feed's links as items; a feed that cannot be read or has no items is one item that says why.

        The feed is read once per source object and `out` (a run counts its items, then runs them). By URL
        it is fetched with a conditional GET when OUT/.feeds.json holds its ETag or Last-Modified: a 304
        rebuilds the same items from the saved entries, and nothing is downloaded.
        """
        key = Path(out) if out is not None else None
        if key not in self._listed:
            try:
                self._listed[key] = self._entries(key)
            except InputError as exc:
                self._listed[key] = exc
        listed = self._listed[key]
        if isinstance(listed, InputError):
            yield self._feed_item(str(listed))
            return
        seen: set[tuple[str, ...]] = set()
        for position, entry in enumerate(listed, 1):
            if not entry.link:
                what = f"'{one_line(entry.title, 80)}'" if entry.title else f"{position}"
                item_id = f"{self.label}#entry-{position}"
                message = f"{self.label}: entry {what} has no http or https link"
                yield Item(item_id, ("_invalid", item_id), failing(message), {"entry": entry.digest})
                continue
            name = item_name(entry.link)
            if name in seen:
                continue  # the same page twice (the same link, or one differing only by its #fragment)
            seen.add(name)
            reason = None
            if not http_url(entry.link):
                relative = not urlsplit(entry.link).scheme
                reason = f"{entry.link}: " + ("a relative link, and the feed has no URL to resolve it against" if relative else "not an http or https link")
            yield link_item(entry.link, entry, {"link": entry.link, "entry": entry.digest}, reason)

    def _feed_item(self, message: str) -> Item:
        name = item_name(self.url) if self.url is not None else (Path(self.label).name,)
        return Item(self.label, name, failing(message), {}, host=None)

    def _entries(self, out: Path | None) -> list[FeedEntry]:
        if self.url is None:
            assert self.path is not None
            return parse_feed(read_file(self.path), self.label)
        return self._fetch_entries(self.url, out)

    def _fetch_entries(self, url: str, out: Path | None) -> list[FeedEntry]:
        state_path = out / STATE_FILE if out is not None else None
        state = _load_state(state_path)
        saved = state["feeds"].get(url)
        entries = _saved_entries(saved)
        headers = {"accept": _FEED_ACCEPT}
        if entries is not None and isinstance(saved, dict):
            if saved.get("etag"):
                headers["if-none-match"] = str(saved["etag"])
            if saved.get("modified"):
                headers["if-modified-since"] = str(saved["modified"])
        fetched = read.fetch(url, max_bytes=read.MAX_BYTES, headers=headers)
        if fetched.status == 304:
            if entries is None or len(headers) == 1:  # nothing saved was offered: a 304 cannot mean "as before"
                raise InputError(f"{url}: HTTP 304 (not modified) to a request that was not conditional")
            return entries
        if fetched.status != 200:
            raise InputError(f"{url}: HTTP {fetched.status}")
        if not fetched.data.strip():
            raise InputError(f"{url}: is empty")
        entries = parse_feed(fetched.data, url, base=fetched.url, content_type=fetched.content_type)
        if state_path is not None:
            etag, modified = fetched.headers.get("etag"), fetched.headers.get("last-modified")
            if etag or modified:
                state["feeds"][url] = {"etag": etag, "modified": modified, "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                       "entries": [asdict(entry) for entry in entries]}  # fmt: skip
            else:
                state["feeds"].pop(url, None)
            _save_state(state_path, state)
        return entries


def _load_state(path: Path | None) -> dict[str, Any]:
    """The saved state, or an empty one (missing, unreadable or from another version: the feed is fetched whole)."""
    empty: dict[str, Any] = {"version": _STATE_VERSION, "feeds": {}}
    if path is None:
        return empty
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(state, dict) or state.get("version") != _STATE_VERSION or not isinstance(state.get("feeds"), dict):
        return empty
    return state


def _saved_entries(saved: Any) -> list[FeedEntry] | None:
    if not isinstance(saved, dict) or not isinstance(saved.get("entries"), list):
        return None
    try:
        return [FeedEntry(**entry) for entry in saved["entries"]]
    except TypeError:
        return None


def _save_state(path: Path, state: dict[str, Any]) -> None:
    # The state only saves a download: a folder that cannot be written fails the run's outputs, not the listing.
    with contextlib.suppress(OutputError):
        atomic_write_text(path, json.dumps(state, ensure_ascii=False, indent=1) + "\n")


__all__ = ["FeedEntry", "FeedSource", "STATE_FILE", "UrlListSource", "item_name", "open_file", "open_remote", "parse_feed"]
