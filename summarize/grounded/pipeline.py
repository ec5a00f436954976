"""The cited path of the summary task: the article numbered for the prompt, an answer derived, checked and verified."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..checks import Checked, check_languages
from ..schemas import Article, ClaimEvidence, ResultWarning
from ..reading.sentences import Sentences
from . import verify
from .checks import check_claims, example_leaks
from .derive import Derived, derive, evidence_of
from .names import names_in
from .schema import CitedSummary
from .verify import Verified

if TYPE_CHECKING:
    from ..prompts import Prompt
    from ..tasks.base import Call

EXAMPLE_TERMS = "example-terms"
"""The prompt section listing its worked example's names, numbers and quotes, one a line: the leak check's list."""


def is_cited(answer: Any) -> bool:
    """True for an answer of the cited schema (with or without verdicts)."""
    return isinstance(answer, (CitedSummary, Verified))


@lru_cache(maxsize=16)
def sentences_of(text: str) -> Sentences:
    """An article's numbered sentences, built once per article."""
    return Sentences(text)


def numbered(article_text: str, part: str) -> str:
    """The sentences of `part` (the whole article, or a run of it) as `[p.s] text` lines, with the whole article's ids."""
    index = sentences_of(article_text)
    if part == article_text:
        return index.numbered()
    # A part is a consecutive run of the article, cut between paragraphs or (a paragraph too long for one part)
    # between sentences: each sentence is looked for in order, so ids stay those of the whole article.
    flat, cursor, paragraph = " ".join(part.split()), 0, None
    blocks: list[list[str]] = []
    for sentence in index:
        text = " ".join(sentence.text.split())
        found = flat.find(text, cursor)
        if found < 0:
            continue
        cursor = found + len(text)
        if sentence.paragraph != paragraph:
            blocks.append([])
            paragraph = sentence.paragraph
        blocks[-1].append(f"[{sentence.id}] {text}")
    return "\n\n".join("\n".join(block) for block in blocks)


def names(text: str) -> list[str]:
    """The proper names of an article (or part) that the prompt lists for the model to classify."""
    return names_in(sentences_of(text))


def _unwrap(answer: CitedSummary | Verified) -> Verified:
    return answer if isinstance(answer, Verified) else Verified(answer)


def derived(answer: CitedSummary | Verified, article: Article, *, same: bool = False) -> Derived:
    """The answer in the result's shape (deterministic: called again wherever it is needed)."""
    return derive(_unwrap(answer).answer, article, sentences_of(article.text), same_language=same)


def check(
    answer: CitedSummary | Verified, article: Article, prompt: Prompt, *, target: str, verifier: str, same: bool = False
) -> tuple[Checked, Derived]:
    """Every check of a cited answer, the verifier's verdicts included, and its derived form."""
    verified = _unwrap(answer)
    made = derived(verified, article, same=same)
    warnings = _deterministic(made, article, prompt, target)
    warnings += verify.warnings(verified, made.claims, verifier)
    return Checked(warnings, _evidence(made, warnings)), made


def _deterministic(made: Derived, article: Article, prompt: Prompt, target: str) -> list[ResultWarning]:
    warnings = list(made.warnings)
    warnings += [w for w in check_languages(made.summary, article, target) if _credible(w, article)]
    warnings += check_claims(made.claims, article, sentences_of(article.text), target=target)
    terms = prompt.sections.get(EXAMPLE_TERMS, "").splitlines()
    warnings += example_leaks([(c.field, c.text) for c in made.claims], [t.strip() for t in terms if t.strip()], article.text)
    return warnings


LANGUAGE_MIN_WORDS = 6


def _credible(warning: ResultWarning, article: Article) -> bool:
    # The fault a model makes is leaving the article's language in place. The detector calling a short field
    # of names another language ("Vice-president of Airbnb": Japanese) is its own error, not the answer's.
    if warning.kind != "wrong-language" or article.language is None or f"'{article.language}'" in warning.detail.split(",")[0]:
        return True
    return len(warning.text.split()) >= LANGUAGE_MIN_WORDS


def _evidence(made: Derived, warnings: list[ResultWarning]) -> list[ClaimEvidence]:
    # A claim is supported unless a flag names it (or one of its fields): the reader sees why next to it.
    evidence = evidence_of(made.claims)
    for item in evidence:
        problems = [w for w in warnings if w.field is not None and (w.field == item.field or w.field.startswith(item.field + "."))]
        if problems:
            item.supported, item.problem = False, "; ".join(f"{w.kind}: {w.detail}" for w in problems)[:400]
    return evidence


def verification_calls(
    answer: CitedSummary, article: Article, prompt: Prompt, verify_prompt: Prompt, *, target: str, same: bool = False
) -> list[Call]:
    """One verifier request per claim that the cheaper checks did not already flag."""
    made = derived(answer, article, same=same)
    flagged = {w.field for w in _deterministic(made, article, prompt, target) if w.field}
    flagged |= {f.rsplit(".", 1)[0] for f in flagged}  # key_facts.events[2].date flags key_facts.events[2]
    return verify.calls(verify.verifiable(made.claims, flagged), verify_prompt)


def with_verdicts(answer: CitedSummary | Verified, calls: list[Call], answers: list[Any]) -> Verified:
    """The answer with the verifier's verdicts, by the claim field each call was about."""
    verified = _unwrap(answer)
    for call, verdict in zip(calls, answers):
        if call.label:
            verified.verdicts[call.label] = verdict
    return verified
