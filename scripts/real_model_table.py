"""Describe real-model recordings (recording.json) and tabulate what the checks found in them (TABLE.md).

    python scripts/real_model_table.py meta DIR --seconds N --exit-code N -- COMMAND...
    python scripts/real_model_table.py table ROOT
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarize.checks import NOTES  # noqa: E402
from summarize.reading.clean import paragraphs  # noqa: E402
from summarize.config import load_settings  # noqa: E402
from summarize.errors import SummarizeError  # noqa: E402
from summarize.prompts import PromptLibrary  # noqa: E402
from summarize.reading.read import load_article  # noqa: E402
from summarize.schemas import SCHEMA_VERSION  # noqa: E402
from summarize.summarizer import Summarizer  # noqa: E402
from tests.recorded import options_of_command  # noqa: E402  (the replay settings the tests use)

CACHE = Path(os.environ.get("SUMMARIZE_LOCAL_MODEL_DIR", Path.home() / ".cache" / "summarize-local-model"))
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
SERVER_FLAGS = "-t 2 -c 16384 -np 2 --jinja --no-ui"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
HELDOUT = sorted((ROOT / "tests" / "fixtures" / "heldout").glob("*.txt"))


def prompt_versions(command: list[str]) -> dict[str, list[object]]:
    """The prompts a recording used: task -> [version, hash] (what a stale-recording test compares)."""
    library = PromptLibrary(None)
    version = int(command[command.index("--prompt-version") + 1]) if "--prompt-version" in command else None
    if "translate" in command or "--task" in command:
        used = [library.load("translate", version)]
    else:
        summary = library.load("summary", version)
        cited = summary.schema == "cited-summary"
        used = [summary, library.load("combine", 2 if cited else 1)]
        used += [library.load("verify")] if cited and "--verify" in command else []
    used.append(library.load("conversation"))
    return {prompt.task: [prompt.version, prompt.hash] for prompt in used}


def meta(directory: Path, seconds: int, exit_code: int, command: list[str]) -> None:
    """Write recording.json beside the exchanges."""
    server_version = (CACHE / "llama-server.version").read_text().strip() if (CACHE / "llama-server.version").exists() else "unknown"
    info = {
        "origin": "recorded",
        "server": f"llama.cpp llama-server built from PyPI {server_version} (scripts/local-model)",
        "server_flags": SERVER_FLAGS,
        "model_file": MODEL_FILE,
        "model_sha256": MODEL_SHA256,
        "model": os.environ.get("SUMMARIZE_MODEL"),
        # Replays must name the same endpoint: the schema sent to a non-OpenAI host is bounded (maxLength).
        "base_url": os.environ.get("SUMMARIZE_BASE_URL"),
        "command": " ".join(["summarize", *command[1:]]) if command else "",
        "prompts": prompt_versions(command),
        "schema_version": SCHEMA_VERSION,
        "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "wall_seconds": seconds,
        "exit_code": exit_code,
        "exchanges": len(list((directory / "exchanges").glob("*.json"))),
    }
    (directory / "recording.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def replay(directory: Path, seed: Path, version: int | None, **overrides: object) -> dict[str, object]:
    """Replay one seed from a recording with its command's settings: exit codes (plain and --strict), warnings."""
    info = json.loads((directory / "recording.json").read_text())
    options = {**options_of_command(info["command"]), **overrides}
    settings = load_settings(
        replay_dir=directory / "exchanges", use_cache=False, model=info["model"], base_url=info["base_url"], **options
    )
    with Summarizer(settings) as summarizer:
        try:
            result = summarizer.run(seed, prompt_version=version)
        except SummarizeError as exc:
            return {"exit": exc.exit_code, "strict_exit": exc.exit_code, "error": f"error: {str(exc)[:70]}", "kinds": Counter()}
    kinds = Counter(w.kind for w in result.warnings)
    flagged = sum(n for k, n in kinds.items() if k not in NOTES)
    return {"exit": 0, "strict_exit": 6 if flagged else 0, "kinds": kinds, "result": result}


def per_seed_cost(directory: Path, articles: list[Path] | None = None) -> dict[str, tuple[int, int, int, int]]:
    """Seconds, tokens in, tokens out and requests per seed, from the exchanges of a one-at-a-time (--jobs 1) recording.

    Each exchange is saved when its answer arrives, so with one request at a time an exchange took the
    time since the previous one was saved (the first: since the run started).
    """
    info = json.loads((directory / "recording.json").read_text())
    # Any paragraph's opening names the seed: a translation's follow-up request carries only some paragraphs.
    # (A cited request shows sentences as "[p.s] ..." lines: the opening is looked for within the first sentence.)
    openings = {
        seed.stem[:3]: [p[:80].split(". ")[0][:60] for p in paragraphs(load_article(str(seed)).text) if len(p) >= 80]
        for seed in (articles or SEEDS)
    }
    exchanges = [json.loads(p.read_text()) for p in (directory / "exchanges").glob("*.json")]
    exchanges.sort(key=lambda e: e["recorded_at"])
    end = datetime.fromisoformat(info["recorded_at"])
    previous = end.timestamp() - info["wall_seconds"]
    totals: dict[str, tuple[int, int, int, int]] = {}
    for exchange in exchanges:
        user = exchange["request"]["body"]["messages"][1]["content"]
        seed = next((s for s, starts in openings.items() if any(start in user for start in starts)), "?")
        at = datetime.fromisoformat(exchange["recorded_at"]).timestamp()
        usage = exchange["responses"][-1]["body"].get("usage") or {}
        seconds, tokens_in, tokens_out, requests = totals.get(seed, (0, 0, 0, 0))
        totals[seed] = (
            seconds + round(at - previous),
            tokens_in + usage.get("prompt_tokens", 0),
            tokens_out + usage.get("completion_tokens", 0),
            requests + 1,
        )
        previous = at
    return totals


def table(root: Path) -> None:
    """The before/after table on the seeds, then the long article, as Markdown."""
    print("| run | seed | exit | --strict | requests | wrong language | unsupported | other warnings | seconds | tokens in / out |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    runs = [("v1", 1, SEEDS), ("v2", 2, SEEDS), ("v2-again", 2, SEEDS), ("v3", 3, SEEDS), ("v4", 4, SEEDS), ("v4-again", 4, SEEDS)]
    runs += [("v4-verify", 4, SEEDS), ("heldout", 4, HELDOUT)]
    for name, version, articles in runs:
        directory = root / name
        if not (directory / "recording.json").exists():
            continue
        cost = per_seed_cost(directory, articles)
        for seed in articles:
            seconds, tokens_in, tokens_out, requests = cost.get(seed.stem[:3], (0, 0, 0, 0))
            row = replay(directory, seed, version)
            kinds: Counter = row["kinds"]  # type: ignore[assignment]
            wrong = kinds.pop("wrong-language", 0) + kinds.pop("summaries-swapped", 0)
            unsupported = kinds.pop("unsupported", 0)
            other = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or row.get("error", "—")
            print(
                f"| {name} | {seed.stem[:3]} | {row['exit']} | {row['strict_exit']} | {requests} | {wrong} | "
                f"{unsupported} | {other} | {seconds} | {tokens_in} / {tokens_out} |"
            )
    long_dir = root / "long"
    if (long_dir / "recording.json").exists():
        row = replay(long_dir, ROOT / "seeds" / "002_29228b88b642a15f.txt", 2)
        kinds = row["kinds"]  # type: ignore[assignment]
        info = json.loads((long_dir / "recording.json").read_text())
        print(
            f"\nLong article (seed 002, `--max-input-tokens 1500`, parts then combine): exit {row['exit']}, "
            f"--strict {row['strict_exit']}, warnings: {', '.join(f'{k} {n}' for k, n in sorted(kinds.items())) or row.get('error')}, "
            f"{info['wall_seconds']} s."
        )


ALIGNMENT = ("paragraph-missing", "paragraph-extra", "paragraphs-merged")
PRESERVED = ("name-missing", "number-missing", "url-missing", "quote-missing")


def translation_table(root: Path) -> None:
    """Translations of the seeds (and the long one in parts): alignment and what each paragraph kept."""
    directory = root / "translate"
    if not (directory / "recording.json").exists():
        return
    print("\n| seed | exit | --strict | requests | paragraphs | alignment | names/numbers/URLs/quotes dropped | wrong language | other | seconds | tokens in / out |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    version = json.loads((directory / "recording.json").read_text())["prompts"]["translate"][0]
    cost = per_seed_cost(directory)
    for seed in SEEDS:
        seconds, tokens_in, tokens_out, requests = cost.get(seed.stem[:3], (0, 0, 0, 0))
        row = replay(directory, seed, version)
        print(_translation_row(seed.stem[:3], row, requests, f"{seconds} | {tokens_in} / {tokens_out}"))
    long_dir = root / "translate-long"
    if (long_dir / "recording.json").exists():
        info = json.loads((long_dir / "recording.json").read_text())
        row = replay(long_dir, ROOT / "seeds" / "002_29228b88b642a15f.txt", version)
        parts = row["result"].provenance.chunks if "result" in row else "?"  # type: ignore[attr-defined]
        print(_translation_row(f"002 in {parts} parts", row, info["exchanges"], f"{info['wall_seconds']} (wall) | —"))


def _translation_row(label: str, row: dict[str, object], requests: int, tail: str) -> str:
    kinds: Counter = Counter(row["kinds"])  # type: ignore[arg-type]
    result = row.get("result")
    pairs = result.paragraphs if result is not None else []  # type: ignore[attr-defined]
    translated = sum(1 for p in pairs if p.target is not None)
    alignment = sum(kinds.pop(k, 0) for k in ALIGNMENT)
    dropped = ", ".join(f"{k.split('-')[0]} {kinds.pop(k)}" for k in PRESERVED if kinds.get(k)) or "0"
    wrong = kinds.pop("wrong-language", 0)
    other = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or row.get("error", "—")
    return (
        f"| {label} | {row['exit']} | {row['strict_exit']} | {requests} | {translated} of {len(pairs)} | {alignment} | "
        f"{dropped} | {wrong} | {other} | {tail} |"
    )


def briefs_table(root: Path) -> None:
    """The German brief and the short brief of seed 003."""
    for name, label in (("de", "German brief (`--lang de`)"), ("short", "Short brief (`--length short`)")):
        directory = root / name
        if not (directory / "recording.json").exists():
            continue
        info = json.loads((directory / "recording.json").read_text())
        row = replay(directory, ROOT / "seeds" / "003_f41e5d1e8166288f.txt", info["prompts"]["summary"][0])
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(Counter(row["kinds"]).items())) or "none"  # type: ignore[arg-type]
        result = row.get("result")
        shape = ""
        if result is not None:
            brief = result.brief  # type: ignore[attr-defined]
            shape = f"summary {len(brief.summary.split())} words, {len(brief.key_points)} key points; "
        print(f"\n{label}, seed 003: exit {row['exit']}, --strict {row['strict_exit']}, {shape}warnings: {kinds}; {info['wall_seconds']} s.")


def summary(root: Path) -> None:
    """Per run on the five seeds: facts F1, people recall, flags and notes per brief, seconds and output tokens per
    brief: the figures docs/real-model.md compares prompt versions by (issue 16's targets)."""
    import subprocess

    print("| run | facts F1 | P | R | people recall | flags per brief | notes per brief | seconds per brief | output tokens per brief |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in ("v1", "v2", "v2-again", "v3", "v4", "v4-again", "v4-verify"):
        directory = root / name
        if not (directory / "recording.json").exists():
            continue
        info = json.loads((directory / "recording.json").read_text())
        version = info["prompts"]["summary"][0]
        command = [str(ROOT / ".venv/bin/summarize"), "eval", str(ROOT / "seeds/gold.toml"), "--replay", str(directory / "exchanges"),
                   "--model", info["model"], "--base-url", info["base_url"], "--prompt-version", str(version), "--no-cache", "-f", "json"]
        verify = "--verify" in info["command"].split()
        run = json.loads(subprocess.run(command, capture_output=True, text=True, env={**os.environ, "SUMMARIZE_VERIFY": str(verify).lower()}).stdout)["runs"][0]
        flags = notes = 0
        for seed in SEEDS:
            row = replay(directory, seed, version, verify=verify)
            kinds: Counter = row["kinds"]  # type: ignore[assignment]
            flags += sum(n for k, n in kinds.items() if k not in NOTES)
            notes += sum(n for k, n in kinds.items() if k in NOTES)
        seconds = info["wall_seconds"] / len(SEEDS)
        facts, people = run["facts"], run["fields"]["people"]
        print(
            f"| {name} | {facts['f1']:.2f} | {facts['precision']:.2f} | {facts['recall']:.2f} | {people['recall']:.2f} | "
            f"{flags / len(SEEDS):.1f} | {notes / len(SEEDS):.1f} | {seconds:.0f} | {run['output_tokens'] / len(SEEDS):,.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    m = sub.add_parser("meta")
    m.add_argument("directory", type=Path)
    m.add_argument("--seconds", type=int, required=True)
    m.add_argument("--exit-code", type=int, required=True)
    t = sub.add_parser("table")
    t.add_argument("root", type=Path)
    s = sub.add_parser("summary")
    s.add_argument("root", type=Path)
    argv = sys.argv[1:]
    command = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    if args.what == "meta":
        meta(args.directory, args.seconds, args.exit_code, command)
    elif args.what == "summary":
        summary(args.root)
    else:
        table(args.root)
        translation_table(args.root)
        briefs_table(args.root)


if __name__ == "__main__":
    main()
