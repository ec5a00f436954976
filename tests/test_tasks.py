"""One task-generic pipeline: target language, length, the one cache key, versioned re-ask texts, a third task."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from bench.fake_openai import cited_answer
from summarize import schemas, tasks
from summarize.render import render
from summarize.runs import BatchRunner
from summarize.checks import Checked, check_answer, language_of
from summarize.cli import app
from summarize.config import load_settings
from summarize.prompts import PromptLibrary, builtin_prompts_dir
from summarize.reading.read import load_article
from summarize.schemas import Article, ArticleMetadata, Provenance, Summary
from summarize.reading.sentences import Sentences
from summarize.summarizer import Summarizer
from summarize.tasks.summary import sentence_count

from .fakes import ANSWERS, EXCHANGES, SEED_003, SEEDS, ScriptedEndpoint, ok

FAITHFUL_003 = json.loads((ANSWERS / "003_f41e5d1e8166288f.json").read_text(encoding="utf-8"))
GERMAN_003 = json.loads((ANSWERS / "003_f41e5d1e8166288f.summary-de.json").read_text(encoding="utf-8"))
# The same answers in the default prompt's (v4) cited form.
CITED_003 = json.loads((ANSWERS / "cited" / "003_f41e5d1e8166288f.json").read_text(encoding="utf-8"))
CITED_GERMAN_003 = json.loads((ANSWERS / "cited" / "003_f41e5d1e8166288f.summary-de.json").read_text(encoding="utf-8"))
ENGLISH_TEXT = (
    "The city council approved the new budget on Monday after a long debate. The mayor said the city would hire "
    "two hundred nurses next year. Unions said the plan was not enough and called a strike for next week."
)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def plan_for(source: Path | Article = SEED_003, *, prompt_version: int | None = None, **overrides: Any) -> Any:
    settings = load_settings(api_key="k", use_cache=False, **overrides)
    with Summarizer(settings) as pipeline:
        article = source if isinstance(source, Article) else load_article(str(source))
        return pipeline.plan(article, prompt_version=prompt_version)


# Target language


def test_a_german_brief_with_the_french_summary_replays_offline(tmp_path: Path) -> None:
    out = tmp_path / "de.json"
    result = run("brief", str(SEED_003), "--lang", "de", "--replay", str(EXCHANGES), "--no-cache", "-f", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    brief = json.loads(out.read_text(encoding="utf-8"))
    assert language_of(brief["brief"]["summary"]) == "de" and language_of(brief["brief"]["source_summary"]) == "fr"
    assert brief["provenance"]["target_language"] == "de" and brief["warnings"] == []
    markdown = run("brief", str(SEED_003), "--lang", "de", "--replay", str(EXCHANGES), "--no-cache").stdout
    assert markdown.startswith("# OpenAI-Vorstand setzt Sam Altman ab") and "## Summary (fr)" in markdown


def test_the_target_language_reaches_the_prompt_the_schema_and_the_repair_text() -> None:
    plan = plan_for(target_language="de")
    system, user = (m["content"] for m in plan.calls[0].messages)
    assert "summarizes it in German" in system and "Summarize this article in German, citing sentence ids" in user
    assert "English" not in system
    # The v3 prompt, whose answers are re-asked whole, also says it in its re-ask text.
    v3 = plan_for(target_language="de", prompt_version=3)
    system, user = (m["content"] for m in v3.calls[0].messages)
    assert "summarizes it in German" in system and "in German, following the field rules" in user
    assert "English" not in system.replace("(an English brief; yours is in German)", "")
    assert v3.reasks.check_repair("- x") .startswith("Checked against the article") and "German fields in German" in v3.reasks.check_repair("- x")
    endpoint = ScriptedEndpoint(ok(CITED_GERMAN_003))
    with Summarizer(load_settings(api_key="k", use_cache=False, target_language="de"), transport=endpoint.transport) as s:
        s.summarize(SEED_003)
    schema = json.dumps(endpoint.bodies[0]["response_format"]["json_schema"]["schema"])
    descriptions = [d for d in _descriptions(endpoint.bodies[0]["response_format"]["json_schema"]["schema"])]
    assert "A factual German headline." in descriptions and "The quotation in German." in descriptions
    assert not [d for d in descriptions if "English" in d]
    assert '"translation"' in schema and '"title_cites"' in schema  # field names stay: one answer model for every language


def _descriptions(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["description"]] if isinstance(node.get("description"), str) else []
        return own + [d for value in node.values() for d in _descriptions(value)]
    if isinstance(node, list):
        return [d for value in node for d in _descriptions(value)]
    return []


def test_the_language_checks_hold_fields_to_the_target_language() -> None:
    article = load_article(str(SEED_003))
    english_in_german = check_answer(Summary.model_validate(FAITHFUL_003), article, target="de")
    flagged = [w for w in english_in_german.warnings if w.kind == "wrong-language"]
    assert flagged and all("must be in 'de'" in w.detail for w in flagged)
    assert {w.field for w in flagged} >= {"brief.title", "brief.summary"}
    assert check_answer(Summary.model_validate(GERMAN_003), article, target="de").warnings == []


def test_an_article_already_in_the_target_language_gets_one_summary_not_two() -> None:
    article = Article(text=ENGLISH_TEXT, source="-", title="Budget approved", language="en")
    # v3 asks the model for an empty source_summary; a cited prompt asks for none (the pipeline takes the
    # article's own sentences, and none when the article is already in the target language).
    system = plan_for(article, prompt_version=3).calls[0].messages[0]["content"]
    assert "already in English: write source_summary as an empty string" in system
    assert "source_summary" not in plan_for(article).calls[0].messages[0]["content"]
    answer = cited_answer(Sentences(ENGLISH_TEXT).numbered())  # the fake server's answer to this text
    answer["brief"].update(source_language="en")
    endpoint = ScriptedEndpoint(ok(answer))
    with Summarizer(load_settings(api_key="k", use_cache=False), transport=endpoint.transport) as s:
        result = s.summarize(article)
        markdown = render(result)
    assert ("same-language", None) in {(w.kind, w.field) for w in result.warnings}
    assert result.brief.source_summary == "" and len(endpoint.requests) == 1
    assert "## Summary (en)" not in markdown and "Same language" in markdown


def test_prompts_before_v3_refuse_another_language_or_length() -> None:
    for option in (["--lang", "de"], ["--length", "short"]):
        result = run("brief", str(SEED_003), "--prompt-version", "2", *option, "--replay", str(EXCHANGES))
        assert result.exit_code == 3 and "v3 or later" in result.stderr


@pytest.mark.parametrize(("option", "value"), [("--lang", "klingon"), ("--lang", "xx"), ("--length", "tiny"), ("--length", "5")])
def test_a_bad_language_or_length_is_a_one_line_error(option: str, value: str) -> None:
    result = run("brief", str(SEED_003), option, value, "--replay", str(EXCHANGES))
    assert result.exit_code == 3 and result.stderr.count("\n") == 1 and result.stderr.startswith("error: invalid setting")


def test_language_tags_are_normalized() -> None:
    assert load_settings(target_language="PT_br").target_language == "pt-BR"
    assert "Portuguese (pt-BR)" in plan_for(target_language="pt-br").calls[0].messages[1]["content"]


# Length


@pytest.mark.parametrize(
    ("length", "rule"),
    [
        ("short", "summary: 2 sentences at most. key_points: exactly 3."),
        ("medium", "summary: 3 to 5 sentences. key_points: 3 to 6."),
        ("long", "summary: up to 10 sentences, covering every part of the story. key_points: 5 to 8."),
        ("80", "summary: about 80 words. key_points: 3 to 6."),
    ],
)
def test_each_length_puts_its_rule_in_the_prompt(length: str, rule: str) -> None:
    assert f"Length: {rule}" in plan_for(length=length).calls[0].messages[0]["content"]


def test_an_answer_off_the_asked_length_gets_a_note_not_a_failure() -> None:
    endpoint = ScriptedEndpoint(ok(CITED_003))
    with Summarizer(load_settings(api_key="k", use_cache=False, length="short", strict=True), transport=endpoint.transport) as s:
        result = s.summarize(SEED_003)
    notes = {(w.kind, w.field, w.text) for w in result.warnings}
    assert notes == {("off-length", "brief.summary", "4 sentences"), ("off-length", "brief.key_points", "5 key points")}
    assert result.provenance.length == "short"


def test_sentences_are_counted_without_splitting_german_dates() -> None:
    assert sentence_count("Am Freitag, dem 17. November, trat er ab. Dann kam Microsoft.") == 2
    assert sentence_count("One. Two! Three?") == 3 and sentence_count("") == 0


# One cache key, built in one place


@pytest.mark.parametrize(
    "change",
    [{"target_language": "de"}, {"length": "short"}, {"length": "120"}, {"task": "translate"}, {"max_check_repairs": 0}, {"model": "gpt-4o"}],
    ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()),
)
def test_every_parameter_that_changes_the_request_changes_the_cache_key_and_fingerprint(change: dict[str, Any]) -> None:
    base_settings = load_settings(api_key="k", use_cache=False)
    changed_settings = load_settings(api_key="k", use_cache=False, **change)
    with Summarizer(base_settings) as base, Summarizer(changed_settings) as changed:
        article = load_article(str(SEED_003))
        assert base.plan(article).key != changed.plan(article).key
        assert base.fingerprint() != changed.fingerprint()


def test_the_glossary_is_in_the_translation_cache_key(tmp_path: Path) -> None:
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    one.write_text("coup de poker,gamble\n", encoding="utf-8")
    two.write_text("coup de poker,bold bet\n", encoding="utf-8")
    keys = {plan_for(task="translate", glossary_file=g).key for g in (None, one, two)}
    assert len(keys) == 3
    assert plan_for(task="translate", glossary_file=one).key == plan_for(task="translate", glossary_file=one).key


def test_editing_a_re_ask_text_changes_the_cache_key(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    (prompts / "conversation").mkdir(parents=True)
    original = (builtin_prompts_dir() / "conversation" / "v1.md").read_text(encoding="utf-8")
    (prompts / "conversation" / "v1.md").write_text(original.replace("That answer is invalid", "Invalid answer"), encoding="utf-8")
    assert plan_for().key != plan_for(prompts_dir=prompts).key
    assert plan_for(prompts_dir=prompts).reasks.repair("x").startswith("Invalid answer: x.")


def test_the_re_ask_texts_and_schema_instruction_come_from_the_conversation_prompt() -> None:
    conversation = PromptLibrary(None).load("conversation")
    assert conversation.schema is None and set(conversation.sections) == {"repair", "check-repair", "loop-repair", "schema-instruction"}
    endpoint = ScriptedEndpoint(ok(CITED_003))
    with Summarizer(load_settings(api_key="k", use_cache=False, response_format="json_object"), transport=endpoint.transport) as s:
        s.summarize(SEED_003)
    system = endpoint.bodies[0]["messages"][0]["content"]
    assert "\n\nAnswer with one JSON object, no prose and no code fence, that validates against this JSON Schema:\n{" in system


# A third task: a prompt folder, an answer model, a small task definition; nothing else changes


class Headline(BaseModel):
    """The answer of the test-only headline task."""

    headline: str


class HeadlineResult(schemas.ResultEnvelope):
    """Its result envelope: article, warnings and provenance come with the base."""

    headline: str


class HeadlineTask(tasks.Task):  # registered by the test below (a task module marks it @register)
    name = "headline"
    prompt_task = "headline"
    answer = Headline
    result = HeadlineResult
    schemas: ClassVar[dict[str, type[BaseModel]]] = {"headline": Headline}
    parts_checked: ClassVar[bool] = True

    def options(self) -> dict[str, Any]:
        return {"target_language": self.settings.target_language}

    def variables(self, prompt: Any, article: Article, text: str, part: str) -> dict[str, Any]:
        return {"text": text}

    def split(self, text: str, budget: int, encoding: str) -> list[str]:
        return [text]

    def merge(self, article: Article, parts: list[str], reduce: Any, answers: list[Any], **_: Any) -> Any:
        return answers[0]

    def check(self, answer: Any, article: Article, source: str, prompt: Any) -> Checked:
        return Checked([], [])

    def expected_output_tokens(self, plan: Any, output_limit: int) -> int:
        return 20

    def output_suffix(self) -> str:
        return ".headline"

    def build(self, article: Article, answer: Any, checked: Checked, notes: list[Any], provenance: Provenance) -> Any:
        return HeadlineResult(article=ArticleMetadata(source=article.source), headline=answer.headline, provenance=provenance)



@pytest.fixture
def registries() -> Iterator[None]:
    """TASKS and SCHEMAS as they were before the test registered its task."""
    saved = dict(tasks.TASKS), dict(schemas.SCHEMAS)
    yield
    for registry, before in zip((tasks.TASKS, schemas.SCHEMAS), saved):
        registry.clear()
        registry.update(before)  # type: ignore[arg-type]


def test_a_third_task_runs_through_the_pipeline_cache_and_batch_unchanged(tmp_path: Path, registries: None) -> None:
    prompts = tmp_path / "prompts"
    (prompts / "headline").mkdir(parents=True)
    (prompts / "headline" / "v1.md").write_text(
        '+++\ntask = "headline"\nversion = 1\ndescription = "One headline."\nschema = "headline"\n+++\n'
        "## system\nWrite one headline as JSON.\n\n## user\n<article>\n{{ text }}\n</article>\n",
        encoding="utf-8",
    )
    tasks.register(HeadlineTask)  # what @register does when its module is imported: nothing else names the task
    endpoint = ScriptedEndpoint(lambda request: ok({"headline": "OpenAI ousts Sam Altman"}))
    settings = load_settings(api_key="k", task="headline", prompts_dir=prompts, cache_dir=tmp_path / "cache")
    with Summarizer(settings, transport=endpoint.transport) as pipeline:
        assert pipeline.run(SEED_003).headline == "OpenAI ousts Sam Altman"
        assert pipeline.run(SEED_003).provenance.cached and len(endpoint.requests) == 1
    seeds = Path(shutil.copytree(SEEDS, tmp_path / "seeds"))
    outcome = BatchRunner(lambda gate: Summarizer(settings, transport=endpoint.transport, gate=gate), seeds, tmp_path / "out", jobs=2).run()
    assert outcome.done == 4 and outcome.cached == 1 and len(list((tmp_path / "out").glob("*.headline.md"))) == 5
    # Rendered by the generic Markdown renderer: the new task wrote no rendering code.
    assert "**headline**: OpenAI ousts Sam Altman" in next((tmp_path / "out").glob("*.headline.md")).read_text()
    with Summarizer(settings, transport=endpoint.transport) as pipeline:
        assert "OpenAI ousts Sam Altman" in render(pipeline.run(SEED_003), "html")  # and by the generic HTML page


def test_every_module_of_the_tasks_package_registers_its_task() -> None:
    import pkgutil

    modules = {m.name for m in pkgutil.iter_modules(tasks.__path__)} - {"base"}
    assert {cls.__module__.rsplit(".", 1)[1] for cls in tasks.TASKS.values()} == modules
    assert {"summary", "cited-summary", "verdict", "translation"} <= set(schemas.SCHEMAS)
