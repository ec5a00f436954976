"""Pydantic models: what the model must answer (strict-output compatible) and the result envelope we return."""

from __future__ import annotations

import copy
from functools import lru_cache
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
"""Bump when any model below changes shape: it is part of every cache key."""

ISO_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class _Answer(BaseModel):
    """Base for what the model writes: no extra keys, every key required (nullable where unknown), no defaults."""

    model_config = ConfigDict(extra="forbid")


class Person(_Answer):
    """A person named in the article."""

    name: str = Field(description="Full name exactly as written in the article.")
    role: str | None = Field(description="Role or title in English, if the article gives one.")
    organization: str | None = Field(description="Organization the role belongs to, if any.")


class Organization(_Answer):
    """A company, institution or group named in the article."""

    name: str = Field(description="Name exactly as written in the article.")
    description: str | None = Field(description="What it is or does in this story, in English.")


class Event(_Answer):
    """Something that happened or will happen, dated where the article allows."""

    date: str | None = Field(
        pattern=ISO_DATE, description="ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD) if the text allows, else null."
    )
    date_text: str | None = Field(description="The date as written in the article, if any.")
    description: str = Field(description="What happened, in English, one sentence.")


class Amount(_Answer):
    """A sum of money or other figure with a unit."""

    value: float = Field(description="The number, fully expanded (4 milliards -> 4000000000).")
    currency: str | None = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code (USD, EUR) or null if not money.")
    text: str = Field(description="The amount as written in the article.")
    description: str = Field(description="What the amount is, in English.")


class Quote(_Answer):
    """A direct quotation from the article."""

    speaker: str | None = Field(description="Who said or wrote it, as named in the article.")
    original: str = Field(description="The quotation copied verbatim from the article, in its original language.")
    english: str = Field(description="English translation (or the same text if already English).")


class Brief(_Answer):
    """The English brief with its source-language counterpart."""

    title: str = Field(description="A factual English headline.")
    summary: str = Field(description="English summary, 3 to 5 sentences, facts only.")
    source_summary: str = Field(description="The same summary written in the article's own language.")
    key_points: list[str] = Field(min_length=1, max_length=8, description="3 to 6 short English key points.")
    source_language: str = Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code of the article's language.")


class KeyFacts(_Answer):
    """Structured facts extracted from the article."""

    people: list[Person]
    organizations: list[Organization]
    events: list[Event]
    amounts: list[Amount]
    quotes: list[Quote]


class Summary(_Answer):
    """The model's whole answer for one article (or one part of a long article)."""

    brief: Brief
    key_facts: KeyFacts


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

    kind: Literal["quote-not-found", "person-not-found", "organization-not-found", "chunked", "language-mismatch"]
    text: str
    detail: str


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
    replayed: bool = Field(default=False, description="The answer came from recorded exchanges (--replay), not the endpoint.")
    key: str | None = Field(default=None, description="Cache key: lets a batch re-run recognise outputs that are up to date.")
    created_at: datetime


class Result(BaseModel):
    """The result envelope: article metadata, brief, key facts, warnings and provenance."""

    schema_version: int = SCHEMA_VERSION
    article: ArticleMetadata
    brief: Brief
    key_facts: KeyFacts
    warnings: list[ResultWarning] = Field(default_factory=list)
    provenance: Provenance


SCHEMAS: dict[str, type[BaseModel]] = {
    "summary": Summary,
    "brief": Brief,
    "key-facts": KeyFacts,
    "result": Result,
}
"""Schemas by the name `summarize schema NAME` and prompt headers use."""


@lru_cache(maxsize=None)
def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema in the subset OpenAI strict structured outputs accept (shared: do not mutate)."""
    schema = copy.deepcopy(model.model_json_schema())
    _make_strict(schema)
    return schema


def _make_strict(node: Any) -> None:
    # Strict mode rejects defaults and open objects, and wants every property listed as required.
    if isinstance(node, dict):
        node.pop("default", None)
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
            node["required"] = list(node["properties"])
        for value in node.values():
            _make_strict(value)
    elif isinstance(node, list):
        for value in node:
            _make_strict(value)
