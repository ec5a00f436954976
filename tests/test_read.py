"""Reading inputs: encodings, HTML extraction, stdin, and clear errors for what is not an article."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from summarize.errors import InputError
from summarize.reading.read import decode, detect_language, load_article, read_article, read_source

from .fakes import SEED_003

FRENCH = (
    "Le départ de Mira Murati est le plus choquant, alors qu’elle occupait un rôle de plus en plus important "
    "dans l’entreprise. Ses équipes ont toutes menacé de partir."
)

HTML = """<!DOCTYPE html><html lang="fr"><head><title>OpenAI perd sa CTO | Numerama</title>
<meta name="author" content="Julien Lausson"><meta property="og:site_name" content="Numerama">
<meta property="article:published_time" content="2024-09-26T08:00:00+00:00">
<link rel="canonical" href="https://www.numerama.com/tech/openai-cto.html"></head>
<body><nav><a href="/">Accueil</a> <a href="/tech">Tech</a> <a href="/abonnement">S'abonner</a></nav>
<article><h1>OpenAI perd sa CTO</h1>
<p>Pris dans une vague de départs ces derniers mois, OpenAI vient d’annoncer la fin de sa collaboration avec Mira Murati, sa CTO, qui occupait un rôle de plus en plus important.</p>
<p>En novembre 2023, Sam Altman, le patron d’OpenAI, avait failli être évincé de l’entreprise. Ses équipes, alors dirigées par Mira Murati, ont toutes menacé de partir.</p>
<p>Mira Murati indique vouloir trouver du temps pour faire ses propres explorations, ce qui laisse supposer qu’elle ne compte pas rejoindre un autre géant.</p>
</article><footer>© Numerama 2024 — Mentions légales — Cookies</footer></body></html>"""


def test_utf8_with_and_without_bom_and_cp1252_decode_the_same(tmp_path: Path) -> None:
    for name, data in (
        ("utf8.txt", FRENCH.encode("utf-8")),
        ("bom.txt", b"\xef\xbb\xbf" + FRENCH.encode("utf-8")),
        ("cp1252.txt", FRENCH.encode("cp1252")),
        ("latin1.txt", FRENCH.replace("’", "'").encode("latin-1")),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        text = read_source(str(path)).text
        assert text == (FRENCH if name != "latin1.txt" else FRENCH.replace("’", "'")), name
        assert not text.startswith("\ufeff")


def test_crlf_and_cr_line_endings_become_newlines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"Titre\r\n\r\nPremier paragraphe.\rDeuxieme paragraphe.\n")
    assert read_source(str(path)).text == "Titre\n\nPremier paragraphe.\nDeuxieme paragraphe.\n"


def test_html_goes_through_the_article_extractor(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    reading = read_article(str(path))
    article = reading.article
    assert reading.raw.is_html
    assert "Pris dans une vague de départs" in article.text
    assert "explorations" in article.text
    assert "Accueil" not in article.text and "Mentions légales" not in article.text
    assert article.title and "OpenAI perd sa CTO" in article.title
    assert article.author == "Julien Lausson"
    assert article.published and article.published.startswith("2024-09-26")
    assert article.url == "https://www.numerama.com/tech/openai-cto.html"
    assert article.language == "fr"


def test_html_without_an_article_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="no article text found in the HTML"):
        load_article(str(path))


def test_seed_text_becomes_an_article_with_metadata_and_language() -> None:
    article = load_article(str(SEED_003))
    assert article.author == "Anne Cagan" and article.language == "fr"
    assert article.source == str(SEED_003)


def test_stdin_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(FRENCH.encode("utf-8"))))
    assert read_source("-").text == FRENCH


def test_closed_or_empty_stdin_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(InputError, match="stdin: no input"):
        read_source("-")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"  \n\t\n  ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "binary"),
    ],
)
def test_unusable_files_are_input_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_source(str(path))


def test_missing_path_directory_and_oversized_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_source(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a directory"):
        read_source(str(tmp_path))
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2048)
    with pytest.raises(InputError, match="larger than"):
        read_source(str(big), max_bytes=1024)


def test_only_http_and_https_urls_are_followed() -> None:
    for url in ("file:///etc/passwd", "ftp://example.com/a.txt"):
        with pytest.raises(InputError, match="only http and https"):
            read_source(url)


def test_decode_prefers_utf8() -> None:
    assert decode("Élysée".encode(), "x") == ("Élysée", "utf-8")


def test_language_detection() -> None:
    assert detect_language(FRENCH) == "fr"
    assert detect_language("The board of OpenAI removed its chief executive on Friday, citing a lack of candour.") == "en"
    assert detect_language("court") is None
