"""A digest as one typed object: the stories of a set of articles, each with its merged facts and (with `text`)
its written digest, the articles with the sentences their briefs cite, and what was left out and why.

`build` is the API behind `summarize digest`; every format (Markdown, JSON, HTML) renders the `Digest` it returns,
and `summarize schema digest` prints its JSON Schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from ..errors import InputError
from ..grounded.pipeline import sentences_of
from ..schemas import Result
from ..summarizer import Summarizer
from .collect import Collected, collect
from .merge import MergedFacts, merge
from .stories import Story, stories
from .text import Written, write

DIGEST_FORMAT = 1


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


def _article(article_id: str, result: Result, text: str | None) -> DigestArticle:
    meta = result.article
    sentences = [NumberedSentence(id=s.id, text=s.text) for s in sentences_of(text)] if text else []
    return DigestArticle(id=article_id, title=meta.title, url=meta.url, site_name=meta.site_name,
                         published=meta.published, language=meta.language, sentences=sentences)  # fmt: skip


def assemble(summarizer: Summarizer, collected: Collected, *, text: bool = False) -> Digest:
    """The digest of briefs already collected: merged, grouped into stories, and (with `text`) written, one request a story."""
    if not collected.results:
        first = f" ({collected.left_out[0]})" if collected.left_out else ""
        raise InputError(f"no article could be briefed: nothing to merge{first}")
    by_id = dict(collected.results)
    found = stories(merge(collected.results))
    per_story = []
    for story in found:
        facts = merge([(a, by_id[a]) for a in story.articles])
        written = write(summarizer, facts, by_id, collected.texts) if text else None
        per_story.append(StoryDigest(story=story, facts=facts, digest=written))
    return Digest(
        stories=per_story,
        articles=[_article(a, r, collected.texts.get(a)) for a, r in collected.results],
        left_out=collected.left_out,
        languages=sorted({r.article.language or "?" for _, r in collected.results}),
        target_language=summarizer.settings.target_language,
    )


def build(summarizer: Summarizer, sources: Sequence[str], *, text: bool = False, prompt_version: int | None = None) -> Digest:
    """Brief every article of `sources` (cached briefs cost nothing), merge their facts, group them into stories."""
    return assemble(summarizer, collect(summarizer, sources, prompt_version=prompt_version), text=text)


build_digest = build
"""`summarize.build_digest(summarizer, ["seeds"])`: the name the package exports."""


__all__ = ["DIGEST_FORMAT", "Digest", "DigestArticle", "NumberedSentence", "StoryDigest", "assemble", "build", "build_digest"]
