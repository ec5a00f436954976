"""The digest as data: what `summarize digest` returns and every format renders (Markdown, JSON, HTML).

Only models here, importing nothing that calls a model: the renderers read these without loading the pipeline.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..schemas import DigestText, ResultWarning
from .merge import Citation, MergedFacts
from .stories import Story

DIGEST_FORMAT = 1


class Fact(BaseModel):
    """One numbered fact of the request, and where it comes from."""

    id: str
    line: str
    citations: list[Citation]


class Written(BaseModel):
    """A story's digest text, the numbered facts it was written from, and what its checks found."""

    text: DigestText
    facts: dict[str, Fact]
    warnings: list[ResultWarning] = Field(default_factory=list)
    verified: int = 0
    """How many of its sentences a verifier model judged (`--verify`); 0 when the meaning check was not asked for."""


class NumberedSentence(BaseModel):
    """One sentence of a cleaned article, with the id briefs cite it by ("6.2": paragraph 6, sentence 2)."""

    id: str
    text: str


class DigestArticle(BaseModel):
    """An article of the digest: its metadata and its numbered sentences (empty when only its result was read)."""

    id: str
    title: str | None = None
    url: str | None = None
    site_name: str | None = None
    published: str | None = None
    language: str | None = None
    sentences: list[NumberedSentence] = Field(default_factory=list)


class StoryDigest(BaseModel):
    """One story: which articles and why, its merged facts, and its written digest when asked for."""

    story: Story
    facts: MergedFacts
    digest: Written | None = None


class Digest(BaseModel):
    """A digest across articles: one merged, cited timeline per story, and the articles left out with the reason."""

    kind: Literal["digest"] = "digest"
    format: int = DIGEST_FORMAT
    stories: list[StoryDigest]
    articles: list[DigestArticle]
    left_out: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    """The languages of the articles (more than one: their facts are merged in the briefs' language)."""
    target_language: str = "en"


__all__ = ["DIGEST_FORMAT", "Digest", "DigestArticle", "Fact", "NumberedSentence", "StoryDigest", "Written"]
