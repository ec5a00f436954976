"""What an HTML page shows, before any markup: the article as sentences, a brief's claims with their evidence
and warnings, a translation's rows. `summarize.render.html` puts these in the templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from dataclasses import field as _field

from ..reading.sentences import Sentence, Sentences
from ..warning_kinds import WARNING_LABELS as _WARNING_LABELS
from ..schemas import Article, ClaimEvidence, EvidenceSpan, Result, ResultWarning, TranslationResult

_SENTENCE_ID = re.compile(r"\d{1,4}\.\d{1,4}")
_INDEXED = re.compile(r"^(?P<list>[a-z_.]+)\[(?P<i>\d+)\]")


@dataclass
class _Piece:
    """A run of the article: a sentence (with its element id) or the text between sentences."""

    text: str
    id: str | None = None
    sid: str | None = None

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


@dataclass
class _Paragraph:
    number: str
    pieces: list[_Piece]


@dataclass
class _Pane:
    """What the right-hand side shows: the article's sentences, or (no article) the passages the brief cites."""

    heading: str
    paragraphs: list[_Paragraph] = _field(default_factory=list)
    note: str | None = None
    lang: str | None = None


def _sentence_dom(sid: str) -> str:
    return "s-" + sid.replace(".", "-")


def _article_pane(article: Article, sentences: Sentences) -> _Pane:
    text = article.text
    by_paragraph: dict[int, list[Sentence]] = {}
    for sentence in sentences:
        by_paragraph.setdefault(sentence.paragraph, []).append(sentence)
    paragraphs: list[_Paragraph] = []
    for number, members in by_paragraph.items():
        # From the start of the first sentence's line (a bullet marker stays) to the end of the last one's.
        start = text.rfind("\n", 0, members[0].start) + 1
        end = text.find("\n", members[-1].end)
        end = len(text) if end < 0 else end
        pieces: list[_Piece] = []
        at = start
        for sentence in members:
            if sentence.start > at:
                pieces.append(_Piece(_gap(text[at:sentence.start])))
            pieces.append(_Piece(" ".join(sentence.text.split()), _sentence_dom(sentence.id), sentence.id))
            at = sentence.end
        tail = text[at:end].rstrip()
        if tail:
            pieces.append(_Piece(_gap(tail)))
        if pieces and pieces[0].id is None:
            pieces[0] = _Piece(pieces[0].text.lstrip())
        paragraphs.append(_Paragraph(str(number), pieces))
    return _Pane("Article", paragraphs, lang=article.language)


def _gap(text: str) -> str:
    """Text between two sentences: each line break kept (bullets, hard lines), other whitespace as one space."""
    if "\n" not in text:
        return re.sub(r"\s+", " ", text)
    kept = [" ".join(line.split()) for line in text.split("\n")]
    return "\n" + "\n".join(line + " " for line in kept if line)


class _Locator:
    """Finds the element ids of an evidence span's sentences in the pane."""

    def __init__(self, article: Article | None, result: Result) -> None:
        self.article = article
        self.sentences = Sentences(article.text) if article is not None else None
        # Offsets and paragraphs are only meaningful for the text they were computed on.
        chars = result.article.characters
        self.trusted = article is not None and (not chars or chars == len(article.text))
        self.passages: dict[str, _Paragraph] = {}  # no article: the cited passages themselves

    def locate(self, span: EvidenceSpan) -> list[str]:
        if self.sentences is None:  # no article: the cited passage itself, if it was found in the article
            located = span.sentence is not None or span.start is not None or span.paragraph is not None
            return [self._passage(span)] if located and span.text.strip() else []
        if span.sentence is not None:
            sentence = self.sentences.get(span.sentence)
            if sentence is not None and (self.trusted or _same(sentence.text, span.text)):
                return [_sentence_dom(sentence.id)]
        if not self.trusted:
            return [_sentence_dom(s.id) for s in self.sentences if _same(s.text, span.text)][:1]
        if span.start is not None and span.end is not None:
            hit = [_sentence_dom(s.id) for s in self.sentences if s.start < span.end and s.end > span.start]
            if hit:
                return hit
        if span.paragraph is not None:
            try:
                return [_sentence_dom(s.id) for s in self.sentences if self.sentences.paragraph0(s.id) == span.paragraph]
            except KeyError:  # pragma: no cover - ids come from the same index
                return []
        return []

    def _passage(self, span: EvidenceSpan) -> str:
        key = span.sentence or (f"{span.start}:{span.end}" if span.start is not None else span.text)
        found = self.passages.get(key)
        if found is None:
            sid = span.sentence if span.sentence and _SENTENCE_ID.fullmatch(span.sentence) else None
            dom = _sentence_dom(sid) if sid else f"e-{len(self.passages) + 1}"
            label = sid or (f"¶{span.paragraph + 1}" if span.paragraph is not None else "")
            found = self.passages[key] = _Paragraph(label, [_Piece(" ".join(span.text.split()), dom, sid)])
        return found.pieces[0].id or ""

    def pane(self) -> _Pane | None:
        if self.article is not None and self.sentences is not None:
            return _article_pane(self.article, self.sentences)
        if not self.passages:
            return None

        def order(paragraph: _Paragraph) -> tuple[int, ...]:
            sid = paragraph.pieces[0].sid
            return tuple(int(part) for part in sid.split(".")) if sid else (1 << 30,)

        return _Pane(
            "Cited passages",
            sorted(self.passages.values(), key=order),
            note="The article was not given to the renderer: these are the passages the brief cites.",
        )


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


# --------------------------------------------------------------------------- claims and the warnings beside them


@dataclass
class _Flag:
    """A warning as the page shows it: label, what it concerns, and the claim it sits beside (if any)."""

    kind: str
    label: str
    text: str
    detail: str
    field: str | None
    part: str = ""  # the sub-field it concerns within its claim ('date_text'), '' for the whole claim
    target: str | None = None  # dom id of the claim or section it is shown beside
    where: str | None = None  # a human name for that place
    show_text: bool = True  # False beside a claim whose text it repeats
    texts: list[str] = _field(default_factory=list)  # the offending texts of warnings grouped into this one


@dataclass
class _Claim:
    """One claim of the output: its evidence (element ids in the pane) and the warnings about it."""

    field: str
    name: str
    dom: str
    targets: list[str] = _field(default_factory=list)
    refs: list[tuple[str, str]] = _field(default_factory=list)  # (label, element id): links that work without JS
    unlocated: list[str] = _field(default_factory=list)  # evidence text not found in the pane
    supported: bool | None = None  # None: the result holds no evidence record for it
    problem: str | None = None
    text: str = ""  # the claim as the evidence record states it (summary sentences, unknown fields)
    flags: list[_Flag] = _field(default_factory=list)

    @property
    def classes(self) -> str:
        names = ["claim"]
        if self.targets:
            names.append("has-evidence")
        if self.flags:
            names.append("flagged")
        if self.supported is False:
            names.append("unsupported")
        return " ".join(names)

    @property
    def own_problem(self) -> str | None:
        """The evidence record's problem, unless a warning beside the claim already says it."""
        if self.problem and not any(flag.detail and flag.detail in self.problem for flag in self.flags):
            return self.problem
        return None

    @property
    def evidence(self) -> str:
        return " ".join(dict.fromkeys(self.targets))


_SECTIONS = {
    "brief.title": ("title", "the title"),
    "brief.summary": ("summary", "the summary"),
    "brief.key_points": ("key-points", "the key points"),
    "brief.source_summary": ("source-summary", "the source-language summary"),
    "brief.source_language": ("source-summary", "the source language"),
    "key_facts.people": ("people", "people"),
    "key_facts.organizations": ("organizations", "organizations"),
    "key_facts.events": ("events", "events"),
    "key_facts.amounts": ("amounts", "amounts"),
    "key_facts.quotes": ("quotes", "quotes"),
}
_ITEM_NAMES = {
    "brief.summary": "summary sentence",
    "brief.key_points": "key point",
    "key_facts.people": "person",
    "key_facts.organizations": "organization",
    "key_facts.events": "event",
    "key_facts.amounts": "amount",
    "key_facts.quotes": "quote",
}


def _claim_name(field_name: str) -> str:
    if field_name == "brief.title":
        return "the title"
    match = _INDEXED.match(field_name)
    if match and match.group("list") in _ITEM_NAMES:
        return f"{_ITEM_NAMES[match.group('list')]} {int(match.group('i')) + 1}"
    return field_name


def _dom(field_name: str) -> str:
    return "c-" + re.sub(r"[^a-z0-9]+", "-", field_name.lower()).strip("-")


@dataclass
class _Brief:
    """Everything the brief template needs, computed once."""

    result: Result
    claims: dict[str, _Claim]
    summary: list[_Claim]  # cited summary sentences (empty: the summary is one paragraph)
    extra: list[_Claim]  # evidence records for fields the brief does not show
    sections: dict[str, list[_Flag]]  # section id -> flags about the section as a whole
    general: list[_Flag]  # flags about no claim or section
    flags: list[_Flag]  # all, in the result's order
    count: int  # the result's warnings
    pane: _Pane | None

    def claim(self, field_name: str) -> _Claim:
        return self.claims[field_name]


def _brief(result: Result, article: Article | None) -> _Brief:
    locator = _Locator(article, result)
    facts = result.key_facts
    fields = ["brief.title", *(f"brief.key_points[{i}]" for i in range(len(result.brief.key_points)))]
    for name, items in (
        ("people", facts.people),
        ("organizations", facts.organizations),
        ("events", facts.events),
        ("amounts", facts.amounts),
        ("quotes", facts.quotes),
    ):
        fields += [f"key_facts.{name}[{i}]" for i in range(len(items))]
    summary_records = [e for e in result.evidence if e.field.startswith("brief.summary[")]
    if not summary_records:
        fields.append("brief.summary")  # one paragraph: the claim is the whole summary
    claims = {f: _Claim(f, _claim_name(f), _dom(f)) for f in fields}
    summary: list[_Claim] = []
    extra: list[_Claim] = []
    for record in result.evidence:
        claim = claims.get(record.field)
        if claim is None:
            claim = claims[record.field] = _Claim(record.field, _claim_name(record.field), _dom(record.field))
            (summary if record.field.startswith("brief.summary[") else extra).append(claim)
        _attach(claim, record, locator)

    sections: dict[str, list[_Flag]] = {}
    general: list[_Flag] = []
    flags = [_flag(w) for w in result.warnings]
    for flag in flags:
        owner = _owner(flag.field, claims)
        if owner is not None:
            flag.part = flag.field[len(owner.field):].lstrip(".") if flag.field else ""
            flag.target, flag.where = owner.dom, owner.name
            flag.show_text = bool(flag.part) or not _repeats(flag.text, owner.text)
            owner.flags.append(flag)
            continue
        section = _section(flag.field)
        if section is not None:
            flag.target, flag.where = "sec-" + section[0], section[1]
            sections.setdefault(section[0], []).append(flag)
        else:
            general.append(flag)
    for claim in claims.values():
        claim.flags = _grouped(claim.flags)
    sections = {name: _grouped(found) for name, found in sections.items()}
    return _Brief(result, claims, summary, extra, sections, _grouped(general), _grouped(flags), len(flags), locator.pane())


def _repeats(text: str, claim: str) -> bool:
    """True when a warning's text is the claim itself (maybe cut short), not a name or number within it."""
    text, claim = " ".join(text.split()), " ".join(claim.split())
    return bool(text) and claim.startswith(text) and 2 * len(text) >= len(claim)


def _attach(claim: _Claim, record: ClaimEvidence, locator: _Locator) -> None:
    claim.supported, claim.problem, claim.text = record.supported, record.problem, record.claim
    for span in record.evidence:
        found = locator.locate(span)
        if not found:
            claim.unlocated.append(span.text)
            continue
        claim.targets += [t for t in found if t not in claim.targets]
        label = span.sentence if span.sentence and _SENTENCE_ID.fullmatch(span.sentence) else None
        if label is None:
            label = f"¶{span.paragraph + 1}" if span.paragraph is not None else "cited"
        claim.refs.append((label, found[0]))


def _flag(warning: ResultWarning) -> _Flag:
    label = _WARNING_LABELS.get(warning.kind, warning.kind)
    return _Flag(warning.kind, label, warning.text, warning.detail, warning.field, texts=[warning.text])


def _grouped(flags: list[_Flag]) -> list[_Flag]:
    """Warnings of one kind about one place, with the same explanation, as one line listing their texts
    (a dropped-names check flags each name of a paragraph)."""
    groups: dict[tuple[str, str, str, str | None, str | None, bool], _Flag] = {}
    for flag in flags:
        key = (flag.kind, flag.detail, flag.part, flag.field, flag.target, flag.show_text)
        group = groups.get(key)
        if group is None:
            groups[key] = replace(flag, texts=[flag.text])
        elif flag.text not in group.texts:
            group.texts.append(flag.text)
    return list(groups.values())


def _owner(field_name: str | None, claims: dict[str, _Claim]) -> _Claim | None:
    """The claim a warning's field is about: the field itself or one of its parts (key_facts.events[0].date)."""
    if not field_name:
        return None
    best: _Claim | None = None
    for name, claim in claims.items():
        if field_name == name or field_name.startswith(name + "."):
            if best is None or len(name) > len(best.field):
                best = claim
    return best


def _section(field_name: str | None) -> tuple[str, str] | None:
    if not field_name:
        return None
    for name, section in _SECTIONS.items():
        if field_name == name or field_name.startswith((name + ".", name + "[")):
            return section
    return None


# --------------------------------------------------------------------------- translations


@dataclass
class _Row:
    n: int
    source: str
    target: str | None
    flags: list[_Flag]


def _translation(result: TranslationResult) -> tuple[list[_Row], list[_Flag]]:
    rows = [_Row(p.n, p.source, p.target, []) for p in result.paragraphs]
    by_n = {row.n: row for row in rows}
    general: list[_Flag] = []
    for warning in result.warnings:
        flag = _flag(warning)
        match = re.match(r"^paragraphs\[(\d+)\]", warning.field or "")
        row = by_n.get(int(match.group(1))) if match else None
        if row is None:
            general.append(flag)
        else:
            flag.target, flag.where = f"p-{row.n}", f"paragraph {row.n}"
            row.flags.append(flag)
    for row in rows:
        row.flags = _grouped(row.flags)
    return rows, _grouped(general)


# --------------------------------------------------------------------------- public
