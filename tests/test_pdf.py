"""PDF inputs: text extraction (lines into paragraphs, hyphenation, page numbers), cleaning, file / stdin / URL,
`summarize clean file.pdf`, and one-line errors for encrypted, scanned and broken PDFs.

The fixtures are written by tests/fixtures/pdf/make_pdfs.py (raw PDF syntax; pypdf only encrypts)."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from summarize.cli import app
from summarize.errors import InputError
from summarize.reading.clean import clean_text
from summarize.reading.pdf import pdf_text
from summarize.reading.read import load_article, read_article

from .fakes import LocalServer

PDFS = Path(__file__).parent / "fixtures" / "pdf"
ARTICLE = PDFS / "article.pdf"
TITLE = "Lyon ouvre sa première ligne de tramway de nuit"
runner = CliRunner()


def _make_pdfs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_pdfs", PDFS / "make_pdfs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def one_line_error(source: str) -> str:
    with pytest.raises(InputError) as caught:
        load_article(source)
    message = str(caught.value)
    assert "\n" not in message, message
    return message


def test_the_fixtures_are_what_the_script_writes() -> None:
    built = _make_pdfs().build()
    for name in ("article.pdf", "scanned.pdf", "broken.pdf"):  # the encrypted ones depend on pypdf's writer
        assert (PDFS / name).read_bytes() == built[name], f"run: python {PDFS / 'make_pdfs.py'}"


def test_printed_lines_become_paragraphs_with_mended_hyphens_and_no_page_numbers() -> None:
    text = pdf_text(ARTICLE.read_bytes(), str(ARTICLE))
    paragraphs = text.strip().split("\n\n")
    assert paragraphs[:2] == [TITLE, "Publié le 14 mars 2024 à 09h30"]
    assert len(paragraphs) == 5
    assert paragraphs[2].startswith("La métropole de Lyon a inauguré jeudi soir")
    assert paragraphs[2].endswith("pour un coût annoncé de 4,2 millions d’euros par an.")  # a short last line ends it
    assert "toute la nuit du vendredi au dimanche" in paragraphs[2]  # wrapped lines joined with a space
    assert "des étudiants et des enseignants, mais aussi" in paragraphs[3]  # `ensei-` + `gnants` mended
    assert "« C’est peut-être le changement" in paragraphs[3]  # `peut-` + `être`: the text writes `peut-être`
    assert "plusieurs élus de l’opposition depuis l’annonce" in paragraphs[3]  # runs on across the page break
    assert paragraphs[4].startswith("Les syndicats de conducteurs") and paragraphs[4].endswith("les plus tardives.")
    assert "\n1\n" not in text and not text.rstrip().endswith("2")  # page numbers dropped


def test_a_soft_hyphen_is_always_dropped_and_a_compound_kept_only_when_the_text_writes_it() -> None:
    make = _make_pdfs()
    measure = "Une ligne assez longue pour remplir la largeur de la colonne et passer à la suivante, sans"
    lines = [
        ("line", measure), ("line", "point final, puis un mot coupé par un trait d’union condition\u00ad"),
        ("line", "nel et un autre coupé à son tiret porte-"), ("line", "avions, sans que le texte écrive ailleurs ce mot."),
    ]  # fmt: skip
    text = pdf_text(make._pdf([make._content(lines, None)]), "x.pdf")
    assert "conditionnel" in text and "porteavions" in text
    lines[-1] = ("line", "avions, comme le texte écrit porte-avions ailleurs.")
    text = pdf_text(make._pdf([make._content(lines, None)]), "x.pdf")
    assert "coupé à son tiret porte-avions, comme" in text


def test_a_pdf_file_is_cleaned_exactly_as_its_text_would_be() -> None:
    reading = read_article(str(ARTICLE))
    assert not reading.raw.is_html and reading.raw.encoding == "pdf"
    article = reading.article
    assert article.text == clean_text(pdf_text(ARTICLE.read_bytes(), str(ARTICLE))).text
    assert article.title == TITLE
    assert article.published == "2024-03-14T09:30:00"
    assert article.language == "fr"
    assert article.text.startswith("La métropole de Lyon") and "Publié le" not in article.text
    assert article.source == str(ARTICLE)


def test_summarize_clean_reads_a_pdf() -> None:
    result = runner.invoke(app, ["clean", str(ARTICLE)])
    assert result.exit_code == 0, result.output
    assert f"title: {TITLE}" in result.stdout
    assert "des étudiants et des enseignants" in result.stdout
    result = runner.invoke(app, ["clean", str(PDFS / "encrypted.pdf")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {PDFS / 'encrypted.pdf'}: the PDF is encrypted (password-protected); not read"


def test_a_pdf_on_stdin_is_read_by_its_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.read_bytes())))
    article = load_article("-")
    assert article.title == TITLE and "enseignants" in article.text


@pytest.fixture
def pdf_site() -> Iterator[str]:
    data = ARTICLE.read_bytes()
    pages = {
        "/communique": (200, {"content-type": "application/pdf"}, data),
        "/download": (200, {"content-type": "application/octet-stream"}, data),  # by its %PDF- signature
        "/landing.pdf": (200, {"content-type": "text/html"}, b"<html><body><article><p>"
                         + "Une page d’accueil qui présente le communiqué de presse et renvoie vers lui. ".encode() * 3
                         + b"</p></article></body></html>"),  # fmt: skip
        "/not-really": (200, {"content-type": "application/pdf"}, b"<html>an error page</html>"),
    }
    with LocalServer(lambda method, path, body: pages.get(path, (404, {}, b""))) as server:
        yield server.url


def test_a_pdf_url_is_read_by_its_content_type_or_its_signature(pdf_site: str) -> None:
    for path in ("/communique", "/download"):
        article = load_article(pdf_site + path)
        assert article.title == TITLE and "enseignants" in article.text
        assert article.url == pdf_site + path
    landing = load_article(pdf_site + "/landing.pdf")  # a URL's name does not make it a PDF: HTML here
    assert "page d’accueil" in landing.text
    assert one_line_error(pdf_site + "/not-really").startswith(f"{pdf_site}/not-really: not a readable PDF")


def test_an_owner_password_alone_does_not_stop_reading() -> None:
    article = load_article(str(PDFS / "owner-only.pdf"))
    assert article.title == TITLE and "enseignants" in article.text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("encrypted.pdf", "the PDF is encrypted (password-protected); not read"),
        ("scanned.pdf", "the PDF has no extractable text (a scan? it needs OCR first)"),
        ("broken.pdf", "not a readable PDF ("),
    ],
)
def test_unreadable_pdfs_are_one_line_input_errors(name: str, message: str) -> None:
    path = str(PDFS / name)
    assert one_line_error(path).startswith(f"{path}: {message}")


def test_a_file_named_pdf_that_is_not_one_says_so(tmp_path: Path) -> None:
    fake = tmp_path / "rapport.pdf"
    fake.write_text("Ceci n’est pas un PDF, seulement du texte.\n", encoding="utf-8")
    assert one_line_error(str(fake)).startswith(f"{fake}: not a readable PDF")


def test_brief_and_translate_take_a_pdf(tmp_path: Path) -> None:
    from bench.fake_openai import FakeOpenAI

    pdf = ARTICLE
    with FakeOpenAI(latency=0.0) as server:
        common = ["--base-url", server.url, "--cache-dir", str(tmp_path / "cache")]
        brief = CliRunner().invoke(app, ["brief", str(pdf), "-f", "json", *common], env={"OPENAI_API_KEY": "test"})
        translated = CliRunner().invoke(app, ["translate", str(pdf), "--to", "en", "-f", "json", *common], env={"OPENAI_API_KEY": "test"})
        sent = {r.article_key for r in server.requests if r.path.endswith("/chat/completions")}
    assert brief.exit_code == 0 and translated.exit_code == 0, (brief.output, translated.output)
    assert json.loads(brief.output)["article"]["source"] == str(pdf)
    assert json.loads(translated.output)["paragraphs"]  # the PDF's paragraphs, translated one for one
    from bench.fake_openai import article_key, article_text
    from summarize.config import load_settings
    from summarize.summarizer import Summarizer

    with Summarizer(load_settings(api_key="test", use_cache=False)) as summarizer:
        plan = summarizer.plan(load_article(str(pdf)))
    assert article_key(article_text(plan.calls[0].messages)) in sent  # the PDF's cleaned text is what was sent
