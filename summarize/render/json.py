"""JSON: the whole result envelope, or only a brief's key facts."""

from __future__ import annotations

import json

from pydantic import BaseModel

from ..schemas import Result


def to_json(result: BaseModel) -> str:
    """The whole result envelope as indented JSON."""
    return result.model_dump_json(indent=2) + "\n"


def facts_json(result: Result) -> str:
    """Only the key facts, as indented JSON."""
    return json.dumps(result.key_facts.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
