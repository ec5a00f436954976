"""Scraped lines into paragraphs: bullets, hard-wrapped lines and sentences glued by a lost line break."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import CONTROL, fold


@dataclass
class Para:
    line: int
    text: str
    bullets: bool = False
    src: int = 0
    rule: str | None = None
    fixes: list[str] = field(default_factory=list)
    joined_to_prev: bool = False  # this piece was glued to the previous piece of the same source
    _folded: str | None = None

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded


BULLET = re.compile(r"^(?:[•·▪▫◦‣∙●○■□►▶➤➢✓✔*+–—-]|\d{1,2}[.)])\s")
_LINE_END_OPEN = re.compile(r"[^.!?…:;»\"”)\]]$")


def is_bullet(line: str) -> bool:
    return bool(BULLET.match(line)) and any(ch.isalnum() for ch in line[2:])


def _continues(previous_line: str, line: str) -> bool:
    # A hard-wrapped paragraph: long previous line cut mid-sentence, next line starting in lower case.
    return len(previous_line) >= 40 and bool(_LINE_END_OPEN.search(previous_line)) and line[:1].islower()


def build_paragraphs(raw: str) -> list[Para]:
    # Lines are collected in lists and joined once: appending to a growing string is quadratic.
    blocks: list[tuple[Para, list[str]]] = []
    block_open = False
    for number, line in enumerate(raw.splitlines(), 1):
        text = CONTROL.sub(" ", line).strip()
        if not text:
            block_open = False
            continue
        bullet = is_bullet(text)
        previous = blocks[-1] if block_open and blocks else None
        if previous is not None and bullet and previous[0].bullets:
            previous[1].extend(("\n", text))
        elif previous is not None and not bullet and _continues(previous[1][-1], text):
            previous[1].extend((" ", text))
            previous[0].fixes.append(f"joined wrapped line {number} to line {previous[0].line}")
        else:
            blocks.append((Para(number, "", bullet, src=len(blocks)), [text]))
        block_open = True
    for para, parts in blocks:
        para.text = "".join(parts)
    return [para for para, _ in blocks]


_GLUE_CANDIDATE = re.compile(r"(?<=[^\W_])[.!?…]+[»”\"’)]?(?=[«“\"‘(]?[^\W\d_]{2})")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr mme mmes mlle mm me gen gov sen rep col lt sgt capt cpt fig vol no nos art vs "
    "ltd co corp av ave bd chap pp ed eds approx dept univ ph mgr cie ste yahoo jeopardy".split()
)
_TLDS = frozenset("com fr org net io uk eu gov edu html htm php".split())
_HEADING_GLUE = re.compile(
    r"[a-zß-öø-ÿ0-9](?=(?:Le|La|Les|Un|Une|Des|Du|Ce|Cet|Cette|Ces|Il|Ils|Elle|Elles|On|Nous|Dans|Pour|Après|"
    r"Avant|Depuis|Selon|Mais|Pourtant|Alors|Quand|Lorsque|Si|Avec|Sans|Chez|Malgré|Ainsi|Désormais|Outre|Son|"
    r"Sa|Ses|Leur|Leurs|Cependant|Toutefois|En|The|This|That|These|Those|After|Before|But|When|While|According|"
    r"He|She|They|We|His|Her|Their|Its|Since|Despite|Although|However|Meanwhile|Last|Earlier)\s|"
    r"(?:L|D|C|Qu|J|S)['’][^\W\d_])"
)
_SENTENCE_PUNCT = re.compile(r"[.!?:;]")


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and end - start < 40 and text[start - 1].isalnum():
        start -= 1
    return text[start:end]


def _token_around(text: str, pos: int) -> str:
    left = text[max(0, pos - 200): pos]
    right = text[pos: pos + 200]
    head = "" if not left or left[-1].isspace() else left.split()[-1]
    tail = "" if not right or right[0].isspace() else right.split(None, 1)[0]
    return head + tail


def _snippet(text: str, cut: int) -> str:
    left = text[max(0, cut - 60): cut]  # bounded windows keep many cuts in a huge line linear
    punct_start = len(left.rstrip("»”\"’).!?…"))
    word = _word_before(left, punct_start)
    return left[punct_start - len(word):] + " ".join(text[cut: cut + 120].split(None, 2)[:2])


def _sentence_cuts(text: str) -> list[int]:
    """Positions where a lost line break glued two sentences ("confusion.Le ton")."""
    cuts: list[int] = []
    for match in _GLUE_CANDIDATE.finditer(text):
        punct_start, cut = match.start(), match.end()
        if len(text[max(cuts[-1] if cuts else 0, punct_start - 200): punct_start].split(None, 2)) < 3:
            continue  # a sentence has at least three words; "Le.Le." or "v2.Beta" are not sentence ends
        word = _word_before(text, punct_start)
        if len(word) < 2 or word.casefold() in _ABBREVIATIONS:
            continue  # initials (U.S.), abbreviations (Dr.), numbered items (1.)
        nxt = text[cut:cut + 60].lstrip("«“\"‘(")
        if not (nxt[:1].isupper() and nxt[1:2].islower()):
            continue  # Node.js, .NET
        token = _token_around(text, punct_start)
        if "://" in token or "www." in token.casefold() or "@" in token:
            continue
        letters = re.match(r"[^\W\d_]*", nxt)
        right = letters.group() if letters else ""
        after = nxt[len(right):len(right) + 1]
        if right.casefold() in _TLDS and (not after or after.isspace() or after in "/,;:)"):
            continue  # a domain name written with a capital: Amazon.Com
        cuts.append(cut)
    return cuts


def _heading_cut(piece: str) -> int | None:
    """Position where a short heading is glued to the next paragraph ("MicrosoftLa décision")."""
    if not piece[:1].isupper():
        return None
    # The heading cannot contain sentence punctuation, so the glue point lies before the first one.
    stop = _SENTENCE_PUNCT.search(piece, 0, 200)
    match = _HEADING_GLUE.search(piece, 0, stop.start() if stop else 200)
    if match is None:
        return None
    cut = match.start() + 1
    head, rest = piece[:cut], piece[cut:]
    if not 2 <= len(head.split()) <= 15 or len(rest.split(None, 6)) < 6:
        return None
    return cut


def split_glued(para: Para) -> list[Para]:
    if para.bullets:
        return [para]
    text = para.text
    cuts = _sentence_cuts(text)
    notes = {cut: f'split glued sentence: "{_snippet(text, cut)}"' for cut in cuts}
    starts = [0, *cuts]
    bounds = list(zip(starts, [*cuts, len(text)]))
    final: list[tuple[int, int]] = []
    for start, end in bounds:
        cut = _heading_cut(text[start:end])
        if cut is not None:
            absolute = start + cut
            final += [(start, absolute), (absolute, end)]
            notes[absolute] = f'split glued heading: "{_snippet(text, absolute)}"'
        else:
            final.append((start, end))
    if len(final) == 1:
        return [para]
    pieces = []
    for index, (start, end) in enumerate(final):
        piece = Para(para.line, text[start:end].strip(), src=para.src, joined_to_prev=index > 0)
        if index == 0:
            piece.fixes = list(para.fixes)
        elif start in notes:
            piece.fixes.append(notes[start])
        pieces.append(piece)
    return [p for p in pieces if p.text]


_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def paragraphs(text: str) -> list[str]:
    """Split a cleaned body into its paragraphs (separated by blank lines), stripped, empty ones skipped."""
    return [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]
