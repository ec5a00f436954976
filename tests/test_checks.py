"""Checks against the article, one test per check: a faithful answer passes, one injected fault is flagged.

Every fault below is one a real model made (see tests/test_recorded.py for the recordings themselves).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx2
import pytest

from summarize.checks import check_answer, repair_problems
from summarize.checks.text import MappedText, normalize, quote_found
from summarize.config import load_settings
from summarize.errors import FaithfulnessError, TruncatedError
from summarize.reading.read import load_article
from summarize.render.markdown import to_markdown
from summarize.schemas import Article, Summary
from summarize.summarizer import Summarizer

from .fakes import ANSWERS, FIXTURES, SEED_003, SEEDS, ScriptedEndpoint, chat_completion, ok

ARTICLE_003 = load_article(str(SEED_003))
FAITHFUL_003 = json.loads((ANSWERS / "003_f41e5d1e8166288f.json").read_text(encoding="utf-8"))


def kinds(answer: dict[str, Any], article: Article = ARTICLE_003) -> set[tuple[str, str | None]]:
    """The (kind, field) pairs the checks raise for an answer."""
    return {(w.kind, w.field) for w in check_answer(Summary.model_validate(answer), article).warnings}


def changed(edit: Any) -> dict[str, Any]:
    """The faithful seed-003 answer with one edit applied."""
    answer = copy.deepcopy(FAITHFUL_003)
    edit(answer)
    return answer


@pytest.mark.parametrize("stem", sorted(p.stem for p in ANSWERS.glob("*.json") if "." not in p.stem))
def test_faithful_hand_written_answers_raise_no_warning(stem: str) -> None:
    answer = json.loads((ANSWERS / f"{stem}.json").read_text(encoding="utf-8"))
    checked = check_answer(Summary.model_validate(answer), load_article(str(SEEDS / f"{stem}.txt")))
    assert checked.warnings == []
    assert checked.evidence and all(e.supported for e in checked.evidence)


# Language of every field


def test_a_french_english_summary_is_flagged() -> None:
    french = "Le conseil d'administration d'OpenAI a démis Sam Altman de ses fonctions avec effet immédiat."
    assert kinds(changed(lambda a: a["brief"].update(summary=french))) == {("wrong-language", "brief.summary")}


def test_a_french_key_point_and_a_french_event_description_are_flagged() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["brief"]["key_points"][2]["text"] = "La création d'une filiale à but lucratif semble être la source de la scission."
        a["key_facts"]["events"][0]["description"] = "OpenAI a créé une filiale à but lucratif."

    assert kinds(changed(edit)) == {
        ("wrong-language", "brief.key_points[2]"),
        ("wrong-language", "key_facts.events[0].description"),
    }


def test_swapped_summaries_are_one_named_warning() -> None:
    def swap(a: dict[str, Any]) -> None:
        a["brief"]["summary"], a["brief"]["source_summary"] = a["brief"]["source_summary"], a["brief"]["summary"]

    assert kinds(changed(swap)) == {("summaries-swapped", "brief.summary")}


def test_an_english_source_summary_is_flagged() -> None:
    english = "OpenAI's board removed Sam Altman with immediate effect, and he then joined Microsoft."
    assert kinds(changed(lambda a: a["brief"].update(source_summary=english))) == {("wrong-language", "brief.source_summary")}


def test_strings_under_three_words_are_not_judged() -> None:
    assert kinds(changed(lambda a: a["key_facts"]["people"][0].update(role="Patron"))) == set()


# Numbers, dates and names in the English prose


def test_an_invented_number_in_the_summary_is_flagged() -> None:
    edit = lambda a: a["brief"].update(summary=a["brief"]["summary"] + " Microsoft invested $13 billion.")  # noqa: E731
    assert kinds(changed(edit)) == {("number-not-found", "brief.summary")}


def test_numbers_match_across_scales_separators_and_decimal_commas() -> None:
    article = Article(
        text="Mistral AI lève 4 milliards d'euros, soit 1 000 000 de plus, à 2,5 % de taux. Le 17 novembre, 10 000 salariés.",
        source="t.txt",
        language="fr",
    )
    from summarize.checks.grounding import ungrounded_numbers

    english = "Mistral AI raised €4 billion (4,000,000,000), 1,000,000 more, at 2.5%; on 17 November, 10,000 staff."
    assert ungrounded_numbers(english, article.text) == []
    assert ungrounded_numbers("It raised 5 billion at 3.5%.", article.text) == ["5 billion", "3.5%"]


def test_an_invented_day_is_flagged_in_prose_and_in_event_dates() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["brief"]["key_points"][0]["text"] = "OpenAI's board removed Sam Altman on 18 November."
        a["key_facts"]["events"][3]["date"] = "2023-11-18"

    found = kinds(changed(edit))
    assert ("date-not-found", "brief.key_points[0]") in found
    assert ("date-not-found", "key_facts.events[3].date") in found


def test_an_invented_name_is_flagged_and_a_translated_common_word_is_not() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["brief"]["summary"] += " Elon Musk welcomed the decision, as in the Middle Ages."

    assert kinds(changed(edit)) == {("name-not-found", "brief.summary")}
    warnings = check_answer(Summary.model_validate(changed(edit)), ARTICLE_003).warnings
    assert [w.text for w in warnings] == ["Musk"]  # a sentence's first word is not judged (documented)


# Everything "as written in the article"


def test_verbatim_fields_are_checked() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["key_facts"]["events"][3]["date_text"] = "Mardi 17 novembre"
        a["key_facts"]["quotes"][1]["speaker"] = "Bill Gates"
        a["key_facts"]["people"][3]["organization"] = "Anthropic"

    assert kinds(changed(edit)) == {
        ("date-text-not-found", "key_facts.events[3].date_text"),
        ("speaker-not-found", "key_facts.quotes[1].speaker"),
        ("organization-not-found", "key_facts.people[3].organization"),
    }


def test_an_amount_not_written_so_is_flagged() -> None:
    amount = {
        "value": 13e9,
        "currency": "USD",
        "text": "13 milliards de dollars",
        "description": "Microsoft's investment.",
        "evidence": ["Avec le lancement de ChatGPT en 2022 et les milliards dont Microsoft l’a dotée en 2023, OpenAI était devenue la start-up qui donne le “la” au nouveau monde, celui de l’intelligence artificielle générative."],
    }
    found = kinds(changed(lambda a: a["key_facts"]["amounts"].append(amount)))
    assert ("amount-not-found", "key_facts.amounts[0].text") in found
    assert ("unsupported", "key_facts.amounts[0]") in found  # its evidence does not contain it either


def test_narrative_returned_as_a_quotation_is_flagged() -> None:
    narrative = {"speaker": "Microsoft", "original": "Microsoft, lui, a réussi à un magnifique coup de poker en plein cataclysme", "english": "x"}
    assert kinds(changed(lambda a: a["key_facts"]["quotes"].append(narrative))) == {
        ("not-a-quotation", "key_facts.quotes[2].original")
    }


def test_an_organization_listed_as_a_person_is_flagged() -> None:
    person = {"name": "Microsoft", "role": None, "organization": None}
    assert kinds(changed(lambda a: a["key_facts"]["people"].append(person))) == {("misclassified", "key_facts.people[4].name")}


def test_invented_quotes_and_names_are_still_flagged() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["key_facts"]["quotes"][0]["original"] = "Nous avons gagné la guerre de l'IA"
        a["key_facts"]["people"].append({"name": "Elon Musk", "role": None, "organization": None})
        a["key_facts"]["organizations"].append({"name": "Google", "description": None})

    assert kinds(changed(edit)) == {
        ("quote-not-found", "key_facts.quotes[0].original"),
        ("person-not-found", "key_facts.people[4].name"),
        ("organization-not-found", "key_facts.organizations[2].name"),
    }


# Evidence


def test_evidence_is_located_with_paragraph_and_offsets_into_the_cleaned_text() -> None:
    checked = check_answer(Summary.model_validate(FAITHFUL_003), ARTICLE_003)
    text = ARTICLE_003.text
    for claim in checked.evidence:
        for span in claim.evidence:
            assert span.start is not None and span.end is not None and span.paragraph is not None
            assert normalize(text[span.start : span.end]) == normalize(span.text).strip(" ,.;:!?")
            assert text[: span.start].count("\n\n") >= span.paragraph


def test_evidence_not_in_the_article_makes_the_claim_unsupported() -> None:
    def edit(a: dict[str, Any]) -> None:
        a["brief"]["key_points"][0]["evidence"] = ["Sam Altman est mort vendredi 17 novembre, a annoncé OpenAI."]
        a["brief"]["key_points"][1]["evidence"] = []
        a["key_facts"]["events"][0]["evidence"] = ["en 2019"]

    checked = check_answer(Summary.model_validate(changed(edit)), ARTICLE_003)
    assert {(w.kind, w.field) for w in checked.warnings} == {
        ("unsupported", "brief.key_points[0]"),
        ("unsupported", "brief.key_points[1]"),
        ("unsupported", "key_facts.events[0]"),
    }
    details = {w.field: w.detail for w in checked.warnings}
    assert details["brief.key_points[1]"] == "no evidence given"
    assert "too short" in details["key_facts.events[0]"]
    assert checked.evidence[0].evidence[0].start is None


def test_a_number_missing_from_its_evidence_makes_the_claim_unsupported() -> None:
    edit = lambda a: a["brief"]["key_points"][4].update(text="On 17 November, Satya Nadella announced the move.")  # noqa: E731
    assert kinds(changed(edit)) == {("unsupported", "brief.key_points[4]")}


def test_invisible_characters_never_cause_a_false_not_found() -> None:
    article = Article(text="Le patron\u00ad d’OpenAI, Sam\u200b Altman, a été \ufeffremplacé.", source="t.txt", language="fr")
    assert MappedText(article.text).has_words("Sam Altman")
    assert quote_found("Le patron d’OpenAI, Sam Altman, a été remplacé", article.text)
    span = MappedText(article.text).find("Sam Altman")
    assert span is not None and article.text[span.start : span.end] == "Sam\u200b Altman"


def test_normalize_folds_case_accents_quotes_spaces_and_invisibles() -> None:
    assert normalize("  L’Élysée\n a  «dit» — OK\u200b ") == "l elysee a dit - ok"


def test_quotes_with_ellipsis_match_fragment_by_fragment_in_order() -> None:
    text = ARTICLE_003.text
    assert quote_found("Sam Altman et Greg Brockman […] rejoignaient Microsoft", text)
    assert not quote_found("rejoignaient Microsoft … Sam Altman et Greg Brockman, accompagné", text)


# Repair, strict, rendering


def _answering(*answers: dict[str, Any] | str) -> ScriptedEndpoint:
    return ScriptedEndpoint(*(ok(a) for a in answers))


# The whole-answer check re-ask is how prompts v1-v3 (which copy evidence) are repaired; cited prompts (v4) are
# repaired item by item instead (tests/test_grounded.py). These tests pin v3 to keep testing it.


def test_a_flagged_answer_is_sent_back_once_with_the_reasons_and_a_fixed_one_is_kept() -> None:
    swapped = changed(lambda a: a["brief"].update(summary=a["brief"]["source_summary"], source_summary=a["brief"]["summary"]))
    endpoint = _answering(swapped, FAITHFUL_003)
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as s:
        result = s.summarize(SEED_003, prompt_version=3)
    assert result.warnings == [] and result.provenance.attempts == 2
    repair = endpoint.bodies[1]["messages"][-1]["content"]
    assert repair.startswith("Checked against the article") and "brief.summary: summary is in 'fr'" in repair


def test_a_fault_that_persists_is_flagged_and_strict_fails() -> None:
    swapped = changed(lambda a: a["brief"].update(summary=a["brief"]["source_summary"], source_summary=a["brief"]["summary"]))
    endpoint = _answering(swapped, swapped)
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as s:
        assert [w.kind for w in s.summarize(SEED_003, prompt_version=3).warnings] == ["summaries-swapped"]
    endpoint = _answering(swapped, swapped)
    with Summarizer(load_settings(api_key="k", use_cache=False, strict=True), transport=endpoint.transport) as s:
        with pytest.raises(FaithfulnessError, match="summaries-swapped"):
            s.summarize(SEED_003, prompt_version=3)


def test_repair_problems_name_the_field_and_the_reason() -> None:
    swapped = changed(lambda a: a["brief"].update(summary=a["brief"]["source_summary"], source_summary=a["brief"]["summary"]))
    problems = repair_problems(check_answer(Summary.model_validate(swapped), ARTICLE_003))
    assert len(problems) == 1 and problems[0].startswith("brief.summary: summary is in 'fr' and source_summary in 'en'")


def test_a_looping_answer_cut_at_the_limit_is_re_asked_not_waited_out() -> None:
    loop = '{"brief": {"title": "OpenAI", "key_points": [' + '"Sam Altman est mort.", ' * 200
    endpoint = ScriptedEndpoint(
        httpx2.Response(200, json=chat_completion(loop, finish_reason="length")), ok(FAITHFUL_003)
    )
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as s:
        result = s.summarize(SEED_003, prompt_version=3)
    assert result.provenance.attempts == 2
    assert "kept repeating" in endpoint.bodies[1]["messages"][-1]["content"]


def test_the_real_models_loop_is_detected_and_re_asked() -> None:
    recorded = json.loads((FIXTURES / "recorded" / "qwen2.5-coder-1.5b-looping-answer.json").read_text(encoding="utf-8"))
    assert recorded["response"]["choices"][0]["finish_reason"] == "length"
    endpoint = ScriptedEndpoint(httpx2.Response(200, json=recorded["response"]), ok(FAITHFUL_003))
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as s:
        assert s.summarize(SEED_003, prompt_version=3).provenance.attempts == 2
    assert "kept repeating '«que Sam Altman et Greg Brockman" in endpoint.bodies[1]["messages"][-1]["content"]


def test_a_truncated_answer_that_does_not_loop_is_still_an_error() -> None:
    endpoint = ScriptedEndpoint(httpx2.Response(200, json=chat_completion('{"brief": {"title": "A long', finish_reason="length")))
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as s:
        with pytest.raises(TruncatedError):
            s.summarize(SEED_003, prompt_version=3)


def test_the_prompt_sizes_the_output_budget_and_an_explicit_flag_wins() -> None:
    endpoint = _answering(FAITHFUL_003, FAITHFUL_003)
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as s:
        s.summarize(SEED_003, prompt_version=3)
    with Summarizer(load_settings(api_key="k", use_cache=False, max_output_tokens=900), transport=endpoint.transport) as s:
        s.summarize(SEED_003, prompt_version=3)
    assert [b["max_tokens"] for b in endpoint.bodies] == [2500, 900]


def test_the_schema_bounds_every_string_for_grammar_servers_but_not_for_openai() -> None:
    from summarize.schemas import strict_json_schema

    bounded = json.dumps(strict_json_schema(Summary))
    assert '"maxLength": 1500' in bounded and "\\\\d" not in bounded
    assert "maxLength" not in json.dumps(strict_json_schema(Summary, bounded=False))


def test_markdown_shows_evidence_as_footnotes_and_marks_unsupported_claims() -> None:
    endpoint = _answering(*[changed(lambda a: a["brief"]["key_points"][1].update(evidence=[]))] * 2)
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as s:
        markdown = to_markdown(s.summarize(SEED_003, prompt_version=3))
    assert "[^1]: ¶" in markdown and "«Vendredi 17 novembre, coup de tonnerre" in markdown
    assert "[^2] ⚠" in markdown and "[^2]: ⚠ unsupported: no evidence given" in markdown
    assert "⚠ Unsupported claim" in markdown
