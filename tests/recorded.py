"""The real-model recordings under tests/fixtures/recorded/: where they are and how to replay one."""

from __future__ import annotations

import json
from typing import Any

from summarize.config import load_settings
from summarize.summarizer import Summarizer

from .fakes import FIXTURES, SEEDS

RECORDED = FIXTURES / "recorded" / "qwen2.5-coder-1.5b"
RECORDINGS = sorted(p.parent.name for p in RECORDED.glob("*/recording.json"))
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def info(name: str) -> dict[str, Any]:
    """A recording's recording.json."""
    return json.loads((RECORDED / name / "recording.json").read_text(encoding="utf-8"))


def replay(name: str, **overrides: Any) -> Summarizer:
    """A Summarizer that replays a recording (same model and endpoint: the schema sent depends on the host)."""
    meta = info(name)
    settings = load_settings(
        replay_dir=RECORDED / name / "exchanges",
        use_cache=False,
        model=meta["model"],
        base_url=meta["base_url"],
        **overrides,
    )
    return Summarizer(settings)


def version_of(name: str) -> int:
    """The summary prompt version a recording used."""
    return int(info(name)["prompts"]["summary"][0])
