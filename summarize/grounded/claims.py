"""One claim of a cited answer and its sentences, and the bookkeeping of a derivation (what was dropped or corrected)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..answer_base import SENTENCE
from ..schemas import Article, Repair, ResultWarning
from ..reading.sentences import Sentence, Sentences


@dataclass(frozen=True)
class Claim:
    """One claim of the answer as the reader sees it, and the sentences it cites (valid ids only)."""

    field: str
    text: str
    sentences: tuple[Sentence, ...]
    prose: bool = True
    """Written by the model in the target language (checked for names, numbers and dates against its sentences)."""
    names: tuple[str, ...] = ()
    """For people, organizations and quotes: the names the item gives (person and organization, speaker)."""

    @property
    def cited(self) -> str:
        """The cited sentences' text, one after the other."""
        return " ".join(s.text for s in self.sentences)


def _clip(text: str, limit: int = SENTENCE) -> str:
    # The answer schema bounds evidence at 700 characters; the full sentence stays in the result's evidence spans.
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class _Deriver:
    def __init__(self, article: Article, sentences: Sentences) -> None:
        self.article, self.index = article, sentences
        self.repairs: list[Repair] = []
        self.warnings: list[ResultWarning] = []
        self.claims: list[Claim] = []

    def cites(self, where: str, text: str, ids: list[str], *, keep: bool = False) -> tuple[Sentence, ...] | None:
        """The cited sentences (bad ids dropped and listed); None when none is left and the item must go."""
        found = [s for s in (self.index.get(i) for i in dict.fromkeys(ids)) if s is not None]
        bad = [i for i in ids if self.index.get(i) is None]
        if bad and (found or keep):
            self.repairs.append(Repair(field=where, action="dropped", text=", ".join(bad), reason="citation of a sentence that does not exist"))
        if not found and not keep:
            self.repairs.append(Repair(field=where, action="dropped", text=text[:200], reason=f"cites no sentence of the article ({', '.join(bad)})"))
            return None
        if not found:
            self.warnings.append(ResultWarning(kind="wrong-citation", field=where, text=text[:80], detail="cites no sentence of the article"))
        return tuple(found)

    def drop(self, where: str, text: str, reason: str) -> None:
        self.repairs.append(Repair(field=where, action="dropped", text=text[:200], reason=reason))

    def correct(self, where: str, text: str, reason: str) -> None:
        self.repairs.append(Repair(field=where, action="corrected", text=text[:200], reason=reason))

    def warn(self, kind: str, where: str, text: str, detail: str) -> None:
        self.warnings.append(ResultWarning(kind=kind, field=where, text=text[:80], detail=detail))  # type: ignore[arg-type]

    @property
    def published_year(self) -> int | None:
        found = re.match(r"(\d{4})", self.article.published or "")
        return int(found.group(1)) if found else None
