"""Claims too costly to get wrong (a death, an arrest, a bankruptcy): rules as data, shared by every prompt version.

A 1.5B model read the headline "le roi Altman est mort, vive le roi" as "Sam Altman has died" in every prompt
version before v4 (title, summary, key points, events). Words and names were all in the article; only the
meaning was wrong. Such a claim must be stated by the sentences it rests on, in their own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class GraveClaim:
    """A kind of claim too costly to get wrong: the cited sentences must state it in their own words."""

    name: str
    claim: re.Pattern[str]
    stated: re.Pattern[str]


# The claim side reads English and German targets; the article side French, English and German.
GRAVE = (
    GraveClaim(
        "a death",
        re.compile(r"\b(died|dies|dead|death|killed|passed away|deceased|mort|morte|décédé|décès|gestorben|starb|tot|tod)\b", re.I),
        re.compile(r"\b(mort|morte|morts|meur\w*|mour\w*|décès|décéd\w*|tué\w*|died|dies|dying|dead|death|killed|passed away|obsèques|funeral)\b", re.I),
    ),
    GraveClaim(
        "an arrest or a charge",
        re.compile(r"\b(arrested|arrest|charged|indicted|jailed|imprisoned)\b", re.I),
        re.compile(r"\b(arrêt\w*|interpell\w*|inculp\w*|mis en examen|écroué\w*|prison|garde à vue|arrest\w*|charged|indicted|jail\w*)\b", re.I),
    ),
    GraveClaim(
        "a bankruptcy",
        re.compile(r"\b(bankrupt\w*|insolven\w*|liquidation)\b", re.I),
        re.compile(r"\b(faillite|liquidation|redressement judiciaire|insolvab\w*|bankrupt\w*|insolven\w*|chapter 11)\b", re.I),
    ),
)


def unstated(claim: str, support: str) -> list[str]:
    """The grave claims `claim` makes that `support` (its evidence, its cited sentences) does not state."""
    return [rule.name for rule in GRAVE if rule.claim.search(claim) and not rule.stated.search(support)]
