"""A digest's merge scored against a gold timeline (`seeds/timeline.toml`): one entry per event, and the disagreements shown.

An entry of the digest stands for a gold event when one of its citations names an article and a sentence the gold
says tells that event, its wording names one of the event's names, and it is of the event's kind. Then:

- merged correctly: a gold event told by two or more articles is exactly one entry, citing at least two of them;
- duplicates left: entries beyond the first that stand for one gold event (it should have been merged);
- wrong merges: entries that stand for two or more gold events (they should have stayed apart);
- found / missed: gold events some entry stands for, or none;
- disagreements found: a gold disagreement whose sides the digest shows together (one entry citing both sides
  with two tellings, or a person marked "sources differ" with both sides' citations).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ..digest.merge import MergedEvent, MergedFacts
from ..errors import InputError


class GoldEvent(BaseModel):
    """One event of the gold timeline and the sentences of each article that tell it."""

    id: str
    date: str = ""
    what: str
    action: str = ""
    names: list[str] = Field(min_length=1)
    reports: dict[str, list[str]]


class GoldDiffer(BaseModel):
    """Where the articles disagree: an event id or `person:NAME`, and the articles on each side."""

    on: str
    what: str
    sides: list[list[str]] = Field(min_length=2)


class GoldTimeline(BaseModel):
    """A gold timeline file."""

    kind: str
    format: int
    event: list[GoldEvent]
    differ: list[GoldDiffer] = Field(default_factory=list)

    def articles(self) -> list[str]:
        """Every article the timeline cites, in file order."""
        return sorted({article for e in self.event for article in e.reports})


def is_timeline(path: Path) -> bool:
    """True when a gold file is a timeline (`kind = "timeline"`), not a gold set of facts."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8")).get("kind") == "timeline"
    except (OSError, ValueError):
        return False


def load_timeline(path: Path) -> GoldTimeline:
    """The gold timeline in `path`, checked; a bad file is one InputError naming what is wrong."""
    try:
        return GoldTimeline.model_validate(tomllib.loads(Path(path).read_text(encoding="utf-8")))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


@dataclass
class TimelineScore:
    """How a digest's merge compares with the gold timeline."""

    events: int = 0
    multi_source: int = 0
    merged_correctly: int = 0
    duplicates: int = 0
    wrong_merges: int = 0
    found: int = 0
    disagreements: int = 0
    disagreements_found: int = 0
    details: list[str] = field(default_factory=list)


def _stands_for(entry: MergedEvent, gold: GoldEvent) -> bool:
    """The entry cites a sentence that tells the gold event, names one of its names, and (if typed) is of its kind."""
    if gold.action and entry.action and entry.action != gold.action:
        return False
    wording = " ".join(v.value for v in entry.descriptions) or entry.description
    if not any(re.search(rf"\b{re.escape(name)}", wording, re.IGNORECASE) for name in gold.names):
        return False
    return any(set(c.sentences) & set(gold.reports.get(c.article, [])) for c in entry.citations)


def score_timeline(facts: MergedFacts, gold: GoldTimeline) -> TimelineScore:
    """Score merged facts (article ids as the timeline names them) against the gold timeline."""
    score = TimelineScore(events=len(gold.event), disagreements=len(gold.differ))
    entries = facts.events
    for entry in entries:
        standing = [g.id for g in gold.event if _stands_for(entry, g)]
        if len(standing) > 1:
            score.wrong_merges += 1
            score.details.append(f"one entry for {', '.join(standing)}: {entry.description}")
    for g in gold.event:
        mine = [e for e in entries if _stands_for(e, g)]
        score.found += bool(mine)
        score.duplicates += max(0, len(mine) - 1)
        if len(mine) > 1:
            score.details.append(f"{g.id} is {len(mine)} entries")
        if len(g.reports) >= 2:
            score.multi_source += 1
            cited = {c.article for c in mine[0].citations} & set(g.reports) if len(mine) == 1 else set()
            if len(cited) >= 2:
                score.merged_correctly += 1
    by_id = {g.id: g for g in gold.event}
    for differ in gold.differ:
        found = False
        if differ.on.startswith("person:"):
            name = differ.on.removeprefix("person:")
            person = next((p for p in facts.people if p.name == name), None)
            if person is not None and person.differs:
                cited = {c.article for v in person.organizations for c in v.citations}
                found = all(set(side) & cited for side in differ.sides)
        elif differ.on in by_id:
            for entry in (e for e in entries if _stands_for(e, by_id[differ.on])):
                cited = {c.article for c in entry.citations}
                found = found or (len(entry.descriptions) > 1 and all(set(side) & cited for side in differ.sides))
        score.disagreements_found += found
        if not found:
            score.details.append(f"disagreement not shown: {differ.on} ({differ.what})")
    return score


def timeline_markdown(rows: list[tuple[str, TimelineScore]], gold: str) -> str:
    """The scores of several runs as one table, then what each run got wrong."""
    lines = [f"# Digest merge against {gold}", "",
             "| run | events found | merged correctly (2+ sources) | duplicates left | wrong merges | disagreements shown |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for label, s in rows:
        lines.append(f"| {label} | {s.found}/{s.events} | {s.merged_correctly}/{s.multi_source} | {s.duplicates} | "
                     f"{s.wrong_merges} | {s.disagreements_found}/{s.disagreements} |")  # fmt: skip
    for label, s in rows:
        if s.details:
            lines += ["", f"## {label}", ""] + [f"- {d}" for d in s.details]
    return "\n".join(lines) + "\n"


__all__ = ["GoldTimeline", "TimelineScore", "is_timeline", "load_timeline", "score_timeline", "timeline_markdown"]
