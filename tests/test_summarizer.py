"""The Python API end to end: replayed seeds, cache hits without requests, chunking, strict mode, async."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from summarize import FaithfulnessError, Result, Summarizer, asummarize_article, load_article, summarize_article
from summarize.checks import NOTES
from summarize.config import load_settings
from summarize.schemas import Article
from summarize.tokens import count_message_tokens

from .fakes import ANSWERS, EXCHANGES, SEED_003, SEEDS, ScriptedEndpoint, ok

SEED_STEMS = sorted(p.stem for p in ANSWERS.glob("*.json") if "." not in p.stem)  # <seed>.<task>-<lang>: other tasks


@pytest.fixture
def scripted_v3_summarizer(valid_answer: dict[str, Any]):
    """A Summarizer whose endpoint answers every request with the seed-003 answer of prompt v3 (Summary)."""
    endpoint = ScriptedEndpoint(lambda request: ok(valid_answer))
    with Summarizer(load_settings(api_key="sk-test"), transport=endpoint.transport) as summarizer:
        yield summarizer, endpoint


@pytest.fixture
def scripted_summarizer(cited_answer: dict[str, Any]):
    """A Summarizer whose endpoint answers every request with the seed-003 (cited) answer; yields (summarizer, endpoint)."""
    endpoint = ScriptedEndpoint(lambda request: ok(cited_answer))
    with Summarizer(load_settings(api_key="sk-test"), transport=endpoint.transport) as summarizer:
        yield summarizer, endpoint


def fake_answer(request: Any) -> Any:
    """The fake server's answer to a request: a cited one that cites the sentences it was sent."""
    from bench.fake_openai import article_text, cited_answer

    return ok(cited_answer(article_text(json.loads(request.content)["messages"])))


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_every_seed_replays_from_the_shipped_exchanges(stem: str) -> None:
    result = summarize_article(SEEDS / f"{stem}.txt", replay_dir=EXCHANGES)
    assert isinstance(result, Result)
    assert result.brief.source_language == "fr"
    assert result.provenance.prompt_task == "summary" and not result.provenance.cached
    assert result.provenance.input_tokens > 500 and result.provenance.output_tokens > 100
    assert result.provenance.estimated_cost_usd is not None and result.provenance.estimated_cost_usd > 0
    faithfulness = [w for w in result.warnings if w.kind.endswith("not-found")]
    assert faithfulness == [], faithfulness  # hand-written answers quote the articles verbatim


def test_seed_003_result_has_people_dates_and_source_metadata() -> None:
    result = summarize_article(SEED_003, replay_dir=EXCHANGES)
    people = {p.name for p in result.key_facts.people}
    assert {"Sam Altman", "Greg Brockman", "Mira Murati", "Satya Nadella"} <= people
    assert {"OpenAI", "Microsoft"} <= {o.name for o in result.key_facts.organizations}
    assert any(e.date == "2023-11-17" for e in result.key_facts.events)
    assert result.article.author == "Anne Cagan"
    assert result.article.published and result.article.published.startswith("2023-11-20")
    assert result.article.url and result.article.url.startswith("https://www.lexpress.fr/")
    assert result.provenance.prompt_version == 5 and len(result.provenance.prompt_hash) == 12
    # Cited: every key point's evidence is its cited sentences, located in the cleaned text by their ids.
    points = [e for e in result.evidence if e.field.startswith("brief.key_points[")]
    assert len(points) == len(result.brief.key_points) and all(e.evidence for e in points)
    text = load_article(str(SEED_003)).text
    for claim in points:
        for span in claim.evidence:
            assert span.sentence is not None and span.start is not None and text[span.start : span.end] == span.text
    assert [p.evidence for p in result.brief.key_points] == [[span.text for span in e.evidence] for e in points]


def test_cache_hit_makes_no_request(scripted_summarizer) -> None:
    summarizer, endpoint = scripted_summarizer
    first = summarizer.summarize(SEED_003)
    assert len(endpoint.requests) == 1
    second = summarizer.summarize(SEED_003)
    assert len(endpoint.requests) == 1
    assert second.provenance.cached and not first.provenance.cached
    assert second.brief == first.brief


def test_cache_survives_a_new_summarizer_and_no_cache_bypasses_it(cited_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(lambda request: ok(cited_answer))
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as s:
        s.summarize(SEED_003)
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as s:
        assert s.summarize(SEED_003).provenance.cached
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as s:
        assert not s.summarize(SEED_003).provenance.cached
    assert len(endpoint.requests) == 2


@pytest.mark.parametrize("change", [{"model": "gpt-4o"}, {"base_url": "http://127.0.0.1:9/v1"}, {"max_output_tokens": 999}])
def test_changing_model_endpoint_or_sampling_misses_the_cache(change: dict[str, Any], cited_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(lambda request: ok(cited_answer))
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as s:
        s.summarize(SEED_003)
    with Summarizer(load_settings(api_key="k", **change), transport=endpoint.transport) as s:
        assert not s.summarize(SEED_003).provenance.cached
    assert len(endpoint.requests) == 2


def test_editing_the_prompt_misses_the_cache(tmp_path: Path, cited_answer: dict[str, Any]) -> None:
    from summarize.prompts import builtin_prompts_dir

    prompts = tmp_path / "prompts"
    (prompts / "summary").mkdir(parents=True)
    original = (builtin_prompts_dir() / "summary" / "v5.md").read_text(encoding="utf-8")  # the default prompt
    (prompts / "summary" / "v5.md").write_text(original, encoding="utf-8")
    endpoint = ScriptedEndpoint(lambda request: ok(cited_answer))
    settings = load_settings(api_key="k", prompts_dir=prompts)
    with Summarizer(settings, transport=endpoint.transport) as s:
        first = s.summarize(SEED_003)
        assert s.summarize(SEED_003).provenance.cached
        (prompts / "summary" / "v5.md").write_text(original.replace("careful news editor", "careful editor"), encoding="utf-8")
        edited = s.summarize(SEED_003)
    assert not edited.provenance.cached
    assert edited.provenance.prompt_version == first.provenance.prompt_version == 5
    assert edited.provenance.prompt_hash != first.provenance.prompt_hash
    assert len(endpoint.requests) == 2


def test_turning_verification_on_or_changing_the_verifier_misses_the_cache(cited_answer: dict[str, Any]) -> None:
    verdict = {"reason": "The sentences state it.", "supported": True}
    endpoint = ScriptedEndpoint(lambda request: ok(verdict if b'"supported"' in request.content else cited_answer))
    for settings in ({}, {"verify": True}, {"verify": True, "verify_model": "gpt-4o"}):
        with Summarizer(load_settings(api_key="k", **settings), transport=endpoint.transport) as s:
            assert not s.summarize(SEED_003).provenance.cached
            assert s.summarize(SEED_003).provenance.cached


LONG = Article(
    text="\n\n".join(
        (f"Paragraphe {i} : Sam Altman et Greg Brockman quittent la direction de OpenAI pour Microsoft. " * 6).strip()
        for i in range(30)
    ),
    source="long.txt",
    title="Long",
    language="fr",
)


def test_long_article_is_chunked_on_paragraphs_and_combined() -> None:
    endpoint = ScriptedEndpoint(fake_answer)
    # The cited prompt (its worked example) takes ~1,050 tokens: 2,500 leave room for several paragraphs a part,
    # and for the parts' answers in one combine.
    settings = load_settings(api_key="k", max_input_tokens=2500, use_cache=False)
    with Summarizer(settings, transport=endpoint.transport) as summarizer:
        plan = summarizer.plan(LONG)
        assert plan.chunked and len(plan.parts) >= 3
        assert "\n\n".join(plan.parts) == LONG.text  # nothing dropped, nothing truncated
        result = summarizer.summarize(LONG)
    bodies = endpoint.bodies
    # Each part shows its paragraphs' sentences with the whole article's ids; a cited answer is never re-asked
    # whole: one request a part, then the combine (prompt v2, for cited answers).
    assert len(bodies) == len(plan.parts) + 1
    assert "(part 1 of" in bodies[0]["messages"][1]["content"] and "[1.1] Paragraphe 0 :" in bodies[0]["messages"][1]["content"]
    last_part = bodies[len(plan.parts) - 1]["messages"][1]["content"]
    assert "[30.1] Paragraphe 29 :" in last_part and "[1.1]" not in last_part
    assert "<parts>" in bodies[-1]["messages"][1]["content"] and '"title_cites"' in bodies[-1]["messages"][1]["content"]
    assert "cites" in bodies[-1]["messages"][0]["content"]  # combine v2: keep the parts' sentence ids
    assert all(b["messages"][-1]["role"] == "user" and len(b["messages"]) == 2 for b in bodies)
    assert result.provenance.chunks == len(plan.parts) and result.provenance.attempts == len(plan.parts) + 1
    assert any(w.kind == "chunked" for w in result.warnings)
    assert [w for w in result.warnings if w.kind not in NOTES] == [] and result.repairs == []
    # The combined answer's key points cite sentences of the whole article, found where they stand.
    for claim in result.evidence:
        for span in claim.evidence:
            assert span.start is not None and LONG.text[span.start : span.end] == span.text


@pytest.mark.parametrize("limit", [2000, 3000])
def test_every_part_of_a_cited_prompt_fits_the_request_budget(limit: int) -> None:
    with Summarizer(load_settings(api_key="k", max_input_tokens=limit, use_cache=False)) as summarizer:
        plan = summarizer.plan(LONG)
    assert plan.chunked
    assert [count_message_tokens(call.messages) for call in plan.calls if count_message_tokens(call.messages) > limit] == []


def test_every_sentence_of_a_long_article_is_shown_once_when_paragraphs_must_be_split() -> None:
    import re

    from summarize.reading.sentences import Sentences

    text = "\n\n".join(
        " ".join(f"Phrase {j} du paragraphe {i} : Sam Altman quitte la direction de OpenAI." for j in range(40)) for i in range(3)
    )
    article = Article(text=text, source="long.txt", title="Long", language="fr")
    with Summarizer(load_settings(api_key="k", max_input_tokens=1500, use_cache=False)) as summarizer:
        plan = summarizer.plan(article)
    assert len(plan.parts) > 3  # each paragraph (~850 tokens) is over the part budget: split in pieces
    shown = [i for call in plan.calls for i in re.findall(r"^\[(\d+\.\d+)\] ", call.messages[1]["content"], re.MULTILINE)]
    assert shown == [s.id for s in Sentences(text)]


def test_long_article_with_the_v3_prompt_is_chunked_combined_and_the_final_answer_re_asked(scripted_v3_summarizer) -> None:
    summarizer, endpoint = scripted_v3_summarizer
    summarizer.settings = summarizer.settings.model_copy(update={"max_input_tokens": 1200, "use_cache": False})
    article = LONG
    plan = summarizer.plan(article, prompt_version=3)
    assert plan.chunked and len(plan.parts) >= 3
    assert "\n\n".join(plan.parts) == article.text  # nothing dropped, nothing truncated
    assert all(count_message_tokens(call.messages) <= 1200 for call in plan.calls)

    result = summarizer.summarize(article, prompt_version=3)
    bodies = endpoint.bodies
    # Parts are never checked (only the combined answer a reader sees is); it is re-asked once, as the seed-003
    # answer does not fit this synthetic article.
    assert len(bodies) == len(plan.parts) + 2
    assert "(part 1 of" in bodies[0]["messages"][1]["content"]
    assert all("Checked against the article" not in b["messages"][-1]["content"] for b in bodies[: len(plan.parts) + 1])
    assert "<parts>" in bodies[-2]["messages"][1]["content"]  # the combine prompt got the partial summaries
    assert "Checked against the article" in bodies[-1]["messages"][-1]["content"]
    assert result.provenance.chunks == len(plan.parts)
    assert any(w.kind == "chunked" for w in result.warnings)
    assert result.provenance.attempts == len(plan.parts) + 2


def test_flags_become_warnings_and_strict_turns_them_into_failure(cited_answer: dict[str, Any]) -> None:
    invented = json.loads(json.dumps(cited_answer))
    invented["key_facts"]["people"].append({"name": "Elon Musk", "role": None, "organization": None, "cites": ["1.1"]})
    invented["key_facts"]["organizations"].append(
        {"name": "Sequoia Capital", "description": "A venture capital firm that invested in the company.", "cites": ["1.1"]}
    )
    endpoint = ScriptedEndpoint(lambda request: ok(invented))
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as s:
        kinds = {(w.kind, w.text) for w in s.summarize(SEED_003).warnings}
    assert kinds == {("person-not-found", "Elon Musk"), ("organization-not-found", "Sequoia Capital")}
    with Summarizer(load_settings(api_key="k", strict=True), transport=endpoint.transport) as s:
        with pytest.raises(FaithfulnessError, match="2 problem") as info:
            s.summarize(SEED_003)
    assert len(info.value.warnings) == 2
    assert len(endpoint.requests) == 1  # a cited answer is never re-asked whole; strict failure came from the cached (paid) answer


def test_flags_of_a_v3_answer_are_re_asked_once_then_become_warnings_and_strict_failure(valid_answer: dict[str, Any]) -> None:
    invented = json.loads(json.dumps(valid_answer))
    invented["key_facts"]["quotes"].append({"speaker": "Sam Altman", "original": "Je reviendrai bientôt", "english": "I'll be back soon"})
    invented["key_facts"]["people"].append({"name": "Elon Musk", "role": None, "organization": None})
    endpoint = ScriptedEndpoint(lambda request: ok(invented))
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as s:
        kinds = {(w.kind, w.text) for w in s.summarize(SEED_003, prompt_version=3).warnings}
    assert ("quote-not-found", "Je reviendrai bientôt") in kinds and ("person-not-found", "Elon Musk") in kinds
    assert "Checked against the article" in endpoint.bodies[1]["messages"][-1]["content"]
    with Summarizer(load_settings(api_key="k", strict=True), transport=endpoint.transport) as s:
        with pytest.raises(FaithfulnessError, match="2 problem") as info:
            s.summarize(SEED_003, prompt_version=3)
    assert len(info.value.warnings) == 2
    assert len(endpoint.requests) == 2  # answer + one check repair; strict failure came from the cached (paid) answer


def test_async_api_matches_the_sync_one() -> None:
    sync = summarize_article(SEED_003, replay_dir=EXCHANGES, use_cache=False)
    asynchronous = asyncio.run(asummarize_article(SEED_003, replay_dir=EXCHANGES, use_cache=False))
    assert asynchronous.brief == sync.brief and asynchronous.key_facts == sync.key_facts


def test_accepts_a_prepared_article(scripted_summarizer) -> None:
    summarizer, endpoint = scripted_summarizer
    article = load_article(str(SEED_003))
    assert summarizer.summarize(article).article.author == "Anne Cagan"
    assert "Anne Cagan" in endpoint.bodies[0]["messages"][1]["content"]


def test_a_replayed_answer_in_the_cache_is_never_served_as_the_endpoints_own(cited_answer: dict[str, Any]) -> None:
    from .fakes import EXCHANGES

    with Summarizer(load_settings(replay_dir=EXCHANGES)) as replaying:
        replayed = replaying.summarize(SEED_003)
        assert replayed.provenance.replayed and not replayed.provenance.cached
        assert replaying.summarize(SEED_003).provenance.cached  # replays themselves are cached
    endpoint = ScriptedEndpoint(lambda request: ok(cited_answer))
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as live:
        result = live.summarize(SEED_003)
    assert not result.provenance.cached and not result.provenance.replayed
    assert len(endpoint.requests) == 1


def test_a_combine_too_big_for_one_request_is_done_in_rounds_within_the_budget() -> None:
    from summarize.tokens import count_message_tokens

    small = {"key_facts": {"people": [], "organizations": [], "events": [], "amounts": [], "quotes": []},
             "brief": {"title": "OpenAI change de patron", "title_cites": ["1.1"], "summary": [{"text": "Sam Altman quitte OpenAI.", "cites": ["1.1"]}],
                       "key_points": [{"text": "Sam Altman quitte OpenAI.", "cites": ["1.1"]}],
                       "source_language": "fr"}}  # fmt: skip
    endpoint = ScriptedEndpoint(lambda request: ok(small))
    settings = load_settings(api_key="k", use_cache=False, max_input_tokens=1500, max_check_repairs=0)
    paragraphs = [f"Paragraphe {i} : " + " ".join(f"Sam Altman et OpenAI, phrase {j} du paragraphe {i}." for j in range(30)) for i in range(40)]
    article = Article(text="\n\n".join(paragraphs), source="long.txt", title="Long", language="fr")
    with Summarizer(settings, transport=endpoint.transport) as summarizer:
        plan = summarizer.plan(article)
        summarizer.summarize(article)
    combines = [b for b in endpoint.bodies if "<parts>" in b["messages"][1]["content"]]
    assert len(combines) > 1  # rounds of groups, then the final one
    assert all(count_message_tokens(b["messages"]) <= 1500 for b in endpoint.bodies)  # no request over the budget
    assert len(endpoint.bodies) == len(plan.parts) + len(combines)
    # tokens / --dry-run estimate with briefs of the usual size (~1,200 tokens): two do not fit 1,500, so one combine;
    # with 8,000 tokens a request, six fit, so twelve parts take two group combines, then the final one.
    assert plan.requests == len(plan.parts) + 1
    big = Article(text="\n\n".join(paragraphs * 5), source="big.txt", title="Big", language="fr")
    with Summarizer(load_settings(api_key="k", use_cache=False, max_input_tokens=8000)) as summarizer:
        wide = summarizer.plan(big)
    groups = -(-len(wide.parts) // ((wide.request_limit - 600) // 1200))
    assert len(wide.parts) > 6 and wide.requests == len(wide.parts) + groups + 1
