"""The text of a PDF (press releases, reports, saved articles) with pypdf, as plain text the cleaner can read.

pypdf gives each page's text one printed line per line. A printed line is not a paragraph: lines that fill the
measure (or stop mid-sentence before a lower-case word) are joined into their paragraph, a word hyphenated at a
line end is mended, page numbers are dropped, and pages are joined with blank lines (a paragraph that runs on
to the next page is joined across it). Scans (images only), encrypted and broken files are InputErrors.
"""

from __future__ import annotations

import io
import logging
import re

from ..errors import InputError

MAX_PAGES = 2_000
"""More pages than this is a book, not an article: refused before any text is extracted."""
MAX_CHARACTERS = 10_000_000
"""Extraction stops (an InputError) past this much text, like any input over read.MAX_BYTES."""

_HYPHENS = "-\u00ad\u2010"  # hyphen-minus, soft hyphen, hyphen
_HYPHENATED = re.compile(rf"([^\W\d_]+)[{_HYPHENS}]$")
_COMPOUND = re.compile(r"[^\W\d_]+-[^\W\d_]+")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_PAGE_NUMBER = re.compile(r"^(?:page\s+|p\.\s*)?[-–—(]?\s*\d{1,4}\s*(?:(?:/|sur|of|de)\s*\d{1,4})?\s*[-–—)]?$", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[•·▪◦‣∙●○■□►▶➤✓✔*+–—-]|\d{1,2}[.)])\s")
_ENDS_SENTENCE = re.compile(r"[.!?…:;»\"”)\]]$")
_FULL_LINE = 0.9
"""A line this long (a share of the usual line length) fills the measure: its paragraph goes on even after a full stop."""
_LONG_LINE = 0.75
"""A line this long that stops mid-sentence was wrapped: its paragraph goes on."""
_MIN_MEASURE = 40
"""Below this usual line length (tables, lists, verse), lines are never joined for their length alone."""


def pdf_text(data: bytes, source: str) -> str:
    """Plain text of a PDF: paragraphs separated by blank lines; a one-line InputError when there is none to read."""
    pages = [_page_lines(text) for text in _page_texts(data, source)]
    lines = [line for page in pages for line in page]
    if not any(ch.isalnum() for line in lines for ch in line):
        raise InputError(f"{source}: the PDF has no extractable text (a scan? it needs OCR first)")
    measure = _measure(lines)
    compounds = {match.group().lower() for line in lines for match in _COMPOUND.finditer(line)}
    paragraphs: list[list[str]] = []
    for page in pages:
        for number, line in enumerate(page):
            if paragraphs and _goes_on(paragraphs[-1][-1], line, measure, new_page=number == 0):
                paragraphs[-1].append(line)
            else:
                paragraphs.append([line])
    return "\n\n".join(_mend(paragraph, compounds) for paragraph in paragraphs) + "\n"


def _page_texts(data: bytes, source: str) -> list[str]:
    """Each page's text as pypdf extracts it."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    pypdf_log = logging.getLogger("pypdf")
    if pypdf_log.level == logging.NOTSET:
        pypdf_log.setLevel(logging.ERROR)  # its warnings about sloppy files are noise on a user's terminal
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # an owner password only restricts printing or copying: still readable
            except DependencyError:
                raise InputError(f"{source}: the PDF is encrypted with AES (pip install cryptography to read it)") from None
            if not opened:
                raise InputError(f"{source}: the PDF is encrypted (password-protected); not read")
        if len(reader.pages) > MAX_PAGES:
            raise InputError(f"{source}: the PDF has {len(reader.pages)} pages, more than the {MAX_PAGES} read")
        texts: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > MAX_CHARACTERS:
                raise InputError(f"{source}: the PDF holds more text than the {MAX_CHARACTERS / 1e6:.0f} MB input limit")
            texts.append(text)
        return texts
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"{source}: not a readable PDF (nested too deeply)") from None
    except Exception as exc:  # pypdf raises many kinds (ValueError, KeyError, PdfReadError...) on a broken file
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise InputError(f"{source}: not a readable PDF ({reason})") from None


def _page_lines(text: str) -> list[str]:
    """The page's non-blank lines, without a page number at its top or bottom."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    while lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    while lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    return lines


def _measure(lines: list[str]) -> int:
    """The usual length of a full line (a high percentile: last lines of paragraphs and headings are shorter)."""
    lengths = sorted(len(line) for line in lines)
    if len(lengths) < 3:
        return 0
    return lengths[int(0.8 * (len(lengths) - 1))]


def _goes_on(last: str, line: str, measure: int, *, new_page: bool) -> bool:
    """Whether `line` continues the paragraph whose last printed line is `last`."""
    if _BULLET.match(line):
        return False
    if _HYPHENATED.search(last) and line[:1].islower():
        return True
    if new_page:  # across a page break only a sentence cut before a lower-case word surely goes on
        return not _ENDS_SENTENCE.search(last) and line[:1].islower()
    if _ENDS_SENTENCE.search(last):
        return measure >= _MIN_MEASURE and len(last) >= _FULL_LINE * measure  # a sentence ended at a full line
    if measure >= _MIN_MEASURE and len(last) >= _LONG_LINE * measure:
        return True  # wrapped mid-sentence
    return len(last) >= _MIN_MEASURE and line[:1].islower()  # the cleaner's rule for hard-wrapped text


def _mend(lines: list[str], compounds: set[str]) -> str:
    """A paragraph's printed lines as one line; a word split by a hyphen at a line end is mended.

    A soft hyphen is always dropped; `ensei-` + `gnants` is `enseignants`, but `peut-` + `être` keeps its
    hyphen when the document writes `peut-être` elsewhere.
    """
    text = lines[0]
    for line in lines[1:]:
        match = _HYPHENATED.search(text)
        word = _FIRST_WORD.match(line)
        if match and word and line[:1].islower():
            compound = f"{match.group(1)}-{word.group()}"
            keep = text[-1] != "\u00ad" and compound.lower() in compounds
            text = text[: match.start()] + (compound if keep else match.group(1) + word.group()) + line[word.end() :]
        else:
            text += " " + line
    return text
