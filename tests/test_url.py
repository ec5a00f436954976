"""URL input against a local HTTP server on 127.0.0.1: extraction, size limit, errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from summarize.errors import InputError
from summarize.reading.read import load_article, read_source

from .fakes import LocalServer
from .test_read import HTML

PAGES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/article.html": (200, {"content-type": "text/html; charset=utf-8"}, HTML.encode()),
    "/big.txt": (200, {"content-type": "text/plain"}, b"a" * 5000),
    "/gone": (404, {}, b"not found"),
    "/to-file": (302, {"location": "file:///etc/passwd"}, b""),
}


@pytest.fixture
def local_site() -> Iterator[str]:
    """Base URL of a throwaway HTTP server on loopback serving PAGES."""
    with LocalServer(lambda method, path, body: PAGES.get(path, (404, {}, b""))) as server:
        yield server.url


def test_url_html_is_fetched_and_extracted(local_site: str) -> None:
    article = load_article(f"{local_site}/article.html")
    assert "Pris dans une vague de départs" in article.text
    assert article.source == f"{local_site}/article.html"
    assert article.author == "Julien Lausson"


def test_url_size_limit_and_http_errors(local_site: str) -> None:
    with pytest.raises(InputError, match="larger than"):
        read_source(f"{local_site}/big.txt", max_bytes=1000)
    with pytest.raises(InputError, match="HTTP 404"):
        read_source(f"{local_site}/gone")


def test_redirect_to_a_non_http_scheme_is_refused(local_site: str) -> None:
    with pytest.raises(InputError):
        read_source(f"{local_site}/to-file")


def test_a_slow_server_hits_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import summarize.reading.read

    release = threading.Event()

    def slow(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        release.wait(5)  # answers only after the client has given up
        return 200, {"content-type": "text/plain"}, b"too late"

    monkeypatch.setattr(summarize.reading.read, "URL_TIMEOUT", 0.3)
    with LocalServer(slow) as server:
        try:
            with pytest.raises(InputError, match="timed out"):
                read_source(f"{server.url}/slow")
        finally:
            release.set()
