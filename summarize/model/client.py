"""The model call: the real openai client, structured-output fallback, validate-then-repair, errors made clear."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

import httpx2
import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError

from ..config import ResponseMode, Settings
from .drive import aresume, arun, run
from ..errors import (
    ConfigurationError,
    EndpointError,
    ModelError,
    RefusalError,
    SummarizeError,
    TruncatedError,
    ValidationFailedError,
)
from .ratelimit import MIN_RATE_LIMIT_WAITS, RateGate, RateLimitTransport
from .replay import RecordingTransport, ReplayStore, ReplayTransport
from .reask import Reasks, builtin_reasks, describe_validation_error, extract_json, repeated_fragment
from .endpoint import FormatRejectionTransport, endpoint_error, not_json, rejects_format
from .progress import step
from .stream import StreamingTransport, StreamSupport
from ..schemas import strict_json_schema

T = TypeVar("T", bound=BaseModel)

NO_ENDPOINT_MESSAGE = (
    "no model endpoint configured: set OPENAI_API_KEY for OpenAI, OPENAI_BASE_URL (or --base-url) for a local "
    "OpenAI-compatible server such as Ollama or llama.cpp, or --replay tests/fixtures/exchanges to replay the "
    "recorded seed answers offline"
)
MODES: tuple[ResponseMode, ...] = ("json_schema", "json_object", "text")


Check = Callable[[Any], list[str]]
"""Problems a validated answer has against its source (one line each); an empty list means none."""


@dataclass
class Completion(Generic[T]):
    """A validated answer (of the answer model asked for) and what it took to get it."""

    value: T
    response_format: ResponseMode
    attempts: int
    input_tokens: int = 0
    output_tokens: int = 0
    raw: str = ""


@dataclass
class _Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def add(self, response: ChatCompletion) -> None:
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.input_tokens += usage.prompt_tokens or 0
            self.output_tokens += usage.completion_tokens or 0

    def as_dict(self) -> dict[str, int]:
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens}


@dataclass
class _Probe:
    """Which response formats this endpoint was seen to reject; shared by every call of one client."""

    rejected: set[str] = field(default_factory=set)


def _response_format(mode: ResponseMode, name: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


Request = dict[str, Any]
"""A chat-completions request body, exactly as sent (the Batch API writes it to its input file as is)."""

Outcome = ChatCompletion | str | openai.APIError | EndpointError
"""What a request came to, sent back into the conversation: the completion; the text of a body that is not JSON
(the openai client returns that as a str); the client's error; or our error for a 200 body it could not parse."""


def _create_kwargs(request: Request) -> dict[str, Any]:
    """Arguments for `chat.completions.create` that send exactly `request` as the body."""
    # The messages and the JSON Schema inside response_format are plain JSON already; passed as typed parameters
    # the client walks them recursively (about 4 ms a request for the schema, 1.6 ms for the messages: much of a
    # batch's CPU time), as extra_body they are sent as they are. `messages=[]` keeps the key where the client
    # puts it, so the body (and the record/replay key) is byte for byte what it was.
    body = dict(request)
    plain = {key: body.pop(key) for key in ("messages", "response_format") if key in body}
    return {**body, "messages": [], "extra_body": plain}


class ModelClient:
    """Sends prompts to one OpenAI-compatible endpoint and returns validated Pydantic answers."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.BaseTransport | httpx2.AsyncBaseTransport | None = None,
        gate: RateGate | None = None,
    ) -> None:
        self.settings = settings
        self.gate = gate
        self.host = settings.endpoint_host
        self._custom_transport = transport
        self._probe = _Probe()
        self.streams = StreamSupport(enabled=settings.stream)
        """Whether answers are streamed while someone watches (summarize.model.progress); off once refused."""
        self._sync: openai.OpenAI | None = None
        self._async: openai.AsyncOpenAI | None = None
        self.replay_store: ReplayStore | None = None
        self._check_configured()

    def _check_configured(self) -> None:
        s = self.settings
        if self._custom_transport is None and s.replay_dir is None and s.api_key is None and s.base_url is None:
            raise ConfigurationError(NO_ENDPOINT_MESSAGE)
        if s.replay_dir is not None and not s.replay_dir.is_dir():
            raise ConfigurationError(f"replay directory not found: {s.replay_dir}")

    def _client_kwargs(self) -> dict[str, Any]:
        s = self.settings
        key = s.api_key.get_secret_value() if s.api_key else "unused-no-key"  # local servers ignore the key
        return {"api_key": key, "base_url": s.base_url, "max_retries": s.max_retries, "timeout": s.timeout}

    def _transport(self) -> FormatRejectionTransport | RateLimitTransport:
        s = self.settings
        inner: Any = StreamingTransport(self._custom_transport, support=self.streams)
        if self._custom_transport is None and s.replay_dir is not None:
            self.replay_store = self.replay_store or ReplayStore(s.replay_dir)
            inner = StreamingTransport(ReplayTransport(self.replay_store), support=self.streams, asks=False)
        elif self._custom_transport is None and s.record_dir is not None:
            # Below the recorder: it keeps the request as the client made it and the completion assembled.
            self.replay_store = self.replay_store or ReplayStore(s.record_dir)
            inner = RecordingTransport(self.replay_store, endpoint=self.host, secrets=self._secrets(), inner=inner, inner_async=inner)
        marked = FormatRejectionTransport(inner)
        # The gate sits outermost so that every retry the openai client makes also waits its turn.
        if self.gate is None:
            return marked
        return RateLimitTransport(marked, self.gate, max_waits=max(self.settings.max_retries, MIN_RATE_LIMIT_WAITS))

    @property
    def sync_client(self) -> openai.OpenAI:
        """The underlying openai client (built on first use)."""
        if self._sync is None:
            http = openai.DefaultHttpxClient(transport=self._transport())
            self._sync = openai.OpenAI(**self._client_kwargs(), http_client=http)
        return self._sync

    @property
    def async_client(self) -> openai.AsyncOpenAI:
        """The underlying async openai client (built on first use)."""
        if self._async is None:
            http = openai.DefaultAsyncHttpxClient(transport=self._transport())
            self._async = openai.AsyncOpenAI(**self._client_kwargs(), http_client=http)
        return self._async

    def complete(
        self,
        messages: list[dict[str, str]],
        model: type[T],
        *,
        sampling: dict[str, Any] | None = None,
        check: Check | None = None,
        reasks: Reasks | None = None,
        schema_values: dict[str, str] | None = None,
    ) -> Completion[T]:
        """Ask for an answer matching `model`, falling back across response formats and repairing invalid answers.

        `check` finds problems a valid answer has against its source; they are sent back for repair up to
        `max_check_repairs` times, after which the answer is returned as it is (the caller flags what remains).
        """

        try:
            return run(self._conversation(messages, model, sampling or {}, check, reasks, schema_values), self._send)
        except SummarizeError as exc:
            raise self._redacted(exc) from None

    async def acomplete(
        self,
        messages: list[dict[str, str]],
        model: type[T],
        *,
        sampling: dict[str, Any] | None = None,
        check: Check | None = None,
        reasks: Reasks | None = None,
        schema_values: dict[str, str] | None = None,
    ) -> Completion[T]:
        """Async twin of `complete`, sharing the same conversation logic."""

        try:
            return await arun(self._conversation(messages, model, sampling or {}, check, reasks, schema_values), self._asend)
        except SummarizeError as exc:
            raise self._redacted(exc) from None

    def conversation(
        self,
        messages: list[dict[str, str]],
        model: type[T],
        *,
        sampling: dict[str, Any] | None = None,
        check: Check | None = None,
        reasks: Reasks | None = None,
        schema_values: dict[str, str] | None = None,
    ) -> Generator[Request, Outcome, Completion[T]]:
        """The sans-IO conversation behind `complete`: yields request bodies, receives responses or openai errors."""
        return self._conversation(messages, model, sampling or {}, check, reasks, schema_values)

    async def aresume(self, steps: Generator[Request, Outcome, Completion[T]], outcome: Outcome) -> Completion[T]:
        """Feed a response obtained elsewhere (e.g. from the Batch API) into a conversation; repairs run live."""
        try:
            return await aresume(steps, outcome, self._asend)
        except SummarizeError as exc:
            raise self._redacted(exc) from None

    def _secrets(self) -> tuple[str, ...]:
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else ""
        return (key,) if len(key) >= 8 else ()  # a short placeholder key would redact ordinary words

    def _redacted(self, exc: SummarizeError) -> SummarizeError:
        """The error with the API key cut out of everything it carries (servers echo keys in 401 messages)."""
        for secret in self._secrets():
            for name in ("message", "hint", "last_answer", "last_error", "partial", "refusal"):
                value = getattr(exc, name, None)
                if isinstance(value, str) and secret in value:
                    setattr(exc, name, value.replace(secret, "[redacted]"))
            exc.args = (exc.message,)
        return exc

    def _send(self, request: Request) -> Outcome:
        try:
            # Untyped when called with **kwargs (Any); a ChatCompletion, or a str for a body that is not JSON.
            return cast(Outcome, self.sync_client.chat.completions.create(**_create_kwargs(request)))
        except openai.APIError as exc:
            return exc
        except ValueError as exc:  # the client parses a 200 body that is not JSON into a bare JSONDecodeError
            return not_json(self.host, exc)

    async def _asend(self, request: Request) -> Outcome:
        try:
            return cast(Outcome, await self.async_client.chat.completions.create(**_create_kwargs(request)))
        except openai.APIError as exc:
            return exc
        except ValueError as exc:
            return not_json(self.host, exc)

    def _modes(self) -> list[ResponseMode]:
        chosen = self.settings.response_format
        if chosen != "auto":
            return [chosen]
        return [mode for mode in MODES if mode not in self._probe.rejected]

    def _conversation(
        self,
        messages: list[dict[str, str]],
        model: type[T],
        sampling: dict[str, Any],
        check: Check | None = None,
        reasks: Reasks | None = None,
        schema_values: dict[str, str] | None = None,
    ) -> Generator[Request, Outcome, Completion[T]]:
        # Sans-IO: yields the next request, receives the response or the openai error; the sync and async
        # drivers above only do the I/O.
        texts = reasks if reasks is not None else builtin_reasks()
        # OpenAI's strict subset has no maxLength; grammar-based servers (llama.cpp) need it to stop a loop.
        schema = strict_json_schema(
            model, bounded=self.host != "api.openai.com", replace=tuple(sorted((schema_values or {}).items()))
        )
        usage = _Usage()
        max_tokens = self.settings.output_tokens(sampling)
        extra = {k: v for k, v in sampling.items() if k != "max_tokens"}
        modes = self._modes()
        while modes:
            mode = modes[0]
            chat = [dict(m) for m in messages]
            if mode != "json_schema":
                chat[0]["content"] += texts.schema_instruction(schema)
            attempts = 0
            check_repairs = 0
            last_answer, last_error = "", ""
            rejected = False
            while attempts - check_repairs <= self.settings.max_repairs:
                attempts += 1
                request: Request = {"model": self.settings.model, "messages": chat, "max_tokens": max_tokens, **extra}
                response_format = _response_format(mode, model.__name__.lower(), schema)
                if response_format is not None:
                    request["response_format"] = response_format
                step(model, attempts)
                outcome = yield request
                if isinstance(outcome, openai.APIStatusError) and attempts == 1 and mode != "text" and rejects_format(outcome):
                    rejected = True
                    break
                if isinstance(outcome, openai.APIError):
                    raise endpoint_error(outcome, self.host, self.settings.replay_dir) from None
                if isinstance(outcome, EndpointError):
                    raise outcome
                if isinstance(outcome, str) or not hasattr(outcome, "choices"):  # e.g. a text/plain body
                    raise EndpointError(
                        f"{self.host} answered with something that is not a chat completion: {str(outcome)[:80]!r}",
                        hint="check --base-url: it must point at an OpenAI-compatible API (usually ending in /v1)",
                    )
                usage.add(outcome)
                answer = self._answer_text(outcome, usage)
                if answer is None:  # cut off while repeating itself: worth a fresh, shorter try
                    partial = outcome.choices[0].message.content or ""
                    fragment = repeated_fragment(partial) or ""
                    last_answer, last_error = partial, f"the answer looped on {fragment[:60]!r} until the output limit"
                    chat = chat + [{"role": "user", "content": texts.loop_repair(fragment[:80])}]
                    continue
                try:
                    value = model.model_validate(extract_json(answer))
                except ValueError as exc:  # json errors and pydantic.ValidationError alike
                    last_answer = answer
                    last_error = describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
                    chat = chat + [
                        {"role": "assistant", "content": answer},
                        {"role": "user", "content": texts.repair(last_error)},
                    ]
                    continue
                problems = check(value) if check is not None and check_repairs < self.settings.max_check_repairs else []
                if problems:
                    check_repairs += 1
                    listed = "\n".join(f"- {p}" for p in problems[:12])
                    chat = chat + [
                        {"role": "assistant", "content": answer},
                        {"role": "user", "content": texts.check_repair(listed)},
                    ]
                    continue
                return Completion(value, mode, attempts, usage.input_tokens, usage.output_tokens, answer)
            if rejected:
                self._probe.rejected.add(mode)
                modes = modes[1:]
                continue
            raise ValidationFailedError(
                f"the model's answer was still invalid after {attempts} attempts ({mode}): {last_error}",
                attempts=attempts,
                last_answer=last_answer,
                last_error=last_error,
                usage=usage.as_dict(),
            )
        raise ModelError(
            f"{self.host} rejected every structured output format ({', '.join(sorted(self._probe.rejected))})",
            usage=usage.as_dict(),
        )

    @staticmethod
    def _answer_text(response: ChatCompletion, usage: _Usage) -> str | None:
        """The answer's text; None for an answer cut off while looping (repairable), an error for other faults."""
        choices = getattr(response, "choices", None)
        if not choices:
            raise ModelError("the endpoint returned no choices", usage=usage.as_dict())
        choice = choices[0]
        message = choice.message
        refusal = getattr(message, "refusal", None)
        if refusal or choice.finish_reason == "content_filter":
            reason = refusal or "content filter"
            raise RefusalError(f"the model refused: {reason}", refusal=reason, usage=usage.as_dict())
        if choice.finish_reason == "length":
            if repeated_fragment(message.content or ""):
                return None
            raise TruncatedError(
                f"the answer was cut off at the output token limit ({usage.output_tokens} tokens out)",
                partial=message.content or "",
                usage=usage.as_dict(),
            )
        return message.content or ""

    def close(self) -> None:
        """Close the sync HTTP client (the async one closes with `aclose`)."""
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        """Close the async HTTP client."""
        if self._async is not None:
            await self._async.close()
