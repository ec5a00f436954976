"""`summarize prompts ...` and `summarize cache ...`: the versioned prompts and the result cache."""

from __future__ import annotations

import json
from typing import Annotated, Any, Optional

import typer

from .commands import command, group

group("prompts", "List and show the versioned prompts.")
group("cache", "Inspect or clear the result cache.")


def _library(settings: Any) -> Any:
    from ..prompts import PromptLibrary

    return PromptLibrary(settings.prompts_dir)


@command("list", group="prompts", settings=("prompts_dir",))
def prompts_list(*, settings: Any) -> None:
    """List tasks, their versions and descriptions."""
    library = _library(settings)
    for task in library.tasks():
        for version in library.versions(task):
            prompt = library.load(task, version)
            newest = " (default)" if version == max(library.versions(task)) else ""
            typer.echo(f"{task:<10} v{version:<3} {prompt.hash}  {prompt.description}{newest}")


@command("show", group="prompts", settings=("prompts_dir",))
def prompts_show(
    task: Annotated[str, typer.Argument(help="Task name, e.g. summary.")],
    version: Annotated[Optional[int], typer.Option("--version", "-v", help="Version (default: newest).")] = None,
    *,
    settings: Any,
) -> None:
    """Show one prompt: header, sampling and both message templates."""
    prompt = _library(settings).load(task, version)
    typer.echo(f"task: {prompt.task}\nversion: {prompt.version}\nhash: {prompt.hash}\nschema: {prompt.schema}")
    typer.echo(f"sampling: {json.dumps(prompt.sampling)}\nfile: {prompt.path}\n")
    sections = ({"system": prompt.system, "user": prompt.user} if prompt.schema else {}) | prompt.sections
    typer.echo("\n\n".join(f"## {name}\n{text}" for name, text in sections.items()))


@command("stats", group="cache", settings=("cache_dir",))
def cache_stats(*, settings: Any) -> None:
    """Show the cache directory, entry count and size."""
    from ..cache import ResultCache

    if not settings.cache_dir.exists():  # looking must not create it
        typer.echo(f"directory: {settings.cache_dir} (none yet)\nentries: 0\nsize: 0.0 KiB")
        return
    stats = ResultCache(settings.cache_dir).stats()
    typer.echo(f"directory: {stats['directory']}\nentries: {stats['entries']}\nsize: {stats['bytes'] / 1024:.1f} KiB")


@command("clear", group="cache", settings=("cache_dir",))
def cache_clear(*, settings: Any) -> None:
    """Remove every cached result."""
    from ..cache import ResultCache

    if not settings.cache_dir.exists():
        typer.echo("removed 0 entries")
        return
    typer.echo(f"removed {ResultCache(settings.cache_dir).clear()} entries")
