"""The cleaning engine: classify each paragraph by the rules, take metadata and the title out, report drops."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import (
    DATE_LABEL_START,
    DATE_WORDS,
    DIGIT,
    PUBLISH_LABEL,
    PUNCT_ONLY,
    RELATIVE,
    TIME,
    TIMEZONE,
    date_line,
    find_date,
)
from .paragraphs import BULLET, Para, build_paragraphs, is_bullet, split_glued
from .rules import (
    MENU_ITEMS,
    MENU_WORDS,
    ACCOUNT,
    COUNTER,
    NAVIGATION,
    PROMO,
    ADDRESS,
    AGENCY,
    BYLINE,
    CAPTION,
    COPYRIGHT_NAME,
    CORRECTION_NOTICE,
    CREDIT,
    ERROR_WORD,
    NEWSLETTER,
    NOT_NAMES,
    PAYWALL_STRONG,
    PAYWALL_WEAK,
    PROMO_ADDRESS,
    RECAP_HEADING,
    RELATED,
    REPORT_VERB,
    SERVER_ERRORS,
    SYND_AUTHOR_KEY,
    SYND_COPYRIGHT,
    SYND_DATE_KEY,
    SYND_SITE_KEY,
    SYND_URL_KEY,
    UI_PHRASES,
    URL,
)
from .title import choose_title, prose, stems
from .text import dedup_key, fold, matches


@dataclass(frozen=True)
class Dropped:
    """A piece of the input removed from the body: its 1-based start line, stripped text and rule name."""

    line: int
    text: str
    rule: str


@dataclass(frozen=True)
class Cleaned:
    """The cleaned body (paragraphs joined by blank lines), its metadata and a report of drops and repairs."""

    text: str
    title: str | None
    author: str | None
    published: str | None
    url: str | None
    site_name: str | None
    dropped: tuple[Dropped, ...]
    fixes: tuple[str, ...]


class _Meta:
    """Metadata candidates; a lower priority number wins, then the first one seen."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[int, str]] = {}

    def offer(self, name: str, value: str | None, priority: int = 1) -> None:
        value = (value or "").strip()
        if not value:
            return
        current = self.values.get(name)
        if current is None or priority < current[0]:
            self.values[name] = (priority, value)

    def get(self, name: str) -> str | None:
        return self.values[name][1] if name in self.values else None


_LEADING_DOTS = re.compile(r"^[\s.·•*|_-]+")


def _debris(text: str, folded: str, meta: _Meta) -> bool:
    if not any(ch.isalnum() for ch in text) or COUNTER.fullmatch(folded):
        return True
    if len(folded) <= 400 and matches(SERVER_ERRORS, _LEADING_DOTS.sub("", folded)):
        return True
    if len(folded) > 150 or (folded.endswith(".") and not folded.endswith("...")):
        return False
    # A reader-mode widget line may carry the article date ("date 2024-09 Lecture Zen ...").
    found = find_date(folded, allow_year=bool(re.search(r"\bdate\b", folded))) if DIGIT.search(folded) else None
    rest = folded if found is None else folded[: found[1]] + " " + folded[found[2]:]
    residue, hits = UI_PHRASES.subn(" ", rest)
    if hits == 0 or not PUNCT_ONLY.fullmatch(residue):
        return False
    if found is not None:
        meta.offer("published", found[0], 1 if PUBLISH_LABEL.search(folded) else 2)
    return True


def _syndication(text: str, folded: str, meta: _Meta) -> bool:
    if len(folded) > 300:
        return False
    value = text.split(":", 1)[1].strip() if ":" in text else ""
    if SYND_URL_KEY.match(folded):
        url = URL.search(text)
        meta.offer("url", url.group().rstrip(".,;)»”") if url else None)
        return True
    if SYND_AUTHOR_KEY.match(folded):
        meta.offer("author", value if len(value) <= 100 else None)
        return True
    if SYND_DATE_KEY.match(folded):
        found = find_date(fold(value), allow_year=True)
        meta.offer("published", found[0] if found else None)
        return True
    site = SYND_SITE_KEY.match(folded)
    if site and len(folded) <= 150:
        # "Tags : L'Express" names the source site only when it is a single tag.
        if value and len(value) <= 60 and not re.search(r"[,;#|]", value):
            meta.offer("site_name", value, 2 if folded.startswith("tag") else 1)
        return True
    if len(folded) <= 200 and matches(SYND_COPYRIGHT, folded):
        if "syndicated" not in folded:
            name = COPYRIGHT_NAME.match(text)
            meta.offer("site_name", name.group("name") if name else None, 3)
        return True
    return False


def _byline(text: str, folded: str, meta: _Meta) -> bool:
    if len(folded) > 160:
        return False
    match = BYLINE.match(text)
    if match:
        names = match.group("names").strip()
        first = fold(names.split()[0]).strip(".,'")
        rest = (match.group("rest") or "").strip()
        rest_date = find_date(fold(rest)) if rest else None
        if first not in NOT_NAMES and (not rest or rest_date or (len(rest) <= 60 and not rest.endswith("."))):
            meta.offer("author", names)
            if rest_date:
                meta.offer("published", rest_date[0])
            return True
    if len(folded) <= 60 and RELATIVE.search(folded):
        if PUNCT_ONLY.fullmatch(DATE_WORDS.sub(" ", RELATIVE.sub(" ", folded))):
            return True  # "• il y a 4 ans", "- 6 hours ago": a stamp, nothing to keep
    if DATE_LABEL_START.match(folded):
        dated = date_line(folded)
        if dated:
            meta.offer("published", dated[0], dated[1])
            return True
        # "Publié aujourd'hui à 10h12, modifié à 11h05": a stamp with no date to keep, still not prose.
        stamp = DATE_WORDS.sub(" ", RELATIVE.sub(" ", TIMEZONE.sub(" ", TIME.sub(" ", folded))))
        # "Publié le" alone: the date went to a line of its own (or nowhere).
        if len(folded) <= 120 and (RELATIVE.search(folded) or len(folded) <= 30) and PUNCT_ONLY.fullmatch(stamp):
            return True
    credit = CREDIT.match(folded)
    if credit and not folded.endswith((".", "!", "?")):
        # "Reporting by Jane Smith in San Francisco; Editing by Tom Brown"
        first = re.split(r";| in | a | à |,", text[credit.end():])[0].strip()
        meta.offer("author", first if 2 <= len(first) <= 60 else None, 2)
        return True
    agency = AGENCY.match(folded)
    if agency:
        site = agency.group("site")
        if site:
            meta.offer("site_name", text[: len(site)].strip(), 3)
        return True
    return False


def _menu(folded: str) -> bool:
    if "|" not in folded or len(folded) > 300:
        return False
    items = [item for item in MENU_ITEMS.split(folded) if item]
    short = all(len(item.split()) <= 4 for item in items)
    return len(items) >= 4 and short and any(MENU_WORDS.search(item) for item in items)


def _correction_prompt(folded: str) -> bool:
    return (
        len(folded) <= 300
        and not CORRECTION_NOTICE.match(folded)
        and bool(ERROR_WORD.search(folded) and REPORT_VERB.search(folded) and ADDRESS.search(folded))
    )


def _classify_line(text: str, folded: str, meta: _Meta) -> str | None:
    if _debris(text, folded, meta):
        return "debris"
    if _syndication(text, folded, meta):
        return "syndication"
    if _byline(text, folded, meta):
        return "byline"
    if (len(folded) <= 120 and matches(NAVIGATION, folded)) or _menu(folded):
        return "navigation"
    if len(folded) <= 300 and matches(ACCOUNT, folded):
        return "account"
    if len(folded) <= 600 and matches(NEWSLETTER, folded):
        return "newsletter"
    if len(folded) <= 300 and matches(PROMO, folded):
        return "promo"
    if len(folded) <= 250 and matches(RELATED, folded):
        return "related"
    if len(folded) <= 300 and matches(CAPTION, folded):
        return "caption"
    if _correction_prompt(folded):
        return "correction_prompt"
    if len(folded) <= 2000 and matches(PAYWALL_STRONG, folded):
        return "paywall"
    return None


def _classify(para: Para, meta: _Meta) -> str | None:
    if not para.bullets:
        return _classify_line(para.text, para.folded, meta)
    # A bulleted list is boilerplate only when every item is (e.g. a list of "Lire aussi" links).
    rules = set()
    for line in para.text.split("\n"):
        item = BULLET.sub("", line, count=1).strip() if is_bullet(line) else line
        rules.add(_classify_line(item, fold(item), meta))
        if None in rules or len(rules) > 1:
            return None
    return rules.pop() if rules else None


def _mark_recap(pieces: list[Para], title: str | None) -> None:
    kept = [i for i, p in enumerate(pieces) if p.rule is None]
    if len(kept) < 3 or not pieces[kept[-1]].bullets:
        return
    last = kept[-1]
    items = pieces[last].text.split("\n")
    before = [pieces[i] for i in kept[:-1]]
    if len(items) < 2 or sum(not p.bullets for p in before) < 2:
        return
    earlier = stems(" ".join([title or "", *(p.text for p in before)]))
    recap = stems(pieces[last].text)
    if len(recap) < 4 or len(earlier) < 30:
        return
    # A recap restates: most of its content words already occur in the article; new facts would not.
    if len(recap & earlier) / len(recap) >= 0.6:
        pieces[last].rule = "recap"
        heading = pieces[kept[-2]]
        if RECAP_HEADING.match(heading.folded.rstrip(" .")):
            heading.rule = "recap"


_TRUNCATED = re.compile(r"\w[,;]?(?:\.{2,}|…)$")


_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|…)$")


def _mark_lead_teasers(pieces: list[Para]) -> None:
    """A teaser that the next paragraph repeats in full (its start, often cut with an ellipsis) is a duplicate."""
    kept = [p for p in pieces if p.rule is None]
    for teaser, full in zip(kept, kept[1:]):
        start = _ELLIPSIS.sub("", dedup_key(teaser.folded))
        if len(start) >= 30 and len(start) < len(full.folded) and dedup_key(full.folded).startswith(start):
            teaser.rule = "duplicate"


def _mark_teasers(pieces: list[Para]) -> None:
    """Links to other stories at the end: a run of two or more paragraphs cut short ("… la représentante du...")."""
    kept = [i for i, p in enumerate(pieces) if p.rule is None]
    run = []
    for i in reversed(kept):
        if not _TRUNCATED.search(pieces[i].text) or len(pieces[i].text.split()) < 8:
            break
        run.append(i)
    if len(run) >= 2 and len(run) < len(kept):
        for i in run:
            pieces[i].rule = "related"


def _propagate_paywall(pieces: list[Para]) -> None:
    changed = True
    while changed:
        changed = False
        for i, para in enumerate(pieces):
            if para.rule is not None or len(para.folded) > 1000:
                continue
            neighbours = [pieces[j] for j in (i - 1, i + 1) if 0 <= j < len(pieces)]
            if not any(n.rule == "paywall" for n in neighbours):
                continue
            if PAYWALL_WEAK.search(para.folded) and PROMO_ADDRESS.search(para.folded):
                para.rule = "paywall"
                changed = True


_TITLE = "_title"  # internal marker: moved to Cleaned.title, not dropped


def clean_text(raw: str) -> Cleaned:
    """Clean scraped article text: drop boilerplate by named rule, move the title and metadata out of the body."""
    meta = _Meta()
    pieces = [piece for para in build_paragraphs(raw) for piece in split_glued(para)]
    for piece in pieces:
        piece.rule = _classify(piece, meta)

    # Undated-label date lines are metadata only above or below the prose, never between paragraphs
    # (a chronology's date subheadings are content).
    long_ones = [i for i, p in enumerate(pieces) if p.rule is None and prose(p.text)]
    first_long = long_ones[0] if long_ones else len(pieces)
    last_long = long_ones[-1] if long_ones else len(pieces)
    for i, piece in enumerate(pieces):
        # A date right under a lone "Publié le" is that label's date, wherever it is.
        labelled = i > 0 and pieces[i - 1].rule == "byline" and DATE_LABEL_START.match(pieces[i - 1].folded) is not None
        if piece.rule is None and (i < first_long or i > last_long or labelled) and len(piece.folded) <= 120:
            dated = date_line(piece.folded)
            if dated:
                meta.offer("published", dated[0], dated[1])
                piece.rule = "byline"

    title: str | None = None
    chosen = choose_title(pieces)
    if chosen is not None:
        title, pieces[chosen].rule = pieces[chosen].text, _TITLE

    title_key = dedup_key(fold(title)) if title else None
    seen: set[str] = set()
    for piece in pieces:
        if piece.rule is not None:
            continue
        key = dedup_key(piece.folded)
        if key == title_key:
            piece.rule = "title_repeat"
        elif len(key) >= 20 and key in seen:
            piece.rule = "duplicate"
        else:
            seen.add(key)

    _mark_lead_teasers(pieces)
    _propagate_paywall(pieces)
    _mark_recap(pieces, title)
    _mark_teasers(pieces)

    dropped: list[tuple[int, str, str, int]] = []  # line, text, rule, index of the last piece glued in
    fixes: list[str] = []
    for i, piece in enumerate(pieces):
        previous = pieces[i - 1] if i else None
        kept = piece.rule is None
        glued_to_previous = piece.joined_to_prev and previous is not None
        if piece.fixes and (kept or (glued_to_previous and previous is not None and previous.rule is None)):
            fixes.extend(piece.fixes)
        if piece.rule is None or piece.rule == _TITLE:
            continue
        if glued_to_previous and dropped and dropped[-1][3] == i - 1 and dropped[-1][2] == piece.rule:
            line, text, rule, _ = dropped[-1]  # re-glue pieces of one source line dropped for the same reason
            dropped[-1] = (line, text + piece.text, rule, i)
        else:
            dropped.append((piece.line, piece.text, piece.rule, i))

    return Cleaned(
        text="\n\n".join(p.text for p in pieces if p.rule is None),
        title=title,
        author=meta.get("author"),
        published=meta.get("published"),
        url=meta.get("url"),
        site_name=meta.get("site_name"),
        dropped=tuple(Dropped(line, text, rule) for line, text, rule, _ in dropped),
        fixes=tuple(fixes),
    )
