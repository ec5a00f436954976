"""Versioned prompt files: `<dir>/<task>/v<N>.md`, a TOML header between `+++` lines, then `## name` sections.

A request prompt (its header names a `schema`) has `## system` and `## user`, and may add named texts the
pipeline fills in (`## check-repair`, `## length-short` ...). The `conversation` prompt holds what the
conversation itself says back to a model (re-ask texts, schema instruction). Every word sent to a model is
in a file whose hash is part of the cache key.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .errors import PromptError
from .schemas import SCHEMAS

_FILE_NAME = re.compile(r"^v(\d+)\.md$")
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SECTION = re.compile(r"^## ([a-z][a-z0-9-]*)[ \t]*$", re.MULTILINE)
CONVERSATION_TASK = "conversation"
CONVERSATION_SECTIONS = frozenset({"repair", "check-repair", "loop-repair", "schema-instruction"})
"""The texts of the `conversation` prompt; a request prompt may override `check-repair` with its own."""
_SAMPLING_KEYS = ("temperature", "top_p", "max_tokens", "seed", "presence_penalty", "frequency_penalty")


def builtin_prompts_dir() -> Path:
    """The prompts shipped with the package (the repo's `prompts/` in a checkout, packaged copy once installed)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "prompts", here.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    raise PromptError(f"the built-in prompts are missing (looked in {here / 'prompts'})")


@dataclass(frozen=True)
class Prompt:
    """One prompt version: its header fields, the two message templates and a hash of the file's text."""

    task: str
    version: int
    description: str
    schema: str | None
    system: str
    user: str
    sampling: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    """Named texts besides system and user (`check-repair`, `length-short` ...), stripped."""
    sha256: str = ""
    path: Path | None = None

    @property
    def hash(self) -> str:
        """Short content hash recorded in results and cache keys: any edit to the file changes it."""
        return self.sha256[:12]

    @property
    def answer_model(self) -> type[BaseModel] | None:
        """The Pydantic model its schema names (what the model must answer), or None."""
        return SCHEMAS[self.schema] if self.schema else None

    @property
    def variables(self) -> set[str]:
        """Names the templates reference; all must be supplied to `render`."""
        return set(_VARIABLE.findall(self.system)) | set(_VARIABLE.findall(self.user))

    def render(self, **values: Any) -> list[dict[str, str]]:
        """Chat messages with every `{{ name }}` replaced; a name without a value is a PromptError."""
        missing = sorted(self.variables - values.keys())
        if missing:
            raise PromptError(f"prompt {self.task} v{self.version} needs {', '.join(missing)} but it was not supplied")

        def fill(template: str) -> str:
            # One pass with a callback: substituted values are never re-scanned, so article text
            # containing "{{ x }}" stays literal.
            return _VARIABLE.sub(lambda m: "" if values[m.group(1)] is None else str(values[m.group(1)]), template)

        return [{"role": "system", "content": fill(self.system)}, {"role": "user", "content": fill(self.user)}]

    def text(self, name: str, **values: Any) -> str:
        """One named section with `{{ name }}` values filled in (a missing section or value is a PromptError)."""
        if name not in self.sections:
            raise PromptError(f"prompt {self.task} v{self.version} has no '## {name}' section")
        template = self.sections[name]
        missing = sorted(set(_VARIABLE.findall(template)) - values.keys())
        if missing:
            raise PromptError(f"prompt {self.task} v{self.version} section {name} needs {', '.join(missing)}")
        return _VARIABLE.sub(lambda m: str(values[m.group(1)]), template)


def parse_prompt(text: str, *, path: Path | None = None) -> Prompt:
    """Parse a prompt file's text; malformed headers or sections are a PromptError naming the file."""
    where = str(path) if path else "prompt"
    parts = text.split("+++\n", 2) if text.startswith("+++\n") else None
    if not parts or len(parts) != 3:
        raise PromptError(f"{where}: must start with a TOML header between '+++' lines")
    try:
        header = tomllib.loads(parts[1])
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"{where}: bad TOML header: {exc}") from None
    for key, kind in (("task", str), ("version", int), ("description", str)):
        if not isinstance(header.get(key), kind):
            raise PromptError(f"{where}: header needs '{key}' ({kind.__name__})")
    schema = header.get("schema")
    if schema is not None and schema not in SCHEMAS:
        raise PromptError(f"{where}: unknown schema '{schema}' (known: {', '.join(SCHEMAS)})")
    unknown = set(header) - {"task", "version", "description", "schema", *_SAMPLING_KEYS}
    if unknown:
        raise PromptError(f"{where}: unknown header keys {sorted(unknown)}")
    sections = _SECTION.split(parts[2])
    names = sections[1::2]
    bodies = dict(zip(names, (body.strip() for body in sections[2::2])))
    if len(bodies) != len(names) or sections[0].strip():
        raise PromptError(f"{where}: text before the first '## name' section, or a section named twice")
    if schema is None:
        if header["task"] != CONVERSATION_TASK or set(bodies) != CONVERSATION_SECTIONS:
            raise PromptError(
                f"{where}: needs a 'schema' header (a request prompt), or is the conversation prompt with sections "
                + ", ".join(sorted(CONVERSATION_SECTIONS))
            )
    elif not {"system", "user"} <= set(bodies):
        raise PromptError(f"{where}: needs exactly one '## system' and one '## user' section")
    return Prompt(
        task=header["task"],
        version=header["version"],
        description=header["description"],
        schema=schema,
        system=bodies.pop("system", ""),
        user=bodies.pop("user", ""),
        sampling={key: header[key] for key in _SAMPLING_KEYS if key in header},
        sections=bodies,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        path=path,
    )


def _signature(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


class PromptLibrary:
    """Finds prompts in the user's directory first, then the built-in one."""

    def __init__(self, extra_dir: Path | None = None) -> None:
        if extra_dir is not None and not Path(extra_dir).is_dir():
            raise PromptError(f"prompts directory not found: {extra_dir}")
        self.dirs = [d for d in (extra_dir, builtin_prompts_dir()) if d is not None]
        # A batch plans thousands of articles: parse each file once, but re-read it when it changes on disk.
        self._loaded: dict[tuple[str, int | None], tuple[Prompt, tuple[int, int]]] = {}

    def _files(self, task: str) -> dict[int, Path]:
        found: dict[int, Path] = {}
        for directory in reversed(self.dirs):  # later (user) directories override built-in versions
            for file in sorted((directory / task).glob("v*.md")):
                match = _FILE_NAME.match(file.name)
                if match:
                    found[int(match.group(1))] = file
        return found

    def tasks(self) -> list[str]:
        """Every task that has at least one version."""
        names = {p.name for d in self.dirs if d.is_dir() for p in d.iterdir() if p.is_dir() and self._files(p.name)}
        return sorted(names)

    def versions(self, task: str) -> list[int]:
        """The versions of a task, oldest first."""
        return sorted(self._files(task))

    def load(self, task: str, version: int | None = None) -> Prompt:
        """A task's prompt: the newest version unless one is asked for (parsed again only if its file changed)."""
        known = self._loaded.get((task, version))
        if known is not None and known[0].path is not None and _signature(known[0].path) == known[1]:
            return known[0]
        prompt = self._read(task, version)
        if prompt.path is not None:
            self._loaded[(task, version)] = (prompt, _signature(prompt.path))
        return prompt

    def _read(self, task: str, version: int | None) -> Prompt:
        files = self._files(task)
        if not files:
            raise PromptError(f"no prompt for task '{task}' (known: {', '.join(self.tasks()) or 'none'})")
        chosen = max(files) if version is None else version
        if chosen not in files:
            raise PromptError(f"task '{task}' has no version {chosen} (versions: {', '.join(map(str, sorted(files)))})")
        path = files[chosen]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PromptError(f"{path}: cannot read: {exc}") from None
        prompt = parse_prompt(text, path=path)
        if (prompt.task, prompt.version) != (task, chosen):
            raise PromptError(f"{path}: header says {prompt.task} v{prompt.version}, file name says {task} v{chosen}")
        return prompt
