"""Every option, declared once: those of the settings are generated from the `Settings` fields (their description
is the help, their `Flag` the spelling), the few that are not settings are declared here or in their command.

Nothing here imports pydantic at module level: the generated options are built when a command is first parsed
or shown (`summarize --help` lists the commands without building them).
"""

from __future__ import annotations

import sys
import types
import typing
from copy import copy
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

import typer

if TYPE_CHECKING:
    from ..config import Settings

Source = Annotated[str, typer.Argument(metavar="FILE|-|URL", help="Article file (text, HTML or PDF), '-' for stdin, or an http(s) URL.")]
OutputPath = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")]
PromptVersion: Any = Annotated[Optional[int], typer.Option("--prompt-version", help="Prompt version (default: newest).")]
"""Not a setting (each run names its own): every model command takes it, `eval` one per run."""

REPEATABLE = "Repeatable: one run each."


def _value(default: Any) -> str:
    if isinstance(default, bool):
        return "on" if default else "off"
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def setting_help(settings: type[Settings], name: str, *, many: bool = False) -> str:
    """The help of a setting's option: its description, then its environment variables and default."""
    field, flag = settings.model_fields[name], settings.flags()[name]
    described = f"{field.description or ''} {REPEATABLE}" if many else field.description or ""
    notes = [f"env: {', '.join(settings.env_names(name))}"]
    default = flag.default if flag.default is not None else field.default
    if default is not None:
        notes.append(f"default: {_value(default)}")
    return f"{described} [{'; '.join(notes)}]".strip()


def setting_option(settings: type[Settings], name: str, *, many: bool = False) -> Any:
    """The option of the setting `name` as a Typer parameter type; not given, it is None (environment, default).

    `many`: repeatable (`--model a --model b`), a list.
    """
    field, flag = settings.model_fields[name], settings.flags()[name]
    kinds = [arg for arg in typing.get_args(field.annotation) if arg is not type(None)]
    kind = kinds[0] if typing.get_origin(field.annotation) in (typing.Union, types.UnionType) and len(kinds) == 1 else field.annotation
    decls = flag.decls or (f"--{name.replace('_', '-')}" + (f"/--no-{name.replace('_', '-')}" if kind is bool else ""),)
    option = typer.Option(*decls, help=setting_help(settings, name, many=many), metavar=flag.metavar, show_default=False)
    return Annotated[Optional[list[kind]] if many else Optional[kind], option]  # type: ignore[valid-type]


def repeatable(annotation: Any) -> Any:
    """`Annotated[Optional[T], option]` as `Annotated[Optional[list[T]], option]`: same flag and help, repeatable."""
    optional, option = typing.get_args(annotation)
    kind = next(arg for arg in typing.get_args(optional) if arg is not type(None))
    option = copy(option)
    option.help = f"{option.help} {REPEATABLE}"
    return Annotated[Optional[list[kind]], option]  # type: ignore[valid-type]


def format_option(names: list[str], help: str = "Output format. {formats}.") -> Any:
    """`--format`: the format registry's (summarize.render.FORMATS) names a command can render; `{formats}` in
    `help` lists them with their own help."""
    from ..render import FORMATS

    described = "; ".join(f"{name}: {FORMATS[name].help.rstrip('.')}" for name in names)
    choice = Literal.__getitem__(tuple(names))
    return Annotated[choice, typer.Option("--format", "-f", help=help.format(formats=described))]


def formats_for(result_type: type) -> list[str]:
    """The registry's formats that can render results of `result_type` (`Format.accepts`), in registry order."""
    from ..render import FORMATS

    return [name for name, fmt in FORMATS.items() if fmt.accepts(result_type)]


def emit(text: str, output: Path | None) -> None:
    """Write `text` to stdout, or (atomically) to `output` and say so on stderr."""
    if output is None:
        sys.stdout.write(text)
        return
    from ..files import atomic_write_text

    atomic_write_text(output, text)
    typer.echo(f"wrote {output}", err=True)

