"""The baseline a user would write by hand: an asyncio loop over a folder with openai.AsyncOpenAI and a Semaphore.

    python -m bench.handrolled ARTICLES_DIR --out OUT_DIR --base-url http://127.0.0.1:PORT/v1 --jobs 16

One chat completion per article file (a fixed system prompt, the article in the user message, a JSON
response format), each answer written to OUT_DIR/<name>.json. No cleaning, no checks, no cache, no report:
what `summarize batch` is compared with in `python -m bench.run` ("batch vs hand-rolled loop").

The system prompt is padded to --system-chars characters so that the requests are about as large as the ones
`summarize batch` sends for the same articles (its v4 prompt, JSON schema and numbered sentences add ~10 KB
to a ~4.6 KB article; bench/run.py prints both mean request sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

import openai

INSTRUCTIONS = (
    "You are a careful news editor. Read the article in the user message and answer with ONE JSON object "
    'with the keys "title", "summary" (three sentences in English), "key_points" (a list of short strings) '
    'and "key_facts" (people, organizations, events, amounts and quotes, each a list). Use only what the '
    "article says; write names exactly as the article writes them; never add facts from your own knowledge.\n"
)
FILLER = "Guidelines: keep the article's direction (who pays, who buys, who leaves); report figures of speech as meant. "
SUFFIXES = {".txt", ".text", ".md", ".html", ".htm"}


def system_prompt(chars: int) -> str:
    """The fixed instructions, padded with guideline text to `chars` characters."""
    text = INSTRUCTIONS
    while len(text) < chars:
        text += FILLER
    return text[: max(chars, len(INSTRUCTIONS))]


async def run(folder: Path, out: Path, *, base_url: str, jobs: int, model: str, system: str) -> int:
    client = openai.AsyncOpenAI(base_url=base_url, api_key=os.environ.get("OPENAI_API_KEY", "sk-unused"))
    semaphore = asyncio.Semaphore(jobs)
    out.mkdir(parents=True, exist_ok=True)
    paths = sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())

    async def one(path: Path) -> None:
        async with semaphore:
            text = path.read_text(encoding="utf-8")
            response = await client.chat.completions.create(
                model=model,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": f"Summarize this article.\n\n<article>\n{text}\n</article>"},
                ],
                response_format={"type": "json_object"},
                temperature=0.1,
            )
            (out / f"{path.stem}.json").write_text(response.choices[0].message.content or "", encoding="utf-8")

    try:
        await asyncio.gather(*(one(path) for path in paths))
    finally:
        await client.close()
    return len(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.handrolled", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument("--system-chars", type=int, default=9_900, help="system prompt size (default: like summarize's v4 requests)")
    args = parser.parse_args(argv)
    asyncio.run(run(args.folder, args.out, base_url=args.base_url, jobs=args.jobs, model=args.model,
                    system=system_prompt(args.system_chars)))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
