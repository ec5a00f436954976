"""`summarize translate`: paragraph alignment, preserved names/numbers/URLs/quotes, glossaries, parts, batch, Batch API."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path
from typing import Any

import httpx2
import pytest

from summarize.render import render
from typer.testing import CliRunner

from bench.fake_openai import FakeOpenAI
from summarize.runs import REPORT_NAME, BatchRunner, estimate_batch
from summarize.runs.openai_batch import BatchAPIRun
from summarize.checks.translation import check_alignment, check_translation, has_quotation, source_names
from summarize.reading.clean import paragraphs
from summarize.cli import app
from summarize.config import load_settings
from summarize.errors import InputError
from summarize.glossary import load_glossary
from summarize.reading.read import load_article
from summarize.schemas import Translation, TranslationResult
from summarize.summarizer import Summarizer

from .fakes import ANSWERS, EXCHANGES, SEED_003, SEEDS, ScriptedEndpoint, error, ok

SOURCES = [
    "Vendredi 17 novembre, Sam Altman a quitté OpenAI, selon https://example.com/openai.",
    "Microsoft a investi 10 milliards de dollars dans la start-up, soit 2,5 % de son chiffre d'affaires.",
    "« Nous allons recruter 200 ingénieurs », a déclaré Léa Martin, fondatrice de Nova.",
]
GOOD = [
    "On Friday 17 November, Sam Altman left OpenAI, according to https://example.com/openai.",
    "Microsoft invested 10 billion dollars in the start-up, or 2.5% of its revenue.",
    "\"We are going to hire 200 engineers,\" said Léa Martin, founder of Nova.",
]
HAND_WRITTEN = json.loads((ANSWERS / "003_f41e5d1e8166288f.translate-en.json").read_text(encoding="utf-8"))


def answer(texts: list[str], numbers: list[int] | None = None, title: str | None = None) -> Translation:
    numbers = numbers or list(range(1, len(texts) + 1))
    return Translation.model_validate({"title": title, "paragraphs": [{"n": n, "text": t} for n, t in zip(numbers, texts)]})


def kinds(warnings: list[Any]) -> set[tuple[str, str | None]]:
    return {(w.kind, w.field) for w in warnings}


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


# Checks of one translation against its source paragraphs


def test_a_faithful_translation_raises_nothing() -> None:
    assert check_translation(answer(GOOD), SOURCES, target="en") == []


def test_the_shipped_hand_written_translation_raises_nothing() -> None:
    sources = paragraphs(load_article(str(SEED_003)).text)
    assert check_translation(Translation.model_validate(HAND_WRITTEN), sources, target="en") == []


def test_a_missing_paragraph_is_flagged_with_its_number() -> None:
    assert kinds(check_alignment(answer([GOOD[0], GOOD[2]], [1, 3]), SOURCES)) == {("paragraph-missing", "paragraphs[2]")}


def test_two_paragraphs_translated_as_one_are_flagged_as_merged() -> None:
    merged = answer([GOOD[0], GOOD[1] + " " + GOOD[2]], [1, 2])
    assert kinds(check_alignment(merged, SOURCES)) == {("paragraphs-merged", "paragraphs[2]")}


def test_a_duplicate_or_out_of_range_item_is_an_extra_paragraph() -> None:
    extra = answer(GOOD + [GOOD[2], "A fourth paragraph nobody wrote."], [1, 2, 3, 3, 4])
    assert kinds(check_alignment(extra, SOURCES)) == {("paragraph-extra", "paragraphs[3]"), ("paragraph-extra", "paragraphs[4]")}


def test_a_paragraph_cut_short_is_flagged() -> None:
    long_source = SOURCES[1] + " " + " ".join(["Le groupe de Redmond renforce ainsi son avance dans l'intelligence artificielle."] * 3)
    cut = answer([GOOD[0], "Microsoft invested.", GOOD[2]])
    assert ("paragraph-missing", "paragraphs[2]") in kinds(check_alignment(cut, [SOURCES[0], long_source, SOURCES[2]]))


@pytest.mark.parametrize(
    ("index", "broken", "kind"),
    [
        (0, "On Friday 17 November, Altman left the company, according to https://example.com/openai.", "name-missing"),
        (1, "Microsoft invested billions of dollars in the start-up, a share of its revenue.", "number-missing"),
        (0, "On Friday 17 November, Sam Altman left OpenAI, according to its website.", "url-missing"),
        (2, "We are going to hire 200 engineers, said Léa Martin, founder of Nova.", "quote-missing"),
        (1, "Microsoft invested 12 billion dollars in the start-up, or 2.5% of its revenue.", "number-not-found"),
        (0, "On Friday 17 November, Sam Altman left OpenAI for Anthropic, according to https://example.com/openai.", "name-not-found"),
        (2, "« Nous allons recruter 200 ingénieurs », a déclaré Léa Martin, la fondatrice de Nova.", "wrong-language"),
    ],
)
def test_each_paragraph_keeps_its_names_numbers_urls_quotes_and_language(index: int, broken: str, kind: str) -> None:
    texts = list(GOOD)
    texts[index] = broken
    assert kind in {k for k, _ in kinds(check_translation(answer(texts), SOURCES, target="en"))}
    assert all(f == f"paragraphs[{index + 1}]" for k, f in kinds(check_translation(answer(texts), SOURCES, target="en")) if k == kind)


def test_the_target_language_is_checked_whatever_it_is() -> None:
    german = ["Am Freitag, dem 17. November, hat Sam Altman OpenAI verlassen, laut https://example.com/openai."]
    assert check_translation(answer(german), SOURCES[:1], target="de") == []
    assert ("wrong-language", "paragraphs[1]") in kinds(check_translation(answer(GOOD[:1]), SOURCES[:1], target="de"))


def test_names_are_capitalized_words_not_opening_a_sentence_nor_short_acronyms() -> None:
    assert source_names("Vendredi, Sam Altman et d’OpenAI ont vu le PDG de l’IA, Greg Brockman.") == ["Sam", "Altman", "OpenAI", "Greg", "Brockman"]
    assert source_names("• Un départ.\n• Deux départs chez OpenAI.") == ["OpenAI"]


def test_only_spans_of_three_words_or_more_count_as_quotations() -> None:
    assert has_quotation("« Nous allons recruter », a-t-il dit") and not has_quotation("donner le “la” au monde")


# Glossaries


def test_toml_and_csv_glossaries_read_the_same_terms(tmp_path: Path) -> None:
    toml = tmp_path / "g.toml"
    toml.write_text('[terms]\n"intelligence artificielle" = "artificial intelligence"\n"L’Express" = "keep"\n', encoding="utf-8")
    csv = tmp_path / "g.csv"
    csv.write_text("source,target\nintelligence artificielle,artificial intelligence\nL’Express,keep\n", encoding="utf-8")
    assert load_glossary(toml).terms == load_glossary(csv).terms
    assert load_glossary(toml).hash == load_glossary(csv).hash
    assert [t.keep for t in load_glossary(toml).terms] == [False, True]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.toml", "x = [", "bad TOML"),
        ("num.toml", "x = 3", "must map to a string"),
        ("three.csv", "a,b,c\n", "3 columns"),
        ("twice.csv", "IA,AI\nia,A.I.\n", "listed twice"),
        ("empty.csv", "\n", "no terms"),
        ("words.txt", "IA = AI\n", "use a .toml or .csv"),
    ],
)
def test_a_bad_glossary_is_a_one_line_input_error(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_glossary(path)
    result = run("translate", str(SEED_003), "--glossary", str(path), "--replay", str(EXCHANGES))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and message in result.stderr


def test_a_missing_glossary_exits_2(tmp_path: Path) -> None:
    result = run("translate", str(SEED_003), "--glossary", str(tmp_path / "nope.toml"), "--replay", str(EXCHANGES))
    assert result.exit_code == 2 and "glossary not found" in result.stderr


def test_the_prompt_lists_only_the_glossary_terms_in_the_text(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("conseil d’administration,board\ncoup de poker,gamble\nblockchain,keep\n", encoding="utf-8")
    settings = load_settings(api_key="k", task="translate", glossary_file=path, use_cache=False)
    with Summarizer(settings) as translator:
        system = translator.plan(load_article(str(SEED_003))).calls[0].messages[0]["content"]
    assert '"conseil d’administration" -> "board"' in system and '"coup de poker" -> "gamble"' in system
    assert "blockchain" not in system


def test_a_glossary_term_not_followed_is_flagged_and_keep_means_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text('"fondatrice" = "founding CEO"\n"Nova" = "keep"\n', encoding="utf-8")
    glossary = load_glossary(path)
    flagged = check_translation(answer(GOOD), SOURCES, target="en", glossary=glossary)
    assert kinds(flagged) == {("glossary-term-missing", "paragraphs[3]")} and "fondatrice -> founding CEO" in flagged[0].text
    followed = GOOD[:2] + ["\"We are going to hire 200 engineers,\" said Léa Martin, founding CEO of Nova."]
    assert check_translation(answer(followed), SOURCES, target="en", glossary=glossary) == []
    renamed = GOOD[:2] + ["\"We are going to hire 200 engineers,\" said Léa Martin, founding CEO of Novum."]
    assert ("glossary-term-missing", "paragraphs[3]") in kinds(check_translation(answer(renamed), SOURCES, target="en", glossary=glossary))


# The pipeline: offline replay, repair, flags, parts


def test_translate_replays_offline_from_the_shipped_hand_written_answer() -> None:
    result = run("translate", str(SEED_003), "--to", "en", "--replay", str(EXCHANGES), "--no-cache")
    assert result.exit_code == 0, result.output
    body = result.stdout.split("## Source")[0]
    assert body.startswith("# OpenAI: King Altman is dead, long live the king")
    assert "Microsoft's fine move" in body and "## Warnings" not in body
    assert "(replayed)" in result.stdout
    exchanges = [json.loads(p.read_text(encoding="utf-8")) for p in EXCHANGES.glob("*.json")]
    assert any(e["origin"] == "hand-written" and "Translate this article" in json.dumps(e["request"]) for e in exchanges)


def test_json_output_has_the_aligned_pairs_metadata_and_provenance(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    result = run("translate", str(SEED_003), "--to", "en", "--replay", str(EXCHANGES), "--no-cache", "-f", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    translated = TranslationResult.model_validate_json(out.read_text(encoding="utf-8"))
    sources = paragraphs(load_article(str(SEED_003)).text)
    assert [p.source for p in translated.paragraphs] == sources and [p.n for p in translated.paragraphs] == [1, 2, 3, 4, 5]
    assert all(p.target for p in translated.paragraphs)
    assert translated.article.language == "fr" and translated.target_language == "en"
    assert translated.provenance.task == "translate" and translated.provenance.prompt_task == "translate" and translated.provenance.replayed


def test_side_by_side_puts_each_source_paragraph_beside_its_translation() -> None:
    result = run("translate", str(SEED_003), "--to", "en", "--replay", str(EXCHANGES), "--no-cache", "--side-by-side")
    rows = [line for line in result.stdout.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == 5 and rows[2] == "| 3 | Le joli coup de Microsoft | Microsoft's fine move |"


def test_translating_into_the_article_s_own_language_is_refused() -> None:
    result = run("translate", str(SEED_003), "--to", "fr", "--replay", str(EXCHANGES))
    assert result.exit_code == 2 and "already in French" in result.stderr


def _translator(endpoint: ScriptedEndpoint, **overrides: Any) -> Summarizer:
    settings = load_settings(api_key="k", task="translate", use_cache=False, **overrides)
    return Summarizer(settings, transport=endpoint.transport)


def test_a_missing_paragraph_is_sent_back_and_repaired() -> None:
    missing = {**HAND_WRITTEN, "paragraphs": [p for p in HAND_WRITTEN["paragraphs"] if p["n"] != 3]}
    endpoint = ScriptedEndpoint(ok(missing), ok(HAND_WRITTEN))
    with _translator(endpoint) as translator:
        result = translator.translate(SEED_003)
    assert len(endpoint.requests) == 2 and result.warnings == []
    repair = endpoint.bodies[1]["messages"][-1]["content"]
    assert "paragraphs[3]: this source paragraph has no translation" in repair and "one item per numbered source paragraph" in repair


def test_paragraphs_still_missing_after_the_repair_are_asked_for_again_on_their_own() -> None:
    stopped = {**HAND_WRITTEN, "paragraphs": HAND_WRITTEN["paragraphs"][:2]}  # a small model ending early
    rest = {"title": None, "paragraphs": [{**p, "n": p["n"] - 2} for p in HAND_WRITTEN["paragraphs"][2:]]}
    endpoint = ScriptedEndpoint(ok(stopped), ok(stopped), ok(rest))
    with _translator(endpoint) as translator:
        result = translator.translate(SEED_003)
    assert len(endpoint.requests) == 3 and result.warnings == []
    assert [p.target for p in result.paragraphs] == [p["text"] for p in HAND_WRITTEN["paragraphs"]]
    follow_up = endpoint.bodies[2]["messages"][1]["content"]
    assert "only its paragraphs 3, 4, 5, left out of an earlier answer, numbered 1 to 3 here" in follow_up
    assert "[1] Le joli coup de Microsoft" in follow_up and "[4]" not in follow_up
    assert result.provenance.attempts == 3


def test_a_paragraph_still_missing_is_flagged_and_shown_untranslated_never_dropped() -> None:
    missing = {**HAND_WRITTEN, "paragraphs": [p for p in HAND_WRITTEN["paragraphs"] if p["n"] != 3]}
    failing = error(500, "the server had an error")  # the follow-up fails: the answer already paid for is kept
    endpoint = ScriptedEndpoint(ok(missing), ok(missing), failing)
    with _translator(endpoint, max_retries=0) as translator:
        result = translator.translate(SEED_003)
        markdown = render(result)
    assert len(endpoint.requests) == 3
    assert kinds(result.warnings) == {("paragraph-missing", "paragraphs[3]")}
    assert result.paragraphs[2].target is None and result.paragraphs[2].source == "Le joli coup de Microsoft"
    assert "⚠ *(paragraph 3 not translated)* Le joli coup de Microsoft" in markdown
    endpoint = ScriptedEndpoint(ok(missing), ok(missing), error(500, "the server had an error"))
    with _translator(endpoint, strict=True, max_retries=0) as translator:
        with pytest.raises(Exception, match="--strict: 1 problem"):
            translator.translate(SEED_003)


def test_a_long_article_is_split_on_paragraphs_requested_in_parallel_and_reassembled_in_order(tmp_path: Path) -> None:
    article = tmp_path / "long.txt"
    sources = [
        f"Paragraphe {i} : " + " ".join(f"Sam Altman et Greg Brockman rejoignent Microsoft le {i} novembre, phrase {j}." for j in range(6))
        for i in range(1, 13)
    ]
    article.write_text("Un long article\n\n" + "\n\n".join(sources) + "\n", encoding="utf-8")
    with FakeOpenAI(latency=0.3) as server:
        settings = load_settings(api_key="k", base_url=server.url, task="translate", use_cache=False,
                                 max_output_tokens=700, max_check_repairs=0)
        with Summarizer(settings) as translator:
            plan = translator.plan(load_article(str(article)))
            result = asyncio.run(translator.atranslate(article))
        chats = [r for r in server.requests if r.path.endswith("/chat/completions")]
    assert len(plan.parts) >= 3 and len(chats) == len(plan.parts)
    assert server.max_in_flight >= 2  # the parts were in flight together
    body = paragraphs(load_article(str(article)).text)
    assert [p.n for p in result.paragraphs] == list(range(1, len(body) + 1))
    assert [p.target for p in result.paragraphs] == body  # the fake echoes: every paragraph back in its place
    assert not {w.kind for w in result.warnings} & {"paragraph-missing", "paragraph-extra", "paragraphs-merged"}
    assert "chunked" in {w.kind for w in result.warnings}
    assert all(paragraphs(part) for part in plan.parts) and sum(len(paragraphs(p)) for p in plan.parts) == len(body)


def test_a_part_numbering_outside_its_paragraphs_is_flagged_not_moved() -> None:
    from summarize.tasks import TranslateTask

    task = TranslateTask(load_settings(task="translate"))
    parts = ["Un.\n\nDeux.", "Trois.\n\nQuatre."]
    answers = [answer(["One.", "Two."]), answer(["Three.", "Four."], [2, 3])]
    merged = task.merge(load_article(str(SEED_003)), parts, None, answers, limit=1000, encoding="o200k_base")
    assert [p.n for p in merged.paragraphs] == [1, 2, 4, 0]


# Batch, Batch API, dry run


def _seeds(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


def test_translate_runs_in_batch_with_outputs_report_and_resume(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path)
    with FakeOpenAI() as server:
        settings = load_settings(api_key="k", base_url=server.url, task="translate", cache_dir=tmp_path / "c", max_check_repairs=0)
        out = tmp_path / "out"
        outcome = BatchRunner(lambda gate: Summarizer(settings, gate=gate), seeds, out, jobs=3).run()
        first = len(server.requests)
        again = BatchRunner(lambda gate: Summarizer(settings, gate=gate), seeds, out, jobs=3).run()
        assert len(server.requests) == first  # nothing sent twice
    assert outcome.done == 5 and outcome.failed == 0 and again.existing == 5
    outputs = sorted(p.name for p in out.glob("*.translation-en.json"))
    assert len(outputs) == 5 and len(list(out.glob("*.translation-en.md"))) == 5
    for path in out.glob("*.translation-en.json"):
        result = TranslationResult.model_validate_json(path.read_text(encoding="utf-8"))
        assert all(p.target == p.source for p in result.paragraphs)  # the fake echoes, aligned
    assert len((out / REPORT_NAME).read_text(encoding="utf-8").splitlines()) == 5


def test_translate_batch_from_the_cli_defaults_to_a_translations_folder(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path)
    with FakeOpenAI() as server:
        result = run("batch", str(seeds), "--task", "translate", "--to", "en", "--base-url", server.url, "--max-check-repairs", "0")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "seeds-translations").glob("*.translation-en.json"))) == 5


def test_translate_goes_through_the_batch_api(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path)
    with FakeOpenAI() as server:
        settings = load_settings(api_key="k", base_url=server.url, task="translate", cache_dir=tmp_path / "c", max_check_repairs=0)
        outcome = BatchAPIRun(Summarizer(settings), seeds, tmp_path / "out", poll_interval=0.01).run()
        live = [r for r in server.requests if r.method == "POST" and r.path.endswith("/chat/completions")]
        lines = [r for r in server.requests if r.method == "BATCH"]
    assert outcome.done == 5 and outcome.failed == 0 and live == [] and len(lines) == 5
    assert len(list((tmp_path / "out").glob("*.translation-en.json"))) == 5


def test_dry_run_expects_a_translation_about_as_long_as_its_input(tmp_path: Path) -> None:
    def estimate(task: str) -> Any:
        with Summarizer(load_settings(api_key="k", task=task, use_cache=False)) as pipeline:
            return estimate_batch(pipeline, SEEDS)

    summary, translation = estimate("summary"), estimate("translate")
    article_tokens = sum(len(load_article(str(p)).text) for p in SEEDS.glob("*.txt")) / 4  # ~4 characters a token
    assert 0.8 * article_tokens < translation.expected_output_tokens < 1.6 * article_tokens
    assert translation.requests == summary.requests == 5 and translation.max_output_tokens == 5 * 4096
    result = run("batch", str(SEEDS), "--task", "translate", "--dry-run")
    assert result.exit_code == 0 and f"{translation.expected_output_tokens:,}" in result.stdout


def test_an_http_level_replay_records_the_translate_request(tmp_path: Path) -> None:
    endpoint = ScriptedEndpoint(ok(HAND_WRITTEN))
    settings = load_settings(api_key="k", task="translate", use_cache=False, record_dir=tmp_path / "rec")
    from summarize.model.replay import RecordingTransport, ReplayStore

    transport = RecordingTransport(ReplayStore(tmp_path / "rec"), endpoint="api.openai.com", inner=endpoint.transport)
    with Summarizer(settings, transport=transport) as translator:
        translator.translate(SEED_003)
    replayed = load_settings(task="translate", use_cache=False, replay_dir=tmp_path / "rec")
    with Summarizer(replayed) as translator:
        assert translator.translate(SEED_003).paragraphs[4].target == HAND_WRITTEN["paragraphs"][4]["text"]
    assert isinstance(transport, httpx2.BaseTransport)


def test_a_long_paragraph_is_bounded_for_grammars_only_never_rejected() -> None:
    from summarize.schemas import strict_json_schema

    long = Translation.model_validate({"title": None, "paragraphs": [{"n": 1, "text": "word " * 700}]})
    assert len(long.paragraphs[0].text) > 1800  # an endpoint without a grammar may write it whole
    bounded = strict_json_schema(Translation)["$defs"]["TranslatedParagraph"]["properties"]["text"]
    unbounded = strict_json_schema(Translation, bounded=False)["$defs"]["TranslatedParagraph"]["properties"]["text"]
    assert bounded["maxLength"] == 1800 and "maxLength" not in unbounded


def test_an_article_of_more_paragraphs_than_one_answer_holds_goes_in_parts(tmp_path: Path) -> None:
    from summarize.schemas import PARAGRAPHS

    article = tmp_path / "many.txt"
    article.write_text("Beaucoup de paragraphes\n\n" + "\n\n".join(f"Court paragraphe numéro {i} sur OpenAI." for i in range(1, 200)), encoding="utf-8")
    with Summarizer(load_settings(api_key="k", task="translate", use_cache=False)) as translator:
        plan = translator.plan(load_article(str(article)))
    counts = [len(paragraphs(part)) for part in plan.parts]
    assert len(plan.parts) >= 3 and max(counts) <= PARAGRAPHS and sum(counts) == len(paragraphs(load_article(str(article)).text))
