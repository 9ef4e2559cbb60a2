"""A client that never reads its replies is closed (4408); the server's memory stays flat and
another session's replies keep flowing. A real uvicorn server on 127.0.0.1 (TCP back-pressure
is what a test client without sockets cannot show), bounded to about 20 s."""

from __future__ import annotations

import asyncio
import resource
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.library.music import WARM_UP_DONE
from dancecoach.runtime import Runtime
from tests.api.fakes import GREY, FakeTracker, jpeg, reference_sequence, write_video
from tests.api.realserver import free_port
from tests.api.wsclient import frame_binary

SLOW_READER_BOUND_S = 20.0


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, Runtime, str]]:
    """(base ws url, runtime, ready reference id) of a uvicorn server in a thread."""
    settings.ws_send_queue = 16
    reference = reference_sequence()
    app = create_app(settings, tracker_factory=lambda: FakeTracker(reference), demo_reference=False)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws_per_message_deflate=False
    )
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uvicorn_server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    runtime: Runtime = app.state.runtime
    video = write_video(tmp_path / "routine.avi")
    reference_id = runtime.references.register_ready(video, reference, name="Routine").id
    try:
        yield f"ws://127.0.0.1:{port}", runtime, reference_id
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=30)


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1e6


async def _good_client(url: str, stop: asyncio.Event) -> tuple[int, int]:
    """Streams at 10 FPS and reads every reply; returns (frames sent, results received)."""
    sent = received = 0
    async with connect(url) as ws:
        await ws.recv()  # state
        timestamp = 0.1
        while not stop.is_set():
            await ws.send(frame_binary(jpeg(GREY), timestamp))
            sent += 1
            timestamp += 0.1
            # Live events (a move's grade, a count) arrive between the replies: read past them
            # to this frame's result.
            while orjson.loads(await asyncio.wait_for(ws.recv(), timeout=5))["type"] != (
                "frame_result"
            ):
                pass
            received += 1
            await asyncio.sleep(0.1)
    return sent, received


async def _slow_reader(url: str, runtime: Runtime, session_id: str) -> tuple[float, int | None]:
    """Sends frames at up to 200 FPS and never reads, until the server drops the session; then reads
    what got through. Returns (seconds until dropped, the close code it finally read)."""
    sock = socket.socket()
    # A small receive window and many frames, so that unread replies back up to the server
    # within seconds (the kernel's send buffer, autotuned up to 4 MB, absorbs them first).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", int(url.rsplit(":", 1)[1].split("/")[0])))
    started = time.monotonic()
    async with connect(f"{url}/ws/{session_id}", sock=sock, max_queue=1) as ws:
        while session_id not in runtime.live.ids():
            assert time.monotonic() - started < 10, "the stream did not open"
            await asyncio.sleep(0.01)
        timestamp = 0.1
        try:
            while time.monotonic() - started < SLOW_READER_BOUND_S:
                if session_id not in runtime.live.ids():
                    break
                await asyncio.wait_for(ws.send(frame_binary(jpeg(GREY), timestamp)), 1.0)
                timestamp += 0.005
                await asyncio.sleep(0.005)
        except (ConnectionClosed, TimeoutError):
            pass
        dropped_after = time.monotonic() - started
        try:
            async with asyncio.timeout(10):
                async for _ in ws:
                    pass
        except (ConnectionClosed, TimeoutError):
            pass
        return dropped_after, ws.close_code


@pytest.mark.slow
def test_a_client_that_stops_reading_is_closed_and_others_keep_flowing(
    server: tuple[str, Runtime, str],
) -> None:
    import httpx

    url, runtime, reference_id = server
    http_url = url.replace("ws://", "http://")
    ids = [
        httpx.post(
            f"{http_url}/api/sessions/create", json={"reference_video_id": reference_id}
        ).json()["session_id"]
        for _ in range(2)
    ]
    # The server warms librosa up at start (~200 MB of compiled kernels): not what is measured.
    assert WARM_UP_DONE.wait(120), "the beat analysis never finished warming up"
    rss_before = _rss_mb()

    async def scenario() -> tuple[tuple[float, int | None], tuple[int, int]]:
        stop = asyncio.Event()
        good = asyncio.create_task(_good_client(f"{url}/ws/{ids[1]}", stop))
        await asyncio.sleep(0.5)
        slow = await _slow_reader(url, runtime, ids[0])
        stop.set()
        return slow, await good

    (dropped_after_s, close_code), (sent, received) = asyncio.run(scenario())
    assert dropped_after_s < SLOW_READER_BOUND_S, "the slow reader was never closed"
    assert close_code == 4408
    assert received >= sent - 1, "the other session's replies stopped flowing"
    assert sent >= 10
    assert _rss_mb() - rss_before < 60, "unsent replies piled up in memory"
