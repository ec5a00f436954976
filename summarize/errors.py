"""Every error summarize raises on purpose: one hierarchy, each class carrying the data to explain it.

The tree, with the CLI's exit code of each kind (one code, one kind: a script can tell them apart):

    SummarizeError ..................... 1  (base; never raised itself)
    ├── BatchFailedError ............... 1  a batch finished, some articles failed (see its report)
    ├── InputError ..................... 2  the article cannot be read
    ├── ConfigurationError ............. 3  settings, options, endpoint configuration
    ├── ReplayMissError ................ 4  --replay has no recorded exchange for a request
    ├── ModelError ..................... 5  the endpoint gave no usable answer
    │   ├── EndpointError                   connection, timeout, HTTP error after retries
    │   ├── TruncatedError                  cut off at the output limit
    │   ├── RefusalError                    refused
    │   └── ValidationFailedError           still invalid after the repairs
    ├── FaithfulnessError .............. 6  --strict, and the answer has faults
    ├── CacheError ..................... 7  the cache cannot be opened or written
    ├── OutputError .................... 8  an output, the report or --out's state cannot be written or read
    └── PromptError .................... 9  a prompt file is missing or malformed

Ctrl-C exits 130.
"""

from __future__ import annotations

from typing import Any


def one_line(text: str, limit: int) -> str:
    """`text` on one line (its whitespace runs made single spaces), cut to `limit` characters with an ellipsis."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when something was cut (messages never hide a cut)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class SummarizeError(Exception):
    """Base class: a failure the user can act on; `str()` is a one-line message, `exit_code` is for the CLI."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(SummarizeError):
    """The article could not be read: missing, unreadable, empty, binary or not an article."""

    exit_code = 2


class ConfigurationError(SummarizeError):
    """No usable endpoint or settings: no key, no base URL, no replay directory, bad option values."""

    exit_code = 3


class PromptError(SummarizeError):
    """A prompt file is missing, malformed, or references a variable that was not supplied."""

    exit_code = 9


class ReplayMissError(SummarizeError):
    """`--replay` got a request for which no recorded exchange exists."""

    exit_code = 4

    def __init__(self, message: str, *, request_key: str, directory: str) -> None:
        super().__init__(message)
        self.request_key = request_key
        self.directory = directory


class ModelError(SummarizeError):
    """The endpoint answered, but not with a usable result (API error, truncation, refusal, invalid output)."""

    exit_code = 5

    def __init__(self, message: str, *, usage: dict[str, int] | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.usage = usage or {}


class EndpointError(ModelError):
    """The endpoint failed (connection, timeout, HTTP error) after the client's retries."""

    def __init__(self, message: str, *, status_code: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status_code = status_code


class TruncatedError(ModelError):
    """The model stopped because it hit its output token limit (`finish_reason == "length"`)."""

    def __init__(self, message: str, *, partial: str, usage: dict[str, int] | None = None) -> None:
        super().__init__(message, usage=usage, hint="raise --max-output-tokens (SUMMARIZE_MAX_OUTPUT_TOKENS) or use a model with a larger output limit")
        self.partial = partial


class RefusalError(ModelError):
    """The model refused to answer."""

    def __init__(self, message: str, *, refusal: str, usage: dict[str, int] | None = None) -> None:
        super().__init__(message, usage=usage)
        self.refusal = refusal


class ValidationFailedError(ModelError):
    """The answer stayed invalid (bad JSON or schema errors) after every repair attempt."""

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        last_answer: str,
        last_error: str,
        usage: dict[str, int] | None = None,
    ) -> None:
        super().__init__(message, usage=usage)
        self.attempts = attempts
        self.last_answer = last_answer
        self.last_error = last_error


class FaithfulnessError(SummarizeError):
    """`--strict` is on and the result names quotes, people or organizations not found in the article."""

    exit_code = 6

    def __init__(self, message: str, *, warnings: list[Any], result: Any) -> None:
        super().__init__(message)
        self.warnings = warnings
        self.result = result


class CacheError(SummarizeError):
    """The cache directory cannot be opened or written."""

    exit_code = 7


class OutputError(SummarizeError):
    """An output file, the run report or the output folder's saved state cannot be written or read."""

    exit_code = 8


class BatchFailedError(SummarizeError):
    """A batch finished but some articles failed; their errors are in the run report."""

    exit_code = 1

    def __init__(self, message: str, *, failed: int, total: int, report: str | None) -> None:
        super().__init__(message, hint=f"see {report} for each article's error; run the same command again to retry only those" if report else None)
        self.failed = failed
        self.total = total
        self.report = report
