"""The proper names an article writes, found in its text, so the prompt can point at them instead of hoping.

A 1.5B model asked for "every person" lists two or three of seven (v4's first recordings: people recall 0.32
at precision 0.96). Finding names is mechanical; deciding which are people, what their roles are and which
matter is the model's work. So the prompt lists the names found here and the model classifies them.
"""

from __future__ import annotations

import re

from ..checks.grounding import _COMMON_CAPITALIZED
from ..checks.text import normalize
from ..reading.sentences import Sentences

MAX_NAMES = 30
# Runs of capitalized words, with the particles names carry ("Sasha de Marigny", "Ursula von der Leyen").
_RUN = re.compile(r"(?<![\w’'-])([A-Z][\w’'.-]*\w)((?:\s+(?:(?:de|du|des|van|von|der|da|di|le|la|bin)\s+)*[A-Z][\w’'.-]*\w)*)")
# Capitalized words that are not names in French or English news text.
_NOT_NAMES = frozenset(
    """le la les l un une des du de d ce cet cette ces son sa ses leur leurs il elle ils elles on nous vous je tu
    et ou mais donc or ni car si selon depuis dans pour par avec sans sous sur chez vers entre apres avant pendant
    lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet aout septembre
    octobre novembre decembre autre autres tous toutes tout toute plus moins tres bien deja aussi ainsi alors
    quand comme qui que quoi dont ou ici la-bas cependant pourtant enfin puis ensuite source publie mise jour
    lire photo credit ia ceo pdg cto""".split()
) | _COMMON_CAPITALIZED


_ROLES = frozenset(
    """ceo cto cfo coo pdg dg judge juge president presidente chairman chairwoman commissioner commissaire minister
    ministre attorney general secretary senator senateur dr prof mr mrs ms m mme founder fondateur""".split()
)


def _is_name(run: str) -> bool:
    words = [normalize(w) for w in run.split()]
    meaningful = [w for w in words if w not in _NOT_NAMES]
    return bool(meaningful) and not all(w.isdigit() for w in meaningful)


def _pieces(run: str, common: set[str], at_start: bool) -> list[str]:
    # "Microsoft CEO Satya Nadella" is two names; "Avec Zoph" is one ("avec" is written in lower case elsewhere:
    # a common word capitalized by its place); "Google’s" is "Google".
    words = [re.sub(r"(?:’s|'s)$", "", w) for w in run.split()]
    while at_start and words and (words[0].lower() in common or normalize(words[0]) in _NOT_NAMES):
        words = words[1:]
    pieces: list[list[str]] = []
    current: list[str] = []
    for word in words:
        if normalize(word) in _ROLES:
            pieces.append(current)
            current = []
        else:
            current.append(word)
    pieces.append(current)
    return [" ".join(p) for p in pieces if p and _is_name(" ".join(p))]


def _starts(text: str, offset: int) -> bool:
    # A capital after a sentence's start, an opening quotation mark or a colon is there for its place, not a name.
    return re.search(r"(?:^|[«“\"(:.!?]\s*)$", text[:offset]) is not None


def names_in(sentences: Sentences) -> list[str]:
    """Proper names in order of first appearance: runs of capitalized words (a sentence's first word only if the
    article also writes it capitalized mid-sentence); a shorter form ("Altman") folded into its longer one."""
    runs = [(m, _starts(s.text, m.start())) for s in sentences for m in _RUN.finditer(s.text)]
    common = {w for s in sentences for w in re.findall(r"(?<![\w’'-])[a-zà-ÿ][\w’'-]*", s.text)}
    mid_words = {normalize(w) for m, start in runs if not start for w in (m.group(1) + m.group(2)).split()}
    found: dict[str, str] = {}
    for m, start in runs:
        run = (m.group(1) + m.group(2)).strip(" .")
        for piece in _pieces(run, common, start):
            if start and len(piece.split()) == 1 and normalize(piece) not in mid_words:
                continue  # a sentence's first word, capitalized by its place only
            found.setdefault(normalize(piece), piece)
    names = list(found.values())
    longer = [n for n in names if len(n.split()) > 1]
    kept = [n for n in names if len(n.split()) > 1 or not any(normalize(n) in normalize(other).split() for other in longer)]
    return kept[:MAX_NAMES]
