"""What every answer model shares: the base class and the bounds (imported by schemas and grounded.schema alike)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# [0-9], not \d: llama.cpp compiles the schema into a grammar and does not support \d (it then accepts anything).
ISO_DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"

# Every string and list is bounded: under a grammar (llama.cpp json_schema) a small model that starts repeating
# itself is stopped by the schema within a few hundred tokens instead of running to the output limit.
NAME = 120
SHORT = 300
SENTENCE = 700
EVIDENCE_ITEMS = 3


class _Answer(BaseModel):
    """Base for what the model writes: no extra keys, every key required (nullable where unknown), no defaults."""

    model_config = ConfigDict(extra="forbid")
