"""HTML reader: one self-contained page per result (the brief beside its article), and a batch's index page.

Pages load nothing: CSS and a little JS are inlined, and a Content-Security-Policy allows only those two blocks
(by hash), so the page reads the same offline, as a mail attachment or from a batch folder. Jinja2 renders the
templates with autoescape on: every string from the article or the model is text, never markup. The JS reads
only `data-evidence` attributes (element ids), no embedded JSON.

A brief's claims (title, summary sentences, key points, key facts) carry the ids of their evidence sentences;
clicking one (or Enter/Space on it) highlights those sentences in the article pane and scrolls the first into
view. Without JS the `[p.s]` links after each claim still jump to the sentence (highlighted by `:target`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup
from pydantic import BaseModel

from ..digest.model import Digest
from ..schemas import Article, Provenance, Result, ResultWarning, TranslationResult
from ..warning_kinds import WARNING_LABELS as _WARNING_LABELS
from .views import _brief, _flag, _translation

__all__ = ["IndexRow", "index_page", "page"]

_TEMPLATES = "summarize.render.templates"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


# --------------------------------------------------------------------------- templates and inlined assets


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("summarize.render", "templates"),
        autoescape=True,  # every template, whatever its suffix: .j2 is not in select_autoescape's defaults
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["label"] = lambda kind: _WARNING_LABELS.get(kind, kind)
    env.filters["number"] = _number
    return env


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files(_TEMPLATES).joinpath(name).read_text(encoding="utf-8")


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _render(template: str, *, script: bool, **context: Any) -> str:
    """A whole page: the template with the stylesheet (and script) inlined, and a CSP that allows only them."""
    css = _asset("page.css")
    js = _asset("page.js") if script else ""
    scripts = _digest(js) if script else "'none'"
    policy = f"default-src 'none'; style-src {_digest(css)}; script-src {scripts}; img-src data:; base-uri 'none'; form-action 'none'"
    # The assets are the package's own files, not data: inlined as they are (escaping would break `a > b`).
    return _environment().get_template(template).render(css=Markup(css), js=Markup(js), csp=policy, **context)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def _link(url: str | None) -> str | None:
    """An address worth a link: http(s) only (a `javascript:` URL in an article's metadata stays text)."""
    return url if url and re.match(r"^https?://", url, re.IGNORECASE) else None


# --------------------------------------------------------------------------- the article pane


def page(result: BaseModel, article: Article | None = None) -> str:
    """A self-contained HTML page for a result: a brief beside its article (click a claim to see its evidence),
    a translation aligned paragraph by paragraph, any other result as its fields. `article` is the cleaned
    Article the result was made from; None shows the output alone (a brief's cited passages stand in for it)."""
    provenance = getattr(result, "provenance", None)
    if isinstance(result, Digest):
        from .digest_html import view

        return _render("digest.j2", script=True, lang=result.target_language, **view(result))
    if isinstance(result, Result):
        brief = _brief(result, article)
        return _render(
            "brief.j2",
            script=True,
            b=brief,
            r=result,
            article=article,
            meta=result.article,
            prov=provenance,
            link=_link(result.article.url),
            lang=result.provenance.target_language,
        )
    if isinstance(result, TranslationResult):
        rows, general = _translation(result)
        return _render(
            "translation.j2",
            script=False,
            r=result,
            rows=rows,
            general=general,
            meta=result.article,
            prov=provenance,
            link=_link(result.article.url),
            lang=result.target_language,
            all_flags=len(result.warnings),
        )
    data = result.model_dump(mode="json", exclude={"provenance", "article", "warnings"})
    fields = [(key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)) for key, value in data.items()]
    meta = getattr(result, "article", None)
    return _render(
        "generic.j2",
        script=False,
        name=type(result).__name__,
        fields=fields,
        flags=[_flag(w) for w in getattr(result, "warnings", []) if isinstance(w, ResultWarning)],
        meta=meta,
        prov=provenance if isinstance(provenance, Provenance) else None,
        link=_link(getattr(meta, "url", None)),
        lang="en",
    )


@dataclass(frozen=True)
class IndexRow:
    """One article of a batch run, as its index page lists it."""

    source: str
    """The article's path or address, as the run names it."""
    status: str
    """done | cached | existing | failed."""
    href: str | None
    """Path of its page relative to the index (not URL-encoded: index_page quotes it); None: no page."""
    title: str | None
    language: str | None
    warnings: int
    error: str | None
    """One line: why it failed."""


def _href(path: str | None) -> str | None:
    """A relative path as a link that stays relative: quoted, and never read as a scheme (`javascript:x.html`)."""
    if not path:
        return None
    quoted = quote(path.replace("\\", "/"), safe="/._-~")
    return "./" + quoted if _SCHEME.match(path) else quoted


def index_page(rows: list[IndexRow], title: str) -> str:
    """A batch run's index.html: every article with its status, title, language, warnings and a link to its page."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    order = ["done", "cached", "existing", "failed"]
    summary = [(s, counts[s]) for s in order if s in counts] + [(s, n) for s, n in counts.items() if s not in order]
    return _render(
        "index.j2",
        script=False,
        title=title,
        rows=[(row, _href(row.href)) for row in rows],
        summary=summary,
        warned=sum(1 for row in rows if row.warnings),
        lang="en",
    )
