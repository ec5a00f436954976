"""Glossaries a translation must follow: source term -> target term, or `keep` (the term stays as written)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .checks.text import normalize
from .errors import InputError

KEEP = "keep"
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Term:
    """One glossary entry; `target` is the source term itself when the glossary says `keep`."""

    source: str
    target: str

    @property
    def keep(self) -> bool:
        """True when the term must stay untranslated."""
        return self.source == self.target


@dataclass(frozen=True)
class Glossary:
    """The terms of one glossary file and a hash of them (part of the cache key and the provenance)."""

    terms: tuple[Term, ...]

    @property
    def hash(self) -> str:
        """Short hash of the terms: a changed glossary changes the requests, so the cache key."""
        text = "\n".join(f"{t.source}\t{t.target}" for t in self.terms)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def found_in(self, text: str) -> list[Term]:
        """The terms whose source form occurs in `text` (accents, case and quote marks ignored; whole words)."""
        plain = normalize(text)
        return [t for t in self.terms if occurs(t.source, plain)]

    def instructions(self, text: str) -> str:
        """The prompt lines for the terms in `text` (only those: a 2,000-term glossary must not fill the prompt)."""
        lines = [
            f'- "{t.source}": keep it exactly as written' if t.keep else f'- "{t.source}" -> "{t.target}"'
            for t in self.found_in(text)
        ]
        return "\n".join(lines) if lines else "(no glossary term occurs in this text)"


def occurs(term: str, normalized_text: str) -> bool:
    """True when `term` is a whole-word run of `normalized_text` (already `normalize`d), compared normalized."""
    return re.search(rf"(?<!\w){re.escape(normalize(term))}(?!\w)", normalized_text) is not None


def load_glossary(path: Path) -> Glossary:
    """Read a TOML (`"term" = "translation"`, optionally under [terms]) or CSV (two columns) glossary."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"glossary {path} is larger than 1 MB")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"glossary not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read glossary {path}: {exc}") from None
    pairs = _toml_pairs(path, text) if path.suffix.lower() == ".toml" else _csv_pairs(path, text)
    terms: list[Term] = []
    seen: set[str] = set()
    for source, target in pairs:
        source, target = source.strip(), target.strip()
        if not source or not target:
            raise InputError(f"glossary {path}: empty term in {source!r} -> {target!r}")
        if normalize(source) in seen:
            raise InputError(f"glossary {path}: '{source}' is listed twice")
        seen.add(normalize(source))
        terms.append(Term(source, source if target.lower() == KEEP else target))
    if not terms:
        raise InputError(f"glossary {path} has no terms")
    # Longest first: "intelligence artificielle générative" is matched before "intelligence artificielle".
    return Glossary(tuple(sorted(terms, key=lambda t: (-len(t.source), t.source))))


def _toml_pairs(path: Path, text: str) -> list[tuple[str, str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"glossary {path}: bad TOML: {exc}") from None
    table = data.get("terms", data) if set(data) <= {"terms"} else data
    pairs = []
    for key, value in table.items():
        if not isinstance(value, str):
            raise InputError(f"glossary {path}: '{key}' must map to a string (a translation or \"keep\")")
        pairs.append((key, value))
    return pairs


def _csv_pairs(path: Path, text: str) -> list[tuple[str, str]]:
    if path.suffix.lower() not in (".csv", ".tsv"):
        raise InputError(f"glossary {path}: use a .toml or .csv file")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter="\t" if path.suffix.lower() == ".tsv" else ",") if any(c.strip() for c in r)]
    if rows and [c.strip().lower() for c in rows[0]] == ["source", "target"]:
        rows = rows[1:]
    for number, row in enumerate(rows, 1):
        if len(row) != 2:
            raise InputError(f"glossary {path}: row {number} has {len(row)} columns, expected 2 (source, target)")
    return [(row[0], row[1]) for row in rows]
