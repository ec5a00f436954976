"""The real-model recordings under tests/fixtures/recorded/: where they are and how to replay one.

scripts/real_model_table.py replays them with the same settings (it imports `options_of_command`).
"""

from __future__ import annotations

import json
from typing import Any

from summarize.config import load_settings
from summarize.summarizer import Summarizer

from .fakes import FIXTURES, ROOT, SEEDS

RECORDED = FIXTURES / "recorded" / "qwen2.5-coder-1.5b"
RECORDINGS = sorted(p.parent.name for p in RECORDED.glob("*/recording.json"))
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def info(name: str) -> dict[str, Any]:
    """A recording's recording.json."""
    return json.loads((RECORDED / name / "recording.json").read_text(encoding="utf-8"))


def _argument(args: list[str], *flags: str) -> str | None:
    for flag in flags:
        if flag in args:
            return args[args.index(flag) + 1]
    return None


def options_of(name: str) -> dict[str, Any]:
    """The settings a recording's command line set (task, target language, length, token limits)."""
    return options_of_command(info(name)["command"])


def options_of_command(command: str) -> dict[str, Any]:
    """The settings a `summarize ...` command line sets that shape its requests (scripts/real_model_table.py too)."""
    args = command.split()[1:]
    options: dict[str, Any] = {"task": "translate" if args[0] == "translate" else _argument(args, "--task") or "summary"}
    for setting, flags, kind in (
        ("target_language", ("--lang", "--to"), str),
        ("length", ("--length",), str),
        ("max_input_tokens", ("--max-input-tokens",), int),
        ("max_output_tokens", ("--max-output-tokens",), int),
    ):
        value = _argument(args, *flags)
        if value is not None:
            options[setting] = kind(value)
    options["verify"] = "--verify" in args  # the verifier's requests were recorded too, or none were
    return options


def seeds_of(name: str) -> list[Path]:
    """The articles a recording covers: every one of the batch's folder (the seeds, or the held-out articles), else
    the one its command names."""
    args = info(name)["command"].split()[1:]
    return sorted((ROOT / args[1]).glob("*.txt")) if args[0] == "batch" else [ROOT / args[1]]


def replay(name: str, **overrides: Any) -> Summarizer:
    """A Summarizer that replays a recording with its command's settings (same model and endpoint: the schema
    sent depends on the host)."""
    meta = info(name)
    settings = load_settings(
        replay_dir=RECORDED / name / "exchanges",
        use_cache=False,
        model=meta["model"],
        base_url=meta["base_url"],
        **{**options_of(name), **overrides},
    )
    return Summarizer(settings)


def version_of(name: str) -> int:
    """The version of the task's prompt a recording used."""
    prompts = info(name)["prompts"]
    return int((prompts.get("translate") or prompts["summary"])[0])
