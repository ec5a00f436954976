"""The Python API end to end: replayed seeds, cache hits without requests, chunking, strict mode, async."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from summarize import FaithfulnessError, Result, Summarizer, asummarize_article, load_article, summarize_article
from summarize.config import load_settings
from summarize.schemas import Article
from summarize.tokens import count_message_tokens

from .fakes import ANSWERS, EXCHANGES, SEED_003, SEEDS, ScriptedEndpoint, ok

SEED_STEMS = sorted(p.stem for p in ANSWERS.glob("*.json") if "." not in p.stem)  # <seed>.<task>-<lang>: other tasks


@pytest.fixture
def scripted_summarizer(valid_answer: dict[str, Any]):
    """A Summarizer whose endpoint answers every request with the seed-003 answer; yields (summarizer, endpoint)."""
    endpoint = ScriptedEndpoint(lambda request: ok(valid_answer))
    with Summarizer(load_settings(api_key="sk-test"), transport=endpoint.transport) as summarizer:
        yield summarizer, endpoint


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
    assert result.provenance.prompt_version == 3 and len(result.provenance.prompt_hash) == 12


def test_cache_hit_makes_no_request(scripted_summarizer) -> None:
    summarizer, endpoint = scripted_summarizer
    first = summarizer.summarize(SEED_003)
    assert len(endpoint.requests) == 1
    second = summarizer.summarize(SEED_003)
    assert len(endpoint.requests) == 1
    assert second.provenance.cached and not first.provenance.cached
    assert second.brief == first.brief


def test_cache_survives_a_new_summarizer_and_no_cache_bypasses_it(valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(lambda request: ok(valid_answer))
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as s:
        s.summarize(SEED_003)
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as s:
        assert s.summarize(SEED_003).provenance.cached
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as s:
        assert not s.summarize(SEED_003).provenance.cached
    assert len(endpoint.requests) == 2


@pytest.mark.parametrize("change", [{"model": "gpt-4o"}, {"base_url": "http://127.0.0.1:9/v1"}, {"max_output_tokens": 999}])
def test_changing_model_endpoint_or_sampling_misses_the_cache(change: dict[str, Any], valid_answer: dict[str, Any]) -> None:
    endpoint = ScriptedEndpoint(lambda request: ok(valid_answer))
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as s:
        s.summarize(SEED_003)
    with Summarizer(load_settings(api_key="k", **change), transport=endpoint.transport) as s:
        assert not s.summarize(SEED_003).provenance.cached
    assert len(endpoint.requests) == 2


def test_editing_the_prompt_misses_the_cache(tmp_path: Path, valid_answer: dict[str, Any]) -> None:
    from summarize.prompts import builtin_prompts_dir

    prompts = tmp_path / "prompts"
    (prompts / "summary").mkdir(parents=True)
    original = (builtin_prompts_dir() / "summary" / "v3.md").read_text(encoding="utf-8")
    (prompts / "summary" / "v3.md").write_text(original, encoding="utf-8")
    endpoint = ScriptedEndpoint(lambda request: ok(valid_answer))
    settings = load_settings(api_key="k", prompts_dir=prompts)
    with Summarizer(settings, transport=endpoint.transport) as s:
        first = s.summarize(SEED_003)
        assert s.summarize(SEED_003).provenance.cached
        (prompts / "summary" / "v3.md").write_text(original.replace("careful news editor", "careful editor"), encoding="utf-8")
        edited = s.summarize(SEED_003)
    assert not edited.provenance.cached
    assert edited.provenance.prompt_hash != first.provenance.prompt_hash
    assert len(endpoint.requests) == 2


def test_long_article_is_chunked_on_paragraphs_and_combined(scripted_summarizer) -> None:
    summarizer, endpoint = scripted_summarizer
    summarizer.settings = summarizer.settings.model_copy(update={"max_input_tokens": 1200, "use_cache": False})
    paragraphs = [f"Paragraphe {i} : Sam Altman et OpenAI, Microsoft et Greg Brockman. " * 6 for i in range(30)]
    article = Article(text="\n\n".join(p.strip() for p in paragraphs), source="long.txt", title="Long", language="fr")
    plan = summarizer.plan(article)
    assert plan.chunked and len(plan.parts) >= 3
    assert "\n\n".join(plan.parts) == article.text  # nothing dropped, nothing truncated
    assert all(count_message_tokens(call.messages) <= 1200 for call in plan.calls)

    result = summarizer.summarize(article)
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


def test_flags_become_warnings_and_strict_turns_them_into_failure(valid_answer: dict[str, Any]) -> None:
    invented = json.loads(json.dumps(valid_answer))
    invented["key_facts"]["quotes"].append({"speaker": "Sam Altman", "original": "Je reviendrai bientôt", "english": "I'll be back soon"})
    invented["key_facts"]["people"].append({"name": "Elon Musk", "role": None, "organization": None})
    endpoint = ScriptedEndpoint(lambda request: ok(invented))
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as s:
        kinds = {(w.kind, w.text) for w in s.summarize(SEED_003).warnings}
    assert ("quote-not-found", "Je reviendrai bientôt") in kinds and ("person-not-found", "Elon Musk") in kinds
    with Summarizer(load_settings(api_key="k", strict=True), transport=endpoint.transport) as s:
        with pytest.raises(FaithfulnessError, match="2 problem") as info:
            s.summarize(SEED_003)
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


def test_a_replayed_answer_in_the_cache_is_never_served_as_the_endpoints_own(valid_answer: dict[str, Any]) -> None:
    from .fakes import EXCHANGES

    with Summarizer(load_settings(replay_dir=EXCHANGES)) as replaying:
        replayed = replaying.summarize(SEED_003)
        assert replayed.provenance.replayed and not replayed.provenance.cached
        assert replaying.summarize(SEED_003).provenance.cached  # replays themselves are cached
    endpoint = ScriptedEndpoint(lambda request: ok(valid_answer))
    with Summarizer(load_settings(api_key="k"), transport=endpoint.transport) as live:
        result = live.summarize(SEED_003)
    assert not result.provenance.cached and not result.provenance.replayed
    assert len(endpoint.requests) == 1


def test_a_combine_too_big_for_one_request_is_done_in_rounds_within_the_budget() -> None:
    from summarize.tokens import count_message_tokens

    small = {"brief": {"title": "OpenAI change de patron", "summary": "Sam Altman quitte OpenAI.", "source_summary": "Sam Altman quitte OpenAI.",
                       "key_points": [{"text": "Sam Altman quitte OpenAI.", "evidence": []}], "source_language": "fr"},
             "key_facts": {"people": [], "organizations": [], "events": [], "amounts": [], "quotes": []}}  # fmt: skip
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
