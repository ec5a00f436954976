"""The digest as a product: its formats (Markdown, JSON with a schema, HTML), the meaning check of its written
sentences, a digest built from an earlier batch's index.jsonl, and the inputs it must say something about."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarize.cli import app
from summarize.config import load_settings
from summarize.digest.build import assemble
from summarize.digest.model import Digest
from summarize.digest.collect import Collected
from summarize.schemas import ArticleMetadata, Person, Result
from summarize.summarizer import Summarizer

from .fakes import EXCHANGES, SEEDS, ScriptedEndpoint, ok
from .test_digest import event, with_facts

REPLAY = ["--replay", str(EXCHANGES), "--no-cache"]


@pytest.fixture(scope="module")
def seed_digest() -> Digest:
    """The five seeds' digest, from the shipped (hand-written) answers."""
    done = CliRunner().invoke(app, ["digest", str(SEEDS), *REPLAY, "-f", "json"])
    assert done.exit_code == 0, done.output
    return Digest.model_validate_json(done.output)  # the JSON is the Digest: `summarize schema digest` describes it


def test_the_json_digest_carries_its_articles_sentences_and_has_a_schema(seed_digest: Digest) -> None:
    assert len(seed_digest.articles) == 5 and all(a.sentences for a in seed_digest.articles)
    by_article = {a.id: {s.id for s in a.sentences} for a in seed_digest.articles}
    cited = [(c.article, s) for e in seed_digest.stories[0].facts.events for c in e.citations for s in c.sentences]
    assert cited and all(s in by_article[a] for a, s in cited)  # every cited sentence is in the digest, readable
    schema = CliRunner().invoke(app, ["schema", "digest"])
    assert schema.exit_code == 0 and set(json.loads(schema.output)["properties"]) >= {"stories", "articles", "left_out"}


def test_the_html_digest_links_each_entry_to_the_sentences_of_every_article_it_cites(tmp_path: Path, seed_digest: Digest) -> None:
    out = tmp_path / "digest.html"
    done = CliRunner().invoke(app, ["digest", str(SEEDS), *REPLAY, "-f", "html", "-o", str(out)])
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8")
    ids = set(re.findall(r'<span class="s" id="([^"]+)"', html))
    evidence = [e.split() for e in re.findall(r'data-evidence="([^"]+)"', html)]
    assert evidence and all(set(e) <= ids for e in evidence)  # every highlight has its sentence on the page
    ouster = next(e for e in re.findall(r'data-evidence="([^"]+)"[^>]*>\s*<span class="claim-body"><span class="date">2023-11-17', html))
    assert len({i.split("-")[0] for i in ouster.split()}) >= 3  # one entry, sentences in three articles or more
    assert "Content-Security-Policy" in html and "<script src" not in html


def test_the_html_digest_escapes_what_articles_and_models_wrote(tmp_path: Path, seed_digest: Digest) -> None:
    from summarize.render import render

    hostile = seed_digest.model_copy(deep=True)
    hostile.stories[0].facts.events[0].description = '<img src=x onerror="alert(1)">'
    hostile.articles[0].sentences[0].text = "</span><script>alert(2)</script>"
    html = render(hostile, "html")
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=" in html


def test_the_meaning_check_judges_each_written_sentence_against_its_article_sentences(seed_digest: Digest) -> None:
    from summarize.digest.merge import merge
    from summarize.digest.text import numbered_facts, write
    from summarize.reading.read import load_article

    with Summarizer(load_settings(replay_dir=EXCHANGES, use_cache=False)) as s:
        seeds = [(p.stem[:3], s.summarize(p)) for p in sorted(Path(SEEDS).glob("*.txt"))]
    texts = {a: load_article(str(p)).text for a, p in zip([a for a, _ in seeds], sorted(Path(SEEDS).glob("*.txt")))}
    facts = merge(seeds)
    ouster = next(f.id for f in numbered_facts(facts) if "ousted" in f.line and "2023-11-17" in f.line)
    answer = {"sentences": [
        {"text": "In November 2023 OpenAI's board removed Sam Altman.", "facts": [ouster]},
        {"text": "In November 2023 Sam Altman resigned from OpenAI of his own will.", "facts": [ouster]},
        {"text": "Elon Musk then bought the company.", "facts": [ouster]},  # flagged by a cheaper check: not sent
    ]}  # fmt: skip
    endpoint = ScriptedEndpoint(ok(answer), ok({"label": "supported"}), ok({"label": "contradicted"}))
    settings = load_settings(api_key="k", use_cache=False, verify=True)
    with Summarizer(settings, transport=endpoint.transport) as summarizer:
        written = write(summarizer, facts, dict(seeds), texts)
    assert len(endpoint.requests) == 3 and written.verified == 2  # the digest, then one verdict a sentence
    judged = endpoint.bodies[1]["messages"][-1]["content"]
    assert "removed Sam Altman" in judged and "[001 6.2]" in judged  # the sentence beside its articles' sentences
    unsupported = [w for w in written.warnings if w.kind == "unsupported"]
    assert [w.field for w in unsupported] == ["digest.sentences[1]"] and "contradicted" in unsupported[0].detail
    assert any(w.field == "digest.sentences[2]" and w.kind == "name-not-found" for w in written.warnings)


def test_a_digest_of_an_earlier_batch_reads_its_index_and_sends_nothing(tmp_path: Path) -> None:
    out = tmp_path / "briefs"
    batch = CliRunner().invoke(app, ["batch", str(SEEDS), "--out", str(out), *REPLAY, "--format", "json"])
    assert batch.exit_code == 0, batch.output
    # No --replay and no endpoint: a request would fail. The index's results are all it needs.
    done = CliRunner().invoke(app, ["digest", str(out / "index.jsonl"), "-f", "json", "--no-cache"])
    assert done.exit_code == 0, done.output
    digest = Digest.model_validate_json(done.output)
    assert len(digest.articles) == 5 and len(digest.stories) == 1
    assert any(e.action == "ousted" and len({c.article for c in e.citations}) >= 3 for e in digest.stories[0].facts.events)


def _result(source: str, language: str, **facts: list[object]) -> Result:
    with Summarizer(load_settings(replay_dir=EXCHANGES, use_cache=False)) as s:
        base = s.summarize(Path(SEEDS) / "003_f41e5d1e8166288f.txt")
    made = with_facts(base, **facts)
    return made.model_copy(update={"article": ArticleMetadata(source=source, language=language)})


def test_articles_in_several_languages_a_lone_article_and_a_failed_one_are_said() -> None:
    from summarize.render.digest import digest_markdown

    people = [Person(name="Sam Altman", role=None, organization=None), Person(name="Mira Murati", role=None, organization=None)]
    french = _result("a.txt", "fr", people=people, events=[event("Sam Altman was ousted.", "2023-11")])
    english = _result("b.txt", "en", people=people, events=[event("The board fired Sam Altman.", "2023-11-17")])
    alone = _result("c.txt", "de", people=[Person(name="Olaf Scholz", role=None, organization=None)], events=[], amounts=[])
    collected = Collected(results=[("a", french), ("b", english), ("c", alone)], left_out=["d.txt: the file is empty"])
    with Summarizer(load_settings(api_key="k", use_cache=False)) as summarizer:
        digest = assemble(summarizer, collected)
    text = digest_markdown(digest)
    assert digest.languages == ["de", "en", "fr"] and "Articles in de, en, fr" in text
    assert [s.story.articles for s in digest.stories] == [["a", "b"], ["c"]]
    assert text.count("One article only") == 1  # the story of one article says it has nothing to merge
    assert "## Left out" in text and "d.txt: the file is empty" in text


def test_a_digest_with_nothing_briefed_is_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text(" \n", encoding="utf-8")
    done = CliRunner().invoke(app, ["digest", str(tmp_path / "empty.txt"), *REPLAY])
    assert done.exit_code != 0 and "nothing to merge" in done.output and len(done.output.strip().splitlines()) <= 2


DOC = Path(__file__).parent.parent / "docs" / "digest.md"


def test_the_offline_examples_of_docs_digest_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    monkeypatch.chdir(Path(__file__).parent.parent)
    text = DOC.read_text(encoding="utf-8")
    lines = [line.split("  #")[0].split() for line in re.findall(r"^summarize .*--replay.*$", text, re.MULTILINE)]
    assert len(lines) >= 3
    for words in lines:
        args = [str(tmp_path / "out.html") if w == "digest.html" else w for w in words[1:]]
        done = CliRunner().invoke(app, args)
        assert done.exit_code == 0, (shlex.join(words), done.output)
    python = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert python is not None
    exec(compile(python.group(1), str(DOC), "exec"), {})  # noqa: S102 - the page's own example, as the README's


def test_a_digest_over_cached_briefs_sends_one_request_a_story(tmp_path: Path) -> None:
    from summarize.digest.build import build
    from summarize.model.replay import ReplayStore

    settings = load_settings(api_key="k", cache_dir=tmp_path / "cache")
    # Briefed once by an endpoint that answers as the shipped exchanges do (live answers: they are cached).
    briefing = ScriptedEndpoint(ReplayStore(EXCHANGES).serve)
    with Summarizer(settings, transport=briefing.transport) as summarizer:
        build(summarizer, [str(SEEDS)])
    assert len(briefing.requests) == 5
    answer = {"sentences": [{"text": "OpenAI's board removed Sam Altman in November 2023.", "facts": ["F1"]}]}
    endpoint = ScriptedEndpoint(ok(answer))
    with Summarizer(settings, transport=endpoint.transport) as summarizer:
        digest = build(summarizer, [str(SEEDS)], text=True)
    assert len(digest.stories) == 1 and len(endpoint.requests) == 1  # the five briefs came from the cache
    assert "<facts>" in endpoint.bodies[0]["messages"][-1]["content"]
    with Summarizer(settings, transport=endpoint.transport) as summarizer:
        again = build(summarizer, [str(SEEDS)], text=True)
    assert len(endpoint.requests) == 1 and again.stories[0].digest == digest.stories[0].digest  # written once, cached


RECORDED = Path(__file__).parent / "fixtures" / "recorded" / "qwen2.5-coder-1.5b"


@pytest.mark.parametrize(
    ("recording", "version", "row"),
    [("v4", 4, "| 2/22 | 0/9 | 0 | 0 | 0/3 |"), ("v4-again", 4, "| 6/22 | 1/9 | 1 | 1 | 0/3 |"), ("v3", 3, "| 0/22 | 0/9 | 0 | 0 | 1/3 |")],
)
def test_the_merge_of_the_real_models_briefs_is_scored_as_the_readme_says(recording: str, version: int, row: str) -> None:
    args = ["eval", str(SEEDS / "timeline.toml"), "--replay", str(RECORDED / recording), "--prompt-version", str(version),
            "--model", "qwen2.5-coder-1.5b-instruct-q4_k_m", "--base-url", "http://127.0.0.1:8080/v1", "--no-cache"]  # fmt: skip
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    assert f"| qwen2.5-coder-1.5b-instruct-q4_k_m v{version} {row}" in done.output


def test_the_real_models_written_digest_with_the_meaning_check_replays_with_its_warnings_pinned() -> None:
    """Recorded live from the real 1.5B model (scripts/record-real digest-verify): its v4 briefs with --verify, then
    the digest request, then one verdict a digest sentence, all by the same model."""
    args = ["digest", str(SEEDS), "--text", "--verify", "--replay", str(RECORDED / "digest-verify"), "--prompt-version", "4",
            "--model", "qwen2.5-coder-1.5b-instruct-q4_k_m", "--base-url", "http://127.0.0.1:8080/v1", "--no-cache", "-f", "json"]  # fmt: skip
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    written = Digest.model_validate_json(done.output).stories[0].digest
    assert written is not None and len(written.text.sentences) == 6 and written.verified == 6
    # Pinned, as judged: the verifier flags 2 of the 6 sentences (Leike and the move to Microsoft given the
    # article's 2027 date). The other four lean on that date too and pass: docs/digest.md says what it misses.
    assert [(w.kind, w.field) for w in written.warnings] == [("unsupported", "digest.sentences[3]"), ("unsupported", "digest.sentences[5]")]
    assert all("2027-09-27" in s.text for s in written.text.sentences[1:])
