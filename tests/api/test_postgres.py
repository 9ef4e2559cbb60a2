"""The same server on PostgreSQL, when a test database is configured.

Set DANCECOACH_TEST_POSTGRES_URL (e.g. postgresql+psycopg://user:pw@127.0.0.1/dancecoach_test,
an empty database the test may fill) and install a driver (psycopg); skipped otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from tests.api.fakes import GREY, WHITE, FakeTracker, jpeg, reference_sequence, write_video
from tests.api.wsclient import frame_binary, receive, receive_type

POSTGRES_URL = os.environ.get("DANCECOACH_TEST_POSTGRES_URL")

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="DANCECOACH_TEST_POSTGRES_URL is not set")


def test_live_session_round_trip_on_postgresql(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=POSTGRES_URL, openai_api_key=None)
    reference = reference_sequence()
    app = create_app(settings, tracker_factory=lambda: FakeTracker(reference), demo_reference=False)
    with TestClient(app) as client:
        runtime = app.state.runtime
        assert runtime.db.backend == "postgresql"
        video = write_video(tmp_path / "routine.avi")
        reference_id = runtime.references.register_ready(video, reference, name="PG").id
        session_id = client.post(
            "/api/sessions/create", json={"reference_video_id": reference_id}
        ).json()["session_id"]
        with client.websocket_connect(f"/ws/{session_id}") as ws:
            receive(ws)
            for index in range(30):
                colour = WHITE if index >= 15 else GREY
                ws.send_bytes(frame_binary(jpeg(colour), 1.0 + index * 0.1))
                receive_type(ws, "frame_result")
        report = client.post(f"/api/sessions/{session_id}/finalize").json()
        assert report["analytics"]["total_frames"] == 30
        assert report["overall_accuracy"] is not None
        assert client.delete(f"/api/references/{reference_id}").status_code == 204
