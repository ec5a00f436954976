"""Write docs/cli.md, the reference of every `summarize` command and option, from the app itself.

    python scripts/cli_reference.py           rewrite docs/cli.md
    python scripts/cli_reference.py --check   exit 1 when docs/cli.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from summarize.cli.reference import reference

TARGET = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def main(argv: list[str]) -> int:
    text = reference()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python scripts/cli_reference.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
