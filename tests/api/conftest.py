"""An app with the real server stack and a fake pose tracker, plus a ready synthetic reference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.runtime import Runtime
from tests.api.fakes import FakeTracker, reference_sequence, write_video


@pytest.fixture
def trackers() -> list[FakeTracker]:
    """Every tracker the app created, in order."""
    return []


@pytest.fixture
def client(settings: Settings, trackers: list[FakeTracker]) -> Iterator[TestClient]:
    reference = reference_sequence()

    def make_tracker() -> FakeTracker:
        tracker = FakeTracker(reference)
        trackers.append(tracker)
        return tracker

    app = create_app(settings, tracker_factory=make_tracker, demo_reference=False)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def runtime(client: TestClient) -> Runtime:
    value: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return value


@pytest.fixture
def reference_id(runtime: Runtime, tmp_path: Path) -> str:
    """A ready reference: a small video with the synthetic routine's known poses."""
    video = write_video(tmp_path / "routine.avi")
    return runtime.references.register_ready(video, reference_sequence(), name="Routine").id


@pytest.fixture
def session_id(client: TestClient, reference_id: str) -> str:
    response = client.post("/api/sessions/create", json={"reference_video_id": reference_id})
    assert response.status_code == 201, response.text
    value: str = response.json()["session_id"]
    return value
