"""What one event description of a brief tells: its clauses (a description may tell several events), and for each
the kind of event, who it is about, the organizations it names and where a move goes. The merge (merge.py)
compares these, never the descriptions' wording.

- A description is cut into clauses where each side tells a kind of its own (summarize.digest.actions.clauses).
- A clause is about its subject: the people named together first ("A, B and C left": all three), or, after a
  reporting verb, the people it reports ("X announced that A and B joined": A and B); a clause naming no one is
  about the people named before it ("both went to Microsoft"); else its first organization.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .actions import REPORTED_WITHIN, REPORTING, action_of, clauses, listed, move_destination, tokens_of


class Lexicon:
    """Known names (as compared), found in a text by its words in one pass: linear in the text, whatever the names."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.by_word: dict[str, list[list[str]]] = {}
        for key in keys:
            words = key.split()
            # A name is found in full or by its last word ("Altman"), as the people merge joins them.
            for word in {words[0], words[-1]}:
                self.by_word.setdefault(word, []).append(words)

    def find(self, tokens: Sequence[str]) -> dict[str, tuple[int, int]]:
        """The names the tokens mention, each with the span (token offsets) where it is first mentioned."""
        found: dict[str, tuple[int, int]] = {}
        for i, token in enumerate(tokens):
            for words in self.by_word.get(token, ()):
                key = " ".join(words)
                if key in found:
                    continue
                if tokens[i : i + len(words)] == words:
                    found[key] = (i, i + len(words))
                elif token == words[-1]:
                    found[key] = (i, i + 1)
        return found


def _subject(tokens: Sequence[str], named: dict[str, tuple[int, int]]) -> set[str]:
    """Who an event is about: the people named together first ("A, B and C left": all three), or the people a
    reporting verb reports ("X announced that A and B joined": A and B). Matching on every name chained unrelated
    events ("Sam Altman announced ..." is not about everyone it names)."""
    if not named:
        return set()
    ordered = sorted(named.items(), key=lambda kv: kv[1])
    first = 0
    reported = next((i for i, t in enumerate(tokens) if t in REPORTING), None)
    if reported is not None:
        after = [n for n, (_, span) in enumerate(ordered) if reported < span[0] <= reported + 1 + REPORTED_WITHIN]
        first = after[0] if after else 0
    subject = [ordered[first]]
    for item in ordered[first + 1 :]:
        if not listed(tokens, (subject[-1][1][1], item[1][0])):
            break
        subject.append(item)
    return {key for key, _ in subject}


def _about(tokens: Sequence[str], who: dict[str, tuple[int, int]], where: dict[str, tuple[int, int]], before: set[str]) -> set[str]:
    """A clause's subject: the people it is about; when it names no one ("both went to Microsoft"), the people the
    description named before it (its pronouns refer back); else its organization (named in almost every event)."""
    return _subject(tokens, who) or set(before) or _subject(tokens, where)


@dataclass
class Told:
    """One event as one clause of a brief tells it."""

    text: str
    action: str | None
    subject: set[str]
    people: set[str]
    orgs: set[str]
    destination: str | None
    """The organization a move goes to (its joining side names it), or None when it is no move."""
    names_people: bool
    """The clause names someone (not only "both went to Microsoft"): it may headline its entry."""


def _destination(clause: str, where: dict[str, tuple[int, int]]) -> str | None:
    """Where a move goes: the first organization named after its joining word; None when it is no move."""
    at = move_destination(clause)
    if at is None:
        return None
    start = len(tokens_of(clause[:at]))
    return min(((span[0], key) for key, span in where.items() if span[0] >= start), default=(0, None))[1]


def read_event(description: str, people: Lexicon, orgs: Lexicon, known: frozenset[str]) -> list[Told]:
    """The events a description tells: one per clause that tells its own (summarize.digest.actions.clauses)."""
    out: list[Told] = []
    before: set[str] = set()
    for clause in clauses(description, known):
        tokens = tokens_of(clause)
        who, where = people.find(tokens), orgs.find(tokens)
        subject = _about(tokens, who, where, before)
        people_of = set(who) | (subject - set(where))  # with the people a clause naming no one is about
        out.append(Told(clause, action_of(clause), subject, people_of, set(where), _destination(clause, where), bool(who)))
        before |= set(who)
    return out


__all__ = ["Lexicon", "Told", "read_event"]
