"""The title: the headline-shaped line above the body that the page itself vouches for, or none at all.

A scraped page opens with whatever came first: menus, category labels, promos, a login form. The first
surviving line is therefore no evidence of anything. A line becomes the title only with evidence:

- **repeated**: the page carries it again (a headline repeated above the text, or inside a breadcrumb);
- **about the body**: at least two of its content words, and 30 % of them, occur in the body;
- **placed like a headline** (directly over the byline, the date or the text) with half its words the body's.

A line of one or two words needs more (a section label also names the article's subject). Without
evidence there is no title: the headline-shaped lines stay in the body, so nothing is lost. Once a title
is chosen, the short labels above it (section names, breadcrumbs, taglines) are navigation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import DIGIT, find_date
from .paragraphs import Para
from .rules import STOPWORDS, WORD
from .text import dedup_key, fold

HEAD_PIECES = 25
"""How many surviving pieces from the top are looked at when the body's first paragraph is not found sooner."""

_REPEAT_PIECES = 400  # a headline repeats near the top; searching a huge page further finds nothing more
_BELOW_CHARS = 20_000  # enough body to judge a headline by; a huge page costs no more
_PROSE_END = re.compile(r"[.!?…][»”\"’)]?$|[»”]$")
_PERIOD = re.compile(r"(?<!\.)\.$")  # a full stop, not an ellipsis
_SENTENCE_BREAK = re.compile(r"[a-zß-öø-ÿ]{2}[.!] +[A-ZÀ-ÖØ-Þ]")
_JOINING = re.compile(
    r"\b(?:a|an|the|of|in|on|at|for|to|with|and|or|by|from|as|is|are|de|du|des|la|le|les|un|une|et|ou|en|au|aux|"
    r"pour|par|sur|dans|avec|est|sont)\b|[:,!?'-]"
)
_METADATA_RULES = frozenset({"byline", "syndication"})
# Dropped lines that sit between a headline and what follows it without saying anything about it.
_NOISE_RULES = frozenset({"debris", "caption", "navigation", "promo", "account", "newsletter", "related", "paywall"})


def stems(text: str) -> set[str]:
    """Content words (4+ letters, not stopwords), folded and cut to six letters so that inflections meet."""
    return {w[:6] for w in WORD.findall(fold(text)) if w not in STOPWORDS}


def prose(text: str) -> bool:
    """A sentence-like paragraph (not a title, label or date line): enough words and closing punctuation."""
    return len(text.split()) >= 15 or (len(text.split()) >= 8 and bool(_PROSE_END.search(text)))


def headline_like(para: Para) -> bool:
    """One line of 2-30 words that reads as a headline: no list, no second sentence, no trailing comma."""
    text = para.text
    if para.bullets or "\n" in text or len(text) > 200:
        return False
    words = len(text.split())
    if not 2 <= words <= 30 or not (text[:1].isalnum() or text[:1] in "«“\"‘'("):
        return False
    # Some sites end a headline with a full stop; a longer one-sentence line is a lead, not a headline.
    if text.endswith((",", ";", ":")) or (text.endswith(".") and not text.endswith("...") and words > 20):
        return False
    return not _SENTENCE_BREAK.search(text)


def _following(pieces: list[Para], index: int) -> int | None:
    """The next piece that says something (surviving text or metadata), skipping dropped noise."""
    return next((j for j in range(index + 1, len(pieces)) if pieces[j].rule not in _NOISE_RULES), None)


def _body_start(pieces: list[Para]) -> int:
    """Index of the first paragraph of running text: prose that is not one headline-shaped sentence."""
    for i, piece in enumerate(pieces):
        if piece.rule is None and prose(piece.text) and not headline_like(piece):
            return i
    return len(pieces)


@dataclass(frozen=True)
class _Evidence:
    index: int
    words: int
    repeated: bool
    shared: int
    ratio: float
    above_metadata: bool
    above_body: bool
    period: bool

    @property
    def enough(self) -> bool:
        if self.words < 2 or (self.words == 2 and not (self.placed and self.shared == 2 and self.ratio == 1.0)):
            # "Intelligence artificielle", "Ryan Duffy": labels and names, unless right above the text it names
            return False
        if self.repeated and not self.period:  # a sentence repeated below is a lead or a teaser, not a headline
            return True
        about_body = self.shared >= 2 and self.ratio >= 0.3
        return (about_body or (self.placed and self.shared >= 1 and self.ratio >= 0.5)) and self.may_end_with_period

    @property
    def placed(self) -> bool:
        return self.above_metadata or self.above_body

    @property
    def may_end_with_period(self) -> bool:
        # Some sites end a headline with a full stop; so does a lead sentence, which no byline follows.
        return not self.period or self.above_metadata


def _stems_below(pieces: list[Para], keys: list[str | None], index: int, key: str, known: dict[int, set[str]]) -> set[str]:
    """The stems of the surviving text after piece `index` (a title's repeats left out), about 20,000 characters.

    Each piece's stems are taken once from its folded text (`known`, by index) and shared by every candidate.
    """
    found: set[str] = set()
    size = 0
    for j in range(index + 1, len(pieces)):
        if pieces[j].rule is None and keys[j] != key:
            if j not in known:
                known[j] = {w[:6] for w in WORD.findall(pieces[j].folded) if w not in STOPWORDS}
            found |= known[j]
            size += len(pieces[j].text) + 1
            if size >= _BELOW_CHARS:
                break
    return found


def _evidence(pieces: list[Para], keys: list[str | None], index: int, start: int, known: dict[int, set[str]]) -> _Evidence:
    piece, key = pieces[index], keys[index] or ""
    repeated = len(key) >= 12 and any(j != index and other is not None and key in other for j, other in enumerate(keys))
    # The body, not the rest of the header: two menu lines share words with each other, not with the article.
    # (A page of one-sentence paragraphs has no such start: then everything below the line is the body.)
    below = _stems_below(pieces, keys, max(index, start - 1) if start < len(pieces) else index, key, known)
    own = stems(piece.text)
    shared = len(own & below)
    following = _following(pieces, index)
    above_metadata = following is not None and pieces[following].rule in _METADATA_RULES
    above_body = following is not None and following >= start
    period = bool(_PERIOD.search(piece.text))
    return _Evidence(
        index, len(piece.text.split()), repeated, shared, shared / len(own) if own else 0.0,
        above_metadata, above_body, period,
    )  # fmt: skip


def choose_title(pieces: list[Para]) -> int | None:
    """Index of the piece that is the title, or None; labels above it are marked `navigation`."""
    start = _body_start(pieces)
    head = [i for i, p in enumerate(pieces[:start]) if p.rule is None][:HEAD_PIECES]
    # Keys of the lines a title may repeat in (surviving text and metadata lines), computed once.
    keys = [
        dedup_key(p.folded) if i < _REPEAT_PIECES and (p.rule is None or p.rule in _METADATA_RULES) else None
        for i, p in enumerate(pieces)
    ]
    known: dict[int, set[str]] = {}
    found = [e for e in (_evidence(pieces, keys, i, start, known) for i in head if _candidate(pieces, i)) if e.enough]
    # The page's own repetition decides first (a headline shown twice, or inside a breadcrumb); otherwise the
    # highest line with evidence: decks, captions and subheadings come below the headline, not above it.
    repeated = [e for e in found if e.repeated and not e.period]
    if repeated:  # the last text repeated above the body (a survey or promo banner may repeat too, higher up)
        last = keys[repeated[-1].index]
        chosen: _Evidence | None = next(e for e in repeated if keys[e.index] == last)
    else:
        chosen = found[0] if found else None
    if chosen is None:  # without a title there is no telling a section label from a one-word heading
        return None
    title_key = keys[chosen.index] or ""
    for i in head:
        if i >= chosen.index:
            break
        # A breadcrumb ends with the title; section names and taglines are short non-sentences.
        if _label(pieces[i].text) or (keys[i] or "").endswith(title_key):
            pieces[i].rule = "navigation"
    return chosen.index


def _candidate(pieces: list[Para], index: int) -> bool:
    piece = pieces[index]
    if not headline_like(piece):
        return False
    # The second half of a headline split after a comma is not a headline of its own.
    previous = next((p for p in reversed(pieces[:index]) if p.rule is None), None)
    if previous is not None and previous.text.endswith(","):
        return False
    # "Business Economics Healthcare Lifestyle Science": a row of section names, every word capitalized and no
    # word to join them, is a menu, not a headline.
    words = piece.text.split()
    if len(words) >= 5 and all(w[:1].isupper() for w in words) and not _JOINING.search(piece.folded):
        return False
    # A line that is mostly a date ("Last update Fri, 24 Mar 2023 11am") is a stamp, not a headline.
    found = find_date(piece.folded) if DIGIT.search(piece.folded) else None
    return found is None or len((piece.folded[: found[1]] + piece.folded[found[2]:]).split()) > 4


def _label(text: str) -> bool:
    return len(text.split()) <= 12 and not prose(text) and not text.rstrip().endswith(("?", "!"))
