"""Building a digest: the articles briefed (or read from a batch's index), their facts merged, grouped into
stories, each story merged and (with `text`) written. `build` is the API behind `summarize digest`; the `Digest` it
returns (summarize.digest.model) is what every format renders and `summarize schema digest` describes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import InputError
from ..grounded.pipeline import sentences_of
from ..schemas import Result
from .collect import Collected, collect
from .merge import merge
from .model import Digest, DigestArticle, NumberedSentence, StoryDigest
from .stories import stories
from .text import write

if TYPE_CHECKING:
    from ..summarizer import Summarizer

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
    whole = merge(collected.results)
    per_story = []
    for story in stories(whole):
        # A story of every article (the common case) is the merge already made: the same briefs in the same order.
        facts = whole if story.articles == whole.articles else merge([(a, by_id[a]) for a in story.articles])
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


__all__ = ["assemble", "build", "build_digest"]
