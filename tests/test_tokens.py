"""Token counting from the shipped encodings (offline), prices and paragraph packing."""

from __future__ import annotations

from pathlib import Path

import pytest
import tiktoken
import tiktoken.load
import tiktoken_ext.openai_public as openai_public

from summarize.errors import ConfigurationError
from summarize.tokens import DATA_DIR, ENCODINGS, count_message_tokens, count_tokens, get_encoding, model_info, pack_paragraphs

from .fakes import SEED_003


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_shipped_encoding_matches_tiktoken_definition(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # tiktoken's own constructor, fed our file instead of a download: same pattern, tokens and ranks.
    shipped = DATA_DIR / f"{name}.tiktoken"
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda url, expected_hash: tiktoken.load.load_tiktoken_bpe(str(shipped), expected_hash))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    reference = getattr(openai_public, name)()
    ours = get_encoding(name)
    assert ours._pat_str == reference["pat_str"]
    assert ours._special_tokens == reference["special_tokens"]
    assert ours._mergeable_ranks == reference["mergeable_ranks"]
    official = tiktoken.Encoding(**reference)
    text = SEED_003.read_text(encoding="utf-8")
    assert ours.encode(text) == official.encode(text)


def test_counts_work_offline_with_known_values() -> None:
    # Reference counts: OpenAI's tokenizer gives these for o200k_base / cl100k_base.
    assert count_tokens("hello world", "cl100k_base") == 2
    assert count_tokens("hello world", "o200k_base") == 2
    assert get_encoding("o200k_base").decode(get_encoding("o200k_base").encode("Sam Altman est démis")) == "Sam Altman est démis"
    text = SEED_003.read_text(encoding="utf-8")
    assert 1000 < count_tokens(text) < 2000


def test_special_token_text_in_an_article_is_counted_not_rejected() -> None:
    assert count_tokens("a <|endoftext|> b") > 3


def test_message_tokens_include_chat_framing() -> None:
    messages = [{"role": "system", "content": "hi"}, {"role": "user", "content": "there"}]
    expected = 3 + (3 + count_tokens("system") + count_tokens("hi")) + (3 + count_tokens("user") + count_tokens("there"))
    assert count_message_tokens(messages) == expected


def test_model_info_prices_and_snapshots() -> None:
    mini = model_info("gpt-4o-mini")
    assert (mini.input_per_million, mini.output_per_million, mini.context_window) == (0.15, 0.6, 128000)
    assert model_info("gpt-4o-mini-2024-07-18").input_per_million == 0.15
    assert model_info("gpt-3.5-turbo").encoding == "cl100k_base"
    assert mini.cost(1_000_000, 1_000_000) == pytest.approx(0.75)


def test_unknown_model_has_default_window_and_no_cost() -> None:
    local = model_info("llama3.2:3b")
    assert local.context_window == 8192 and local.encoding == "o200k_base"
    assert local.cost(1000, 1000) is None


def test_user_prices_file_overrides_and_adds(tmp_path: Path) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text('[default]\ncontext_window = 4096\n[models."gpt-4o-mini"]\ninput_per_million = 1.0\n[models."local"]\ninput_per_million = 0\noutput_per_million = 0\n')
    assert model_info("gpt-4o-mini", prices).input_per_million == 1.0
    assert model_info("gpt-4o-mini", prices).output_per_million == 0.6  # untouched keys stay
    assert model_info("local", prices).cost(10, 10) == 0
    assert model_info("other", prices).context_window == 4096


def test_bad_prices_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not found"):
        model_info("gpt-4o", tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[models\n")
    with pytest.raises(ConfigurationError, match="cannot read"):
        model_info("gpt-4o", bad)


def test_pack_paragraphs_respects_budget_and_keeps_all_text() -> None:
    paragraphs = [f"Paragraphe numéro {i} avec quelques mots de contenu." for i in range(40)]
    parts = pack_paragraphs(paragraphs, 60)
    assert len(parts) > 3
    assert all(count_tokens(p) <= 60 for p in parts)
    assert "\n\n".join(parts).split("\n\n") == paragraphs


def test_oversized_paragraph_is_split_on_sentences_then_words_never_dropped() -> None:
    giant = " ".join(f"Phrase {i} est ici." for i in range(200)) + " " + "mot " * 500
    parts = pack_paragraphs([giant], 50)
    assert all(count_tokens(p) <= 50 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(giant.split())
