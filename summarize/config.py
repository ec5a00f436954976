"""The one settings object: defaults, the config file, its profile, the environment (`OPENAI_*`, `SUMMARIZE_*`),
then explicit overrides (flags), each over the one before (the file and profiles: summarize.config_file).

The config file is TOML at $SUMMARIZE_CONFIG, else $XDG_CONFIG_HOME/summarize/config.toml, else
~/.config/summarize/config.toml: top-level keys are field names (defaults), `[profiles.NAME]` tables hold named
sets of them, chosen with `profile` (--profile, SUMMARIZE_PROFILE, or `profile = "NAME"` in the file). A built-in
`local` profile points at the local model (summarize.local). Keys (api_key) stay in the environment.

Each field is also the one declaration of its command-line option: its description is the option's help and a
`Flag` in its type says how the option is spelled and which commands take it. `summarize.cli` generates every
such option from the fields, so a new field with a `Flag` is a new flag on the commands it applies to:

    seed: Annotated[int | None, Flag()] = Field(default=None, description="Sampling seed.")
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from .config_file import Layers, default_cache_dir
from .errors import ConfigurationError

ResponseMode = Literal["json_schema", "json_object", "text"]
LENGTHS = ("short", "medium", "long")
MIN_WORDS, MAX_WORDS = 20, 600

Scope = Literal["model", "requests", "named"]

class Flag:
    """A setting's command-line option (the field's description is its help; the environment variable and the
    default shown beside it come from the field too).

    decls   the option's names where they differ from `--field-name`, e.g. "--lang", "--to"; a bool setting gets
            `--name/--no-name` unless given, e.g. "--cache/--no-cache"
    on      which commands take it: "model", every command that runs or prices a model (brief, facts, translate,
            tokens, batch, eval); "requests", only those of them that send requests (tokens sends none);
            "named", only the commands that ask for it by name (`--task`, `--length`, `--glossary`)
    default the default as the help states it, where the field's own default says too little
    metavar what the help calls the value (DIR, FILE, URL)
    """

    __slots__ = ("decls", "on", "default", "metavar")

    def __init__(self, *decls: str, on: Scope = "model", default: str | None = None, metavar: str | None = None) -> None:
        self.decls = decls
        self.on = on
        self.default = default
        self.metavar = metavar

    def __repr__(self) -> str:
        return f"Flag({', '.join(map(repr, self.decls))}{', ' if self.decls else ''}on={self.on!r})"


class Settings(BaseSettings):
    """Everything that changes how an article is summarized; read once, passed down, never re-read."""

    model_config = SettingsConfigDict(env_prefix="SUMMARIZE_", populate_by_name=True, extra="forbid")

    api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("api_key", "OPENAI_API_KEY", "SUMMARIZE_API_KEY"),
        description="Key for the endpoint; environment only, never a flag nor the config file (keys stay out of shell history).",
    )
    profile: Annotated[str | None, Flag(metavar="NAME")] = Field(
        default=None,
        description="Settings profile: a [profiles.NAME] table of the config file (summarize config path), or the "
        "built-in local (the local model, started if need be).",
    )
    base_url: Annotated[str | None, Flag(metavar="URL", default="OpenAI")] = Field(
        default=None,
        validation_alias=AliasChoices("base_url", "OPENAI_BASE_URL", "SUMMARIZE_BASE_URL"),
        description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1.",
    )
    model: Annotated[str, Flag()] = Field(default="gpt-4o-mini", description="Model name.")
    cache_dir: Annotated[Path, Flag(metavar="DIR", default="./cache if it exists, else $XDG_CACHE_HOME/summarize or ~/.cache/summarize")] = Field(
        default_factory=default_cache_dir, description="Cache directory."
    )
    use_cache: Annotated[bool, Flag("--cache/--no-cache")] = Field(
        default=True, description="Read and write the result cache (--no-cache: neither read nor write it)."
    )
    replay_dir: Annotated[Path | None, Flag("--replay", on="requests", metavar="DIR")] = Field(
        default=None, description="Serve recorded exchanges from DIR; never touch the network."
    )
    record_dir: Annotated[Path | None, Flag("--record", on="requests", metavar="DIR")] = Field(
        default=None, description="Save every exchange with the endpoint into DIR (no keys)."
    )
    prompts_dir: Annotated[Path | None, Flag(on="named", metavar="DIR")] = Field(
        default=None, description="Extra prompts directory."
    )
    prices_file: Annotated[Path | None, Flag("--prices", metavar="FILE", default="the shipped summarize/data/models.toml")] = Field(
        default=None, description="TOML file overriding model prices and context windows."
    )
    response_format: Annotated[Literal["auto", "json_schema", "json_object", "text"], Flag(on="requests")] = Field(
        default="auto", description="Structured output mode (auto tries json_schema, json_object, text)."
    )
    max_repairs: Annotated[int, Flag(on="requests")] = Field(
        default=2, ge=0, le=10, description="Repair attempts for invalid (or looping) answers."
    )
    max_check_repairs: Annotated[int, Flag(on="requests")] = Field(
        default=1, ge=0, le=5, description="Re-asks for a valid answer that fails the checks against the article."
    )
    max_retries: int = Field(default=4, ge=0, le=20, description="HTTP retries (429, 5xx, timeouts): the openai client's own.")
    timeout: Annotated[float, Flag(on="requests")] = Field(default=120.0, gt=0, description="Seconds per request.")
    stream: Annotated[bool, Flag(on="named")] = Field(
        default=True, description="On a terminal, stream answers to show tokens as they arrive (--no-stream: elapsed time only)."
    )
    max_input_tokens: Annotated[int | None, Flag(default="the model's context window")] = Field(
        default=None, gt=256, description="Prompt token budget per request; longer articles are split into parts."
    )
    max_output_tokens: Annotated[int, Flag(default="the prompt's max_tokens, else 4096")] = Field(
        default=4096, ge=64, description="Output token limit per request."
    )
    strict: Annotated[bool, Flag(on="requests")] = Field(
        default=False,
        description="Fail (exit 6) on any warning against the article: language, names, numbers, dates, quotes, evidence.",
    )
    task: Annotated[str, Flag(on="named")] = Field(
        default="summary", description="What to produce: summary (brief + key facts) or translate (summarize.tasks)."
    )
    target_language: Annotated[str, Flag("--lang", "--to")] = Field(
        default="en", description="Target language of briefs and translations, ISO 639-1 or BCP 47 (de, pt-BR)."
    )
    length: Annotated[str, Flag(on="named")] = Field(
        default="medium",
        description="Brief length: short (2 sentences, 3 key points), medium, long (up to 10 sentences) or a number of words.",
    )
    focus: Annotated[str | None, Flag(on="named", metavar="TEXT")] = Field(
        default=None,
        max_length=200,
        description='What the reader cares about, e.g. "the funding figures": the brief favours it where the article has it '
        "(given to the prompt as data, never as rules; part of the cache key and the provenance).",
    )
    glossary_file: Annotated[Path | None, Flag("--glossary", on="named", metavar="FILE")] = Field(
        default=None, description="TOML or CSV glossary (term -> translation, or keep) the translation must follow."
    )
    verify: Annotated[bool | None, Flag(on="requests", default="on when a verifier model or endpoint is named")] = Field(
        default=None,
        description="Judge each cited claim against its sentences with a verifier model (cited prompts, v4+).",
    )
    verify_model: Annotated[str | None, Flag(on="requests", default="the brief's model")] = Field(
        default=None, description="The verifier's model."
    )
    verify_base_url: Annotated[str | None, Flag(on="requests", metavar="URL", default="the brief's endpoint")] = Field(
        default=None, description="The verifier's endpoint."
    )
    history: Annotated[bool, Flag(on="requests")] = Field(
        default=True, description="Record the run (tokens, cost, warnings, outputs; no keys) in the history database (--no-history: do not)."
    )
    history_db: Annotated[Path | None, Flag(on="named", metavar="FILE", default="$XDG_DATA_HOME/summarize/history.db, else ~/.local/share/summarize/history.db")] = Field(
        default=None, description="The history database (summarize history)."
    )

    _flags: frozenset[str] = PrivateAttr(default_factory=frozenset)
    """The settings `load` was given explicitly (flags)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags (init), environment, the chosen profile, the config file; each over the ones after it."""
        flags = dict(init_settings.init_kwargs) if isinstance(init_settings, InitSettingsSource) else {}
        layers = Layers(cls, flags)
        profile = InitSettingsSource(settings_cls, layers.profile.values if layers.profile else {})
        file = InitSettingsSource(settings_cls, layers.config.settings or {})
        return init_settings, env_settings, dotenv_settings, file_secret_settings, profile, file

    @classmethod
    def load(cls, **overrides: Any) -> Self:
        """Read the config file and the environment once and apply non-None overrides (CLI flags); bad values
        become a ConfigurationError naming where they come from (a flag, a variable, the file and line)."""
        given = {key: value for key, value in overrides.items() if value is not None}
        try:
            settings = cls(**given)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "settings"
            message = str(first["msg"]).removeprefix("Value error, ")
            name = cls._field_named(str(first["loc"][0])) if first["loc"] else None
            origin = Layers(cls, given).origin(name) if name else "default"
            source = "" if origin == "default" else f" from {origin}"
            raise ConfigurationError(f"invalid setting {name or where}{source}: {message}") from None
        settings._flags = frozenset(given)
        return settings

    @classmethod
    def _field_named(cls, key: str) -> str | None:
        """The field a validation error's location names (a field name or one of its aliases)."""
        if key in cls.model_fields:
            return key
        for name in cls.model_fields:
            if key.lower() in (var.lower() for var in cls.env_names(name)):
                return name
        return None

    def layers(self) -> Layers:
        """Where these settings come from (the config file and profile read again, the flags they were given)."""
        return Layers(type(self), {name: getattr(self, name) for name in self._flags})

    def origins(self) -> dict[str, str]:
        """Each setting's source: "default", "config file PATH:LINE", "profile NAME (...)", "environment VAR", "flag --x"."""
        layers = self.layers()
        return {name: layers.origin(name, getattr(self, name)) for name in type(self).model_fields}

    @classmethod
    def flags(cls) -> dict[str, Flag]:
        """The fields that are command-line options, each with its `Flag`, in declaration order."""
        return {
            name: flag
            for name, field in cls.model_fields.items()
            for flag in field.metadata
            if isinstance(flag, Flag)
        }

    @classmethod
    def env_names(cls, name: str) -> list[str]:
        """The environment variables a field is read from (`SUMMARIZE_MODEL`; `OPENAI_BASE_URL`, `SUMMARIZE_BASE_URL`)."""
        alias = cls.model_fields[name].validation_alias
        if isinstance(alias, AliasChoices):
            return [choice for choice in alias.choices if isinstance(choice, str) and choice.isupper()]
        return [f"{cls.model_config.get('env_prefix', '')}{name}".upper()]

    @field_validator("base_url", "verify_base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        from urllib.parse import urlsplit

        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"give a URL with http:// or https:// and a host, like http://localhost:11434/v1, not '{value}'")
        return value.strip()

    @field_validator("cache_dir", "replay_dir", "record_dir", "prompts_dir", "prices_file", "glossary_file", "history_db")
    @classmethod
    def _home(cls, value: Path | None) -> Path | None:
        """`~` as the shell would expand it (a config file's `cache_dir = "~/news"`)."""
        return value.expanduser() if value is not None and str(value).startswith("~") else value

    @field_validator("target_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        from .errors import ConfigurationError
        from .languages import normalize_tag

        try:
            return normalize_tag(value)
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("focus", mode="before")
    @classmethod
    def _focus(cls, value: str | None) -> str | None:
        # One line of plain text: no newline or tag can step out of the <focus> block the prompt puts it in.
        if value is None:
            return None
        text = " ".join(str(value).replace("<", "‹").replace(">", "›").split())
        return text or None

    @field_validator("length")
    @classmethod
    def _length(cls, value: str) -> str:
        value = str(value).strip().lower()
        if value in LENGTHS or (value.isdigit() and MIN_WORDS <= int(value) <= MAX_WORDS):
            return value
        raise ValueError(f"give short, medium, long or a number of words from {MIN_WORDS} to {MAX_WORDS}, not '{value}'")

    def output_tokens(self, sampling: dict[str, Any]) -> int:
        """The output limit of one request: the prompt sizes its task's budget; an explicit --max-output-tokens wins."""
        if "max_output_tokens" in self.model_fields_set or "max_tokens" not in sampling:
            return self.max_output_tokens
        return int(sampling["max_tokens"])

    @property
    def endpoint_host(self) -> str:
        """The host the requests go to, as recorded in provenance and cache keys (never the key)."""
        from urllib.parse import urlsplit

        return urlsplit(self.base_url).netloc if self.base_url else "api.openai.com"

    @property
    def verifying(self) -> bool:
        """True when cited claims go to a verifier: asked for, or implied by naming the verifier's model or endpoint."""
        return self.verify if self.verify is not None else bool(self.verify_model or self.verify_base_url)

    def verifier(self) -> Settings:
        """The settings the verifier's requests use: the brief's, with its own model and endpoint where given."""
        update: dict[str, Any] = {}
        if self.verify_model:
            update["model"] = self.verify_model
        if self.verify_base_url:
            update["base_url"] = self.verify_base_url
        return self.model_copy(update=update) if update else self

    @property
    def verifier_name(self) -> str:
        """The verifier as results name it: model and endpoint host."""
        v = self.verifier()
        return f"{v.model} at {v.endpoint_host}"


def load_settings(**overrides: Any) -> Settings:
    """Read the environment once and apply non-None overrides (CLI flags); bad values become a ConfigurationError."""
    return Settings.load(**overrides)
