"""Evidence: the article sentences the model cites for each claim, located in the cleaned text or flagged."""

from __future__ import annotations

import re

from ..schemas import ClaimEvidence, EvidenceSpan
from .grounding import english_numbers, source_values
from .text import MappedText, normalize

MIN_EVIDENCE_WORDS = 5
"""A shorter 'sentence' ("Microsoft", "en 2019") is found almost anywhere and supports nothing."""


def locate(field: str, claim: str, passages: list[str], article: MappedText, *, must_contain: str | None = None) -> ClaimEvidence:
    """Locate each passage in the article; the claim is supported when all are found and they carry its numbers."""
    spans, problem = [], None
    for passage in passages:
        span = article.find(passage)
        spans.append(
            EvidenceSpan(text=passage)
            if span is None
            else EvidenceSpan(text=passage, paragraph=span.paragraph, start=span.start, end=span.end)
        )
        if span is None and problem is None:
            problem = f"evidence not in the article: {passage[:80]!r}"
    if not passages:
        problem = "no evidence given"
    elif problem is None and all(len(normalize(p).split()) < MIN_EVIDENCE_WORDS for p in passages):
        problem = f"evidence too short to support a claim (fewer than {MIN_EVIDENCE_WORDS} words)"
    elif problem is None:
        problem = _missing_from_evidence(claim, passages, must_contain)
    return ClaimEvidence(field=field, claim=claim, evidence=spans, supported=problem is None, problem=problem)


def _missing_from_evidence(claim: str, passages: list[str], must_contain: str | None) -> str | None:
    # Evidence that exists but is about something else: the claim's own numbers must stand in it.
    joined = " ".join(passages)
    if must_contain and normalize(must_contain) not in normalize(joined):
        return f"the evidence does not contain {must_contain!r}"
    known = source_values(joined)
    for number in english_numbers(claim):
        if not any(v in known for v in number.values) and not re.fullmatch(r"(19|20)\d\d", number.text):
            return f"the evidence does not mention {number.text!r}"
    return None
