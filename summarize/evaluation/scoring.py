"""Score one answer against its gold article: facts matched one to one, then precision, recall and F1 per field.

Matching rules (docs/evaluation.md):
- people and organizations: the name or an alias, accent-, case- and punctuation-insensitive;
- events: the dates agree at the coarser of the two precisions (an undated gold event takes any date), one of the
  gold entities is named in the answer's description or evidence, and one keyword starts a word of the description;
- amounts: the value within 1 % and the same currency;
- quotes: the right speaker (or one of their aliases) and a verbatim run of words covering 80 % of the shorter text.

Each answer item matches at most one gold fact; a repeated item counts as a false one. An optional gold fact that is
found counts as right; one that is missed is not counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..checks import target_fields
from ..checks.text import norm
from .gold import GoldArticle, GoldEvent, GoldPerson, GoldQuote
from ..schemas import Amount, Event, Quote, Result, Summary, TranslationResult

FIELDS = ("people", "organizations", "events", "amounts", "quotes")
METADATA = ("title", "author", "published", "url")
QUOTE_OVERLAP = 0.8
AMOUNT_TOLERANCE = 0.01
def _has_words(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {haystack} "


@dataclass
class FieldScore:
    """True, false and missed facts of one field, and which ones (for the report)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    extras: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, other: FieldScore) -> None:
        """Accumulate another article's counts (micro-averaging)."""
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float | None:
        """Share of the answer's facts that are right; None when the answer claimed nothing."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """Share of the gold facts found; None when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; 1.0 when both sides are empty, 0.0 when nothing is right."""
        if self.tp + self.fp + self.fn == 0:
            return None
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn)


def match(answer: Sequence[Any], gold: Sequence[Any], same: Callable[[Any, Any], bool], label: Callable[[Any], str],
          gold_label: Callable[[Any], str]) -> FieldScore:  # fmt: skip
    """Match answer items to gold facts one to one, as many pairs as possible, and count.

    A maximum bipartite matching (augmenting paths): first-fit would let an answer item take the gold fact that a
    later item alone could match, and count a right answer as wrong.
    """
    fits = [[g for g in range(len(gold)) if same(item, gold[g])] for item in answer]
    owner: dict[int, int] = {}  # gold index -> answer index

    def place(i: int, seen: set[int]) -> bool:
        for g in fits[i]:
            if g not in seen:
                seen.add(g)
                if g not in owner or place(owner[g], seen):
                    owner[g] = i
                    return True
        return False

    matched = {i for i in range(len(answer)) if place(i, set())}
    score = FieldScore(tp=len(matched))
    for i, item in enumerate(answer):
        if i not in matched:
            score.fp += 1
            score.extras.append(label(item))
    for g, fact in enumerate(gold):
        if g not in owner and not fact.optional:
            score.fn += 1
            score.misses.append(gold_label(fact))
    return score


def _forms(name: str, aliases: Sequence[str]) -> set[str]:
    return {norm(n) for n in (name, *aliases)} - {""}


def _names_match(answer_name: str, name: str, aliases: Sequence[str]) -> bool:
    said = norm(answer_name)
    return said in _forms(name, aliases) or _has_words(said, norm(name))


def _dates_agree(gold: str, answer: str | None) -> bool:
    if not gold:
        return True
    if not answer:
        return False
    n = min(len(gold), len(answer))
    return n >= 4 and gold[:n] == answer[:n]


def _event_matches(item: Event, gold: GoldEvent) -> bool:
    if not _dates_agree(gold.date, item.date):
        return False
    said = norm(" ".join([item.description, *item.evidence]))
    if not any(_has_words(said, norm(entity)) for entity in gold.entities):
        return False
    description = " " + norm(item.description)
    return not gold.keywords or any(f" {norm(k)}" in description for k in gold.keywords)


def _amount_matches(item: Amount, value: float, currency: str) -> bool:
    if (item.currency or "") != currency:
        return False
    return abs(item.value - value) <= AMOUNT_TOLERANCE * max(abs(value), 1e-9)


def _longest_run(a: list[str], b: list[str]) -> int:
    """Length of the longest run of words common to both (dynamic programming over words)."""
    best, previous = 0, [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def quote_overlap(answer: str, gold: str) -> float:
    """The longest verbatim run of words shared by the two, as a share of the shorter one's words."""
    a, g = norm(answer).split(), norm(gold).split()
    if not a or not g:
        return 0.0
    return _longest_run(a, g) / min(len(a), len(g))


def _quote_matches(item: Quote, gold: GoldQuote, people: Sequence[GoldPerson]) -> bool:
    aliases = next((p.aliases for p in people if norm(p.name) == norm(gold.speaker)), [])
    if not item.speaker or not _names_match(item.speaker, gold.speaker, aliases):
        return False
    return quote_overlap(item.original, gold.text) >= QUOTE_OVERLAP


def score_facts(summary: Summary, gold: GoldArticle) -> dict[str, FieldScore]:
    """Precision/recall counts of each fact field of one answer."""
    facts = summary.key_facts
    return {
        "people": match(
            facts.people, gold.people, lambda p, g: _names_match(p.name, g.name, g.aliases),
            lambda p: p.name, lambda g: g.name,
        ),
        "organizations": match(
            facts.organizations, gold.organizations, lambda o, g: _names_match(o.name, g.name, g.aliases),
            lambda o: o.name, lambda g: g.name,
        ),
        "events": match(
            facts.events, gold.events, _event_matches,
            lambda e: f"{e.date or 'undated'}: {e.description}", lambda g: f"{g.date or 'undated'}: {g.description}",
        ),
        "amounts": match(
            facts.amounts, gold.amounts, lambda a, g: _amount_matches(a, g.value, g.currency),
            lambda a: a.text, lambda g: g.text or f"{g.value:g} {g.currency}",
        ),
        "quotes": match(
            facts.quotes, gold.quotes, lambda q, g: _quote_matches(q, g, gold.people),
            lambda q: f"{q.speaker}: {q.original[:60]}", lambda g: f"{g.speaker}: {g.text[:60]}",
        ),
    }  # fmt: skip


def metadata_right(result: Result | TranslationResult, gold: GoldArticle) -> dict[str, bool]:
    """Which of title, author, published and url the pipeline got right ("" in the gold: must be absent)."""
    got, want = result.article, gold.metadata
    right = {}
    for name in METADATA:
        expected, found = getattr(want, name), getattr(got, name) or ""
        if not expected:
            right[name] = not found
        elif name == "published":
            right[name] = found.startswith(expected)
        elif name == "url":
            right[name] = found.rstrip("/") == expected.rstrip("/")
        else:
            right[name] = norm(found) == norm(expected)
    return right


@dataclass
class ArticleScore:
    """One article under one run: the fact scores, metadata, language, warnings, cost, and how it ended."""

    source: str
    fields: dict[str, FieldScore] = field(default_factory=lambda: {name: FieldScore() for name in FIELDS})
    metadata: dict[str, bool] = field(default_factory=dict)
    wrong_language: int = 0
    language_fields: int = 0
    warnings: Counter[str] = field(default_factory=Counter)
    exit_code: int = 0
    error: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    seconds: float = 0.0
    translation: dict[str, int] = field(default_factory=dict)


def score_result(result: Result, gold: GoldArticle, *, exit_code: int = 0) -> ArticleScore:
    """Score a summary result (one that --strict failed too: its exit code is kept)."""
    summary = Summary(brief=result.brief, key_facts=result.key_facts)
    scored = ArticleScore(gold.source, fields=score_facts(summary, gold), exit_code=exit_code)
    _common(scored, result, gold)
    scored.language_fields = len(target_fields(summary)) + 1  # + the summary in the article's language
    return scored


def score_translation(result: TranslationResult, gold: GoldArticle, *, exit_code: int = 0) -> ArticleScore:
    """Score a translation without reference text: alignment, what was preserved, the glossary."""
    scored = ArticleScore(gold.source, exit_code=exit_code)
    _common(scored, result, gold)
    kinds = scored.warnings
    flagged = {w.field for w in result.warnings if w.kind in ("paragraph-missing", "paragraphs-merged", "paragraph-extra")}
    scored.translation = {
        "paragraphs": len(result.paragraphs),
        "translated": sum(p.target is not None for p in result.paragraphs),
        "aligned": sum(p.target is not None and f"paragraphs[{p.n}]" not in flagged for p in result.paragraphs),
        "names_missing": kinds["name-missing"],
        "numbers_missing": kinds["number-missing"],
        "glossary_missing": kinds["glossary-term-missing"],
    }
    scored.language_fields = len(result.paragraphs) + (1 if result.title else 0)
    return scored


def _common(scored: ArticleScore, result: Result | TranslationResult, gold: GoldArticle) -> None:
    scored.metadata = metadata_right(result, gold)
    scored.warnings = Counter(w.kind for w in result.warnings)
    scored.wrong_language = scored.warnings["wrong-language"]
    prov = result.provenance
    scored.input_tokens, scored.output_tokens = prov.input_tokens, prov.output_tokens
    scored.cost_usd, scored.seconds = prov.estimated_cost_usd, prov.elapsed_seconds


def score_failure(gold: GoldArticle, exit_code: int, error: str) -> ArticleScore:
    """An article the run could not answer: every required fact missed, the error and its exit code kept."""
    scored = ArticleScore(gold.source, exit_code=exit_code, error=error)
    for name in FIELDS:
        facts = getattr(gold, name)
        scored.fields[name] = FieldScore(fn=sum(not f.optional for f in facts))
    return scored
