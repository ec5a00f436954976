"""Checks of a validated answer against its article, at the level of claims rather than shape.

Each check yields named warnings (`ResultWarning.kind`); every kind but the notes in `NOTES` is a flag:
sent back to the model once for repair, shown in the Markdown, and fatal under `--strict`.

    language    wrong-language, summaries-swapped, language-mismatch
    verbatim    quote-not-found, not-a-quotation, person-not-found, organization-not-found,
                speaker-not-found, amount-not-found, date-text-not-found, misclassified
    grounding   name-not-found, number-not-found, date-not-found   (in the answer's English prose)
    evidence    unsupported                                          (key points, events, amounts)
    grave       unsupported   a death, arrest or bankruptcy its evidence (or, for title and summary, the body) does not state
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..schemas import Article, ClaimEvidence, EvidenceSpan, ResultWarning, Summary
from ..warning_kinds import NOTES, WarningKind
from .evidence import locate
from .grave import unstated
from .grounding import (
    is_title_case,
    iso_date_grounded,
    ungrounded_dates,
    ungrounded_local_numbers,
    ungrounded_names,
    ungrounded_numbers,
    words_of,
)
from .language import language_of
from .text import MappedText, mapped, normalize, quote_found

__all__ = ["Checked", "ClaimEvidence", "EvidenceSpan", "NOTES", "TARGET_LANGUAGE", "check_answer", "check_languages", "grave_claims", "normalize", "quote_found", "repair_problems"]


TARGET_LANGUAGE = "en"

_OPENING = "«“„‹"
_CLOSING = "»”›"


@dataclass(frozen=True)
class Checked:
    """What the checks found: flags and notes, and the located evidence of every claim."""

    warnings: list[ResultWarning]
    evidence: list[ClaimEvidence]
    derived: Any = None
    """What the checks derived from the answer on the way (a cited answer's result form): built once, not again."""

    @property
    def flags(self) -> list[ResultWarning]:
        """The warnings that are faults of the answer (repairable, fatal under --strict)."""
        return [w for w in self.warnings if w.kind not in NOTES]


def repair_problems(checked: Checked) -> list[str]:
    """The flags as lines to send back to the model for repair."""
    return [f"{w.field}: {w.detail} ({w.text[:80]!r})" for w in checked.flags]


def _warn(kind: WarningKind, field: str, text: str, detail: str) -> ResultWarning:
    return ResultWarning(kind=kind, field=field, text=text, detail=detail)


def check_answer(summary: Summary, article: Article, *, target: str = TARGET_LANGUAGE) -> Checked:
    """Run every check of an answer against the article it summarizes."""
    source = "\n\n".join(filter(None, [article.title, article.text]))
    text = mapped(article.text)
    warnings = check_languages(summary, article, target)
    warnings += _verbatim(summary, source, text)
    warnings += _grounding(summary, source, article.published, target)
    evidence = _evidence(summary, text)
    warnings += [_warn("unsupported", e.field, e.claim, e.problem or "") for e in evidence if not e.supported]
    return Checked(warnings, evidence)


def grave_claims(summary: Summary, article: Article) -> list[ResultWarning]:
    """Claims of a death, an arrest or a bankruptcy that their evidence (title and summary: the article's body,
    never its headline) does not state. Added to a finished v1-v3 result, not to what is re-asked: the recorded
    re-asks of those prompts stay what they were."""
    brief = summary.brief
    claims = [("brief.title", brief.title, article.text), ("brief.summary", brief.summary, article.text)]
    claims += [(f"brief.key_points[{i}]", p.text, " ".join(p.evidence)) for i, p in enumerate(brief.key_points)]
    claims += [(f"key_facts.events[{i}]", e.description, " ".join(e.evidence)) for i, e in enumerate(summary.key_facts.events)]
    return [
        _warn("unsupported", field, text[:80], f"claims {name}; {'its evidence' if field.startswith(('brief.key', 'key_')) else 'the article'} states none")
        for field, text, support in claims
        for name in unstated(text, support)
    ]


def target_fields(summary: Summary) -> list[tuple[str, str]]:
    """Every field written in the target language, with its path: what the language check looks at."""
    brief, facts = summary.brief, summary.key_facts
    fields = [("brief.title", brief.title), ("brief.summary", brief.summary)]
    fields += [(f"brief.key_points[{i}]", p.text) for i, p in enumerate(brief.key_points)]
    fields += [(f"key_facts.events[{i}].description", e.description) for i, e in enumerate(facts.events)]
    fields += [(f"key_facts.amounts[{i}].description", a.description) for i, a in enumerate(facts.amounts)]
    fields += [(f"key_facts.organizations[{i}].description", o.description or "") for i, o in enumerate(facts.organizations)]
    fields += [(f"key_facts.people[{i}].role", p.role or "") for i, p in enumerate(facts.people)]
    fields += [(f"key_facts.quotes[{i}].english", q.english) for i, q in enumerate(facts.quotes)]
    return fields


def check_languages(summary: Summary, article: Article, target: str) -> list[ResultWarning]:
    """Every target-language field in the target language, the source summary in the article's (not swapped)."""
    brief = summary.brief
    source_language = article.language or brief.source_language
    warnings: list[ResultWarning] = []
    if article.language and brief.source_language != article.language:
        warnings.append(
            _warn(
                "language-mismatch",
                "brief.source_language",
                brief.source_language,
                f"model says '{brief.source_language}', local detection says '{article.language}'",
            )
        )
    summary_language, source_summary_language = language_of(brief.summary), language_of(brief.source_summary)
    swapped = (
        source_language != target and summary_language == source_language and source_summary_language == target
    )
    if swapped:
        warnings.append(
            _warn(
                "summaries-swapped",
                "brief.summary",
                brief.summary[:80],
                f"summary is in '{source_language}' and source_summary in '{target}': the two are swapped",
            )
        )
    for field, value in target_fields(summary):
        if swapped and field == "brief.summary":
            continue
        found = summary_language if field == "brief.summary" else language_of(value)
        if found is not None and found != target:
            warnings.append(_warn("wrong-language", field, value[:80], f"written in '{found}', must be in '{target}'"))
    if not swapped and source_summary_language is not None and source_summary_language != source_language:
        warnings.append(
            _warn(
                "wrong-language",
                "brief.source_summary",
                brief.source_summary[:80],
                f"written in '{source_summary_language}', must be in the article's language '{source_language}'",
            )
        )
    return warnings


_FIRST_PERSON = re.compile(r"(?<!\w)(je|j|me|m|mon|ma|mes|nous|notre|nos|i|me|my|we|our|us)(?!\w)")


def _inside_quotation(original: str, start: int, end: int) -> bool:
    # Presented as a quotation: an opening mark before it in its paragraph is still open, or marks hug it;
    # or it speaks in the first person (a quoted letter whose block quote the scraper flattened).
    if _FIRST_PERSON.search(normalize(original[start:end])):
        return True
    paragraph_start = max(original.rfind("\n", 0, start), 0)
    before = original[paragraph_start:start]
    opened = sum(before.count(c) for c in _OPENING) - sum(before.count(c) for c in _CLOSING)
    straight = before.count('"') % 2 == 1
    hugged = bool(re.search(r"[\"«“„‹:]\s*$", original[max(0, start - 3) : start]))
    return opened > 0 or straight or hugged


def _verbatim(summary: Summary, source: str, text: MappedText) -> list[ResultWarning]:
    facts = summary.key_facts
    haystack = mapped(source)
    warnings: list[ResultWarning] = []
    for i, quote in enumerate(facts.quotes):
        field = f"key_facts.quotes[{i}]"
        span = text.find(quote.original)
        if span is None and haystack.find(quote.original) is None:
            warnings.append(_warn("quote-not-found", field + ".original", quote.original, "not found verbatim in the article"))
        elif span is not None and not _inside_quotation(text.original, span.start, span.end):
            warnings.append(
                _warn("not-a-quotation", field + ".original", quote.original, "in the article, but not as a quotation")
            )
        if quote.speaker and not haystack.has_words(quote.speaker):
            warnings.append(_warn("speaker-not-found", field + ".speaker", quote.speaker, "speaker not in the article"))
    organizations = {normalize(o.name) for o in facts.organizations}
    for i, person in enumerate(facts.people):
        field = f"key_facts.people[{i}]"
        if not haystack.has_words(person.name):
            warnings.append(_warn("person-not-found", field + ".name", person.name, "name not in the article"))
        elif normalize(person.name) in organizations:
            warnings.append(_warn("misclassified", field + ".name", person.name, "listed both as a person and an organization"))
        if person.organization and not haystack.has_words(person.organization):
            warnings.append(
                _warn("organization-not-found", field + ".organization", person.organization, "organization not in the article")
            )
    for i, organization in enumerate(facts.organizations):
        if not haystack.has_words(organization.name):
            warnings.append(
                _warn("organization-not-found", f"key_facts.organizations[{i}].name", organization.name, "name not in the article")
            )
    for i, amount in enumerate(facts.amounts):
        if haystack.find(amount.text) is None:
            warnings.append(_warn("amount-not-found", f"key_facts.amounts[{i}].text", amount.text, "not written so in the article"))
    for i, event in enumerate(facts.events):
        if event.date_text and haystack.find(event.date_text) is None:
            warnings.append(
                _warn("date-text-not-found", f"key_facts.events[{i}].date_text", event.date_text, "not written so in the article")
            )
    return warnings


def _grounding(summary: Summary, source: str, published: str | None, target: str) -> list[ResultWarning]:
    brief = summary.brief
    prose = [("brief.summary", brief.summary)]
    prose += [(f"brief.key_points[{i}]", p.text) for i, p in enumerate(brief.key_points)]
    prose += [(f"key_facts.events[{i}].description", e.description) for i, e in enumerate(summary.key_facts.events)]
    titles = [("brief.title", brief.title)]
    published_values = frozenset(float(p) for p in re.findall(r"\d+", published or ""))
    words = words_of(source)
    warnings: list[ResultWarning] = []
    english = target == "en"
    numbers = ungrounded_numbers if english else ungrounded_local_numbers
    for field, value in titles + prose:
        for number in numbers(value, source, published_values):
            warnings.append(_warn("number-not-found", field, number, "this number is not in the article"))
        for date in ungrounded_dates(value, source + "\n" + (published or "")):
            warnings.append(_warn("date-not-found", field, date, "this date is not in the article"))
        if not english or (field == "brief.title" and is_title_case(value)):
            # Capitals tell names apart only in English prose here: German capitalizes every noun, and which
            # words are common is judged with an English tokenizer. A Title Case headline capitalizes all.
            continue
        for name in ungrounded_names(value, words):
            warnings.append(_warn("name-not-found", field, name, "this name is not in the article"))
    for i, event in enumerate(summary.key_facts.events):
        if event.date and not iso_date_grounded(event.date, source, published):
            warnings.append(
                _warn("date-not-found", f"key_facts.events[{i}].date", event.date, "the article does not give this date")
            )
    return warnings


def _evidence(summary: Summary, text: MappedText) -> list[ClaimEvidence]:
    claims = [locate(f"brief.key_points[{i}]", p.text, p.evidence, text) for i, p in enumerate(summary.brief.key_points)]
    claims += [
        locate(f"key_facts.events[{i}]", e.description, e.evidence, text)
        for i, e in enumerate(summary.key_facts.events)
    ]
    claims += [
        locate(f"key_facts.amounts[{i}]", a.description, a.evidence, text, must_contain=a.text)
        for i, a in enumerate(summary.key_facts.amounts)
    ]
    return claims
