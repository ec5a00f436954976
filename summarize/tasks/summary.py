"""The summary task: a brief in the target language, a summary in the article's language, key facts."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .. import languages
from ..checks import Checked, check_answer, grave_claims
from ..reading.clean import paragraphs
from ..errors import ConfigurationError
from ..grounded import pipeline as grounded
from ..schemas import Article, ArticleMetadata, Provenance, Repair, Result, ResultWarning, Summary
from ..tokens import count_message_tokens, pack_paragraphs
from .base import Call, Task, register

if TYPE_CHECKING:
    from ..prompts import Prompt
    from ..plan import Plan

SENTENCES = {"short": (1, 2), "medium": (3, 5), "long": (4, 10)}
KEY_POINTS = {"short": (3, 3), "medium": (3, 6), "long": (3, 8)}
"""What each --length asks for (the prompt's `## length-*` texts say it to the model; the note checks it)."""
EXPECTED_OUTPUT_TOKENS = 1200
"""A brief with key facts and evidence, as measured on the seeds; what `--dry-run` expects per request."""
WORDS_SLACK = 0.4
"""A brief of N words may run 40 % over or under before the length note says so."""

# Not after a digit: German writes dates as "17. November".
_SENTENCE_END = re.compile(r"(?<![0-9])[.!?](?:[\"”»)]*)\s+(?=[A-Z0-9«\"“ÀÂÉÈÊÎÔÛÇÄÖÜ])")


def sentence_count(text: str) -> int:
    """Sentences in a summary: ends of sentence followed by a capital (abbreviations like "U.S." aside)."""
    text = text.strip()
    return len(_SENTENCE_END.findall(text)) + 1 if text else 0


@register
class SummaryTask(Task):
    """Brief + key facts in one request per article; long articles are summarized in parts, then combined."""

    name = "summary"
    prompt_task = "summary"
    reduce_task = "combine"
    verify_task = "verify"
    answer = Summary
    result = Result

    @staticmethod
    def _cited(prompt: Prompt) -> bool:
        return prompt.schema == "cited-summary"

    def reasks_whole(self, prompt: Prompt) -> bool:
        # A cited answer is repaired item by item (derived fields, drops), never re-asked whole: on the recordings
        # the whole-answer re-ask left a 1.5B model's warnings where they were and doubled the time.
        return not self._cited(prompt)

    def verified(self, prompt: Prompt) -> bool:
        return self._cited(prompt)

    def reduce_version(self, prompt: Prompt) -> int | None:
        return 2 if self._cited(prompt) else 1

    def options(self) -> dict[str, Any]:
        focus = {"focus": self.settings.focus} if self.settings.focus else {}  # absent, not None: keys without one stay as they were
        return {"target_language": self.settings.target_language, "length": self.settings.length, **focus}

    def same_language(self, article: Article) -> bool:
        """True when the article is already in the target language: no second summary is asked for."""
        return article.language is not None and languages.primary(self.settings.target_language) == article.language

    def variables(self, prompt: Prompt, article: Article, text: str, part: str) -> dict[str, Any]:
        values: dict[str, Any] = {
            "title": article.title or "(unknown)",
            "author": article.author or "(unknown)",
            "published": article.published or "(unknown)",
            "site_name": article.site_name or "(unknown)",
            "language": article.language or "(unknown)",
            # A closing tag inside the article must not end the data block early.
            "text": text.replace("</article>", "</ article>"),
            "part": part,
        }
        if "sentences" in prompt.variables:
            values["sentences"] = grounded.numbered(article.text, text).replace("</article>", "</ article>")
            values["names"] = ", ".join(grounded.names(text)) or "(none found)"
        target, length = self.settings.target_language, self.settings.length
        if "target" not in prompt.variables:
            if target != "en" or length != "medium":
                raise ConfigurationError(
                    f"prompt {prompt.task} v{prompt.version} writes a medium-length English brief only; "
                    f"--lang {target} --length {length} need a prompt with target and length rules (v3 or later)"
                )
            return values
        values["target"] = languages.name(target)
        values["length_rule"] = (
            prompt.text("length-words", words=length) if length.isdigit() else prompt.text(f"length-{length}")
        )
        values.update(self._reader_rules(prompt, article))
        if "source_summary_rule" in prompt.variables:  # a cited prompt takes the article's own sentences instead
            same = self.same_language(article)
            values["source_summary_rule"] = prompt.text(
                "source-summary-same" if same else "source-summary", target=values["target"]
            )
        return values

    def reask_values(self) -> dict[str, str]:
        return {"target": languages.name(self.settings.target_language)}

    def schema_words(self) -> dict[str, str]:
        target = languages.name(self.settings.target_language)
        return {} if target == "English" else {"English": target}

    def split(self, text: str, budget: int, encoding: str) -> list[str]:
        return pack_paragraphs(paragraphs(text), budget, encoding)

    def merge(
        self, article: Article, parts: list[str], reduce: Prompt | None, answers: list[Any], *, limit: int, encoding: str
    ) -> Call | list[Call]:
        assert reduce is not None  # the summary task always has its combine prompt
        if "target" not in reduce.variables and self.settings.target_language != "en":
            raise ConfigurationError(
                f"prompt {reduce.task} v{reduce.version} combines English briefs only; --lang needs a newer one"
            )

        def combine(group: list[Any]) -> list[dict[str, str]]:
            values = {
                "title": article.title or "(unknown)",
                "language": article.language or "(unknown)",
                "parts": json.dumps([a.model_dump(mode="json") for a in group], ensure_ascii=False, indent=1),
                "target": languages.name(self.settings.target_language),
            }
            return reduce.render(**values)

        whole = combine(answers)
        fits = count_message_tokens(whole, encoding) <= limit
        # Levels help only if two answers fit one request; else one combine, over budget, is the least harm.
        if fits or len(answers) <= 2 or count_message_tokens(combine(answers[:2]), encoding) > limit:
            return self._final(reduce, whole, article)
        # Too big for one request: combine consecutive groups that fit (two answers at least), then their answers.
        groups: list[list[Any]] = [[]]
        for answer in answers:
            if len(groups[-1]) >= 2 and count_message_tokens(combine(groups[-1] + [answer]), encoding) > limit:
                groups.append([])
            groups[-1].append(answer)
        if len(groups) == 1:
            return self._final(reduce, whole, article)
        return [Call(combine(group), reduce.sampling, answer=reduce.answer_model) for group in groups]

    def _final(self, reduce: Prompt, messages: list[dict[str, str]], article: Article) -> Call:
        # The final answer, checked against the article (re-asked whole only for answers that do not cite).
        source = None if self._cited(reduce) else article.text
        return Call(messages, reduce.sampling, source=source, answer=reduce.answer_model)

    def reduce_requests(self, plan: Plan) -> int:
        # Estimated with answers of the expected size: each round combines as many as fit in one request.
        per_request = (plan.request_limit - 600) // EXPECTED_OUTPUT_TOKENS
        if per_request < 2:
            return 1  # two answers do not fit one request: one combine (see merge)
        answers, requests = len(plan.parts), 0
        while answers > per_request:
            answers = -(-answers // per_request)  # one combine request per group
            requests += answers
        return requests + 1  # the final combine

    def check(self, answer: Any, article: Article, source: str, prompt: Prompt) -> Checked:
        target = languages.primary(self.settings.target_language)
        if grounded.is_cited(answer):
            checked, made = grounded.check(
                answer, article, prompt, target=target, verifier=self.settings.verifier_name, same=self.same_language(article)
            )
            return Checked(checked.warnings + self._notes(made.summary, article, prompt), checked.evidence, made)
        checked = check_answer(answer, article, target=target)
        return Checked(checked.warnings + self._notes(answer, article, prompt), checked.evidence)

    def follow_up(self, plan: Plan, answer: Any) -> list[Call]:
        # The check of meaning: one verifier request per claim of a cited answer (see summarize.grounded.verify).
        if plan.verify_prompt is None or not grounded.is_cited(answer):
            return []
        target = languages.primary(self.settings.target_language)
        same = self.same_language(plan.article)
        return grounded.verification_calls(answer, plan.article, plan.prompt, plan.verify_prompt, target=target, same=same)

    def fill(self, answer: Any, calls: list[Call], answers: list[Any]) -> Any:
        return grounded.with_verdicts(answer, calls, answers) if grounded.is_cited(answer) else answer

    def _reader_rules(self, prompt: Prompt, article: Article) -> dict[str, str]:
        """The reader's focus and the short-article rule, for a prompt that takes them (v5); empty when not needed, so
        the request is the previous version's word for word."""
        focus = self.settings.focus
        if "focus_rule" not in prompt.variables:
            if focus:
                raise ConfigurationError(f"prompt {prompt.task} v{prompt.version} takes no reader's focus; --focus needs v5 or later")
            return {}
        count = self._short(article)
        return {
            "focus_rule": "\n\n" + prompt.text("focus", focus=focus) if focus else "",
            "short_rule": "\n\n" + prompt.text("short-article", count=count) if count is not None else "",
        }

    def _short(self, article: Article) -> int | None:
        """The article's sentence count when it has fewer than the brief's summary asks for (None: long enough)."""
        length = self.settings.length
        if length.isdigit():
            return None
        count = len(grounded.sentences_of(article.text))
        return count if count < SENTENCES[length][0] else None

    def _notes(self, summary: Summary, article: Article, prompt: Prompt) -> list[ResultWarning]:
        notes: list[ResultWarning] = []
        if "target" not in prompt.variables:
            return notes  # prompts before v3 ask for no length and know no target language
        if self.same_language(article):
            notes.append(
                ResultWarning(
                    kind="same-language",
                    text=self.settings.target_language,
                    detail=f"the article is already in {languages.name(self.settings.target_language)}: one summary, no translation",
                )
            )
        length = self.settings.length
        sentences, points = sentence_count(summary.brief.summary), len(summary.brief.key_points)
        if length.isdigit():
            words, wanted = len(summary.brief.summary.split()), int(length)
            if abs(words - wanted) > WORDS_SLACK * wanted:
                notes.append(
                    ResultWarning(kind="off-length", field="brief.summary", text=f"{words} words", detail=f"asked for about {wanted}")
                )
            return notes
        short = self._short(article)
        if short is not None:
            notes.append(
                ResultWarning(
                    kind="short-article",
                    text=f"{short} sentence(s)",
                    detail=f"the article is shorter than a {length} brief: fewer summary sentences and key points, not padded",
                )
            )
        for field, found, unit, (low, high) in (
            ("brief.summary", sentences, "sentences", SENTENCES[length]),
            ("brief.key_points", points, "key points", KEY_POINTS[length]),
        ):
            if short is not None and found < low:
                continue  # fewer than asked is what a short article should get: said once above, not flagged per field
            if not low <= found <= high:
                notes.append(
                    ResultWarning(
                        kind="off-length", field=field, text=f"{found} {unit}", detail=f"--length {length} asks for {low} to {high}"
                    )
                )
        return notes

    def expected_output_tokens(self, plan: Plan, output_limit: int) -> int:
        return min(EXPECTED_OUTPUT_TOKENS, output_limit) * plan.requests

    def output_suffix(self) -> str:
        return "" if self.settings.target_language == "en" else f".{self.settings.target_language}"

    def build(self, article: Article, answer: Any, checked: Checked, notes: list[Any], provenance: Provenance) -> Result:
        repairs: list[Repair] = []
        grave: list[ResultWarning] = []
        if grounded.is_cited(answer):
            made = checked.derived or grounded.derived(answer, article, same=self.same_language(article))
            answer, repairs = made.summary, made.repairs
        else:
            grave = grave_claims(answer, article)  # cited answers are held to their sentences in check()
        summary: Summary = answer
        return Result(
            repairs=repairs,
            article=ArticleMetadata(**article.model_dump(exclude={"text"}), characters=len(article.text)),
            brief=summary.brief,
            key_facts=summary.key_facts,
            warnings=list(checked.warnings) + grave + notes,
            evidence=checked.evidence,
            provenance=provenance,
        )
