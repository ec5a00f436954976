"""The kinds of warning a result can carry, how readers see each, and which are processing notes: one list."""

from __future__ import annotations

from typing import Literal, get_args

WarningKind = Literal[
    "quote-not-found",
    "not-a-quotation",
    "person-not-found",
    "organization-not-found",
    "speaker-not-found",
    "amount-not-found",
    "date-text-not-found",
    "misclassified",
    "name-not-found",
    "number-not-found",
    "date-not-found",
    "wrong-language",
    "summaries-swapped",
    "language-mismatch",
    "unsupported",
    "paragraph-missing",
    "paragraph-extra",
    "paragraphs-merged",
    "name-missing",
    "number-missing",
    "url-missing",
    "quote-missing",
    "glossary-term-missing",
    "chunked",
    "off-length",
    "same-language",
    "short-article",
    "wrong-citation",
    "example-leak",
]
"""Named faults of an answer (see summarize/checks) and processing notes (`NOTES`: chunked, off-length, same-language, short-article)."""

WARNING_LABELS: dict[WarningKind, str] = {
    "quote-not-found": "Quote not found in the article",
    "not-a-quotation": "Not a quotation in the article",
    "person-not-found": "Person not found in the article",
    "organization-not-found": "Organization not found in the article",
    "speaker-not-found": "Speaker not found in the article",
    "amount-not-found": "Amount not written so in the article",
    "date-text-not-found": "Date not written so in the article",
    "misclassified": "Misclassified",
    "name-not-found": "Name not in the article",
    "number-not-found": "Number not in the article",
    "date-not-found": "Date not in the article",
    "wrong-language": "Wrong language",
    "summaries-swapped": "Summaries swapped",
    "language-mismatch": "Language",
    "unsupported": "Unsupported claim",
    "paragraph-missing": "Paragraph missing",
    "paragraph-extra": "Extra paragraph",
    "paragraphs-merged": "Paragraphs merged",
    "name-missing": "Name dropped",
    "number-missing": "Number dropped",
    "url-missing": "Address dropped",
    "quote-missing": "Quotation marks dropped",
    "glossary-term-missing": "Glossary not followed",
    "chunked": "Long article",
    "off-length": "Length",
    "same-language": "Same language",
    "short-article": "Short article",
    "wrong-citation": "Wrong citation",
    "example-leak": "Copied from the prompt's example",
}
"""How readers see each kind (Markdown, HTML): every kind has one, checked below."""

NOTES: frozenset[WarningKind] = frozenset({"chunked", "off-length", "same-language", "short-article"})
"""Warning kinds that describe processing, not a fault of the answer: never repaired, never fatal."""

if set(WARNING_LABELS) != set(get_args(WarningKind)) or not NOTES <= set(WARNING_LABELS):  # one list, kept whole
    raise ImportError(f"warning kinds without a label: {set(get_args(WarningKind)) ^ set(WARNING_LABELS)}")


__all__ = ["NOTES", "WARNING_LABELS", "WarningKind"]
