"""The one settings object: defaults, then environment (`OPENAI_*`, `SUMMARIZE_*`), then explicit overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigurationError

ResponseMode = Literal["json_schema", "json_object", "text"]
LENGTHS = ("short", "medium", "long")
MIN_WORDS, MAX_WORDS = 20, 600


class Settings(BaseSettings):
    """Everything that changes how an article is summarized; read once, passed down, never re-read."""

    model_config = SettingsConfigDict(env_prefix="SUMMARIZE_", populate_by_name=True, extra="forbid")

    api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("api_key", "OPENAI_API_KEY", "SUMMARIZE_API_KEY")
    )
    base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("base_url", "OPENAI_BASE_URL", "SUMMARIZE_BASE_URL")
    )
    model: str = "gpt-4o-mini"
    cache_dir: Path = Path("cache")
    use_cache: bool = True
    replay_dir: Path | None = None
    record_dir: Path | None = None
    prompts_dir: Path | None = None
    prices_file: Path | None = None
    response_format: Literal["auto", "json_schema", "json_object", "text"] = "auto"
    max_repairs: int = Field(default=2, ge=0, le=10)
    max_check_repairs: int = Field(default=1, ge=0, le=5)
    max_retries: int = Field(default=4, ge=0, le=20)
    timeout: float = Field(default=120.0, gt=0)
    max_input_tokens: int | None = Field(default=None, gt=256)
    max_output_tokens: int = Field(default=4096, ge=64)
    strict: bool = False
    task: str = Field(default="summary", description="What the pipeline produces: summary or translate (summarize.tasks).")
    target_language: str = Field(default="en", description="BCP 47 tag of the language briefs and translations are written in.")
    length: str = Field(default="medium", description="Brief length: short, medium, long or a number of words.")
    glossary_file: Path | None = Field(default=None, description="TOML or CSV glossary a translation must follow.")
    verify: bool | None = Field(
        default=None,
        description="Judge each cited claim against its sentences with a verifier model (default: only when a verify model or endpoint is named).",
    )
    verify_model: str | None = Field(default=None, description="The verifier's model (default: the brief's model).")
    verify_base_url: str | None = Field(default=None, description="The verifier's endpoint (default: the brief's).")

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

    @field_validator("target_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        from .errors import ConfigurationError
        from .languages import normalize_tag

        try:
            return normalize_tag(value)
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None

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
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(f"invalid setting {where}: {message}") from None
