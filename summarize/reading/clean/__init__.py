"""Turn scraped news-article text into clean body paragraphs plus metadata, recording everything removed.

Modules, in the order data flows through them:

    text.py        folding for matching; rule families (regexes gated by literal needles)
    dates.py       dates and date lines
    rules.py       the rules as data: RULES (name -> what it drops) and their phrase families
    paragraphs.py  lines -> paragraphs (bullets, wrapped lines, glued sentences); paragraphs()
    title.py       the title, chosen with evidence from the body or not at all
    engine.py      clean_text(): classify, take metadata and the title out, report every drop
"""

from __future__ import annotations

from .engine import Cleaned, Dropped, clean_text
from .paragraphs import paragraphs
from .rules import RULES

__all__ = ["RULES", "Cleaned", "Dropped", "clean_text", "paragraphs"]


