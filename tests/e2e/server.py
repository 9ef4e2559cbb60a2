"""Start the real dancecoach server (uvicorn) on a free 127.0.0.1 port for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(data_dir: Path, log_path: Path, timeout_s: float = 60.0) -> Iterator[str]:
    """Yield the base URL of a server using data_dir; stop it afterwards."""
    port = free_port()
    env = {**os.environ, "DANCECOACH_DATA_DIR": str(data_dir), "OPENAI_API_KEY": ""}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dancecoach.cli", "serve", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited early; see {log_path}")
                try:
                    if httpx.get(f"{base}/api/health", timeout=1.0).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start in {timeout_s} s; see {log_path}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
