"""Where a run writes: each item's JSON result (the resume marker) and its rendered file, named safely under --out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, OutputError
from ..files import atomic_write_text
from ..render import Format
from ..render.json import to_json
from ..schemas import AnyResult, Article
from .sources import Item, safe_name


@dataclass(frozen=True)
class OutputPaths:
    """Where one article's outputs go."""

    json: Path
    rendered: Path | None
    """The file in the run's format (`.md`, `.html`); None when the format is JSON itself."""

    def all(self) -> tuple[Path, ...]:
        """Every file of the article."""
        return (self.json,) if self.rendered is None else (self.json, self.rendered)


class Outputs:
    """The output folder of a run in one format: names from items, a suffix per task, atomic writes."""

    def __init__(self, out: Path, fmt: Format, suffix: str = "") -> None:
        self.out = Path(out)
        self.format = fmt
        self.suffix = suffix
        """What the task adds to names (`a.txt.de.json`), so tasks and languages never overwrite each other."""

    def paths(self, item: Item) -> OutputPaths:
        """Mirror the item's name into --out with safe names: `a/b.txt` -> `out/a/b.txt{suffix}.json` and `.md`."""
        parts = [safe_name(part) for part in item.name] or ["_"]
        base = self.out.joinpath(*parts)
        name = base.name + self.suffix
        json_path = base.with_name(name + ".json")
        rendered = None if self.format.suffix == ".json" else base.with_name(name + self.format.suffix)
        paths = OutputPaths(json_path, rendered)
        resolved_out = self.out.resolve()
        for path in paths.all():
            if not path.resolve().is_relative_to(resolved_out):  # cannot happen after safe_name; checked anyway
                raise OutputError(f"refusing to write outside {self.out}: {path}")
        return paths

    @staticmethod
    def exist(paths: OutputPaths) -> bool:
        """Every file of the article is there."""
        return all(path.exists() for path in paths.all())

    def current(self, paths: OutputPaths, key: str, model: type[AnyResult]) -> bool:
        """Every file exists and the JSON one was written for this exact request (same cache key)."""
        return self.exist(paths) and existing_key(paths.json, model) == key

    def write(self, paths: OutputPaths, result: AnyResult, article: Article | None) -> None:
        """Write the rendered file then the JSON, each atomically."""
        # JSON last: its presence (with a matching key) is what marks the article as done for a re-run.
        if paths.rendered is not None:
            atomic_write_text(paths.rendered, self.format.render(result, article))
        atomic_write_text(paths.json, to_json(result))


def existing_key(path: Path, model: type[AnyResult]) -> str | None:
    """The cache key recorded in an existing JSON output, if it is a complete, valid result of the task."""
    try:
        return model.model_validate_json(path.read_bytes()).provenance.key
    except (OSError, ValueError):
        return None


def check_out(source_root: Path | None, out: Path) -> None:
    """Refuse an output folder that is the input folder: a run's outputs would be the next run's articles."""
    if source_root is not None and Path(out).resolve() == Path(source_root).resolve():
        raise InputError(
            f"--out must not be the input folder {source_root}: its outputs would be read as articles by the next run",
            hint="choose another folder (the default is beside the input folder)",
        )


__all__ = ["OutputPaths", "Outputs", "check_out", "existing_key"]
