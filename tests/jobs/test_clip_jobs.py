"""Replay clips as jobs on the PostgreSQL queue: finalizing a session queues the rendering of
its clips once, a `dancecoach worker` renders them, skipping those whose frames are gone, and
the clip route then serves them without rendering."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.jobs.queue import RENDER_CLIPS_TASK, libpq_url
from dancecoach.practice import clips
from dancecoach.runtime import Runtime
from tests.api.fakes import FakeTracker, reference_sequence, write_video
from tests.api.test_clip_rendering import (
    assert_playable_webm,
    clip_urls,
    dance_two_passes_with_mistakes,
    forget_first_pass_images,
)
from tests.api.test_postgres import postgres_url  # noqa: F401  (the fixture)
from tests.jobs.test_job_queue import _settings, _worker

pytestmark = pytest.mark.exclusive  # workers are killed mid-job and found dead by heartbeats


def _clip_jobs(settings: Settings) -> list[tuple[str, int]]:
    """(status, attempts) of every clip job, oldest first."""
    with psycopg.connect(libpq_url(settings.resolved_database_url)) as connection:
        rows = connection.execute(
            "SELECT status::text, attempts FROM procrastinate_jobs WHERE task_name = %s "
            "ORDER BY id",
            (RENDER_CLIPS_TASK,),
        ).fetchall()
    return [(str(status), int(attempts)) for status, attempts in rows]


def _never_render(*_: object) -> Path:
    raise AssertionError("the instance rendered a clip the worker had rendered")


def test_a_worker_renders_a_finalized_session_s_clips_skipping_those_whose_frames_are_gone(
    postgres_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _settings(tmp_path, postgres_url)
    app = create_app(
        settings, tracker_factory=lambda: FakeTracker(reference_sequence()), demo_reference=False
    )
    with TestClient(app) as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        video = write_video(tmp_path / "routine.avi")
        reference = runtime.references.register_ready(video, reference_sequence(), name="Routine")
        created = client.post("/api/sessions/create", json={"reference_video_id": reference.id})
        assert created.status_code == 201, created.text
        session_id = created.json()["session_id"]

        report = dance_two_passes_with_mistakes(client, session_id)
        # Queued once, however often the session is finalized; nothing rendered yet.
        assert client.post(f"/api/sessions/{session_id}/finalize").json() == report
        assert _clip_jobs(settings) == [("todo", 0)]
        assert not runtime.layout.clip_path(session_id, 1).parent.exists()
        # Retention took the first pass's frames before a worker got to the job.
        forget_first_pass_images(runtime, session_id)

        log = tmp_path / "worker.log"
        with _worker(settings, log) as worker:
            deadline = time.monotonic() + 120
            while [status for status, _ in _clip_jobs(settings)] != ["succeeded"]:
                assert worker.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        assert _clip_jobs(settings) == [("succeeded", 1)]  # ran once, no failure to retry
        assert "rendered clips" in log.read_text()

        monkeypatch.setattr(clips, "render_clip", _never_render)
        for url in clip_urls(report, section_number=2):
            response = client.get(url)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "video/webm"
            assert_playable_webm(response.content, tmp_path)
        for url in clip_urls(report, section_number=1):
            response = client.get(url)
            assert response.status_code == 410
            assert "retention" in response.json()["detail"]
