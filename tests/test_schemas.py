"""Answer schemas: strict-output compatible, and strict about what they accept."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from summarize.schemas import SCHEMAS, Brief, KeyFacts, Summary, strict_json_schema

from summarize.grounded.schema import CitedSummary, Verdict  # noqa: I001

from .fakes import ROOT


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


@pytest.mark.parametrize("model", [Summary, Brief, KeyFacts, CitedSummary, Verdict])
def test_strict_schema_closes_every_object_and_requires_every_property(model: type) -> None:
    schema = strict_json_schema(model)
    objects = walk_objects(schema)
    assert len(objects) >= 2 or model in (Brief, Verdict)
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    assert '"default"' not in str(schema).replace("'", '"')


def test_schema_names_cover_the_cli_names() -> None:
    assert set(SCHEMAS) == {
        "summary", "cited-summary", "verdict", "brief", "key-facts", "result", "translation", "translation-result", "digest-text",
    }  # fmt: skip
    assert (SCHEMAS["cited-summary"], SCHEMAS["verdict"]) == (CitedSummary, Verdict)


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


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("brief", "title_cites"), []),  # every claim cites one sentence at least
        (("brief", "key_points", 0, "cites"), ["3"]),  # ids are paragraph.sentence
        (("brief", "key_points", 0, "cites"), ["1.1", "1.2", "1.3", "1.4"]),  # three at most
        (("brief", "summary"), "One paragraph, as v3 answers it."),  # one sentence an item
        (("brief", "key_points", 0, "evidence"), ["copied text"]),  # nothing is copied any more
    ],
)
def test_a_cited_answer_is_strict_about_its_citations(cited_answer: dict[str, Any], path: tuple, value: Any) -> None:
    CitedSummary.model_validate(cited_answer)
    answer = copy.deepcopy(cited_answer)
    target = answer
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        CitedSummary.model_validate(answer)


def test_a_quote_cites_one_to_three_sentences_and_a_verdict_is_one_of_three_labels() -> None:
    quote = {"speaker": None, "translation": "We will be back.", "cites": ["1.1", "1.2", "1.3", "1.4"]}
    with pytest.raises(ValidationError):
        CitedSummary.model_validate(
            {"key_facts": {"people": [], "organizations": [], "events": [], "amounts": [], "quotes": [quote]}, "brief": {}}
        )
    assert Verdict.model_validate({"label": "not-mentioned"}).supported is False
    assert Verdict.model_validate({"label": "supported"}).supported is True
    with pytest.raises(ValidationError):
        Verdict.model_validate({"label": "probably"})


def test_the_cited_schema_module_imports_on_its_own() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "from summarize.grounded.schema import CitedSummary"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr.splitlines()[-1:]
