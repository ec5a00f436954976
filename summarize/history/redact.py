"""The command line as history keeps it: values of options named like secrets, and anything that looks like a
key, masked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

MASK = "***"
_SECRET_WORDS = {"key", "apikey", "token", "secret", "password", "passwd", "pass", "auth", "credential", "credentials", "bearer"}
_PATTERNS = [
    re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{16,}"),  # OpenAI and most OpenAI-compatible providers
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}"),
    re.compile(r"\bhf_[A-Za-z0-9]{20,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}"),
]
_USERINFO = re.compile(r"(?<=://)([^/@:\s]*):[^/@\s]+@")
_QUERY = re.compile(r"([?&;](?:[\w.-]*?(?:key|token|secret|password|sig|signature|auth)[\w.-]*)=)[^&#;\s]+", re.I)
_OPAQUE = re.compile(r"[A-Za-z0-9_\-+=]{32,}")


def _secret_option(arg: str) -> bool:
    """`--api-key`, `--token`, `--db-password`: an option whose name has a word that names a secret."""
    if not arg.startswith("-") or arg == "-":
        return False
    words = re.split(r"[-_]", arg.lstrip("-").lower())
    return any(word in _SECRET_WORDS for word in words)


def _opaque(value: str) -> bool:
    """A long run of letters and digits with no dot or slash: a token, not a path, URL, number or name."""
    return bool(_OPAQUE.fullmatch(value)) and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def mask(value: str, secrets: Iterable[str] = ()) -> str:
    """`value` with known secrets, key-like tokens, URL passwords and secret query parameters masked."""
    for secret in secrets:
        if secret:
            value = value.replace(secret, MASK)
    for pattern in _PATTERNS:
        value = pattern.sub(MASK, value)
    value = _USERINFO.sub(lambda m: f"{m.group(1)}:{MASK}@", value)
    value = _QUERY.sub(lambda m: m.group(1) + MASK, value)
    return MASK if _opaque(value) else value


def redact(argv: Sequence[str], secrets: Iterable[str] = ()) -> list[str]:
    """The command line with secrets masked: the value after (or `=` in) an option named like a secret, and any
    argument or part of one that looks like a key."""
    known = [s for s in secrets if s]
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append(MASK)
            hide_next = False
            continue
        name, eq, value = arg.partition("=")
        if _secret_option(name):
            out.append(f"{name}={MASK}" if eq else arg)
            hide_next = not eq
        elif arg.startswith("-") and eq:
            out.append(f"{name}={mask(value, known)}")
        else:
            out.append(mask(arg, known))
    return out
