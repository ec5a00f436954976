"""docs/cli.md, the reference of every command and option, generated from the app itself.

`python scripts/cli_reference.py` writes it; a test fails when the committed file differs from `reference()`.
"""

from __future__ import annotations

from typing import Any

import typer

HEADER = """\
# Command-line reference

Generated from the app by `python scripts/cli_reference.py` (a test fails when this file is out of date);
`summarize COMMAND --help` prints the same text. An option that shows an `env:` variable is a setting
(`summarize.Settings`): defaults, then the environment, then the flag. Each such option is declared once, as a
field of `Settings` (its description is the help; a `Flag` in its type gives the spelling and the commands that
take it), and generated for every command it applies to.
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(title: str, records: list[tuple[str, str]]) -> list[str]:
    if not records:
        return []
    rows = [f"| `{_cell(decl)}` | {_cell(help)} |" for decl, help in records]
    return ["", f"| {title} | |", "|---|---|", *rows]


def _section(command: Any, ctx: Any) -> list[str]:
    records: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is not None and param.param_type_name in records:
            records[param.param_type_name].append(record)
    usage = command.get_usage(ctx).removeprefix("Usage: ")
    lines = ["", f"## `{ctx.command_path}`", ""]
    if command.help:
        lines += [" ".join(command.help.split()), ""]
    lines += ["```", usage, "```"]
    lines += _table("argument", records["argument"]) + _table("option", records["option"])
    if isinstance(command, typer.core.TyperGroup):
        names = command.list_commands(ctx)
        subs = {name: command.get_command(ctx, name) for name in names}
        lines += _table("command", [(name, sub.get_short_help_str(300)) for name, sub in subs.items() if sub is not None])
        for name, sub in subs.items():
            if sub is not None:
                lines += _section(sub, sub.context_class(sub, info_name=name, parent=ctx))
    return lines


def _environment_only() -> list[str]:
    from ..config import Settings

    flags = Settings.flags()
    records = [(", ".join(Settings.env_names(name)), field.description or "")
               for name, field in Settings.model_fields.items() if name not in flags]  # fmt: skip
    return ["", "## Environment only", "", "Settings read from the environment only, never from a flag:"] + _table("variable", records)


def reference(app: typer.Typer | None = None) -> str:
    """The Markdown reference of `app` (default: the `summarize` app): each command, its arguments and options,
    then the settings that are read from the environment only."""
    if app is None:
        from . import app as default

        app = default
    root = typer.main.get_command(app)
    lines = _section(root, root.context_class(root, info_name="summarize")) + _environment_only()
    return HEADER + "\n".join(lines) + "\n"
