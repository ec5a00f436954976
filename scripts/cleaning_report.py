"""Score the cleaner on the cleaning corpus: boilerplate kept, content dropped, wrong titles, per page and in total.

    python scripts/cleaning_report.py            # the cleaner of this checkout
    python scripts/cleaning_report.py --details  # also list each line that went the wrong way

To compare with an older cleaner, run this script from a worktree of that commit with PYTHONPATH pointing at it
and the corpus of this checkout: `CLEANING_CORPUS=$PWD/tests/fixtures/cleaning`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tests.cleaning_corpus as corpus  # noqa: E402


def main() -> int:
    """Print the table; exit 1 when a content line is dropped (the hard rule)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every line that went the wrong way")
    args = parser.parse_args()
    if os.environ.get("CLEANING_CORPUS"):
        corpus.CORPUS = Path(os.environ["CLEANING_CORPUS"])
    scores = [corpus.score(page) for page in corpus.pages()]
    print("| page | lang | boilerplate kept | content dropped | title |")
    print("|---|---|---|---|---|")
    for s in scores:
        title = "wrong" if s.title_wrong else "missed" if s.title_missed else "ok"
        print(f"| {s.file} | {s.language} | {len(s.boilerplate_kept)}/{s.boilerplate} | {len(s.content_dropped)}/{s.content} | {title} |")
        if args.details:
            for text in s.boilerplate_kept:
                print(f"|  | | kept: {text[:90]!r} | | |")
            for text, rule in s.content_dropped:
                print(f"|  | | | dropped ({rule}): {text[:90]!r} | |")
            for text, rule, part in s.content_cut:
                print(f"|  | | | cut from {text[:50]!r} ({rule}): {part!r} | |")
            if s.title_wrong or s.title_missed:
                print(f"|  | | | | got {s.title!r}, expected {s.title_expected!r} |")
    print()
    sets = [page.get("set", "all") for page in corpus.pages()]
    for name in [*dict.fromkeys(sets), "all"]:
        t = corpus.totals([s for s, page_set in zip(scores, sets) if name in ("all", page_set)])
        print(
            f"{name}: {t.pages} pages, boilerplate lines kept {t.boilerplate_kept} of {t.boilerplate}, content lines "
            f"dropped {t.content_dropped} of {t.content} (glued pieces cut from content lines: {t.content_cut}), wrong titles {t.titles_wrong}, titles missed {t.titles_missed}"
        )
    return 1 if corpus.totals(scores).content_dropped else 0


if __name__ == "__main__":
    raise SystemExit(main())
