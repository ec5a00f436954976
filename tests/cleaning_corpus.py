"""The cleaning corpus: real pages the cleaner was not written for, with every line labelled, and how to score a run.

Each page in `fixtures/cleaning/corpus.toml` names its expected title and its boilerplate lines (`drop`), lines
that may go either way (`either`: bylines, dates, captions, a repeated headline); every other non-blank line is
content. A run is scored line by line from the cleaner's own drop report, never by searching the output text
(a short boilerplate line such as "Comment" also occurs inside prose).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarize.reading.clean import Cleaned, clean_text

CORPUS = Path(__file__).parent / "fixtures" / "cleaning"
# Drops that keep the text once: a repeat of the title or of an earlier paragraph loses nothing.
_REPEATS = frozenset({"title_repeat", "duplicate"})


@dataclass
class PageScore:
    """One page's outcome: which labelled lines went the wrong way, and the title chosen."""

    file: str
    language: str
    title: str | None
    title_expected: str
    title_ok: tuple[str, ...]
    boilerplate: int = 0
    boilerplate_kept: list[str] = field(default_factory=list)
    content: int = 0
    content_dropped: list[tuple[str, str]] = field(default_factory=list)
    content_cut: list[tuple[str, str, str]] = field(default_factory=list)
    """Content lines of which a glued piece was dropped: (line, rule, the piece), e.g. "…lab.Read More"."""

    @property
    def title_wrong(self) -> bool:
        """A title that is not the page's headline (or one of its accepted forms): it would go into the prompt."""
        return self.title is not None and self.title not in (self.title_expected, *self.title_ok)

    @property
    def title_missed(self) -> bool:
        """No title although the page has a headline (the headline then stays in the body: nothing is lost)."""
        return self.title is None and bool(self.title_expected)


def pages() -> list[dict[str, Any]]:
    """The corpus entries, in file order."""
    with (CORPUS / "corpus.toml").open("rb") as handle:
        return list(tomllib.load(handle)["page"])


def raw_text(page: dict[str, Any]) -> str:
    """The page's text exactly as stored."""
    return (CORPUS / "pages" / page["file"]).read_text(encoding="utf-8")


def dropped_lines(raw: str, cleaned: Cleaned) -> dict[int, tuple[str, str | None]]:
    """1-based raw line number -> (rule, None) for a line dropped whole, (rule, dropped text) for a glued part."""
    lines = [line.strip() for line in raw.splitlines()]
    out: dict[int, tuple[str, str | None]] = {}
    for drop in cleaned.dropped:
        rest, number = " ".join(drop.text.split()), drop.line
        while rest and number <= len(lines):
            line = " ".join(lines[number - 1].split())
            if not line:
                number += 1
                continue
            if rest.startswith(line):  # the whole line (a paragraph may span several: bullets, wrapped lines)
                out[number] = (drop.rule, None)
                rest = rest[len(line):].lstrip()
                number += 1
            else:  # a piece of a line with sentences glued by a lost line break
                out.setdefault(number, (drop.rule, rest))
                break
    return out


def score(page: dict[str, Any], clean: Any = clean_text) -> PageScore:
    """Clean one page and compare every labelled line with what happened to it."""
    raw = raw_text(page)
    cleaned = clean(raw)
    dropped = dropped_lines(raw, cleaned)
    result = PageScore(page["file"], page["language"], cleaned.title, page["title"], tuple(page.get("title_ok", ())))
    moved = cleaned.title
    drop, either = set(page["drop"]), set(page["either"])
    for number, line in enumerate(raw.splitlines(), 1):
        text = line.strip()
        if not text or text in either:
            continue
        rule, part = dropped.get(number, (None, None))
        if text in drop:
            result.boilerplate += 1
            if rule is None or part is not None or text == moved:
                result.boilerplate_kept.append(text)
        elif text != page["title"]:
            result.content += 1
            if rule is not None and rule not in _REPEATS:
                if part is None:
                    result.content_dropped.append((text, rule))
                else:
                    result.content_cut.append((text, rule, part))
    return result


@dataclass
class Totals:
    """The corpus figures of one cleaner."""

    pages: int
    boilerplate: int
    boilerplate_kept: int
    content: int
    content_dropped: int
    content_cut: int
    titles_wrong: int
    titles_missed: int


def totals(scores: list[PageScore]) -> Totals:
    """Sum the page scores."""
    return Totals(
        pages=len(scores),
        boilerplate=sum(s.boilerplate for s in scores),
        boilerplate_kept=sum(len(s.boilerplate_kept) for s in scores),
        content=sum(s.content for s in scores),
        content_dropped=sum(len(s.content_dropped) for s in scores),
        content_cut=sum(len(s.content_cut) for s in scores),
        titles_wrong=sum(s.title_wrong for s in scores),
        titles_missed=sum(s.title_missed for s in scores),
    )
