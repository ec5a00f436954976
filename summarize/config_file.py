"""The config file and its profiles: where the file is, reading it (pydantic-settings' TOML source), checking its
keys with their line, the built-in `local` profile, and where each effective setting comes from (`summarize
config show`). summarize.config's `Settings` stacks these layers: defaults < file < profile < environment < flags.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_settings import TomlConfigSettingsSource

from .errors import ConfigurationError

if TYPE_CHECKING:
    from .config import Settings

PROJECT_CACHE = Path("cache")
"""A project's own cache directory: the default when the current directory has one."""
BUILTIN_PROFILES = ("local",)
KEYS = ("api_key",)
"""Settings never read from the config file: keys stay in the environment."""


def _xdg(variable: str, fallback: Path) -> Path:
    """An XDG base directory; a relative one is ignored, as the XDG spec says."""
    base = os.environ.get(variable, "")
    return Path(base) if base and Path(base).is_absolute() else fallback


def config_path() -> Path:
    """$SUMMARIZE_CONFIG, else $XDG_CONFIG_HOME/summarize/config.toml, else ~/.config/summarize/config.toml."""
    given = os.environ.get("SUMMARIZE_CONFIG", "")
    if given:
        return Path(given).expanduser()
    return _xdg("XDG_CONFIG_HOME", Path.home() / ".config") / "summarize" / "config.toml"


def default_cache_dir() -> Path:
    """./cache when the current directory has one (a project's own), else $XDG_CACHE_HOME/summarize, else
    ~/.cache/summarize: a run in ~/Downloads leaves no cache/ folder there."""
    if PROJECT_CACHE.is_dir():
        return PROJECT_CACHE
    return _xdg("XDG_CACHE_HOME", Path.home() / ".cache") / "summarize"


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


@dataclass(frozen=True)
class ConfigFile:
    """The config file as read (nothing when it does not exist): its top-level settings and its profiles."""

    path: Path
    exists: bool = False
    settings: dict[str, Any] | None = None
    profiles: dict[str, dict[str, Any]] | None = None
    text: str = ""

    def line(self, key: str, table: tuple[str, ...] = ()) -> int | None:
        """The line that sets `key` in `table` (best effort: tables, dotted keys; else any line setting `key`)."""
        current: tuple[str, ...] = ()
        anywhere = None
        for number, line in enumerate(self.text.splitlines(), 1):
            header = _HEADER.match(line)
            if header:
                current = _dotted(header.group(1))
                continue
            found = _KEY.match(line)
            if found:
                path = current + _dotted(found.group(1))
                if path == (*table, key):
                    return number
            if anywhere is None and re.search(rf"(^|[\s{{,.\"']){re.escape(key)}[\"']?\s*=", line):
                anywhere = number
        return anywhere

    def where(self, key: str, table: tuple[str, ...] = ()) -> str:
        """`path:line` of `key`, or the path."""
        line = self.line(key, table)
        return f"{self.path}:{line}" if line else str(self.path)


def _check_key(settings_cls: type[Settings], config: ConfigFile, key: str, table: tuple[str, ...]) -> None:
    where = config.where(key, table)
    inside = f" in [{'.'.join(table)}]" if table else ""
    if key in KEYS:
        raise ConfigurationError(
            f"{where}: {key} is not read from the config file: keys stay in the environment "
            f"({', '.join(settings_cls.env_names(key))})"
        )
    if key == "profile" and table:
        raise ConfigurationError(f"{where}: a profile cannot choose a profile (profile{inside})")
    if key not in settings_cls.model_fields:
        close = difflib.get_close_matches(key, list(settings_cls.model_fields), n=1)
        suggestion = f"; did you mean '{close[0]}'?" if close else " (summarize config show lists the settings)"
        raise ConfigurationError(f"{where}: unknown setting '{key}'{inside}{suggestion}")


def read_config(settings_cls: type[Settings], path: Path | None = None) -> ConfigFile:
    """Read and check the config file (pydantic-settings' TOML source); a bad one is a ConfigurationError naming
    the file and the line."""
    import tomllib

    path = config_path() if path is None else path
    if not path.exists():
        return ConfigFile(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = TomlConfigSettingsSource(settings_cls, toml_file=path).toml_data
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        where = f"{path}:{at.group(1)}:{at.group(2)}" if at else str(path)
        raise ConfigurationError(f"{where}: invalid TOML: {message[: at.start()] if at else message}") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path}: the config file is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigurationError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    config = ConfigFile(path, True, {}, {}, text)
    settings, profiles = {}, {}
    for key, value in data.items():
        if key != "profiles":
            _check_key(settings_cls, config, key, ())
            settings[key] = value
            continue
        if not isinstance(value, dict) or not all(isinstance(table, dict) for table in value.values()):
            raise ConfigurationError(f"{config.where('profiles')}: profiles are tables: [profiles.NAME], then its settings")
        for name, table in value.items():
            for inner in table:
                _check_key(settings_cls, config, inner, ("profiles", name))
            profiles[name] = dict(table)
    return ConfigFile(path, True, settings, profiles, text)


def builtin_profile(name: str) -> dict[str, Any]:
    """A built-in profile's settings: `local`, the local model on 127.0.0.1:$LOCAL_MODEL_PORT (summarize.local)."""
    if name != "local":
        return {}
    from .local.layout import TIMEOUT, LocalModel

    model = LocalModel.from_env()
    return {"base_url": model.base_url, "model": model.pins.alias, "api_key": "local", "timeout": TIMEOUT}


@dataclass(frozen=True)
class Profile:
    """A chosen profile: its settings (the built-in ones under the file's) and where each comes from."""

    name: str
    values: dict[str, Any]
    origins: dict[str, str]


def select_profile(config: ConfigFile, name: str) -> Profile:
    """The profile `name` (built in, or a [profiles.NAME] table, or both); unknown: a ConfigurationError."""
    tables = config.profiles or {}
    known = sorted(set(BUILTIN_PROFILES) | set(tables))
    if name not in known:
        file = f"in {config.path}" if config.exists else f"no config file at {config.path}"
        raise ConfigurationError(f"unknown profile '{name}': the profiles are {', '.join(known)} ({file})")
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    if name in BUILTIN_PROFILES:
        values = builtin_profile(name)
        origins = {key: f"profile {name} (built in)" for key in values}
    for key, value in tables.get(name, {}).items():
        values[key] = value
        origins[key] = f"profile {name} ({config.where(key, ('profiles', name))})"
    return Profile(name, values, origins)


class Layers:
    """Where settings come from, over their defaults: the config file, its profile, the environment, the flags."""

    def __init__(self, settings_cls: type[Settings], flags: dict[str, Any]) -> None:
        self.settings_cls = settings_cls
        self.flags = flags
        self.config = read_config(settings_cls)
        env = self.env_var("profile")
        name = flags.get("profile") or (os.environ[env] if env else None) or (self.config.settings or {}).get("profile")
        self.profile = select_profile(self.config, str(name)) if name else None

    def env_var(self, name: str) -> str | None:
        """The environment variable a setting is read from, if one is set (the first of its names)."""
        present = {key.lower(): key for key in os.environ}
        for var in self.settings_cls.env_names(name):
            if var.lower() in present:
                return present[var.lower()]
        return None

    def origin(self, name: str, value: Any = None) -> str:
        """Where the setting `name` (whose value is `value`) comes from: flag, environment, profile, file, default."""
        if name in self.flags:
            flag = self.settings_cls.flags().get(name)
            if flag is None:
                return "the command"
            spelled = flag.decls[0] if flag.decls else f"--{name.replace('_', '-')}"
            if isinstance(self.flags[name], bool):
                spelled = spelled if "/" in spelled else f"{spelled}/--no-{spelled.removeprefix('--')}"
                spelled = spelled.split("/")[0 if self.flags[name] else 1]
            return f"flag {spelled.split('/')[0]}"
        var = self.env_var(name)
        if var:
            return f"environment {var}"
        if self.profile is not None and name in self.profile.values:
            return self.profile.origins[name]
        if name in (self.config.settings or {}):
            return f"config file {self.config.where(name)}"
        if name == "cache_dir" and value is not None:
            return "default (./cache exists here)" if Path(value) == PROJECT_CACHE else "default (the user cache directory)"
        return "default"
