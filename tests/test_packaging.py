"""The wheel ships every package and prompt folder (an editable install would hide a missing one)."""

from __future__ import annotations

import tomllib

from .fakes import ROOT


def test_every_package_and_prompt_folder_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    packages = {
        ".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "summarize").rglob("__init__.py")
    }
    prompts = {f"summarize.prompts.{folder.name}" for folder in (ROOT / "prompts").iterdir() if folder.is_dir()}
    assert packages | prompts | {"summarize.prompts"} <= listed
    assert all(name in config["package-data"] for name in prompts)
