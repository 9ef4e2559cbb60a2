"""Bounded resources: live sessions, uploads an hour, learner-frame disk, the recorder's backlog."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from dancecoach.config import Settings
from dancecoach.live import recorder as live_recorder
from dancecoach.practice.retention import enforce_frame_quota, folder_bytes
from dancecoach.runtime import Runtime
from tests.api.fakes import GREY, jpeg
from tests.api.wsclient import frame_binary, receive, receive_type


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.max_live_sessions = 1
    settings.uploads_per_hour = 2
    return settings


def _create(client: TestClient, reference_id: str) -> str:
    response = client.post("/api/sessions/create", json={"reference_video_id": reference_id})
    assert response.status_code == 201, response.text
    value: str = response.json()["session_id"]
    return value


def _dance(client: TestClient, session_id: str, times: list[float]) -> None:
    with client.websocket_connect(f"/ws/{session_id}") as ws:
        receive(ws)
        for timestamp in times:
            ws.send_bytes(frame_binary(jpeg(GREY), timestamp))
            receive_type(ws, "frame_result")


def test_the_session_after_the_limit_is_told_the_server_is_full(
    client: TestClient, reference_id: str
) -> None:
    first, waiting = _create(client, reference_id), _create(client, reference_id)
    with client.websocket_connect(f"/ws/{first}") as ws:
        assert receive(ws)["type"] == "state"
        refused = client.post("/api/sessions/create", json={"reference_video_id": reference_id})
        assert refused.status_code == 503
        assert refused.json()["code"] == "server_full"
        assert "full" in refused.json()["detail"]
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect(f"/ws/{waiting}") as other,
        ):
            error = receive(other)
            assert error["code"] == "server_full"
            other.receive_text()
        assert closed.value.code == 4503
        assert "full" in closed.value.reason
        # A reconnect of the streaming session is a takeover, not one more.
        with client.websocket_connect(f"/ws/{first}") as again:
            assert receive(again)["type"] == "state"
    # Once the first has left, the next one gets in.
    with client.websocket_connect(f"/ws/{waiting}") as ws:
        assert receive(ws)["type"] == "state"


def test_uploads_an_hour_are_capped_per_client(client: TestClient) -> None:
    statuses = [
        client.post("/api/references", files={"file": ("x.mp4", b"not a video")}).status_code
        for _ in range(3)
    ]
    assert statuses == [415, 415, 429]
    body = client.post("/api/references", files={"file": ("x.mp4", b"x")}).json()
    assert body["code"] == "rate_limited"
    assert "an hour" in body["detail"]


def test_a_failing_disk_pauses_the_stream_with_a_clear_error_and_memory_stays_bounded(
    client: TestClient, runtime: Runtime, session_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_recorder, "MAX_BACKLOG_FRAMES", 5)
    real_insert = runtime.frame_store.insert_many

    def disk_full(rows: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runtime.frame_store, "insert_many", disk_full)
    stream_errors = []
    with client.websocket_connect(f"/ws/{session_id}") as ws:
        receive(ws)
        for index in range(12):
            ws.send_bytes(frame_binary(jpeg(GREY), 0.5 + index * 0.1))
            message = receive(ws)
            while message["type"] == "state":
                message = receive(ws)
            if message["type"] == "error":
                stream_errors.append(message["code"])
        live = runtime.live._streams[session_id]
        assert len(live._recorder._pending) <= 5, "the backlog must stay bounded"
        assert stream_errors[0] == "storage_unavailable"
        assert set(stream_errors[1:]) <= {"paused"}
        # The disk recovers: the backlog is stored at the next periodic flush, and after a
        # resume new frames are scored and stored again.
        monkeypatch.setattr(runtime.frame_store, "insert_many", real_insert)
        deadline = time.monotonic() + 5.0
        while live._recorder._pending and time.monotonic() < deadline:
            time.sleep(0.05)
        ws.send_text('{"type": "resume"}')
        assert receive_type(ws, "state")["paused"] is False
        ws.send_bytes(frame_binary(jpeg(GREY), 3.0))
        assert receive_type(ws, "frame_result")["timestamp"] == 3.0
    assert client.get(f"/api/sessions/{session_id}").json()["frames_scored"] == 6


def test_learner_frames_over_the_quota_go_oldest_finished_first(
    client: TestClient,
    runtime: Runtime,
    reference_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    older, newer, unfinished = (_create(client, reference_id) for _ in range(3))
    for session_id in (older, newer, unfinished):
        _dance(client, session_id, [0.5 + i * 0.1 for i in range(20)])
    for session_id in (older, newer):
        client.post(f"/api/sessions/{session_id}/finalize")
    sizes = {s: folder_bytes(runtime.layout.session_dir(s)) for s in (older, newer, unfinished)}
    assert all(size > 0 for size in sizes.values())
    # Room for two sessions' frames: the oldest finished one goes, the others stay.
    quota_mb = (sizes[newer] + sizes[unfinished] + 1) / 1e6
    settings = runtime.settings.model_copy(update={"learner_frames_quota_mb": quota_mb})
    with caplog.at_level(logging.WARNING):
        purged = enforce_frame_quota(
            settings, runtime.session_store, runtime.frame_store, runtime.objects
        )
    assert purged == [older]
    assert "quota" in caplog.text
    assert folder_bytes(runtime.layout.session_dir(older)) == 0
    assert folder_bytes(runtime.layout.session_dir(newer)) == sizes[newer]
    # The scores stay.
    assert client.get(f"/api/sessions/{older}/report").status_code == 200
    # Far over quota: finished ones go before the unfinished one, and a streaming one never.
    tiny = runtime.settings.model_copy(update={"learner_frames_quota_mb": 1e-6})
    purged = enforce_frame_quota(
        tiny,
        runtime.session_store,
        runtime.frame_store,
        runtime.objects,
        active_session_ids=frozenset({unfinished}),
    )
    assert purged == [newer]
    assert folder_bytes(runtime.layout.session_dir(unfinished)) == sizes[unfinished]


def test_the_pose_cache_follows_retention_and_its_size_cap(tmp_path: Path) -> None:
    import os
    import time

    from dancecoach.library.pose_cache import cache_dir, prune_pose_cache

    settings = Settings(data_dir=tmp_path, pose_cache_max_mb=0.0025, frame_retention_hours=1)
    folder = cache_dir(settings)
    folder.mkdir(parents=True)
    now = time.time()
    ages_h = {"stale": 2.0, "old": 0.5, "mid": 0.2, "new": 0.0}
    for name, age in ages_h.items():
        path = folder / f"{name}.npz"
        path.write_bytes(b"x" * 1000)
        os.utime(path, (now - age * 3600, now - age * 3600))
    assert prune_pose_cache(settings) == 2  # past retention, then the least recently used
    assert sorted(p.stem for p in folder.iterdir()) == ["mid", "new"]


def test_the_upload_budget_comes_back_an_hour_after_each_upload() -> None:
    from dancecoach.api.limits import HourlyLimit
    from dancecoach.errors import RateLimitedError

    now = [0.0]
    limit = HourlyLimit(2, "uploads", clock=lambda: now[0])
    limit.take("alice")
    now[0] = 1800.0
    limit.take("alice")
    limit.take("bob")  # budgets are per user
    with pytest.raises(RateLimitedError, match="about 30 minutes"):
        limit.take("alice")
    now[0] = 3600.5  # the first upload is an hour old
    limit.take("alice")
    with pytest.raises(RateLimitedError):
        limit.take("alice")


def test_the_servers_cleanup_round_applies_the_quota_and_the_pose_cache_cap(
    client: TestClient, runtime: Runtime, reference_id: str
) -> None:
    """What the server runs every minute (run_cleanup_loop), in one round."""
    from dancecoach.library.pose_cache import cache_dir
    from dancecoach.practice.retention import clean_up

    finished = _create(client, reference_id)
    _dance(client, finished, [0.5 + i * 0.1 for i in range(10)])
    client.post(f"/api/sessions/{finished}/finalize")
    cached = cache_dir(runtime.settings) / "old.npz"
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(b"x" * 2000)
    tight = runtime.settings.model_copy(
        update={"learner_frames_quota_mb": 1e-6, "pose_cache_max_mb": 0.001}
    )
    clean_up(tight, runtime.session_store, runtime.frame_store, runtime.objects)
    assert folder_bytes(runtime.layout.session_dir(finished)) == 0
    assert not cached.exists()
