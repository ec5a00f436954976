"""Pydantic models: what the model must answer (strict-output compatible) and the result envelope we return."""

from __future__ import annotations

import copy
from functools import lru_cache
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

SCHEMA_VERSION = 3
"""Bump when any model below changes shape: it is part of every cache key."""
ANSWER_SINCE = {"summary": 2, "translation": 2, "cited-summary": 3, "verdict": 3}
"""The SCHEMA_VERSION in which each answer model (what a prompt's `schema` names) last changed shape: a recording
made at that version or later still holds answers of today's shape (schema 3 added cited answers and result
fields, and left the older answer models as they were)."""

from .answer_base import EVIDENCE_ITEMS, ISO_DATE, NAME, SENTENCE, SHORT, _Answer
from .grounded.schema import CitedSummary, Verdict
from .warning_kinds import WarningKind

Evidence = Annotated[
    list[Annotated[str, StringConstraints(max_length=SENTENCE)]],
    Field(
        max_length=EVIDENCE_ITEMS,
        description="1 to 3 sentences copied verbatim from the article, in its language, that support the claim.",
    ),
]


class Person(_Answer):
    """A person named in the article."""

    name: str = Field(max_length=NAME, description="Full name exactly as written in the article.")
    role: str | None = Field(max_length=SHORT, description="Role or title in English, if the article gives one.")
    organization: str | None = Field(
        max_length=NAME, description="Organization the role belongs to, as written in the article, if any."
    )


class Organization(_Answer):
    """A company, institution or group named in the article."""

    name: str = Field(max_length=NAME, description="Name exactly as written in the article.")
    description: str | None = Field(max_length=SHORT, description="What it is or does in this story, in English.")


class Event(_Answer):
    """Something that happened or will happen, dated where the article allows."""

    date: str | None = Field(
        pattern=ISO_DATE, description="ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD) if the text allows, else null."
    )
    date_text: str | None = Field(max_length=NAME, description="The date as written in the article, if any.")
    description: str = Field(max_length=SHORT, description="What happened, in English, one sentence.")
    evidence: Evidence


class Amount(_Answer):
    """A sum of money or other figure with a unit."""

    value: float = Field(description="The number, fully expanded (4 milliards -> 4000000000).")
    currency: str | None = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code (USD, EUR) or null if not money.")
    text: str = Field(max_length=NAME, description="The amount as written in the article.")
    description: str = Field(max_length=SHORT, description="What the amount is, in English.")
    evidence: Evidence


class Quote(_Answer):
    """A direct quotation from the article."""

    speaker: str | None = Field(max_length=NAME, description="Who said or wrote it, as named in the article.")
    original: str = Field(
        max_length=SENTENCE, description="The quotation copied verbatim from the article, in its original language."
    )
    english: str = Field(max_length=SENTENCE, description="English translation (or the same text if already English).")


class KeyPoint(_Answer):
    """One English key point and the article's sentences that support it."""

    text: str = Field(max_length=SHORT, description="A short English key point.")
    evidence: Evidence


class Brief(_Answer):
    """The English brief with its source-language counterpart."""

    title: str = Field(max_length=SHORT, description="A factual English headline.")
    summary: str = Field(max_length=1500, description="English summary, 3 to 5 sentences, facts only.")
    source_summary: str = Field(max_length=1800, description="The same summary written in the article's own language.")
    key_points: list[KeyPoint] = Field(min_length=1, max_length=8, description="3 to 6 short English key points.")
    source_language: str = Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code of the article's language.")


class KeyFacts(_Answer):
    """Structured facts extracted from the article."""

    people: list[Person] = Field(max_length=12)
    organizations: list[Organization] = Field(max_length=12)
    events: list[Event] = Field(max_length=10)
    amounts: list[Amount] = Field(max_length=10)
    quotes: list[Quote] = Field(max_length=6)


class Summary(_Answer):
    """The model's whole answer for one article (or one part of a long article)."""

    brief: Brief
    key_facts: KeyFacts


PARAGRAPHS = 80
"""The most paragraphs one translate request carries (the schema's bound; longer articles go in parts)."""
TRANSLATED = 1800
"""The longest translated paragraph the schema admits (llama.cpp refuses grammars with much longer repetitions)."""


class TranslatedParagraph(_Answer):
    """One paragraph of the article, translated."""

    n: int = Field(description="The number of the source paragraph, as [n] in the request.")
    # Bounded for the grammar only (llama.cpp needs it to stop a loop), not when validating: a long paragraph's
    # translation from an endpoint without a grammar is kept; one a grammar cut short is flagged as cut.
    text: str = Field(
        description="That whole paragraph translated into the target language.", json_schema_extra={"maxLength": TRANSLATED}
    )


class Translation(_Answer):
    """The model's translation of an article (or of one part of a long one), paragraph by paragraph."""

    title: str | None = Field(max_length=SHORT, description="The article's title translated, or null when there is none.")
    paragraphs: list[TranslatedParagraph] = Field(
        min_length=1, max_length=PARAGRAPHS, description="Every paragraph of the request, in order, one item each."
    )


class Article(BaseModel):
    """A cleaned article ready to summarize: body text plus what we know about it."""

    text: str
    source: str = Field(description="Path, URL or '-' the article was read from.")
    title: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    site_name: str | None = None
    language: str | None = Field(default=None, description="ISO 639-1 code detected locally.")


class ArticleMetadata(BaseModel):
    """What the result says about its source article."""

    source: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    site_name: str | None = None
    language: str | None = None
    characters: int = 0


class ResultWarning(BaseModel):
    """A faithfulness flag or a processing note attached to a result."""

    kind: WarningKind
    text: str
    detail: str
    field: str | None = Field(default=None, description="Where in the answer: brief.key_points[2], key_facts.quotes[0].speaker ...")


class EvidenceSpan(BaseModel):
    """One evidence passage, and where it stands in the cleaned article (None: not found).

    From a cited answer (schema 3) the passage is the cited sentence itself: found by construction.
    """

    text: str
    paragraph: int | None = None
    start: int | None = None
    end: int | None = None
    sentence: str | None = Field(default=None, description="The id of the cited sentence ('3.2'), for cited answers.")


class ClaimEvidence(BaseModel):
    """A claim of the brief (key point, event or amount), its evidence, and whether the evidence holds."""

    field: str
    claim: str
    evidence: list[EvidenceSpan]
    supported: bool
    problem: str | None = None


class Repair(BaseModel):
    """A deterministic fix made to a cited answer: an item dropped, or a value corrected from its cited text."""

    field: str
    action: Literal["dropped", "corrected"]
    text: str
    reason: str


class Provenance(BaseModel):
    """How a result was produced: enough to reproduce, audit and price it."""

    model: str
    endpoint: str
    prompt_task: str
    prompt_version: int
    prompt_hash: str
    schema_version: int = SCHEMA_VERSION
    response_format: str
    attempts: int
    input_tokens: int
    output_tokens: int
    estimated_cost_usd: float | None
    cached: bool
    elapsed_seconds: float
    chunks: int = 1
    task: str = "summary"
    target_language: str = "en"
    length: str | None = Field(default=None, description="The brief's length setting (short, medium, long or a number of words).")
    focus: str | None = Field(default=None, description="The reader's focus the brief was asked to favour (--focus).")
    glossary: str | None = Field(default=None, description="Hash of the glossary the translation was held to.")
    replayed: bool = Field(default=False, description="The answer came from recorded exchanges (--replay), not the endpoint.")
    key: str | None = Field(default=None, description="Cache key: lets a batch re-run recognise outputs that are up to date.")
    created_at: datetime
    tool_version: str | None = Field(default=None, description="The summarize version that made the result (`summarize --version`); none in results made before it was recorded.")


class ResultEnvelope(BaseModel):
    """What every task's result carries: the article's metadata, warnings and provenance (a new task subclasses it)."""

    schema_version: int = SCHEMA_VERSION
    article: ArticleMetadata
    warnings: list[ResultWarning] = Field(default_factory=list)
    provenance: Provenance


class Result(ResultEnvelope):
    """The result envelope: article metadata, brief, key facts, warnings and provenance."""

    schema_version: int = SCHEMA_VERSION
    article: ArticleMetadata
    brief: Brief
    key_facts: KeyFacts
    warnings: list[ResultWarning] = Field(default_factory=list)
    evidence: list[ClaimEvidence] = Field(
        default_factory=list, description="Each claim with its evidence located in the cleaned text (every cited item, schema 3)."
    )
    repairs: list[Repair] = Field(
        default_factory=list, description="Items dropped (bad citations, duplicates, no quotation) or values corrected."
    )
    provenance: Provenance


class ParagraphPair(BaseModel):
    """A source paragraph and its translation (None: still missing after repair, flagged, never dropped)."""

    n: int
    source: str
    target: str | None


class TranslationResult(ResultEnvelope):
    """The result envelope of a translation: aligned paragraph pairs, warnings and provenance."""

    schema_version: int = SCHEMA_VERSION
    article: ArticleMetadata
    target_language: str
    title: str | None = None
    paragraphs: list[ParagraphPair]
    warnings: list[ResultWarning] = Field(default_factory=list)
    provenance: Provenance

    @property
    def text(self) -> str:
        """The translated article: paragraphs in order, a missing one shown as its untranslated source."""
        return "\n\n".join(p.target if p.target is not None else p.source for p in self.paragraphs)


class DigestSentence(_Answer):
    """One sentence of a digest and the merged facts it rests on."""

    text: str = Field(max_length=400, description="One sentence in the target language.")
    facts: list[str] = Field(min_length=1, max_length=3, description="Ids of the facts it rests on: F1, F2 ...")


class DigestText(_Answer):
    """A few sentences telling one story from its merged facts, each citing the facts it rests on."""

    sentences: list[DigestSentence] = Field(min_length=1, max_length=6)


AnyResult = ResultEnvelope
"""What a task produces: a result envelope with article, warnings and provenance (the name older code used)."""


SCHEMAS: dict[str, type[BaseModel]] = {
    "summary": Summary,
    "cited-summary": CitedSummary,
    "verdict": Verdict,
    "brief": Brief,
    "key-facts": KeyFacts,
    "result": Result,
    "translation": Translation,
    "translation-result": TranslationResult,
    "digest-text": DigestText,
}
"""Schemas by the name `summarize schema NAME` and prompt headers use."""


@lru_cache(maxsize=None)
def strict_json_schema(
    model: type[BaseModel], *, bounded: bool = True, replace: tuple[tuple[str, str], ...] = ()
) -> dict[str, Any]:
    """The model's JSON Schema for strict structured outputs (shared: do not mutate).

    `bounded=False` drops string `maxLength`, which OpenAI's strict subset does not list (we still validate it).
    `replace` rewrites words in the descriptions (("English", "German") for a German brief): the field names
    stay, what the model reads about them follows the target language.
    """
    schema = copy.deepcopy(model.model_json_schema())
    _make_strict(schema, bounded, dict(replace))
    return schema


def _make_strict(node: Any, bounded: bool, replace: dict[str, str]) -> None:
    # Strict mode rejects defaults and open objects, and wants every property listed as required.
    if isinstance(node, dict):
        node.pop("default", None)
        if not bounded:
            node.pop("maxLength", None)
        if replace and isinstance(node.get("description"), str):
            for word, replacement in replace.items():
                node["description"] = node["description"].replace(word, replacement)
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
            node["required"] = list(node["properties"])
        for value in node.values():
            _make_strict(value, bounded, replace)
    elif isinstance(node, list):
        for value in node:
            _make_strict(value, bounded, replace)
