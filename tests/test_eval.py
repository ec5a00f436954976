"""The evaluation harness: metrics on hand-made cases whose right score is known, the gold set, the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.fake_openai import FakeOpenAI
from summarize.cli import app
from summarize.errors import InputError
from summarize.evaluation.gold import GoldArticle, load_gold
from summarize.schemas import Amount, Brief, Event, KeyFacts, KeyPoint, Organization, Person, Quote, Summary
from summarize.evaluation.scoring import quote_overlap, score_facts

from .fakes import EXCHANGES, SEEDS
from .recorded import RECORDED, info

GOLD = SEEDS / "gold.toml"
runner = CliRunner()

ARTICLE = GoldArticle.model_validate(
    {
        "source": "a.txt",
        "language": "fr",
        "people": [
            {"name": "Sam Altman", "aliases": ["Altman"]},
            {"name": "Mira Murati", "aliases": ["Murati"]},
            {"name": "Greg Brockman", "optional": True},
        ],
        "organizations": [{"name": "OpenAI"}, {"name": "Microsoft"}],
        "events": [
            {"date": "2023-11-17", "entities": ["Sam Altman", "Altman"], "keywords": ["fire", "remov"]},
            {"date": "", "entities": ["Mira Murati", "Murati"], "keywords": ["leav", "depart"]},
        ],
        "amounts": [{"value": 4e9, "currency": "USD"}],
        "quotes": [{"speaker": "Mira Murati", "text": "Après mûre réflexion, j’ai pris la décision difficile de quitter OpenAI."}],
    }
)


def _answer(**facts: object) -> Summary:
    perfect: dict[str, object] = {
        "people": [Person(name="Sam Altman", role="CEO", organization="OpenAI"), Person(name="Mira Murati", role=None, organization=None)],
        "organizations": [Organization(name="OpenAI", description=None), Organization(name="Microsoft", description=None)],
        "events": [
            Event(date="2023-11-17", date_text=None, description="The board removed Sam Altman.", evidence=[]),
            Event(date=None, date_text=None, description="Mira Murati is leaving OpenAI.", evidence=[]),
        ],
        "amounts": [Amount(value=4_000_000_000, currency="USD", text="4 milliards de dollars", description="x", evidence=[])],
        "quotes": [Quote(speaker="Mira Murati", original="Après mûre réflexion, j'ai pris la décision difficile de quitter OpenAI.", english="x")],
    }
    brief = Brief(title="t", summary="s", source_summary="s", key_points=[KeyPoint(text="k", evidence=[])], source_language="fr")
    return Summary(brief=brief, key_facts=KeyFacts.model_validate({**perfect, **facts}))


def _f1(summary: Summary) -> dict[str, tuple[float | None, float | None, float | None]]:
    return {name: (s.precision, s.recall, s.f1) for name, s in score_facts(summary, ARTICLE).items()}


def test_a_perfect_answer_scores_one_everywhere() -> None:
    assert set(_f1(_answer()).values()) == {(1.0, 1.0, 1.0)}


def test_an_empty_answer_finds_nothing_and_claims_nothing() -> None:
    empty = _f1(_answer(people=[], organizations=[], events=[], amounts=[], quotes=[]))
    assert set(empty.values()) == {(None, 0.0, 0.0)}


def test_one_invented_person_costs_precision_only() -> None:
    invented = _answer(people=[*_answer().key_facts.people, Person(name="Elon Musk", role=None, organization=None)])
    assert _f1(invented)["people"] == (2 / 3, 1.0, 0.8)


def test_one_missing_event_costs_recall_only() -> None:
    missing = _answer(events=_answer().key_facts.events[:1])
    assert _f1(missing)["events"] == (1.0, 0.5, 2 / 3)


def test_an_alias_matches_and_an_optional_fact_is_never_held_against_the_answer() -> None:
    alias = _answer(people=[Person(name="ALTMAN", role=None, organization=None), Person(name="Murati", role=None, organization=None)])
    assert _f1(alias)["people"] == (1.0, 1.0, 1.0)  # Greg Brockman is optional: missing him costs nothing
    found = _answer(people=[*_answer().key_facts.people, Person(name="Greg Brockman", role=None, organization=None)])
    assert _f1(found)["people"] == (1.0, 1.0, 1.0)  # and finding him counts as right


def test_a_repeated_item_counts_as_a_false_one() -> None:
    twice = _answer(organizations=[*_answer().key_facts.organizations, Organization(name="Open AI", description=None)])
    assert _f1(twice)["organizations"] == (2 / 3, 1.0, 0.8)


def test_events_need_the_date_an_entity_and_a_keyword() -> None:
    wrong_day = _answer(events=[Event(date="2023-11-18", date_text=None, description="The board removed Sam Altman.", evidence=[])])
    coarser = _answer(events=[Event(date="2023-11", date_text=None, description="The board fired Altman.", evidence=[])])
    no_entity = _answer(events=[Event(date="2023-11-17", date_text=None, description="The CEO was removed.", evidence=[])])
    in_evidence = _answer(events=[Event(date="2023-11-17", date_text=None, description="The CEO was removed.",
                                        evidence=["Sam Altman est démis de ses fonctions."])])  # fmt: skip
    assert [_f1(a)["events"][0] for a in (wrong_day, coarser, no_entity, in_evidence)] == [0.0, 1.0, 0.0, 1.0]


def test_amounts_need_the_value_and_the_currency() -> None:
    euros = _answer(amounts=[Amount(value=4e9, currency="EUR", text="x", description="x", evidence=[])])
    off = _answer(amounts=[Amount(value=4.1e9, currency="USD", text="x", description="x", evidence=[])])
    close = _answer(amounts=[Amount(value=4.02e9, currency="USD", text="x", description="x", evidence=[])])
    assert [_f1(a)["amounts"][2] for a in (euros, off, close)] == [0.0, 0.0, 1.0]


def test_quotes_need_the_speaker_and_the_words() -> None:
    wrong_speaker = _answer(quotes=[Quote(speaker="Sam Altman", original=ARTICLE.quotes[0].text, english="x")])
    paraphrase = _answer(quotes=[Quote(speaker="Murati", original="Elle a décidé de quitter OpenAI après réflexion.", english="x")])
    part = _answer(quotes=[Quote(speaker="Murati", original="j’ai pris la décision difficile de quitter OpenAI", english="x")])
    assert [_f1(a)["quotes"][2] for a in (wrong_speaker, paraphrase, part)] == [0.0, 0.0, 1.0]
    assert quote_overlap("« Bonjour, le monde ! »", "bonjour le monde") == 1.0


def test_the_shipped_gold_set_loads_and_a_bad_one_is_a_one_line_error(tmp_path: Path) -> None:
    gold = load_gold(GOLD)
    assert [a.path.name for a in gold.article] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for text, message in (
        ("format = 2\n", "format 2, this version reads format 1"),
        ('format = 1\n[[article]]\nsource = "nope.txt"\nlanguage = "fr"\n', "article nope.txt not found"),
        ('format = 1\n[[article]]\nsource = "a.txt"\nlanguage = "fr"\n[[article.people]]\nnom = "x"\n', "article.0.people.0"),
        ("format = [", "not a readable gold set"),
    ):
        path = tmp_path / "gold.toml"
        path.write_text(text, encoding="utf-8")
        (tmp_path / "a.txt").write_text("x", encoding="utf-8")
        with pytest.raises(InputError) as caught:
            load_gold(path)
        assert message in str(caught.value) and "\n" not in str(caught.value), str(caught.value)


def test_eval_runs_offline_on_the_shipped_answers_and_prints_the_table() -> None:
    result = runner.invoke(app, ["eval", str(GOLD), "--replay", str(EXCHANGES), "--no-cache"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("| gpt-4o-mini v5"))
    assert row.split(" | ")[1] == "1.00"  # the hand-written answers hold every gold fact, and nothing else
    data = json.loads(runner.invoke(app, ["eval", str(GOLD), "--replay", str(EXCHANGES), "--no-cache", "-f", "json"]).stdout)
    assert [len(r["articles"]) for r in data["runs"]] == [5] and data["runs"][0]["exit_codes"] == {"0": 5}


def _recorded(*args: str) -> list[str]:
    meta = info("v2")
    return ["eval", str(GOLD), "--replay", str(RECORDED), "--model", meta["model"], "--base-url", meta["base_url"], "--no-cache", *args]


def test_eval_compares_prompt_versions_of_the_real_model_in_one_command_with_deltas() -> None:
    args = _recorded("--prompt-version", "1", "--prompt-version", "2", "--prompt-version", "3", "--baseline", "v2", "-f", "json")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)["runs"]
    assert [r["prompt_version"] for r in runs] == [1, 2, 3] and all(r["exit_codes"] == {"0": 5} for r in runs)
    assert all(0 < r["facts"]["f1"] < 1 for r in runs)  # a 1.5B model: some facts right, never all
    table = runner.invoke(app, _recorded("--prompt-version", "2", "--prompt-version", "3", "--baseline", "v2")).stdout
    assert "v2 (baseline)" in table and "(−" in next(line for line in table.splitlines() if " v3 |" in line)
    unknown = runner.invoke(app, _recorded("--prompt-version", "2", "--baseline", "v9"))
    assert unknown.exit_code == 3 and "--baseline v9 is none of the runs" in unknown.stderr


def test_eval_of_a_translation_reports_alignment_and_what_was_dropped() -> None:
    meta = info("translate")
    result = runner.invoke(app, ["eval", str(GOLD), "--task", "translate", "--lang", "en", "--replay", str(RECORDED / "translate"),
                                 "--model", meta["model"], "--base-url", meta["base_url"], "--no-cache", "-f", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["runs"][0]["translation"]
    assert counts["paragraphs"] > counts["aligned"] > 0 and counts["names_missing"] > 0


def test_rescoring_costs_nothing_and_dry_run_says_what_a_run_would_cost(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with FakeOpenAI() as server:
        live = ["eval", str(GOLD), "--base-url", server.url, "--cache-dir", str(cache)]
        dry = runner.invoke(app, [*live, "--dry-run"], env={"OPENAI_API_KEY": "test"})
        assert dry.exit_code == 0 and "| 5 | 0 | 5 |" in dry.stdout and server.requests == []
        first = runner.invoke(app, live, env={"OPENAI_API_KEY": "test"})
        sent = len(server.requests)
        again = runner.invoke(app, live, env={"OPENAI_API_KEY": "test"})
        cached = runner.invoke(app, [*live, "--dry-run"], env={"OPENAI_API_KEY": "test"})
    assert first.exit_code == 0 and again.exit_code == 0 and sent == 5
    assert len(server.requests) == sent  # the second run was served from the cache
    assert "| 5 | 5 | 0 |" in cached.stdout  # 5 articles, 5 cached, 0 requests


def test_docs_real_model_reports_the_real_model_scores_as_they_are() -> None:
    page = (Path(__file__).parent.parent / "docs" / "real-model.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[1:9] for line in page.splitlines()
            if line.startswith("| v") and "(`" in line.split(" | ")[0]}  # fmt: skip
    runs = {"v1 (`batch/`)": (RECORDED, 1), "v1 (`v1/`)": (RECORDED / "v1", 1), "v2 (`v2/`)": (RECORDED, 2),
            "v2 (`v2-again/`)": (RECORDED / "v2-again", 2), "v3 (`v3/`)": (RECORDED, 3),
            "v4 (`v4/`, default)": (RECORDED / "v4", 4), "v4 (`v4-again/`)": (RECORDED / "v4-again", 4)}  # fmt: skip
    assert set(rows) == set(runs)
    meta = info("v2")
    for label, (folder, version) in runs.items():
        result = runner.invoke(app, ["eval", str(GOLD), "--replay", str(folder), "--model", meta["model"], "--base-url",
                                     meta["base_url"], "--no-cache", "--prompt-version", str(version), "-f", "json"])  # fmt: skip
        run = json.loads(result.stdout)["runs"][0]
        figures = [run["facts"]["f1"], run["facts"]["precision"], run["facts"]["recall"],
                   *(run["fields"][name]["f1"] for name in ("people", "organizations", "events", "amounts", "quotes"))]  # fmt: skip
        assert rows[label] == [f"{value:.2f}" for value in figures], label


def test_a_bad_gold_set_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "gold.toml"
    path.write_text("format = 2\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(path), "--replay", str(EXCHANGES)])
    assert result.exit_code == 2 and result.stderr == f"error: {path}: gold set format 2, this version reads format 1\n"


def test_eval_with_no_endpoint_stops_at_once_with_a_configuration_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", str(GOLD), "--cache-dir", str(tmp_path), "-o", str(tmp_path / "report.md")],
                           env={"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None})  # fmt: skip
    assert result.exit_code == 3 and result.stderr.startswith("error: no model endpoint configured")
    assert not (tmp_path / "report.md").exists()  # no report of five failures dressed up as a score


def test_answers_that_fail_are_part_of_the_measurement_and_said_on_stderr() -> None:
    # The shipped answers hold one translation (seed 003): the four others are replay misses (exit 4).
    result = runner.invoke(app, ["eval", str(GOLD), "--task", "translate", "--replay", str(EXCHANGES), "--no-cache"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("| gpt-4o-mini v1"))
    assert "0×1, 4×4" in row
    assert result.stderr == "warning: 4 of 5 answer(s) ended with an error; see the exit codes in the report\n"


def test_the_gold_set_example_of_docs_evaluation_is_a_valid_gold_set(tmp_path: Path) -> None:
    page = (Path(__file__).parent.parent / "docs" / "evaluation.md").read_text(encoding="utf-8")
    example = page.split("## Gold set format", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "000_6ab38baefa898b4f.txt").write_text((SEEDS / "000_6ab38baefa898b4f.txt").read_text(encoding="utf-8"))
    (tmp_path / "gold.toml").write_text(example, encoding="utf-8")
    article = load_gold(tmp_path / "gold.toml").article[0]
    assert [len(article.people), len(article.events), len(article.amounts), len(article.quotes)] == [1, 1, 1, 1]
