"""Gold sets: what a careful reader extracts from each article, the reference `summarize eval` scores against.

A gold set is a TOML file (format 1, documented in docs/evaluation.md): per article its source file,
language, metadata, and the people, organizations, dated events, amounts and quotes it holds. Any fact can be
`optional`: found, it counts as right; missed, it is not held against the answer.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError

FORMAT = 1
"""The gold-set format this version reads; a file of another format is refused, not misread."""


class _Gold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    optional: bool = False


class GoldPerson(_Gold):
    """A person the article names, with the other forms of the name it uses."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    role: str = ""
    organization: str = ""


class GoldOrganization(_Gold):
    """An organization the article names."""

    name: str
    aliases: list[str] = Field(default_factory=list)


class GoldEvent(_Gold):
    """A dated (or undated) event: matched by date, one of its entities and one of its keywords."""

    date: str = Field(default="", pattern=r"^([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?$")
    entities: list[str] = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    description: str = ""


class GoldAmount(_Gold):
    """A figure with its currency ("" when it is not money)."""

    value: float
    currency: str = Field(default="", pattern=r"^([A-Z]{3})?$")
    text: str = ""


class GoldQuote(_Gold):
    """A quotation, verbatim in the article's language, and who said it."""

    speaker: str
    text: str


class GoldMetadata(BaseModel):
    """The article's own metadata ("" when the page does not give it)."""

    model_config = ConfigDict(extra="forbid")

    title: str = ""
    author: str = ""
    published: str = ""
    url: str = ""


class GoldArticle(BaseModel):
    """One article of the gold set and its facts."""

    model_config = ConfigDict(extra="forbid")

    source: str
    language: str = Field(pattern=r"^[a-z]{2}$")
    metadata: GoldMetadata = Field(default_factory=GoldMetadata)
    people: list[GoldPerson] = Field(default_factory=list)
    organizations: list[GoldOrganization] = Field(default_factory=list)
    events: list[GoldEvent] = Field(default_factory=list)
    amounts: list[GoldAmount] = Field(default_factory=list)
    quotes: list[GoldQuote] = Field(default_factory=list)
    path: Path = Field(default=Path(), exclude=True)
    """The source resolved against the gold file's folder."""


class GoldSet(BaseModel):
    """A gold set file: its format and articles."""

    model_config = ConfigDict(extra="forbid")

    format: int
    article: list[GoldArticle] = Field(min_length=1)


def load_gold(path: Path) -> GoldSet:
    """Read and check a gold set; sources are resolved against its folder and must exist."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such gold set") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: not a readable gold set: {exc}") from None
    if data.get("format") != FORMAT:
        raise InputError(f"{path}: gold set format {data.get('format')!r}, this version reads format {FORMAT}")
    try:
        gold = GoldSet.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"{path}: {where}: {first['msg']}") from None
    for article in gold.article:
        article.path = (path.parent / article.source).resolve()
        if not article.path.is_file():
            raise InputError(f"{path}: article {article.source} not found next to the gold set")
    return gold
