"""The one settings object: defaults, then environment (`OPENAI_*`, `SUMMARIZE_*`), then explicit overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigurationError

ResponseMode = Literal["json_schema", "json_object", "text"]


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

    @property
    def endpoint_host(self) -> str:
        """The host the requests go to, as recorded in provenance and cache keys (never the key)."""
        from urllib.parse import urlsplit

        return urlsplit(self.base_url).netloc if self.base_url else "api.openai.com"


def load_settings(**overrides: Any) -> Settings:
    """Read the environment once and apply non-None overrides (CLI flags); bad values become a ConfigurationError."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ConfigurationError(f"invalid setting {where}: {first['msg']}") from None
