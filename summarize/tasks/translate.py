"""The translate task: the whole article in the target language, paragraph by paragraph, aligned and checked."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .. import languages
from ..checks import Checked
from ..checks.translation import aligned, check_translation
from ..reading.clean import paragraphs
from ..errors import InputError
from ..glossary import Glossary, load_glossary
from ..schemas import PARAGRAPHS, Article, ArticleMetadata, ParagraphPair, Provenance, TranslatedParagraph, Translation, TranslationResult
from ..tokens import count_tokens
from .base import Call, Task, register

if TYPE_CHECKING:
    from ..prompts import Prompt
    from ..plan import Plan

OUTPUT_SHARE = 0.6
"""Article tokens per request at most, as a share of the output budget: a translation is about as long as its
source, plus the JSON around each paragraph, and German or Spanish run longer than French."""


def numbered(text: str) -> str:
    """The paragraphs of a text as `[1] ...`, `[2] ...`: what the model aligns its answer to."""
    return "\n\n".join(f"[{i}] {p}" for i, p in enumerate(paragraphs(text), 1))


@register
class TranslateTask(Task):
    """One request per article (or per part of whole paragraphs, in parallel), joined in order without a model."""

    name = "translate"
    prompt_task = "translate"
    reduce_task = None
    answer = Translation
    result = TranslationResult
    parts_checked = True

    @cached_property
    def glossary(self) -> Glossary | None:
        """The glossary the settings name, read once."""
        path = self.settings.glossary_file
        return load_glossary(path) if path is not None else None

    def options(self) -> dict[str, Any]:
        return {"target_language": self.settings.target_language, "glossary": self.glossary.hash if self.glossary else None}

    def prepare(self, article: Article) -> None:
        target = languages.primary(self.settings.target_language)
        if article.language == target:
            raise InputError(
                f"the article is already in {languages.name(target)} ('{article.language}' detected): nothing to translate",
                hint="choose another target with --to, or summarize it with `summarize brief`",
            )

    def variables(self, prompt: Prompt, article: Article, text: str, part: str) -> dict[str, Any]:
        source = languages.NAMES.get(article.language or "", "the article's language")
        return {
            "source": source,
            "target": languages.name(self.settings.target_language),
            "title": article.title or "(none)",
            "count": len(paragraphs(text)),
            "glossary": self.glossary.instructions(text) if self.glossary else "(none)",
            "text": numbered(text).replace("</article>", "</ article>"),
            "part": part,
        }

    def reask_values(self) -> dict[str, str]:
        return {"target": languages.name(self.settings.target_language)}

    def text_limit(self, output_tokens: int) -> int:
        return max(64, int(output_tokens * OUTPUT_SHARE))

    def must_split(self, text: str) -> bool:
        return len(paragraphs(text)) > PARAGRAPHS

    def split(self, text: str, budget: int, encoding: str) -> list[str]:
        # Whole paragraphs only: a paragraph cut in two could not be aligned. One longer than the budget goes alone.
        sources = paragraphs(text)
        return ["\n\n".join(sources[i] for i in group) for group in _pack(sources, budget, encoding)]

    def merge(
        self, article: Article, parts: list[str], reduce: Prompt | None, answers: list[Any], *, limit: int, encoding: str
    ) -> Translation:
        # Each part numbers its paragraphs from 1; the article numbers them on.
        merged: list[TranslatedParagraph] = []
        offset = 0
        for part, answer in zip(parts, answers):
            count = len(paragraphs(part))
            merged += _renumber(answer, range(offset + 1, offset + count + 1))
            offset += count
        return Translation(title=answers[0].title, paragraphs=merged)

    def follow_up(self, plan: Plan, answer: Any) -> list[Call]:
        # Small models stop early (the 1.5B model translated 6 of 13 paragraphs, then ended the answer): the
        # paragraphs still missing after the repair are asked for again, on their own, once.
        sources = paragraphs(plan.article.text)
        found = aligned(answer, len(sources))
        missing = [n for n in range(1, len(sources) + 1) if n not in found]
        calls: list[Call] = []
        for group in _pack([sources[n - 1] for n in missing], plan.text_budget, plan.encoding) if missing else []:
            numbers = [missing[i] for i in group]
            text = "\n\n".join(sources[n - 1] for n in numbers)
            label = f" (only its paragraphs {', '.join(map(str, numbers))}, left out of an earlier answer, numbered 1 to {len(numbers)} here)"
            messages = plan.prompt.render(**self.variables(plan.prompt, plan.article, text, label))
            calls.append(Call(messages, plan.prompt.sampling, source=text, items=tuple(numbers)))
        return calls

    def fill(self, answer: Any, calls: list[Call], answers: list[Any]) -> Translation:
        items = list(answer.paragraphs)
        for call, extra in zip(calls, answers):
            items += _renumber(extra, call.items)
        return Translation(title=answer.title, paragraphs=sorted(items, key=lambda item: item.n))

    def check(self, answer: Any, article: Article, source: str, prompt: Prompt) -> Checked:
        target = languages.primary(self.settings.target_language)
        title = article.title if source == article.text else None
        warnings = check_translation(answer, paragraphs(source), target=target, glossary=self.glossary, title=title)
        return Checked(warnings, [])

    def expected_output_tokens(self, plan: Plan, output_limit: int) -> int:
        # A translation is about as long as its source, plus the JSON around each paragraph.
        return int(plan.article_tokens * 1.1) + 60 * plan.requests

    def output_suffix(self) -> str:
        return f".translation-{self.settings.target_language}"

    def build(self, article: Article, answer: Any, checked: Checked, notes: list[Any], provenance: Provenance) -> TranslationResult:
        sources = paragraphs(article.text)
        found = aligned(answer, len(sources))
        return TranslationResult(
            article=ArticleMetadata(**article.model_dump(exclude={"text"}), characters=len(article.text)),
            target_language=self.settings.target_language,
            title=answer.title,
            paragraphs=[ParagraphPair(n=n, source=s, target=found.get(n)) for n, s in enumerate(sources, 1)],
            warnings=list(checked.warnings) + notes,
            provenance=provenance,
        )


def _pack(texts: list[str], budget: int, encoding: str) -> list[list[int]]:
    """Consecutive paragraphs (their indices) in groups of at most `budget` tokens and PARAGRAPHS items, never cut."""
    groups: list[list[int]] = [[]]
    used = 0
    for index, text in enumerate(texts):
        size = count_tokens(text, encoding) + 4  # its [n] marker and the blank line
        if groups[-1] and (used + size > budget or len(groups[-1]) == PARAGRAPHS):
            groups.append([])
            used = 0
        groups[-1].append(index)
        used += size
    return groups


def _renumber(answer: Translation, numbers: Sequence[int]) -> list[TranslatedParagraph]:
    """A request's items 1, 2 ... as the article's paragraphs `numbers`; a number outside them becomes 0, so the
    alignment check flags the item instead of letting it land on another paragraph."""
    return [
        TranslatedParagraph(n=numbers[item.n - 1] if 1 <= item.n <= len(numbers) else 0, text=item.text)
        for item in answer.paragraphs
    ]
