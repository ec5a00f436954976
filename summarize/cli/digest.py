"""`summarize digest`: the briefs of many articles merged into one cited timeline per story (issue 18, in progress)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .commands import command
from .options import OutputPath, emit


def _formats() -> list[str]:
    return ["markdown", "json"]


@command(model=True, task="summary", settings=("length",), formats=_formats,
         format_help="markdown (a timeline per story) or json (the merged facts and stories). {formats}.")  # fmt: skip
def digest(
    sources: Annotated[list[str], typer.Argument(metavar="SOURCES...", help="Folders, feeds, URL lists, files, or an earlier batch's index.jsonl.")],
    output: OutputPath = None,
    explain: Annotated[bool, typer.Option("--explain", help="Say why articles were put in one story.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what briefing the articles would send and cost; call nothing.")] = False,
    text: Annotated[bool, typer.Option("--text/--no-text", help="Also have the model write a few checked sentences per story from its merged facts (one request a story).")] = False,
    *,
    summarizer: Any,
    prompt_version: int | None,
    format: str,
) -> None:
    """Merge the key facts of many articles into one timeline per story, each entry citing every article that reports it (no model needed for the merge)."""
    import json

    from ..digest.collect import collect
    from ..digest.markdown import story_markdown
    from ..digest.merge import merge
    from ..digest.stories import stories
    from ..digest.text import write
    from ..errors import InputError

    if dry_run:
        from ..runs.estimate import Estimate, estimate_source
        from ..runs.progress import estimate_table
        from ..runs.sources import open_source

        total = Estimate()
        for name in sources:  # the same estimator as tokens and batch --dry-run
            total.include(estimate_source(summarizer, open_source(name), prompt_version=prompt_version))
        total.price(summarizer.model)
        typer.echo(estimate_table(total, model=summarizer.settings.model))
        typer.echo("the merge sends nothing" + ("; --text adds one short request a story (stories are known once the briefs exist)" if text else ""))
        return
    collected = collect(summarizer, sources, prompt_version=prompt_version)
    if not collected.results:
        raise InputError("no article could be briefed: nothing to merge" + (f" ({collected.left_out[0]})" if collected.left_out else ""))
    by_id = dict(collected.results)
    found = stories(merge(collected.results))
    per_story = [(story, merge([(a, by_id[a]) for a in story.articles])) for story in found]
    written = [write(summarizer, facts, by_id, collected.texts, prompt_version=None) if text else None for _, facts in per_story]
    languages = sorted({r.article.language or "?" for _, r in collected.results})
    if format == "json":
        body = {"stories": [{"story": s.model_dump(mode="json"), "facts": f.model_dump(mode="json"),
                             "digest": None if w is None else {"text": w.text.model_dump(mode="json"),
                                                               "warnings": [x.model_dump(mode="json") for x in w.warnings]}}
                            for (s, f), w in zip(per_story, written)],
                "left_out": collected.left_out, "languages": languages}  # fmt: skip
        emit(json.dumps(body, ensure_ascii=False, indent=2) + "\n", output)
        return
    lines = [f"# Digest of {len(collected.results)} article(s), {len(found)} story(ies)", ""]
    if len(languages) > 1:
        lines += [f"Articles in {', '.join(languages)}: their facts are merged in the brief's language.", ""]
    for number, ((story, facts), w) in enumerate(zip(per_story, written), 1):
        lines += story_markdown(number, story, facts, explain=explain, written=w)
    if collected.left_out:
        lines += ["## Left out", ""] + [f"- {line}" for line in collected.left_out] + [""]
    emit("\n".join(lines), output)
