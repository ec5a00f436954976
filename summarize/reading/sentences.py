"""Numbered sentences of a cleaned article: stable "P.S" ids a model can cite instead of copying text."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

# The break checks.text.MappedText.paragraph_of counts, so paragraph0() agrees with EvidenceSpan.paragraph.
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_BULLET = re.compile(r"(?:[•·▪▫◦‣∙●○■□►▶➤➢✓✔*+–—-]|\d{1,2}[.)])\s+")
_LINE = re.compile(r"[^\n]+")
_TERMINATOR = re.compile(r"[.!?…]+")
_QUOTE = re.compile(r"[«“‹»”›\"]")
_OPENING = {"»": "«", "”": "“", "›": "‹", '"': '"'}
_LINE_CLOSED = ".!?…:;»\"”)]"  # a line ending so is finished: a lower-case next line is not its continuation
# Closing marks after a sentence end belong to it; French typography puts a (thin) space before a closing guillemet.
_CLOSING = re.compile(r"(?:[»”›’'\")\]]|[ \u00a0\u202f\u2009]{1,3}[»”›])*")
_OPENERS = "«“‹\"‘'„¿¡"
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.-?)+[^\W\d_]{1,3}")  # U.S, J.-C, Ph.D, a.m
_LINE_BREAKS = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*")  # what str.splitlines() breaks on

# Lower-case entries also match capitalized ("Dr", "Etc"), never in capitals ("BD" is a comic, "bd." a boulevard);
# other entries match as written.
_ABBREVIATIONS = frozenset(  # never end a sentence
    "mme mmes mlle mlles mgr dr drs pr prof mr mrs ms messrs st ste sts mt gen gov sen rep lt sgt capt adm rev hon "
    "ex env cf av apr vs viz approx dept univ fig figs pp éd coll dir trad tél bd boul op e.g i.e c.-à-d MM Me".split()
)
# End a sentence only before a word that opens one: "Apple Inc. The deal", "le 7 oct. Le Hamas", but
# "Apple Inc. Chief Executive", "le 5 janv. 2024".
_TERMINAL = frozenset(
    "etc inc corp ltd co llc plc cie jr sr bros al cit ibid LLC PLC "
    "janv févr fév avr juil déc jan feb aug sep oct nov dec jun jul".split()
)
# Abbreviations only before a number ("No. 10", "art. 49", "vol. 3"); otherwise words ("le vol. Il", "sept.").
_NUMERIC = frozenset("no nos vol art chap ch mar sept nr".split())
_TLDS = frozenset("com fr org net io uk eu gov edu html htm php".split())
_STARTERS = frozenset(
    "Le La Les Un Une Des Du De Ce Cet Cette Ces Cela Ceci Il Ils Elle Elles On Nous Vous Je Mais Et Or Donc Car "
    "Puis Enfin Ensuite Dans Pour Après Avant Depuis Selon Pourtant Alors Quand Lorsque Si Avec Sans Chez Malgré "
    "Ainsi Désormais Cependant Toutefois En Au Aux Son Sa Ses Leur Leurs Par Sur Mon Ma Mes Notre Votre Tout Tous "
    "The A An This That These Those It Its He She They We I You His Her Their Our In On At For After Before But "
    "And So Yet Then There Here When While As If According Since Despite Although However Meanwhile Last Earlier "
    "Some Many Most All".split()
)
_ELIDED = frozenset("L D C J S Qu N M".split())  # L’entreprise, Qu’il
# After a capital initial only words no name goes on with end the sentence: "le plan B. Il", not "M. Le Maire".
_AFTER_INITIAL = frozenset("Il Ils Elle Elles On Nous Vous Je Mais Puis Cela It He She They We But".split())


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article, located by character offsets so the verbatim text can be taken back."""

    id: str  # "3.2": paragraph 3, sentence 2
    paragraph: int  # 1-based, blank-line separated paragraphs, empty ones skipped
    index: int  # 1-based within its paragraph
    start: int  # offset into the text given to split_sentences
    end: int  # exclusive: text[start:end] == self.text
    text: str


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of text[start:end] without its surrounding whitespace (str.isspace, as str.strip)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _blocks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Lines of a paragraph without their bullet marker; a lower-case line continuing an unfinished one is joined."""
    blocks: list[tuple[int, int]] = []
    for line in _LINE.finditer(text, start, end):
        first, last = _strip(text, *line.span())
        if first == last:
            continue
        bullet = _BULLET.match(text, first, last)
        if blocks and not bullet and text[first].islower() and text[blocks[-1][1] - 1] not in _LINE_CLOSED:
            blocks[-1] = (blocks[-1][0], last)  # a hard-wrapped line: the sentence goes on
        else:
            blocks.append((bullet.end() if bullet else first, last))
    return blocks


def _quotations(block: str) -> tuple[list[int], list[int]]:
    """Outermost quotations as sorted opening and closing offsets; an unclosed quote is no quotation."""
    stack: list[tuple[int, str]] = []
    pairs: list[tuple[int, int]] = []
    for match in _QUOTE.finditer(block):
        at, mark = match.start(), match.group()
        if mark in "«“‹":
            stack.append((at, mark))
            continue
        # Only the few innermost openers are searched: a stray mark must not make a long text quadratic.
        for depth in range(len(stack) - 1, max(-1, len(stack) - 9), -1):
            if stack[depth][1] == _OPENING[mark]:
                pairs.append((stack[depth][0], at))
                del stack[depth:]  # openers left inside were never closed
                break
        else:
            if mark == '"':  # a straight quote closes an open one, or else opens
                stack.append((at, mark))
    opens: list[int] = []
    closes: list[int] = []
    for opening, closing in sorted(pairs):
        if not closes or opening > closes[-1]:  # pairs nest or are disjoint: keep the outermost
            opens.append(opening)
            closes.append(closing)
    return opens, closes


def _starts(block: str, at: int) -> bool:
    """True when the text at this offset can open a sentence: capital, digit, quote, or bracket before one."""
    while block[at] in "([" and at + 1 < len(block):
        if block[at + 1] in "….":  # "[…] Il n’y a": a cut in a quotation
            return True
        at += 1
    char = block[at]
    return char.isupper() or char.istitle() or char.isdigit() or char in _OPENERS


def _opens_sentence(block: str, at: int, starters: frozenset[str] = _STARTERS) -> bool:
    """True when the word at this offset is one that usually starts a sentence ("Le", "The", "L’entreprise")."""
    match = re.match(r"[«“\"‘'(\s]*([^\W\d_]+)([’']?)", block[at:at + 40])
    if match is None:
        return False
    word, elided = match.groups()
    return word in starters or bool(elided and starters is _STARTERS and word in _ELIDED)


def _token_before(block: str, at: int) -> str:
    """The word glued before an offset, without opening punctuation or an elided article ("l’U.E" -> "U.E")."""
    left = block[max(0, at - 40):at]
    if not left or left[-1].isspace():
        return ""
    token = left.split()[-1].lstrip("([{«“\"‘'")
    return re.split(r"[’']", token)[-1]


def _abbreviation(block: str, period: int, following: int) -> bool:
    """True when the period closes an abbreviation or an initial, not the sentence (the next word is at following)."""
    token = _token_before(block, period)
    key = token[:1].lower() + token[1:]  # "Dr" as "dr", but "BD" stays "bD"
    if token in _ABBREVIATIONS or key in _ABBREVIATIONS:
        return True
    if _DOTTED.fullmatch(token):  # U.S., J.-C. may end a sentence: "av. J.-C. Les Romains"
        return not _opens_sentence(block, following)
    if not token.isalpha():
        return False  # a number ("en 2023.") or a larger token ("GPT-4o.")
    if len(token) == 1:  # initials "J. K. Rowling", "p. 5"; but "il y en a." is a verb
        return token not in "ay" and not (token.isupper() and _opens_sentence(block, following, _AFTER_INITIAL))
    if token in _TERMINAL or key in _TERMINAL:
        return not _opens_sentence(block, following)
    if key in _NUMERIC:
        nxt = block[following:following + 2]
        return nxt[:1].isdigit() or (nxt[:1].isupper() and nxt[1:2] in ".-")  # "art. 49", "art. L. 122-5"
    return False


def _glued(block: str, run: int, after: int) -> bool:
    """True for a sentence end that lost its space in scraping: "confusion.Le ton", "en 2021.Les"."""
    if block[run:after].strip(".…") or not (block[after:after + 1].isupper() and block[after + 1:after + 2].islower()):
        return False
    token = _token_before(block, run)
    right = re.match(r"[^\W\d_]+", block[after:after + 40])
    if any(mark in token for mark in "./@") or (right is not None and right.group().lower() in _TLDS):
        return False  # Node.js, U.S.Army, OpenAI.Com, a path or an address
    if token.isdigit():
        return len(token) == 4  # a year ("en 2021.Les"); "3.Le" is more likely a numbered item
    if len(token) < 2 or not token.isalpha() or not token[1:].islower():
        return False  # "J.Le", "OpenAI.Le": too short, or not a plain word
    return not any(key in table for key in (token, token.lower()) for table in (_ABBREVIATIONS, _TERMINAL, _NUMERIC))


def _split_block(block: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one line (or joined lines) of a paragraph."""
    opens, closes = _quotations(block)

    def quoted(at: int) -> bool:
        # Inside a quotation when some outermost pair opened before and has not closed before this offset.
        index = bisect_left(opens, at) - 1
        return index >= 0 and at <= closes[index]

    cuts: list[tuple[int, int]] = []
    for match in _TERMINATOR.finditer(block):
        run, after = match.span()
        if run > 0 and block[run - 1] in "([":
            continue  # "[…]" or "(...)" marks a cut, not an end
        closing = _CLOSING.match(block, after)  # always matches, maybe empty
        end = closing.end() if closing else after
        following = end
        while following < len(block) and block[following].isspace():
            following += 1
        if following == len(block) or quoted(end):
            continue  # the end of the block, or a sentence end inside a quotation that goes on
        if following > end and _starts(block, following):
            if match.group() != "." or not _abbreviation(block, run, following):
                cuts.append((end, following))
        elif following == after and _glued(block, run, after):
            cuts.append((after, after))
    starts, ends = [0, *(following for _, following in cuts)], [*(end for end, _ in cuts), len(block)]
    bounds = [_strip(block, start, end) for start, end in zip(starts, ends)]
    return [(first, last) for first, last in bounds if first < last]


def _split(text: str) -> Iterator[tuple[Sentence, int]]:
    """Every sentence with its 0-based paragraph as MappedText.paragraph_of counts it."""
    # Stretches between breaks, blank ones included: each break counts, as in paragraph_of, numbered or not.
    bounds = [0, *(at for match in _PARAGRAPH_BREAK.finditer(text) for at in match.span()), len(text)]
    paragraph = 0
    for zero in range(len(bounds) // 2):
        index = 0
        for first, last in _blocks(text, bounds[2 * zero], bounds[2 * zero + 1]):
            for begin, stop in _split_block(text[first:last]):
                if index == 0:  # numbered on its first sentence: a blank stretch gets no number
                    paragraph += 1
                index += 1
                begin, stop = first + begin, first + stop
                yield Sentence(f"{paragraph}.{index}", paragraph, index, begin, stop, text[begin:stop]), zero


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of a cleaned article in order, each with its "P.S" id and offsets."""
    return [sentence for sentence, _ in _split(text)]


class Sentences:
    """An index over one article's sentences: look one up by id, or show them all numbered for a prompt."""

    def __init__(self, text: str) -> None:
        self.text = text
        found = list(_split(text))
        self._sentences = [sentence for sentence, _ in found]
        self._by_id = {sentence.id: sentence for sentence in self._sentences}
        self._paragraph0 = {sentence.paragraph: zero for sentence, zero in found}

    def __iter__(self) -> Iterator[Sentence]:
        return iter(self._sentences)

    def __len__(self) -> int:
        return len(self._sentences)

    def get(self, id: str) -> Sentence | None:
        """The sentence with this id ("3.2", or "[3.2]" as a model may copy it), None when there is none."""
        return self._by_id.get(id.strip().strip("[]").strip())

    def numbered(self) -> str:
        """One `[P.S] text` line per sentence (line breaks inside shown as spaces), paragraphs apart by a blank line."""
        lines: list[str] = []
        for sentence in self._sentences:
            if lines and sentence.index == 1:
                lines.append("")
            lines.append(f"[{sentence.id}] {_LINE_BREAKS.sub(' ', sentence.text)}")
        return "\n".join(lines)

    def paragraph0(self, id: str) -> int:
        """0-based paragraph of a sentence, as EvidenceSpan.paragraph counts it; KeyError for an unknown id."""
        sentence = self.get(id)
        if sentence is None:
            raise KeyError(id)
        return self._paragraph0[sentence.paragraph]
