"""What lets several server instances share sessions: answered frames are stored before the
answer (durable_frames), and the health endpoint tells a balancer (or an operator) the load
and which instance streams a session."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.runtime import Runtime
from tests.api.fakes import GREY, FakeTracker, jpeg, reference_sequence, write_video
from tests.api.wsclient import frame_binary, receive, receive_type


@pytest.fixture
def durable_client(settings: Settings) -> TestClient:
    durable = settings.model_copy(update={"durable_frames": True, "max_live_sessions": 4})
    reference = reference_sequence()
    return TestClient(
        create_app(durable, tracker_factory=lambda: FakeTracker(reference), demo_reference=False)
    )


def test_every_answered_frame_is_already_stored_and_health_names_the_stream(
    durable_client: TestClient, tmp_path: Path
) -> None:
    with durable_client as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        video = write_video(tmp_path / "routine.avi")
        reference_id = runtime.references.register_ready(
            video, reference_sequence(), name="Routine"
        ).id
        session_id = client.post(
            "/api/sessions/create", json={"reference_video_id": reference_id}
        ).json()["session_id"]
        idle = client.get("/api/health", params={"session": session_id}).json()
        assert idle["serving"] is False and idle["load"] == 0.0 and idle["live_capacity"] == 4
        with client.websocket_connect(f"/ws/{session_id}") as ws:
            receive(ws)
            for answered in range(1, 13):
                ws.send_bytes(frame_binary(jpeg(GREY), 0.5 + answered * 0.1))
                receive_type(ws, "frame_result")
                # Stored before it was answered: a server killed now would have kept it.
                assert runtime.frame_store.count(session_id) == answered
            health = client.get("/api/health", params={"session": session_id}).json()
            assert health["serving"] is True
            assert health["active_streams"] == 1 and health["load"] == 0.25
            assert (
                client.get("/api/health", params={"session": "f" * 32}).json()["serving"] is False
            )


def test_behind_a_balancer_a_full_instance_refuses_the_handshake_with_503(
    settings: Settings, tmp_path: Path
) -> None:
    from starlette.testclient import WebSocketDenialResponse

    full = settings.model_copy(update={"behind_balancer": True, "max_live_sessions": 1})
    reference = reference_sequence()
    app = create_app(full, tracker_factory=lambda: FakeTracker(reference), demo_reference=False)
    with TestClient(app) as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        video = write_video(tmp_path / "routine.avi")
        reference_id = runtime.references.register_ready(
            video, reference_sequence(), name="Routine"
        ).id
        create = {"reference_video_id": reference_id}
        first = client.post("/api/sessions/create", json=create).json()["session_id"]
        second = client.post("/api/sessions/create", json=create).json()["session_id"]
        with client.websocket_connect(f"/ws/{first}") as ws:
            receive(ws)
            with pytest.raises(WebSocketDenialResponse) as refused:
                client.websocket_connect(f"/ws/{second}").__enter__()
            assert refused.value.status_code == 503
            assert refused.value.json()["code"] == "server_full"
            # The session already streaming here may still reconnect (a takeover).
            with client.websocket_connect(f"/ws/{first}") as again:
                assert receive(again)["type"] == "state"
