"""An S3-compatible server for tests: moto's server mode on 127.0.0.1, in its own process.

Its program is moto_server beside the Python running the tests (`make setup` installs moto from
the dev extras); tests skip without it, and fail instead under DANCECOACH_REQUIRE_S3=1 (CI sets
it). A subprocess rather than moto's in-process ThreadedMotoServer, so that the server's threads
do not share (and race on) the test's warnings filters.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "dancecoach-test"
SECRET_KEY = "dancecoach-test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    process: subprocess.Popen[bytes]

    def settings(self) -> dict[str, str]:
        """Settings fields for a store in a fresh bucket of this server."""
        return {
            "storage_url": f"s3://dc-{uuid.uuid4().hex[:12]}/library",
            "storage_endpoint_url": self.endpoint_url,
            "storage_access_key": ACCESS_KEY,
            "storage_secret_key": SECRET_KEY,
        }


def moto_server_program() -> Path:
    """The moto_server of the running venv (not resolved: a symlinked venv keeps its own)."""
    program = Path(sys.executable).parent / "moto_server"
    if not program.is_file():
        message = f"no S3 test server at {program} (make setup installs moto[server])"
        if os.environ.get("DANCECOACH_REQUIRE_S3") == "1":
            pytest.fail(message + " (DANCECOACH_REQUIRE_S3=1)")
        pytest.skip(message)
    return program


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_s3_server(port: int | None = None) -> Iterator[S3Server]:
    port = port or free_port()
    process = subprocess.Popen(
        [str(moto_server_program()), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the S3 test server did not start") from None
                time.sleep(0.1)
        yield S3Server(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=10)
