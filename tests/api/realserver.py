"""A real `dancecoach serve` process on 127.0.0.1 for end-to-end tests, and footage helpers."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import orjson
from websockets.asyncio.client import connect

from tests import shared_poses

STARTUP_TIMEOUT_S = 90.0
_SERVE = [sys.executable, "-m", "dancecoach.cli", "serve"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    """`python -m dancecoach.cli serve` on a data folder; can be killed and started again."""

    def __init__(
        self,
        data_dir: Path,
        log_path: Path,
        settings: dict[str, str] | None = None,
        *,
        share_poses: bool = False,
    ) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.settings = settings or {}  # DANCECOACH_* environment of this server
        self.share_poses = share_poses  # see tests/shared_poses.py
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        environment = {
            **os.environ,
            "DANCECOACH_DATA_DIR": str(self.data_dir),
            "OPENAI_API_KEY": "",
            "OPENAI_BASE_URL": "",
            **self.settings,
        }
        environment.pop("DANCECOACH_DATABASE_URL", None)
        if self.share_poses:
            shared_poses.seed(self.data_dir)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [*_SERVE, "--host", "127.0.0.1", "--port", str(self.port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("server did not start in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, as in a crash or power cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None
        self._harvest()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None
        self._harvest()

    def _harvest(self) -> None:
        if self.share_poses:
            shared_poses.harvest(self.data_dir)


def video_frames_as_jpeg(
    video: Path, *, fps: float, max_side: int = 640, quality: int = 80
) -> list[tuple[float, bytes]]:
    """(video time, JPEG) sampled at fps, scaled so the longer side is max_side."""
    capture = cv2.VideoCapture(str(video))
    source_fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    frames: list[tuple[float, bytes]] = []
    next_time = 0.0
    index = 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        time_s = index / source_fps
        index += 1
        if time_s + 1e-6 < next_time:
            continue
        next_time += 1.0 / fps
        height, width = image.shape[:2]
        scale = max_side / max(height, width)
        if scale < 1.0:
            image = cv2.resize(
                image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
            )
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        frames.append((round(time_s, 3), encoded.tobytes()))
    capture.release()
    return frames


def black_like(jpeg: bytes) -> bytes:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    ok, encoded = cv2.imencode(".jpg", np.zeros_like(image))
    assert ok
    return encoded.tobytes()


async def _stream(
    url: str,
    session_id: str,
    frames: list[tuple[float, bytes]],
    fps: float,
    while_connected: Callable[[], None] | None,
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    async with connect(url, max_size=None) as socket_:
        state = orjson.loads(await socket_.recv())
        assert state["type"] == "state", state

        async def receive_all() -> None:
            async for raw in socket_:
                message = orjson.loads(raw)
                if message["type"] == "frame_result":
                    results.append(message)
                    if message["timestamp"] == frames[-1][0]:
                        return

        receiver = asyncio.create_task(receive_all())
        started = time.monotonic()
        for index, (timestamp, jpeg) in enumerate(frames):
            # Paced like a webcam: frame n leaves at n / fps seconds.
            delay = started + index / fps - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            message = {
                "type": "frame",
                "data": "data:image/jpeg;base64," + base64.b64encode(jpeg).decode(),
                "timestamp": timestamp,
                "session_id": session_id,
            }
            await socket_.send(orjson.dumps(message).decode())
        await asyncio.wait_for(receiver, timeout=30)
        if while_connected is not None:
            while_connected()
            return results
    return results


def stream_frames(
    server: ServerProcess,
    session_id: str,
    frames: list[tuple[float, bytes]],
    fps: float = 10.0,
    while_connected: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Send (dance time, JPEG) frames at fps as JSON data-URL frames; returns the results.

    while_connected runs after the last result with the socket still open (e.g. a crash).
    """
    url = f"{server.ws_url}/ws/{session_id}"
    return asyncio.run(_stream(url, session_id, frames, fps, while_connected))


def wait_until_ready(
    client: httpx.Client, reference_id: str, timeout_s: float = 240.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    progress_seen = []
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/api/references/{reference_id}").json()
        progress_seen.append(body["progress"])
        if body["status"] == "ready":
            assert progress_seen == sorted(progress_seen), "progress must never go back"
            return body
        assert body["status"] == "processing", body
        time.sleep(0.5)
    raise AssertionError("reference preprocessing did not finish in time")
