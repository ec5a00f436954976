"""Answer schemas: strict-output compatible, and strict about what they accept."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from summarize.schemas import SCHEMAS, Brief, KeyFacts, Summary, strict_json_schema


def walk_objects(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found += walk_objects(value)
    elif isinstance(node, list):
        for value in node:
            found += walk_objects(value)
    return found


@pytest.mark.parametrize("model", [Summary, Brief, KeyFacts])
def test_strict_schema_closes_every_object_and_requires_every_property(model: type) -> None:
    schema = strict_json_schema(model)
    objects = walk_objects(schema)
    assert len(objects) >= 2 or model is Brief
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    assert '"default"' not in str(schema).replace("'", '"')


def test_schema_names_cover_the_cli_names() -> None:
    assert set(SCHEMAS) == {"summary", "brief", "key-facts", "result", "translation", "translation-result"}


def test_valid_answer_validates(valid_answer: dict[str, Any]) -> None:
    summary = Summary.model_validate(valid_answer)
    assert summary.brief.source_language == "fr"
    assert {p.name for p in summary.key_facts.people} >= {"Sam Altman", "Greg Brockman"}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("brief", "source_language"), "French"),
        (("brief", "key_points"), []),
        (("key_facts", "events", 0, "date"), "17 novembre 2023"),
        (("brief", "extra"), "not allowed"),
    ],
)
def test_invalid_answers_are_rejected(valid_answer: dict[str, Any], path: tuple, value: Any) -> None:
    answer = copy.deepcopy(valid_answer)
    target = answer
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        Summary.model_validate(answer)


def test_missing_nullable_field_is_an_error_not_a_default(valid_answer: dict[str, Any]) -> None:
    answer = copy.deepcopy(valid_answer)
    del answer["key_facts"]["people"][0]["role"]
    with pytest.raises(ValidationError, match="role"):
        Summary.model_validate(answer)
