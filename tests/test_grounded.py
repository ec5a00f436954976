"""Grounded by construction (prompt v4): sentences cited by id, verbatim fields derived, claims held to their sentences."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

from summarize.cli import app
from summarize.config import load_settings
from summarize.reading.read import load_article
from summarize.render.markdown import to_markdown
from summarize.schemas import Result
from summarize.reading.sentences import Sentences
from summarize.summarizer import Summarizer

from .fakes import ANSWERS, EXCHANGES, ROOT, SEED_003, chat_completion

SEED_004 = ROOT / "seeds" / "004_f107642b8108e255.txt"
CITED = ANSWERS / "cited"
runner = CliRunner()


def answer_for(seed: Path) -> dict[str, Any]:
    return json.loads((CITED / f"{seed.stem}.json").read_text(encoding="utf-8"))


class Endpoint:
    """Answers the brief's request with `answer` and each verifier request with `judge(claim)`; records bodies."""

    def __init__(self, answer: dict[str, Any], judge: Callable[[str], bool] = lambda claim: True) -> None:
        self.answer, self.judge = answer, judge
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.requests.append((request.url.host, body))
        if '"supported"' in json.dumps(body.get("response_format")):
            claim = body["messages"][-1]["content"]
            supported = self.judge(claim)
            content = {"label": "supported" if supported else "contradicted"}
            return httpx2.Response(200, json=chat_completion(json.dumps(content)))
        return httpx2.Response(200, json=chat_completion(json.dumps(self.answer, ensure_ascii=False)))

    @property
    def verifications(self) -> list[tuple[str, dict[str, Any]]]:
        return [(host, body) for host, body in self.requests if '"supported"' in json.dumps(body.get("response_format"))]


def brief(answer: dict[str, Any], seed: Path = SEED_003, *, judge: Callable[[str], bool] | None = None, **settings: Any) -> tuple[Result, Endpoint]:
    endpoint = Endpoint(answer, judge or (lambda claim: True))
    options = load_settings(api_key="k", use_cache=False, verify=judge is not None, **settings)
    with Summarizer(options, transport=httpx2.MockTransport(endpoint.handle)) as summarizer:
        return summarizer.summarize(seed), endpoint


def changed(seed: Path, edit: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    answer = copy.deepcopy(answer_for(seed))
    edit(answer)
    return answer


def kinds(result: Result) -> list[str]:
    return [w.kind for w in result.warnings]


def test_the_prompt_shows_numbered_sentences_and_the_names_found_not_the_headline() -> None:
    _, endpoint = brief(answer_for(SEED_003))
    user = endpoint.requests[0][1]["messages"][-1]["content"]
    assert "[1.3] Vendredi 17 novembre, coup de tonnerre" in user and "[5.4] Ce lundi 20 novembre" in user
    assert "Names in the article: " in user and "Satya Nadella" in user.split("Names in the article: ")[1]
    # The headline's figure of speech ("le roi Altman est mort") made the 1.5B model write that Altman died.
    assert "est mort" not in user


def test_evidence_is_the_cited_sentence_itself_located_exactly() -> None:
    result, _ = brief(answer_for(SEED_003))
    article = load_article(str(SEED_003)).text
    assert result.warnings == [] and result.schema_version == 3
    point = next(e for e in result.evidence if e.field == "brief.key_points[0]")
    span = point.evidence[0]
    assert span.sentence == "1.3" and article[span.start : span.end] == span.text and span.paragraph == 0
    fields = {e.field.split("[")[0] for e in result.evidence}
    assert fields >= {"brief.title", "brief.summary", "brief.key_points", "key_facts.people", "key_facts.events", "key_facts.quotes"}


def test_a_citation_of_a_sentence_that_does_not_exist_is_dropped_and_listed() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["brief"]["key_points"][1]["cites"] = ["99.1"]
        a["brief"]["key_points"][2]["cites"] = ["12.7", a["brief"]["key_points"][2]["cites"][0]]

    before = answer_for(SEED_003)["brief"]["key_points"]
    result, _ = brief(changed(SEED_003, edit))
    assert [p.text for p in result.brief.key_points] == [before[0]["text"]] + [p["text"] for p in before[2:]]
    assert [(r.field, r.action, r.reason) for r in result.repairs] == [
        ("brief.key_points[1]", "dropped", "cites no sentence of the article (99.1)"),
        ("brief.key_points[1]", "dropped", "citation of a sentence that does not exist"),
    ]
    assert result.warnings == []


def test_repeated_key_points_and_events_are_dropped_once_each() -> None:
    original = answer_for(SEED_003)
    points, events = original["brief"]["key_points"], original["key_facts"]["events"]
    extra_points, extra_events = 8 - len(points), 8 - len(events)  # the schema's bounds

    def edit(a: dict[str, Any]) -> None:
        a["brief"]["key_points"] = [points[0]] * (1 + extra_points) + points[1:]
        event = dict(events[0])
        a["key_facts"]["events"] = [event] + [dict(event, description=event["description"] + " again")] * extra_events + events[1:]

    result, _ = brief(changed(SEED_003, edit))
    assert extra_points > 0 and extra_events > 0
    assert len(result.brief.key_points) == len(points) and len(result.key_facts.events) == len(events)
    assert sum(r.reason == "repeats an earlier key point" for r in result.repairs) == extra_points
    assert sum(r.reason == "the same event twice" for r in result.repairs) == extra_events


def test_an_events_date_text_comes_from_its_sentence_and_a_wrong_year_is_corrected_from_it() -> None:
    result, _ = brief(answer_for(SEED_003))
    ousted = next(e for e in result.key_facts.events if e.date == "2023-11-17")
    assert ousted.date_text == "Vendredi 17 novembre"

    def wrong_year(a: dict[str, Any]) -> None:
        event = next(e for e in a["key_facts"]["events"] if e["date"] == "2023-11-17")
        event["date"] = "2022-11-17"

    result, _ = brief(changed(SEED_003, wrong_year))
    assert any(e.date == "2023-11-17" for e in result.key_facts.events)
    assert any(r.action == "corrected" and "2022-11-17 -> 2023-11-17" in r.text for r in result.repairs)


def test_a_date_its_sentences_do_not_give_is_removed_even_if_the_year_is_elsewhere() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["key_facts"]["events"].append({"date": "2019", "description": "Many OpenAI employees posted support for Altman.", "cites": ["4.4"]})

    result, _ = brief(changed(SEED_003, edit))  # 2019 is in the article (2.2), not in 4.4
    assert result.warnings == [] and result.key_facts.events[-1].date is None
    assert [(r.field, r.text) for r in result.repairs] == [(f"key_facts.events[{len(result.key_facts.events) - 1}].date", "2019 -> none")]


def test_an_amount_its_sentences_do_not_give_is_dropped_and_a_person_cited_elsewhere_is_pointed_at_their_sentence() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["key_facts"]["amounts"].append({"value": 13e9, "currency": "USD", "description": "Microsoft's investment.", "cites": ["1.2"]})
        nadella = next(p for p in a["key_facts"]["people"] if p["name"] == "Satya Nadella")
        nadella.update(role="None", organization="Company", cites=["1.1"])  # placeholders, and a sentence without him

    result, _ = brief(changed(SEED_003, edit))
    assert result.warnings == [] and all(a.value != 13e9 for a in result.key_facts.amounts)
    nadella = [p for p in result.key_facts.people if p.name == "Satya Nadella"]
    assert len(nadella) == 1 and (nadella[0].role, nadella[0].organization) == (None, None)
    assert next(e for e in result.evidence if e.claim == "Satya Nadella").evidence[0].sentence == "5.4"
    assert sorted(r.reason for r in result.repairs) == ["[5.4] is the first sentence naming Satya Nadella", "the cited sentences do not give 1.3e+10 USD"]


def test_an_amounts_text_comes_from_its_sentence_and_a_wrong_value_is_corrected() -> None:
    result, _ = brief(answer_for(SEED_004), SEED_004)
    amazon = result.key_facts.amounts[0]
    assert (amazon.value, amazon.currency, amazon.text) == (4e9, "USD", "4 milliards de dollars")

    def tenfold(a: dict[str, Any]) -> None:
        a["key_facts"]["amounts"][0]["value"] = 400000000  # "4 milliards" read as 400 million

    result, _ = brief(changed(SEED_004, tenfold), SEED_004)
    assert result.key_facts.amounts[0].value == 4e9 and result.warnings == []
    assert [r.text for r in result.repairs if r.action == "corrected"] == ["4e+08 -> 4e+09"]


def test_a_quotes_words_are_the_quoted_span_of_its_sentence_and_a_sentence_without_one_is_no_quote() -> None:
    result, _ = brief(answer_for(SEED_003))
    quotes = len(result.key_facts.quotes)
    assert any(q.original.startswith("que Sam Altman et Greg Brockman, accompagné") for q in result.key_facts.quotes)

    def edit(a: dict[str, Any]) -> None:
        a["key_facts"]["quotes"].append({"speaker": "Greg Brockman", "translation": "I resign.", "cites": ["4.3"]})

    result, _ = brief(changed(SEED_003, edit))
    assert len(result.key_facts.quotes) == quotes
    assert result.repairs[-1].reason == "the cited sentences hold no quotation"


def test_a_block_quote_in_the_first_person_is_a_quotation_with_its_credit_line_as_speaker() -> None:
    result, _ = brief(answer_for(SEED_004), SEED_004)
    schulman = next(q for q in result.key_facts.quotes if q.speaker == "John Schulman")
    assert schulman.original == "J'ai pris la difficile décision de quitter OpenAI." and result.warnings == []


def test_a_name_found_elsewhere_in_the_article_but_not_in_the_cited_sentence_is_a_wrong_citation() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["brief"]["key_points"].append({"text": "Satya Nadella removed Sam Altman.", "cites": ["1.3"]})
        a["brief"]["key_points"].append({"text": "Elon Musk removed Sam Altman.", "cites": ["1.3"]})

    result, _ = brief(changed(SEED_003, edit))
    # (A sentence's first word is not judged a name: "Satya" and "Elon" pass, as in the whole-article check.)
    assert [(w.kind, w.text) for w in result.warnings if w.kind != "off-length"] == [("wrong-citation", "Nadella"), ("name-not-found", "Musk")]
    flagged = next(e for e in result.evidence if e.claim == "Satya Nadella removed Sam Altman.")
    assert not flagged.supported and "wrong-citation" in (flagged.problem or "")


def test_a_claimed_death_its_sentences_do_not_state_is_flagged_wherever_it_stands() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["brief"]["title"] = "Sam Altman has died"
        a["key_facts"]["events"].append({"date": "2023-11-17", "description": "Sam Altman died.", "cites": ["1.3"]})

    result, _ = brief(changed(SEED_003, edit))
    assert sorted((w.kind, w.field) for w in result.warnings) == [("unsupported", "brief.title"), ("unsupported", f"key_facts.events[{len(result.key_facts.events) - 1}]")]
    assert "claims a death" in result.warnings[0].detail


def test_the_prompts_made_up_example_copied_into_an_answer_is_flagged_by_name() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["key_facts"]["organizations"].append({"name": "Zorblax Quantique", "description": "The buyer.", "cites": ["1.2"]})

    result, _ = brief(changed(SEED_003, edit))
    assert ("example-leak", "Zorblax") in [(w.kind, w.text) for w in result.warnings]


def test_the_verifier_judges_each_claim_in_its_own_request_and_a_rejected_claim_is_kept_and_flagged() -> None:
    answer = changed(SEED_003, lambda a: a["brief"]["key_points"].append({"text": "Microsoft fired Sam Altman.", "cites": ["1.3"]}))
    result, endpoint = brief(answer, judge=lambda claim: "Microsoft fired" not in claim)
    flags = [w for w in result.warnings if w.kind == "unsupported"]
    assert [w.text for w in flags] == ["Microsoft fired Sam Altman."]
    assert "judged it contradicted by its sentences [1.3]" in flags[0].detail
    assert "Microsoft fired Sam Altman." in [p.text for p in result.brief.key_points]  # kept, flagged
    claims = [body["messages"][-1]["content"] for _, body in endpoint.verifications]
    assert len(claims) == 1 + len(answer["brief"]["summary"]) + len(answer["brief"]["key_points"]) + len(answer["key_facts"]["events"]) + sum(
        1 for p in answer["key_facts"]["people"] if p["role"]
    )
    assert all(claim.count("[") >= 1 for claim in claims)  # each request carries its cited sentences


def test_the_verifier_can_be_another_model_on_another_endpoint() -> None:
    _, endpoint = brief(answer_for(SEED_003), judge=lambda claim: True, verify_model="judge-7b", verify_base_url="http://verifier.test/v1")
    assert endpoint.requests[0][0] == "api.openai.com" and endpoint.requests[0][1]["model"] == "gpt-4o-mini"
    assert endpoint.verifications and all(host == "verifier.test" and body["model"] == "judge-7b" for host, body in endpoint.verifications)


def test_a_claim_the_cheap_checks_already_flag_is_not_sent_to_the_verifier() -> None:
    answer = changed(SEED_003, lambda a: a["brief"]["key_points"].append({"text": "Elon Musk removed Sam Altman.", "cites": ["1.3"]}))
    _, endpoint = brief(answer, judge=lambda claim: True)
    assert not any("Elon Musk" in body["messages"][-1]["content"] for _, body in endpoint.verifications)


def test_markdown_footnotes_each_summary_sentence_with_its_cited_sentences() -> None:
    result, _ = brief(answer_for(SEED_003))
    markdown = to_markdown(result)
    summary = markdown.split("\n\n")[1]
    assert summary.count("[^") == len(answer_for(SEED_003)["brief"]["summary"])
    assert "[1.3] «Vendredi 17 novembre, coup de tonnerre" in markdown and "`summarize clean --sentences`" in markdown


def test_clean_sentences_prints_the_ids_the_briefs_cite() -> None:
    printed = runner.invoke(app, ["clean", str(SEED_003), "--sentences"]).stdout
    index = Sentences(load_article(str(SEED_003)).text)
    assert f"[5.4] {index.get('5.4').text}" in printed  # type: ignore[union-attr]
    data = json.loads(runner.invoke(app, ["clean", str(SEED_003), "--sentences", "--json"]).stdout)
    assert data["sentences"][0]["id"] == "1.1" and len(data["sentences"]) == len(index)


@pytest.mark.parametrize("stem", sorted(p.stem for p in CITED.glob("*.json")))
def test_the_hand_written_cited_answers_replay_with_the_verifier_and_raise_no_warning(stem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZE_VERIFY", "true")
    seed, _, variant = stem.partition(".")
    language = variant.partition("-")[2] or "en"
    args = ["brief", str(ROOT / "seeds" / f"{seed}.txt"), "--replay", str(EXCHANGES), "--no-cache", "-f", "json", "--lang", language]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [w["kind"] for w in data["warnings"] if w["kind"] != "same-language"] == [] and data["provenance"]["prompt_version"] == 5
    assert data["provenance"]["attempts"] > 1  # the verifier's requests were replayed too
