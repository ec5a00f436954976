"""Target languages: BCP 47 tags checked and named, so prompts can say "German" where the user typed `de`."""

from __future__ import annotations

import re

from .errors import ConfigurationError

NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "ga": "Irish", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian",
    "lv": "Latvian", "nb": "Norwegian Bokmål", "nl": "Dutch", "no": "Norwegian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian",
    "sv": "Swedish", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}
"""Languages a target may be (ISO 639-1 primary subtag -> English name); the language check knows all of them."""

_TAG = re.compile(r"^([A-Za-z]{2})(?:[-_]([A-Za-z0-9]{2,8}))*$")


def normalize_tag(tag: str) -> str:
    """`de`, `DE`, `pt_br` -> `de`, `de`, `pt-BR`; an unknown or malformed tag is a ConfigurationError."""
    match = _TAG.match(tag.strip())
    primary = match.group(1).lower() if match else ""
    if primary not in NAMES:
        known = ", ".join(sorted(NAMES))
        raise ConfigurationError(f"unknown language '{tag}': give an ISO 639-1 code or BCP 47 tag ({known})")
    rest = tag.strip()[2:].replace("_", "-").split("-")[1:]
    return "-".join([primary] + [part.upper() if len(part) == 2 else part for part in rest])


def primary(tag: str) -> str:
    """The language of a tag without region or script (`pt-BR` -> `pt`), as the detector reports it."""
    return tag.split("-")[0].lower()


def name(tag: str) -> str:
    """The language's English name, with the region when there is one: `German`, `Portuguese (pt-BR)`."""
    base = NAMES[primary(tag)]
    return base if "-" not in tag else f"{base} ({tag})"
