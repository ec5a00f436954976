"""Versioned prompt files: loading, version choice, hashing, strict rendering and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarize.errors import PromptError
from summarize.prompts import PromptLibrary, builtin_prompts_dir, parse_prompt

GOOD = """+++
task = "summary"
version = {version}
description = "test prompt v{version}"
schema = "summary"
temperature = 0.{version}
+++
## system
System v{version}.

## user
Title: {{{{ title }}}}
<article>{{{{ text }}}}</article>
"""


def write_prompt(root: Path, version: int, text: str | None = None, task: str = "summary") -> Path:
    path = root / task / f"v{version}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text is not None else GOOD.format(version=version), encoding="utf-8")
    return path


@pytest.fixture
def user_prompts(tmp_path: Path) -> Path:
    """A prompts directory with summary v1, v2 and v10 (10 must sort after 2)."""
    root = tmp_path / "prompts"
    for version in (1, 2, 10):
        write_prompt(root, version)
    return root


def test_builtin_prompts_load_and_declare_a_known_schema() -> None:
    library = PromptLibrary()
    assert {"summary", "combine"} <= set(library.tasks())
    assert "verify" in library.tasks()
    # The default summary prompt shows the article as numbered sentences and wants a cited answer.
    prompt = library.load("summary")
    assert prompt.version == 5 and prompt.schema == "cited-summary"
    assert {"sentences", "names", "language", "part", "target"} <= prompt.variables
    assert prompt.path is not None and prompt.path.parent.parent == builtin_prompts_dir()
    # The older prompts stay: the article as text, the Summary answer.
    older = library.load("summary", 3)
    assert older.schema == "summary"
    assert {"title", "text", "language", "part"} <= older.variables
    assert [(library.load("combine", v).schema) for v in (1, 2)] == ["summary", "cited-summary"]
    verify = library.load("verify")
    assert verify.schema == "verdict" and {"claim", "sentences"} <= verify.variables


def test_newest_version_is_the_default_and_older_ones_can_be_chosen(user_prompts: Path) -> None:
    library = PromptLibrary(user_prompts)
    assert library.versions("summary") == [1, 2, 3, 4, 5, 10]  # the built-in ones under the user's
    assert library.load("summary").version == 10
    older = library.load("summary", 2)
    assert older.version == 2 and older.sampling == {"temperature": 0.2}
    assert older.description == "test prompt v2"


def test_missing_version_and_task_are_clear_errors(user_prompts: Path) -> None:
    library = PromptLibrary(user_prompts)
    with pytest.raises(PromptError, match="no version 7 .*1, 2, 3, 4, 5, 10"):
        library.load("summary", 7)
    with pytest.raises(PromptError, match="no prompt for task 'nope'"):
        library.load("nope")


def test_editing_a_prompt_changes_its_hash(tmp_path: Path) -> None:
    root = tmp_path / "p"
    path = write_prompt(root, 1)
    before = PromptLibrary(root).load("summary", 1).hash
    path.write_text(path.read_text().replace("System v1.", "System v1, edited."), encoding="utf-8")
    after = PromptLibrary(root).load("summary", 1).hash
    assert before != after and len(after) == 12


def test_render_substitutes_values_once_and_fails_loudly_on_missing_ones(user_prompts: Path) -> None:
    prompt = PromptLibrary(user_prompts).load("summary", 1)
    messages = prompt.render(title="T", text="body with {{ title }} inside")
    assert messages[0] == {"role": "system", "content": "System v1."}
    assert messages[1]["content"] == "Title: T\n<article>body with {{ title }} inside</article>"
    with pytest.raises(PromptError, match="needs text"):
        prompt.render(title="T")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("## system\nx\n## user\ny\n", "TOML header"),
        ('+++\ntask = "summary"\nversion = \n+++\n## system\nx\n## user\ny\n', "bad TOML"),
        ('+++\ntask = "summary"\nversion = 1\ndescription = "d"\n+++\n## system\nx\n## user\ny\n', "schema"),
        ('+++\ntask = "summary"\nversion = 1\ndescription = "d"\nschema = "nope"\n+++\n## system\nx\n## user\ny\n', "unknown schema"),
        ('+++\ntask = "summary"\nversion = 1\ndescription = "d"\nschema = "summary"\ncolour = 1\n+++\n## system\nx\n## user\ny\n', "unknown header keys"),
        ('+++\ntask = "summary"\nversion = 1\ndescription = "d"\nschema = "summary"\n+++\n## user\ny\n', "exactly one"),
    ],
)
def test_malformed_prompt_files_are_rejected_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(PromptError, match=message):
        parse_prompt(text, path=Path("bad.md"))


def test_file_name_and_header_version_must_agree(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write_prompt(root, 3, GOOD.format(version=4))
    with pytest.raises(PromptError, match="header says summary v4, file name says summary v3"):
        PromptLibrary(root).load("summary", 3)


def test_user_directory_overrides_a_builtin_version(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write_prompt(root, 1)
    assert PromptLibrary(root).load("summary", 1).description == "test prompt v1"
    assert PromptLibrary().load("summary", 1).description != "test prompt v1"
