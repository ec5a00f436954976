"""What kind of thing an event is, read from its English description: rules as data, first match wins.

Two events merge only when they are the same kind of thing (and share a person or organization, and their dates
agree): "Sam Altman was ousted" and "Mira Murati left" both name OpenAI, but are not one event. The exception is a
move (`MOVE`): "X left A to join B" and "B hired X" are one move told from either side.

Also here, as data: where a description tells several events (`CLAUSE_BREAKS`), which words open a clause with
its subject (`PRONOUNS`), which verbs report someone else's event (`REPORTING`), and which words end a list of
people named together (`LIST_BREAKERS`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from ..checks.text import norm, normalize

ACTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ousted", ("ousted", "oust", "fired", "removed", "dismissed", "sacked", "pushed out", "forced out", "evince")),
    ("returned", ("returned", "return", "reinstated", "came back", "back as", "rehired")),
    ("left", ("left", "leave", "leaving", "departure", "departed", "quit", "resigned", "resign", "exit", "stepped down")),
    ("joined", ("joined", "join", "joining", "hired", "recruited", "hire", "went to", "moved to")),
    ("founded", ("founded", "was created", "created as", "started", "set up", "launched as")),
    ("invested", ("invested", "investment", "provided", "funding", "raised", "billion")),
    ("launched", ("launched", "released", "unveiled")),
    ("restructured", ("restructur", "governance", "for-profit", "nonprofit")),
)
"""(kind, words that say it), in the order they are tried: an ouster that names who replaced the boss is an ouster."""

MOVE = ("left", "joined")
"""A description telling both kinds ("left OpenAI to join Anthropic") is a move: it is one event with a `joined`
event of the same person that names where the move went ("Anthropic hired him"); a plain `left` and a plain `joined`
of one person stay two events (joining OpenAI in 2015 is not leaving it in 2024)."""

CLAUSE_BREAKS: tuple[tuple[str, bool], ...] = (
    (r";\s+", True),
    (r",?\s+and\s+(?=[A-Z])", True),
    (r",?\s+(?:before|after|then)\s+(?=\w+ing\b)", False),
)
"""Where a description may tell a second event, and whether the clause after must open with its own subject (a
name or a pronoun). A break splits only when both sides tell a kind of event of their own, so "Krieger joined as
head of product and Rao as CFO" stays one event while "Altman was fired and Brockman resigned" is two; "went to
Microsoft before returning" is two events in sequence by the same people (the second names no one). The two sides
of a move ("left A before joining B") are never split apart."""

PRONOUNS = ("he", "she", "they", "both", "it", "the two", "all three", "each")
"""Words that open a clause with a subject told before: the clause is about the people named before it."""

REPORTING = ("announced", "announces", "said", "says", "confirmed", "reported", "revealed", "wrote", "told")
"""Verbs that report someone else's event: in "Nadella announced that Altman and Brockman were joining Microsoft" the
event is about the people named just after the verb (within `REPORTED_WITHIN` words), not about the speaker."""

REPORTED_WITHIN = 4
"""How many words may stand between a reporting verb and the people it reports ("announced the departures of X")."""

LIST_BREAKERS = ("who", "which", "whom", "whose", "by", "that", "to", "from", "with", "after", "before", "then", "but")
"""Words that end a list of people named together: "A, research director B and C left" is about A, B and C; "A,
replaced by B" or "A, who hired B" is about A. The words between two listed names are a comma or "and" and at most
`LIST_GAP` words of a title, none of these and no word of a kind."""

LIST_GAP = 3

_PATTERNS = tuple((kind, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)) for kind, words in ACTIONS)
_BY_KIND = dict(_PATTERNS)
_ANY_KIND = re.compile("|".join(p.pattern for _, p in _PATTERNS), re.IGNORECASE)


def action_of(description: str) -> str | None:
    """The kind of event a description tells, or None when no rule says."""
    for kind, pattern in _PATTERNS:
        if pattern.search(description):
            return kind
    return None


def is_kind_word(word: str) -> bool:
    """The word says a kind of event ("fired", "joining")."""
    return _ANY_KIND.match(word) is not None


def move_destination(description: str) -> int | None:
    """Where the joining side of a move is told (an offset into the description), or None when it is no move."""
    if not all(_BY_KIND[kind].search(description) for kind in MOVE):
        return None
    found = _BY_KIND[MOVE[1]].search(description)
    return found.end() if found else None


_BREAKS = tuple((re.compile(pattern), opens) for pattern, opens in CLAUSE_BREAKS)
_LONGEST_NAME = 5  # words a name opening a clause is looked for in
_PRONOUN = re.compile(r"(?:" + "|".join(re.escape(p) for p in PRONOUNS) + r")\b", re.IGNORECASE)


def clauses(description: str, names: Collection[str] = ()) -> list[str]:
    """The clauses of a description that each tell an event of their own; a description telling one is one clause.

    `names` are the people and organizations known, as compared (`norm`), and their last words: a clause that must
    open with its subject opens with one of them or with a pronoun.
    """
    parts = [description]
    for pattern, opens in _BREAKS:
        parts = [clause for part in parts for clause in _split(part, pattern, opens, names)]
    return parts


def _split(text: str, pattern: re.Pattern[str], opens: bool, names: Collection[str]) -> list[str]:
    """`text` cut at each break where both sides tell a kind of their own (and the second opens with its subject)."""
    cuts = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not cuts:
        return [text]
    pieces = [text[a:b] for a, b in zip([0] + [e for _, e in cuts], [s for s, _ in cuts] + [len(text)])]
    joins = [text[s:e] for s, e in cuts]
    out, current = [], pieces[0]
    for join, piece in zip(joins, pieces[1:]):
        if _apart({action_of(current), action_of(piece)}) and (not opens or _opens_with_subject(piece, names)):
            out.append(current)
            current = piece
        else:
            current += join + piece
    return [*out, current]


def _apart(kinds: set[str | None]) -> bool:
    """Two clauses tell two events when each tells a kind of its own, unless they are the two sides of one move."""
    return None not in kinds and kinds != set(MOVE)


def _opens_with_subject(clause: str, names: Collection[str]) -> bool:
    """The clause's first words are a known name (or its last word) or a pronoun: "Brockman resigned", "both went"."""
    if _PRONOUN.match(clause):
        return True
    words = norm(clause).split()
    return any(" ".join(words[:n]) in names for n in range(1, min(len(words), _LONGEST_NAME) + 1))


_TOKEN = re.compile(r"\w+|,")


def tokens_of(text: str) -> list[str]:
    """A text's words as names are compared (`norm`), with its commas kept: a list of names is read by them."""
    return _TOKEN.findall(normalize(text))


def listed(tokens: Sequence[str], gap: tuple[int, int]) -> bool:
    """The words between two names join them in one list: a comma or "and", then at most a short title."""
    words = tokens[gap[0] : gap[1]]
    if not words or words[0] not in (",", "and"):
        return False
    title = [w for w in words if w not in (",", "and")]
    return len(title) <= LIST_GAP and not any(w in LIST_BREAKERS or is_kind_word(w) for w in title)


__all__ = [
    "ACTIONS", "CLAUSE_BREAKS", "LIST_BREAKERS", "LIST_GAP", "MOVE", "PRONOUNS", "REPORTED_WITHIN", "REPORTING",
    "action_of", "clauses", "is_kind_word", "listed", "move_destination", "tokens_of",
]  # fmt: skip
