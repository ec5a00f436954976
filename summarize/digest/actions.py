"""What kind of thing an event is, read from its English description: rules as data, first match wins.

Two events merge only when they are the same kind of thing (and share a person or organization, and their dates
agree): "Sam Altman was ousted" and "Mira Murati left" both name OpenAI, but are not one event.
"""

from __future__ import annotations

import re

ACTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ousted", ("ousted", "oust", "fired", "removed", "dismissed", "sacked", "pushed out", "forced out", "evince")),
    ("returned", ("returned", "return", "reinstated", "came back", "back as", "rehired")),
    ("left", ("left", "leave", "leaving", "departure", "departed", "quit", "resigned", "resign", "exit", "stepped down")),
    ("joined", ("joined", "join", "joining", "hired", "recruited", "hire")),
    ("founded", ("founded", "was created", "created as", "started", "set up", "launched as")),
    ("invested", ("invested", "investment", "provided", "funding", "raised", "billion")),
    ("launched", ("launched", "released", "unveiled")),
    ("restructured", ("restructur", "governance", "for-profit", "nonprofit")),
)
"""(kind, words that say it), in the order they are tried: an ouster that names who replaced the boss is an ouster."""

_PATTERNS = tuple((kind, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)) for kind, words in ACTIONS)


def action_of(description: str) -> str | None:
    """The kind of event a description tells, or None when no rule says."""
    for kind, pattern in _PATTERNS:
        if pattern.search(description):
            return kind
    return None


__all__ = ["ACTIONS", "action_of"]
