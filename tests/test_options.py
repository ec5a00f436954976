"""Every option declared once: the settings' options are generated from the `Settings` fields, `--format` from the
format registry; `--version`; start-up imports; docs/cli.md generated from the app."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import Field, field_validator
from typer.testing import CliRunner

import summarize
from summarize.cli import app, build_app
from summarize.cli.commands import COMMANDS
from summarize.config import Flag, Settings
from summarize.render import FORMATS, Format, register

from .fakes import EXCHANGES, ROOT, SEED_003

runner = CliRunner()

MODEL_COMMANDS = ["brief", "facts", "translate", "tokens", "batch", "eval"]
OTHER_COMMANDS = [["clean"], ["schema"], ["prompts", "list"], ["prompts", "show"], ["cache", "stats"], ["cache", "clear"]]


def help_of(target: Any, *command: str) -> str:
    result = runner.invoke(target, [*command, "--help"])
    assert result.exit_code == 0, result.output
    return result.stdout


SEEN: list[int] = []


class ExtraSettings(Settings):
    """Settings with fields no command knows of: each carries a Flag, nothing else is edited."""

    seed: Annotated[int | None, Flag()] = Field(default=None, le=99, description="Sampling seed (a test's setting).")
    top_p: Annotated[float | None, Flag(on="requests")] = Field(default=None, description="Nucleus sampling (a test's).")
    house_style: Annotated[str | None, Flag("--style", on="named")] = Field(default=None, description="A test's.")

    @field_validator("seed")
    @classmethod
    def _seen(cls, value: int | None) -> int | None:
        if value is not None:
            SEEN.append(value)
        return value


def test_a_new_setting_with_a_flag_becomes_an_option_of_the_model_commands_and_reaches_the_settings() -> None:
    extra = build_app(ExtraSettings)
    for name in MODEL_COMMANDS:
        shown = help_of(extra, name)
        assert "--seed" in shown and "Sampling seed (a test's setting)." in shown and "SUMMARIZE_SEED" in shown, name
        assert ("--top-p" in shown) is (name != "tokens"), name  # "requests": not on a command that sends none
        assert "--style" not in shown  # "named": only where a command asks for it
        assert "--seed" not in help_of(app, name)  # the shipped app's settings have no such field
    for command in OTHER_COMMANDS:
        assert "--seed" not in help_of(extra, *command)

    SEEN.clear()
    ok = runner.invoke(extra, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "--seed", "7", "-f", "json"])
    assert ok.exit_code == 0, ok.output
    assert SEEN == [7] and json.loads(ok.stdout)["brief"]
    refused = runner.invoke(extra, ["tokens", str(SEED_003), "--seed", "100"])  # validated as the field says
    assert refused.exit_code == 3 and "invalid setting seed" in refused.stderr


def _own(spec: Any) -> set[str]:
    """The command's own parameters (its keyword-only ones are handed to it)."""
    parameters = inspect.signature(spec.func).parameters.values()
    return {p.name for p in parameters if p.kind is not inspect.Parameter.KEYWORD_ONLY}


def test_every_generated_option_is_a_settings_field_and_no_command_declares_one_itself() -> None:
    flags = Settings.flags()
    seen: set[str] = set()
    for spec in COMMANDS:
        path = [spec.group, spec.name] if spec.group else [spec.name]
        shown = help_of(app, *path)
        for name, flag in flags.items():
            takes = name in spec.settings or (spec.model and (flag.on == "model" or (flag.on == "requests" and spec.sends)))
            spelled = (flag.decls[0] if flag.decls else f"--{name.replace('_', '-')}").split("/")[0]
            assert bool(re.search(rf"^  (-\w, )?{re.escape(spelled)}(?=[ ,]|$)", shown, re.M)) is takes, (spec.name, spelled)
            seen |= {name} if takes else set()
    assert seen == set(flags)  # every flag is on some command


def test_every_option_of_every_command_is_its_own_a_settings_field_or_one_of_the_two_shared_others() -> None:
    import typer

    root = typer.main.get_command(app)
    flags = Settings.flags()
    spellings = {decl.split("/")[0] for name, flag in flags.items() for decl in flag.decls or [f"--{name.replace('_', '-')}"]}
    for spec in COMMANDS:
        group = root.commands[spec.group] if spec.group else root  # type: ignore[attr-defined]
        command = group.commands[spec.name]
        params = command.get_params(command.context_class(command))
        own = _own(spec)
        assert {p.name for p in params} - own - {"help"} <= set(flags) | {"prompt_version", "format"}, spec.name
        for param in params:
            if param.name in own and param.param_type_name == "option":  # declared by the command itself
                assert param.name not in flags and not set(param.opts) & spellings, (spec.name, param.opts)


def test_flags_override_the_environment_and_the_environment_applies_without_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZE_MAX_REPAIRS", "-1")
    assert runner.invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES)]).exit_code == 3
    given = runner.invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "--max-repairs", "1"])
    assert given.exit_code == 0, given.output
    monkeypatch.delenv("SUMMARIZE_MAX_REPAIRS")
    monkeypatch.setenv("SUMMARIZE_USE_CACHE", "false")
    assert runner.invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "-f", "json", "--cache"]).exit_code == 0
    again = runner.invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "-f", "json", "--cache"])
    assert json.loads(again.stdout)["provenance"]["cached"] is True  # --cache won over SUMMARIZE_USE_CACHE=false
    without = runner.invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "-f", "json"])
    assert json.loads(without.stdout)["provenance"]["cached"] is False


def _choices(shown: str) -> list[str]:
    line = next(line for line in shown.splitlines() if "--format <" in line)
    return line.split("--format <", 1)[1].split(">", 1)[0].split("|")


def test_format_choices_are_the_registrys_formats_that_can_render_the_commands_result() -> None:
    from summarize.schemas import Result, TranslationResult

    assert _choices(help_of(app, "brief")) == [n for n, f in FORMATS.items() if f.accepts(Result)]
    assert _choices(help_of(app, "translate")) == [n for n, f in FORMATS.items() if f.accepts(TranslationResult)]
    assert "side-by-side" in _choices(help_of(app, "translate")) and "side-by-side" not in _choices(help_of(app, "brief"))
    assert _choices(help_of(app, "eval")) == ["markdown", "json"]  # the formats an evaluation report is written in
    refused = runner.invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "-f", "side-by-side"])
    assert refused.exit_code == 2 and "side-by-side" in refused.stderr

    plain = Format("plain", ".txt", lambda result, article: "PLAIN " + result.brief.title + "\n", "Only the title.")
    register(plain)
    try:
        shown = help_of(app, "brief")
        assert "plain" in _choices(shown) and "plain: Only the title" in shown
        done = runner.invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "-f", "plain"])
        assert done.exit_code == 0, done.output
        assert done.stdout.startswith("PLAIN ")
    finally:
        FORMATS.pop("plain")


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"summarize {summarize.__version__}\n"
    done = subprocess.run([sys.executable, "-m", "summarize", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == f"summarize {summarize.__version__}\n"


def test_every_fresh_result_names_the_version_that_made_it() -> None:
    from .fakes import EXCHANGES, SEED_003

    done = runner.invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "--no-cache", "-f", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["provenance"]["tool_version"] == summarize.__version__
    markdown = runner.invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "--no-cache"]).stdout
    assert f"summarize {summarize.__version__}</sub>" in markdown


_IMPORTED = """
import sys
sys.argv = ["summarize", *sys.argv[1:]]
from summarize.cli import main
try:
    main()
except SystemExit:
    pass
heavy = ("openai", "pydantic", "pydantic_settings", "summarize.config", "summarize.schemas", "summarize.summarizer")
print(sorted(name for name in heavy if name in sys.modules), file=sys.stderr)
"""


def _imported(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _IMPORTED, *args], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"'))


def test_start_up_imports_neither_openai_nor_the_settings_until_a_command_needs_them() -> None:
    assert _imported("--help") == []
    assert _imported("--version") == []
    assert "openai" not in _imported("brief", "--help")  # its options come from the settings, not the client


def test_docs_cli_md_is_the_reference_generated_from_the_app() -> None:
    from summarize.cli.reference import reference

    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == reference(), "docs/cli.md is out of date: run python scripts/cli_reference.py"
    for name in MODEL_COMMANDS:
        assert f"## `summarize {name}`" in committed
    assert "`--lang, --to <str>`" in committed and "SUMMARIZE_TARGET_LANGUAGE" in committed


def test_a_dry_run_and_a_re_run_with_nothing_to_send_never_import_openai(tmp_path: Path) -> None:
    # The openai package costs about 0.5 s to import: only a run that sends a request pays for it.
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    seeds = str(ROOT / "seeds")
    assert "openai" not in _imported("batch", seeds, "--dry-run", "--cache-dir", cache)
    replay = ["--replay", str(ROOT / "tests" / "fixtures" / "exchanges"), "--cache-dir", cache, "--out", out]
    assert "openai" in _imported("batch", seeds, *replay)  # the first run sends (replayed) requests
    assert "openai" not in _imported("batch", seeds, *replay)  # everything is done: nothing to send


def test_shell_completion_completes_commands_and_generated_choices() -> None:
    import os

    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "_SUMMARIZE_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        done = subprocess.run([sys.executable, "-m", "summarize"], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("summarize di", 1) == ["digest"]
    assert complete("summarize digest -f ", 3) == ["markdown", "json", "html"]  # from the format registry
    shown = subprocess.run([sys.executable, "-m", "summarize", "--show-completion", "bash"], capture_output=True, text=True)
    assert shown.returncode == 0 and "_SUMMARIZE_COMPLETE=complete_bash" in shown.stdout  # what --install-completion installs
