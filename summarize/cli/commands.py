"""Commands declared once in their module (`@command`), built into a Typer app with their generated options.

A command's own options are its function's parameters (Typer annotations). The options it shares with others
are generated: from the `Settings` fields with a `Flag` (each where its `on` says, or where a command names it),
plus `--prompt-version` for the model commands and `--format` from the format registry. They are built the
first time the command is parsed or shown, so `summarize --help` imports neither pydantic nor the settings.
"""

from __future__ import annotations

import functools
import inspect
import typing
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from .errors import report_errors, warn_cache
from .options import PromptVersion, format_option, repeatable, setting_option

if TYPE_CHECKING:
    from ..config import Settings

F = TypeVar("F", bound=Callable[..., Any])
SettingsSource = Callable[[], "type[Settings]"]
_GENERATED = "summarize.cli.generated"
_ARGV = "summarize.cli.argv"
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


@dataclass(frozen=True)
class Spec:
    """One command: its function and which generated options it takes.

    The function's ordinary parameters are its own options. Its keyword-only ones are handed to it: `summarizer`
    and `prompt_version` (a model command), or `settings` (a command that names settings, or a model command
    with `many`, which also gets those options as lists), and `format` (a command with `formats`).
    """

    func: Callable[..., Any]
    name: str
    group: str | None = None
    model: bool = False
    """Runs or prices a model: takes --prompt-version and every setting whose Flag is on "model" ("requests" too if it `sends`)."""
    task: str | None = None
    """The task it always runs; None: the settings' task (its --task when it names the `task` setting)."""
    sends: bool = True
    settings: tuple[str, ...] = ()
    """The settings it takes by name (those whose Flag is on "named", or any other)."""
    many: tuple[str, ...] = ()
    """Options it takes as lists, one run each (`eval --model a --model b`); they do not go into the settings."""
    formats: Callable[[], list[str]] | None = None
    """The format names it can render (from summarize.render.FORMATS): it takes --format."""
    format_help: str = "Output format. {formats}."
    """The help of --format; `{formats}` stands for the formats with their own help (summarize.render)."""

    @property
    def takes_settings(self) -> bool:
        return self.model or bool(self.settings)

    @property
    def recorded(self) -> bool:
        """Runs a model and sends requests: its run goes into the history (summarize.history)."""
        return self.model and self.sends


COMMANDS: list[Spec] = []
"""Every command, in the order of `summarize --help`."""
GROUPS: dict[str, str] = {}
"""Command groups (`summarize prompts ...`): name -> help."""
DEFAULTS: dict[str, str] = {}
"""Groups that run one of their commands when given none (`summarize history` lists): name -> command."""


def command(name: str | None = None, **spec: Any) -> Callable[[F], F]:
    """Declare a command (keywords: the `Spec` fields); `build` adds it to an app."""

    def register(func: F) -> F:
        COMMANDS.append(Spec(func, name or func.__name__.replace("_", "-"), **spec))
        return func

    return register


def group(name: str, help: str, default: str | None = None) -> None:
    """Declare a command group; its commands say `group=name`. `default`: the command it runs given none."""
    GROUPS[name] = help
    if default is not None:
        DEFAULTS[name] = default


def generated(spec: Spec, settings: type[Settings] | None) -> list[inspect.Parameter]:
    """The options `spec` takes that are not its function's own: --format, its named settings, --prompt-version,
    then the shared settings, as keyword-only parameters (not given: None, so the environment or default applies)."""
    options: list[tuple[str, Any, Any]] = []
    if spec.formats is not None:
        names = spec.formats()
        options.append(("format", format_option(names, spec.format_help), "markdown" if "markdown" in names else names[0]))
    if settings is not None:
        flags = settings.flags()
        shared = [name for name, flag in flags.items() if name not in spec.settings and spec.model
                  and (flag.on == "model" or (flag.on == "requests" and spec.sends))]  # fmt: skip
        options += [(name, _named(settings, spec, name), None) for name in spec.settings]
        if spec.model:
            many = "prompt_version" in spec.many
            options.append(("prompt_version", repeatable(PromptVersion) if many else PromptVersion, None))
        options += [(name, setting_option(settings, name, many=name in spec.many), None) for name in shared]
    return [inspect.Parameter(name, _KEYWORD, annotation=kind, default=default) for name, kind, default in options]


def _named(settings: type[Settings], spec: Spec, name: str) -> Any:
    """A setting a command names: as a list where it takes many; a command that runs no model filters by it."""
    option = setting_option(settings, name, many=name in spec.many)
    if spec.model or name not in spec.many:
        return option
    optional, info = typing.get_args(option)
    info = copy(info)
    info.help = f"Only the runs with this {name.replace('_', ' ')}. Repeatable."  # not a setting: no env, no default
    return Annotated[optional, info]


def _click_params(parameters: list[inspect.Parameter]) -> list[Any]:
    """Typer's click parameters for `parameters`, made the way Typer makes any command's (a throwaway app)."""

    def options(**kwargs: Any) -> None:
        """Holds the signature."""

    options.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    holder = typer.Typer(add_completion=False, rich_markup_mode=None)
    holder.command()(options)
    return list(typer.main.get_command(holder).params)


class GeneratedOptionsCommand(TyperCommand):
    """A command whose generated options are added on first use (help, parsing, completion), not at start-up;
    their values reach the command's callback through the context, apart from its own."""

    spec: Spec
    settings_source: SettingsSource
    _generated: list[Any] | None = None

    def generated_params(self) -> list[Any]:
        """The click parameters of the generated options (built once)."""
        if self._generated is None:
            settings = type(self).settings_source() if self.spec.takes_settings else None
            self._generated = _click_params(generated(self.spec, settings))
            self.params.extend(self._generated)
        return self._generated

    def get_params(self, ctx: Any) -> list[Any]:
        self.generated_params()
        return super().get_params(ctx)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta[_ARGV] = list(args)  # as typed: the history keeps the command line (secrets masked)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        ctx.meta[_GENERATED] = {param.name: ctx.params.pop(param.name, None) for param in self.generated_params()}
        return super().invoke(ctx)


def _default_settings() -> type[Settings]:
    from ..config import Settings  # imported when a command runs, not when `summarize --help` starts

    return Settings


def _given(settings: type[Settings]) -> type[Settings]:
    return settings


def _run(spec: Spec, settings_source: SettingsSource, own: dict[str, Any], values: dict[str, Any]) -> Any:
    """Call the command with its own options and what its generated ones amount to (settings, a summarizer)."""
    if spec.formats is not None:
        own["format"] = values.pop("format")
    own.update({name: values.pop(name, None) or [] for name in spec.many})
    prompt_version = values.pop("prompt_version", None)
    if not spec.takes_settings:
        return spec.func(**own)
    if spec.task is not None:
        values["task"] = spec.task
    settings = settings_source().load(**values)
    if spec.recorded and settings.profile == "local" and settings.replay_dir is None and not own.get("dry_run"):
        from .config import ensure_local

        ensure_local(settings)  # the built-in profile's server: started if it is not running
    if spec.recorded:
        from ..history import attach

        attach(settings, (own.get("model") or []) if "model" in spec.many else [])  # eval's --model a --model b
    if not spec.model or spec.many:
        return spec.func(settings=settings, **own)
    from ..summarizer import Summarizer

    with Summarizer(settings) as summarizer:
        try:
            return spec.func(summarizer=summarizer, prompt_version=prompt_version, **own)
        finally:
            if summarizer.cache_error is not None:
                warn_cache(str(summarizer.cache_error))


def _callback(spec: Spec, settings_source: SettingsSource) -> Callable[..., Any]:
    """What Typer calls: the function's own parameters (and the context, which carries the generated ones)."""
    own = [p for p in inspect.signature(spec.func, eval_str=True).parameters.values() if p.kind is not _KEYWORD]
    context = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)

    @functools.wraps(spec.func)
    def callback(ctx: typer.Context, **kwargs: Any) -> Any:
        return _run(spec, settings_source, kwargs, dict(ctx.meta.pop(_GENERATED, {})))

    callback.__signature__ = inspect.Signature([context, *own])  # type: ignore[attr-defined]
    reported = report_errors(callback)
    if not spec.recorded:
        return reported

    @functools.wraps(reported)
    def recorded(ctx: typer.Context, **kwargs: Any) -> Any:
        from ..history import recording

        # Outside report_errors: an error has become its exit code (typer.Exit) by the time the run is written.
        with recording(spec.name, _command_line(ctx), sources=_sources(kwargs), outputs=_outputs(kwargs)):
            return reported(ctx, **kwargs)

    return recorded


def _command_line(ctx: typer.Context) -> list[str]:
    """The command line as typed (the runner's program name may differ: it is `summarize` here)."""
    return ["summarize", *ctx.command_path.split()[1:], *ctx.meta.get(_ARGV, [])]


def _sources(own: dict[str, Any]) -> list[str]:
    """What a command read: its SOURCE, SOURCES or GOLD argument, files as absolute paths."""
    given = [own[name] for name in ("source", "gold") if own.get(name) is not None] + list(own.get("sources") or [])
    return [str(Path(str(s)).absolute()) if s != "-" and Path(str(s)).exists() else str(s) for s in given]


def _outputs(own: dict[str, Any]) -> list[str]:
    """Where a command was told to write (-o FILE, --out DIR), as absolute paths."""
    return [str(Path(own[name]).absolute()) for name in ("output", "out") if own.get(name) is not None]


class DefaultCommandGroup(TyperGroup):
    """A group that runs its `default` command when given no command: `summarize history -n 5` is `history list -n 5`."""

    default: str

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0].startswith("-") and args[0] != "--help"):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


def build(app: typer.Typer, settings: type[Settings] | None = None) -> typer.Typer:
    """Add every declared group and command to `app`, generating options from `settings` (default: `Settings`)."""
    source = _default_settings if settings is None else functools.partial(_given, settings)
    groups = {}
    for name, help in GROUPS.items():
        default = DEFAULTS.get(name)
        cls = TyperGroup if default is None else type(f"{name}_group", (DefaultCommandGroup,), {"default": default})
        groups[name] = typer.Typer(help=help, no_args_is_help=default is None, rich_markup_mode=None, cls=cls)
        app.add_typer(groups[name], name=name)
    for spec in COMMANDS:
        cls = type(f"{spec.func.__name__}_command", (GeneratedOptionsCommand,),
                   {"spec": spec, "settings_source": staticmethod(source)})  # fmt: skip
        (groups[spec.group] if spec.group else app).command(spec.name, cls=cls)(_callback(spec, source))
    return app
