"""Output formats: a registry from a name to its file suffix and renderer; tasks never render themselves.

`--format` choices, batch output names and the Python API all read `FORMATS`. A renderer takes the result and,
when the caller has it, the cleaned `Article` (the HTML reader shows the brief beside the article's sentences;
without the article it shows the brief alone). A format may be limited to some result types (`side-by-side`
is for translations only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..schemas import Article

Renderer = Callable[["BaseModel", "Article | None"], str]


@dataclass(frozen=True)
class Format:
    """One output format: its name, the suffix of its files, and how a result becomes text."""

    name: str
    suffix: str
    render: Renderer
    help: str
    results: tuple[str, ...] = ()
    """The result class names it can render (empty: every result)."""

    def accepts(self, result_type: type) -> bool:
        """True when this format can render results of `result_type`."""
        return not self.results or result_type.__name__ in self.results


def _markdown(result: BaseModel, article: Article | None) -> str:
    from .markdown import markdown

    return markdown(result)


def _side_by_side(result: BaseModel, article: Article | None) -> str:
    from .markdown import side_by_side

    return side_by_side(result)  # type: ignore[arg-type]  # `accepts` limits it to TranslationResult


def _json(result: BaseModel, article: Article | None) -> str:
    from .json import to_json

    return to_json(result)


def _html(result: BaseModel, article: Article | None) -> str:
    from .html import page

    return page(result, article)


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add (or replace) a format; a plug-in's formats become `--format` choices the same way."""
    FORMATS[fmt.name] = fmt
    return fmt


register(Format("markdown", ".md", _markdown, "Readable Markdown, evidence as footnotes."))
register(Format("json", ".json", _json, "The whole result envelope (schema: `summarize schema result`)."))
register(Format("html", ".html", _html, "A self-contained page: the output beside the article, click a line to see its evidence."))
register(Format("side-by-side", ".md", _side_by_side, "Markdown table, each source paragraph beside its translation.",
                results=("TranslationResult",)))  # fmt: skip


def get_format(name: str, result_type: type | None = None) -> Format:
    """The format called `name`, refusing an unknown one or one that cannot render `result_type`."""
    fmt = FORMATS.get(name)
    if fmt is None:
        raise InputError(f"unknown format '{name}' (known: {', '.join(FORMATS)})")
    if result_type is not None and not fmt.accepts(result_type):
        raise InputError(f"--format {name} is for {', '.join(fmt.results)} only, not {result_type.__name__}")
    return fmt


def render(result: BaseModel, name: str = "markdown", article: Article | None = None) -> str:
    """`result` rendered in the format called `name`."""
    return get_format(name, type(result)).render(result, article)


__all__ = ["FORMATS", "Format", "get_format", "register", "render"]
