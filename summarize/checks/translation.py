"""Checks of a translation against its source, paragraph by paragraph.

    alignment   paragraph-missing, paragraph-extra, paragraphs-merged   (one item per source paragraph)
    language    wrong-language                                          (each paragraph and the title)
    preserved   name-missing, number-missing, url-missing, quote-missing (source -> translation)
    grounded    name-not-found, number-not-found                        (translation -> source; English target)
    glossary    glossary-term-missing
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..glossary import Glossary, occurs
from ..schemas import ResultWarning, Translation, WarningKind
from .grounding import missing_numbers, ungrounded_names, ungrounded_numbers, words_of
from .language import language_of
from .text import normalize

MERGED_SHARE = 0.4
"""A translation longer than its source by 40 % of the missing next paragraph's length took that paragraph in."""
SHORT_RATIO = 0.45
"""A translation under this share of its source's length (sources of 200+ characters) left part of it out."""
SHORT_SOURCE = 200

_WORD = re.compile(r"[\w’'-]+")
_ELISION = re.compile(r"^(?:[dljmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
# After an end of sentence (a closing quote may follow it: `… ». Il`), a line break, a bullet or an opening mark.
_SENTENCE_START = re.compile(r"(?:^|[.!?:;…][\s»”\"’)]*|[\n\"“«(—–•·▪*-]\s*|\[\d+\]\s*)$")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"«»]+")
_QUOTE_MARKS = "«»“”„‟\"‹›"
_QUOTATION = re.compile(r"«([^»]*)»|“([^”]*)”|„([^“”]*)[“”]|\"([^\"]*)\"")
QUOTATION_WORDS = 3
"""A quoted span this long is a quotation to keep quoted; a shorter one (le “la”, a “coup”) may be translated away."""
# Capitalized mid-sentence in French without being names (titles and institutions are translated).
_NOT_NAMES = {"etat", "etats", "president", "presidente", "premier", "ministre", "monsieur", "madame", "internet", "web"}


def _warn(kind: WarningKind, field: str, text: str, detail: str) -> ResultWarning:
    return ResultWarning(kind=kind, field=field, text=text[:200], detail=detail)


def source_names(text: str) -> list[str]:
    """Names in a source paragraph: capitalized words not opening a sentence (and any CamelCase or digit-bearing one)."""
    names: list[str] = []
    for m in _WORD.finditer(text):
        word = _ELISION.sub("", m.group(0)).strip("’'-")
        if not word or not word[0].isupper():
            continue
        bare = normalize(word)
        looks_named = re.search(r"[A-Z].*[A-Z]|\d", word) is not None  # OpenAI, GPT-4, IA
        at_start = _SENTENCE_START.search(text[: m.start()]) is not None
        acronym = word.isupper() and len(word) <= 3  # PDG, IA, UE: abbreviations that are translated (CEO, AI, EU)
        if (at_start and not looks_named) or bare in _NOT_NAMES or len(bare) < 2 or acronym:
            continue
        names.append(word)
    return list(dict.fromkeys(names))


def has_quotation(text: str) -> bool:
    """True when the text quotes someone: a span of 3+ words inside quotation marks."""
    return any(len("".join(m.groups(default="")).split()) >= QUOTATION_WORDS for m in _QUOTATION.finditer(text))


def aligned(answer: Translation, count: int) -> dict[int, str]:
    """The translation of each source paragraph 1..count (the first item with that number)."""
    found: dict[int, str] = {}
    for item in answer.paragraphs:
        if 1 <= item.n <= count and item.n not in found:
            found[item.n] = item.text
    return found


def check_alignment(answer: Translation, sources: list[str]) -> list[ResultWarning]:
    """One item per source paragraph, numbered 1..n: a missing, extra, merged or cut paragraph is flagged."""
    warnings = []
    seen: set[int] = set()
    for item in answer.paragraphs:
        if not 1 <= item.n <= len(sources) or item.n in seen:
            why = "numbered twice" if item.n in seen else f"the source has paragraphs 1 to {len(sources)}"
            warnings.append(_warn("paragraph-extra", f"paragraphs[{item.n}]", item.text, f"an extra item ({why})"))
        seen.add(item.n)
    found = aligned(answer, len(sources))
    for n, source in enumerate(sources, 1):
        if n in found:
            target = found[n]
            if len(source) >= SHORT_SOURCE and len(target) < SHORT_RATIO * len(source):
                warnings.append(
                    _warn("paragraph-missing", f"paragraphs[{n}]", target,
                          f"{len(target)} characters for a source of {len(source)}: part of the paragraph is not translated")
                )
            continue
        before = found.get(n - 1)
        if before is not None and len(before) - len(sources[n - 2]) > MERGED_SHARE * len(source):
            warnings.append(
                _warn("paragraphs-merged", f"paragraphs[{n - 1}]", before, f"paragraph {n} seems translated inside paragraph {n - 1}")
            )
        else:
            warnings.append(_warn("paragraph-missing", f"paragraphs[{n}]", source, "this source paragraph has no translation"))
    return warnings


def check_translation(
    answer: Translation,
    sources: list[str],
    *,
    target: str,
    glossary: Glossary | None = None,
    title: str | None = None,
) -> list[ResultWarning]:
    """Every check of a translation against its source paragraphs (`target`: ISO 639-1 code)."""
    warnings = check_alignment(answer, sources)
    found = aligned(answer, len(sources))
    for n, source in enumerate(sources, 1):
        if n in found:
            warnings += _paragraph(f"paragraphs[{n}]", source, found[n], target, glossary)
    if answer.title and title:
        warnings += _language("title", answer.title, target)
        warnings += _paragraph("title", title, answer.title, target, glossary)
    return _unique(warnings)


def _language(field: str, text: str, target: str) -> list[ResultWarning]:
    found = language_of(text)
    if found is not None and found != target:
        return [_warn("wrong-language", field, text, f"written in '{found}', must be in '{target}'")]
    return []


def _paragraph(field: str, source: str, target_text: str, target: str, glossary: Glossary | None) -> list[ResultWarning]:
    warnings = _language(field, target_text, target) if field != "title" else []
    words = words_of(target_text)
    for name in source_names(source):
        parts = normalize(name).replace("-", " ").split()
        if normalize(name) not in words and not all(p in words for p in parts):
            warnings.append(_warn("name-missing", field, name, "this name of the source paragraph is not in its translation"))
    for number in missing_numbers(source, target_text):
        warnings.append(_warn("number-missing", field, number, "this number of the source paragraph is not in its translation"))
    for url in _URL.findall(source):
        url = url.rstrip(".,;:!?)")
        if url not in target_text:
            warnings.append(_warn("url-missing", field, url, "this address is not copied into the translation"))
    if has_quotation(source) and not any(c in target_text for c in _QUOTE_MARKS):
        warnings.append(_warn("quote-missing", field, target_text, "the source quotes someone; the translation has no quotation marks"))
    if target == "en":
        # English prose can be held to the source's names and numbers (the summary checks' own machinery).
        for number in ungrounded_numbers(target_text, source):
            warnings.append(_warn("number-not-found", field, number, "this number is not in the source paragraph"))
        for name in ungrounded_names(target_text, words_of(source)):
            warnings.append(_warn("name-not-found", field, name, "this name is not in the source paragraph"))
    if glossary is not None:
        plain = normalize(target_text)
        for term in glossary.found_in(source):
            if not occurs(term.target, plain):
                warnings.append(
                    _warn("glossary-term-missing", field, f"{term.source} -> {term.target}",
                          "the glossary's translation of this term is not used")
                )
    return warnings


def _unique(warnings: Iterable[ResultWarning]) -> list[ResultWarning]:
    seen, out = set(), []
    for w in warnings:
        key = (w.kind, w.field, w.text)
        if key not in seen:
            seen.add(key)
            out.append(w)
    return out
