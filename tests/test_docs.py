"""The documentation runs: every offline command and Python example of README.md and docs/*.md, and every link.

What runs, from the repository root through typer's CliRunner (the isolated environment of conftest.py: cache and
history in a temporary directory, no network):

- every line starting with `summarize ` inside a ```bash, ```sh or plain ``` block (a line ending in `\\` goes on
  on the next one) that either replays (`--replay DIR`) or needs no model: `clean`, `tokens`, `schema`,
  `prompts list|show`, `cache stats`, `config show|path`, `history list|cost`, or `--help`;
- every ```python block that replays (`replay_dir=`).

A page marks an example that must not run here with a trailing comment starting with `needs`: `# needs a model`,
`# needs the server above`. Every other offline example must exit 0. Output paths (`-o`, `--out`, `--record`) are
moved under tmp_path; a `batch` example must name its `--out` (its default is beside the input, in the repository).
docs/cli.md is left out: it is generated (tests/test_options.py holds it) and its blocks are synopses, not examples.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarize.cli import app

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "cli.md")]
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
NO_MODEL = {"clean", "tokens", "schema", "prompts list", "prompts show", "cache stats", "config show", "config path",
            "history list", "history cost"}
OUTPUTS = {"-o", "--out", "--output", "--record"}


def _blocks(page: Path) -> list[tuple[str, str, int]]:
    """(language, body, line number of the body's first line) of every fenced block."""
    text = page.read_text(encoding="utf-8")
    return [(m.group(1), m.group(2), text.count("\n", 0, m.start(2)) + 1) for m in FENCE.finditer(text)]


def _split(line: str) -> tuple[list[str], str]:
    """The words of a shell line and its trailing comment (a `#` after a space, outside quotes)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and line[i - 1] in " \t":
            return shlex.split(line[:i]), line[i + 1 :].strip()
    return shlex.split(line), ""


def _is_offline(words: list[str]) -> bool:
    return "--replay" in words or "--help" in words or " ".join(words[1:3]) in NO_MODEL or words[1] in NO_MODEL


def commands() -> list[tuple[str, int, list[str]]]:
    found = []
    for page in PAGES:
        for language, body, first in _blocks(page):
            if language not in ("", "bash", "sh"):
                continue
            lines = body.split("\n")
            number = 0
            while number < len(lines):
                start, line = number, lines[number]
                while line.endswith("\\") and number + 1 < len(lines):
                    number += 1
                    assert lines[number].strip(), f"{page}:{first + start}: a `\\` continues onto nothing"
                    line = line[:-1] + " " + lines[number].strip()
                number += 1
                if not line.startswith("summarize "):
                    continue
                words, comment = _split(line)
                if comment.startswith("needs") or not _is_offline(words):
                    continue
                found.append((page.relative_to(ROOT).as_posix(), first + start, words))
    return found


def python_examples() -> list[tuple[str, int, str]]:
    return [(page.relative_to(ROOT).as_posix(), first, body) for page in PAGES for language, body, first in _blocks(page)
            if language == "python" and "replay_dir=" in body and "# needs" not in body]  # fmt: skip


COMMANDS = commands()
PYTHON = python_examples()


def test_the_pages_hold_the_offline_examples_this_test_runs() -> None:
    pages = {page for page, _, _ in COMMANDS}
    assert len(COMMANDS) >= 15 and {"README.md", "docs/digest.md", "docs/evaluation.md", "docs/real-model.md"} <= pages
    assert sum(page == "README.md" for page, _, _ in COMMANDS) >= 10
    assert {"README.md", "docs/digest.md", "docs/python-api.md"} <= {page for page, _, _ in PYTHON}


@pytest.mark.parametrize(("page", "line", "words"), COMMANDS, ids=[f"{p}:{n}" for p, n, _ in COMMANDS])
def test_an_offline_command_of_the_docs_exits_0(page: str, line: int, words: list[str], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    args = words[1:]
    if args[0] == "batch":
        assert "--out" in args, f"{page}:{line}: a batch example must name --out (its default is in the repository)"
    for i, word in enumerate(args[:-1]):
        if word in OUTPUTS:
            args[i + 1] = str(tmp_path / "out" / Path(args[i + 1]).name)
    monkeypatch.chdir(ROOT)
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, (f"{page}:{line}", shlex.join(words), done.output)
    assert done.stdout.strip() or args[0] in ("batch", "digest") or any(w in OUTPUTS for w in args), f"{page}:{line}"


@pytest.mark.parametrize(("page", "line", "code"), PYTHON, ids=[f"{p}:{n}" for p, n, _ in PYTHON])
def test_an_offline_python_example_of_the_docs_runs(page: str, line: int, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile("\n" * (line - 1) + code, str(ROOT / page), "exec"), {})  # noqa: S102 - the page's own example


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_relative_link_of_the_docs_leads_to_a_file_and_a_heading_that_exist() -> None:
    broken = []
    for page in [*PAGES, ROOT / "docs" / "cli.md"]:
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            path = (page.parent / file).resolve() if file else page
            if not path.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and path.suffix == ".md":
                headings = re.findall(r"^#+ (.*)$", FENCE.sub("", path.read_text(encoding="utf-8")), re.MULTILINE)
                if anchor not in {_slug(h) for h in headings}:
                    broken.append(f"{page.name}: {target}")
    assert broken == []


def test_the_readme_links_every_page_of_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(docs/([\w.-]+\.md)", readme))
    assert linked == {p.name for p in (ROOT / "docs").glob("*.md")}


def test_ci_takes_the_quick_start_and_the_test_command_from_the_first_two_bash_blocks_of_the_readme() -> None:
    # The same extraction as .ci/run's readme_block.
    def block(n: int) -> str:
        awk = "/^```bash$/{i++; next} /^```$/{if (i==n) exit; next} i==n"
        return subprocess.run(["awk", "-v", f"n={n}", awk, "README.md"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout  # fmt: skip

    quick, tests = block(1), block(2)
    assert quick.startswith("python3 -m venv .venv && .venv/bin/pip install -q . && ") and quick.count("\n") == 1
    assert "summarize brief seeds/003_f41e5d1e8166288f.txt --replay tests/fixtures/exchanges" in quick
    assert "--lang de" in quick and "translate seeds/003_f41e5d1e8166288f.txt --to en --side-by-side" in quick
    assert tests == 'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[test]" && python -m pytest\n'
