"""Token counts from encodings shipped in the package (works offline), model prices and context budgets."""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import tiktoken

from .errors import ConfigurationError

DATA_DIR = Path(__file__).resolve().parent / "data"

# Pattern and special tokens as tiktoken_ext.openai_public defines them; the BPE ranks come from
# the shipped files, whose hashes are the ones tiktoken itself checks after a download.
_O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)


@dataclass(frozen=True)
class _EncodingSpec:
    sha256: str
    pattern: str
    special_tokens: dict[str, int]


ENCODINGS: dict[str, _EncodingSpec] = {
    "o200k_base": _EncodingSpec(
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        _O200K_PATTERN,
        {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    ),
    "cl100k_base": _EncodingSpec(
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        _CL100K_PATTERN,
        {
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
    ),
}
DEFAULT_ENCODING = "o200k_base"


@lru_cache(maxsize=None)
def get_encoding(name: str) -> tiktoken.Encoding:
    """A tiktoken Encoding built from the file shipped in `summarize/data` (no download, hash-checked)."""
    spec = ENCODINGS.get(name)
    if spec is None:
        raise ConfigurationError(f"unknown encoding '{name}' (shipped: {', '.join(ENCODINGS)})")
    data = (DATA_DIR / f"{name}.tiktoken").read_bytes()
    if hashlib.sha256(data).hexdigest() != spec.sha256:
        raise ConfigurationError(f"the shipped encoding file {name}.tiktoken is corrupted (hash mismatch)")
    ranks = {base64.b64decode(token): int(rank) for token, rank in (line.split() for line in data.splitlines() if line)}
    return tiktoken.Encoding(name=name, pat_str=spec.pattern, mergeable_ranks=ranks, special_tokens=spec.special_tokens)


@dataclass(frozen=True)
class ModelInfo:
    """What we know of a model: prices (USD per million tokens), context window and tokenizer."""

    name: str
    context_window: int
    encoding: str = DEFAULT_ENCODING
    input_per_million: float | None = None
    output_per_million: float | None = None

    def cost(self, input_tokens: int, output_tokens: int) -> float | None:
        """Estimated cost in USD, or None when the price is unknown."""
        if self.input_per_million is None or self.output_per_million is None:
            return None
        return round((input_tokens * self.input_per_million + output_tokens * self.output_per_million) / 1e6, 6)


def _read_table(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"prices file not found: {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read prices file {path}: {exc}") from None


def model_info(model: str, prices_file: Path | None = None) -> ModelInfo:
    """Facts for `model` from the shipped table, overridden by the user's prices file."""
    table = _read_table(DATA_DIR / "models.toml")
    if prices_file is not None:
        user = _read_table(prices_file)
        table.setdefault("default", {}).update(user.get("default", {}))
        for name, entry in user.get("models", {}).items():
            table.setdefault("models", {}).setdefault(name, {}).update(entry)
    entry = table.get("models", {}).get(model) or table.get("models", {}).get(_base_model_name(model), {})
    encoding = entry.get("encoding") or _tiktoken_encoding_name(model)
    try:
        return ModelInfo(
            name=model,
            context_window=int(entry.get("context_window", table.get("default", {}).get("context_window", 8192))),
            encoding=encoding if encoding in ENCODINGS else DEFAULT_ENCODING,
            input_per_million=entry.get("input_per_million"),
            output_per_million=entry.get("output_per_million"),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"bad entry for model '{model}' in prices table: {exc}") from None


def _base_model_name(model: str) -> str:
    # Dated snapshots ("gpt-4o-mini-2024-07-18") share their family's entry.
    return re.sub(r"-\d{4}-\d{2}-\d{2}$", "", model)


def _tiktoken_encoding_name(model: str) -> str:
    try:
        return tiktoken.encoding_name_for_model(model)
    except KeyError:
        return DEFAULT_ENCODING


def count_tokens(text: str, encoding: str = DEFAULT_ENCODING) -> int:
    """Tokens in `text`; special-token strings in the text are counted as plain text."""
    return len(get_encoding(encoding).encode(text, disallowed_special=()))


def count_message_tokens(messages: list[dict[str, str]], encoding: str = DEFAULT_ENCODING) -> int:
    """Prompt tokens of chat messages, with the per-message framing the chat format adds."""
    # 3 tokens of framing per message and 3 to prime the reply, as OpenAI documents for chat models.
    return 3 + sum(3 + count_tokens(m["content"], encoding) + count_tokens(m["role"], encoding) for m in messages)


def pack_paragraphs(paragraphs: list[str], budget: int, encoding: str = DEFAULT_ENCODING) -> list[str]:
    """Group consecutive paragraphs into parts of at most `budget` tokens; no text is ever dropped."""
    if budget < 1:
        raise ValueError("budget must be positive")
    pieces: list[str] = []
    for paragraph in paragraphs:
        pieces.extend(_split_oversized(paragraph, budget, encoding))
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for piece in pieces:
        size = count_tokens(piece, encoding) + 1  # the blank line that joins paragraphs
        if current and used + size > budget:
            parts.append("\n\n".join(current))
            current, used = [], 0
        current.append(piece)
        used += size
    if current:
        parts.append("\n\n".join(current))
    return parts


def _split_oversized(paragraph: str, budget: int, encoding: str) -> list[str]:
    if count_tokens(paragraph, encoding) <= budget:
        return [paragraph]
    # Sentence boundaries first, then words; a single "word" longer than the budget is cut by characters.
    for separator in (r"(?<=[.!?…])\s+", r"\s+"):
        pieces = re.split(separator, paragraph)
        if len(pieces) > 1:
            return _regroup([p for piece in pieces for p in _split_oversized(piece, budget, encoding)], budget, encoding)
    step = max(1, len(paragraph) * budget // count_tokens(paragraph, encoding))
    return [paragraph[i : i + step] for i in range(0, len(paragraph), step)]


def _regroup(pieces: list[str], budget: int, encoding: str) -> list[str]:
    # Re-join small neighbouring pieces with a space so a long paragraph becomes few parts, not one per word.
    out: list[str] = []
    for piece in pieces:
        if out and count_tokens(out[-1] + " " + piece, encoding) <= budget:
            out[-1] = out[-1] + " " + piece
        else:
            out.append(piece)
    return out
