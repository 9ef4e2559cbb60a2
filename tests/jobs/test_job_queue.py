"""Reference preprocessing as jobs on the PostgreSQL queue, run by `dancecoach worker`
processes: queued once, progress through the API, retried when a worker is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.jobs.queue import JobQueue, libpq_url
from tests.api.test_postgres import postgres_url  # noqa: F401  (the fixture)
from tests.footage import footage

pytestmark = pytest.mark.exclusive  # workers are killed mid-job and found dead by heartbeats

HEARTBEAT_S = 1.0


def _settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        jobs="queue",
        job_heartbeat_s=HEARTBEAT_S,
        openai_api_key=None,
        openai_base_url=None,
    )


@contextmanager
def _worker(settings: Settings, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    environment = {
        **os.environ,
        "DANCECOACH_DATA_DIR": str(settings.data_dir),
        "DANCECOACH_DATABASE_URL": settings.resolved_database_url,
        "DANCECOACH_JOBS": "queue",
        "DANCECOACH_JOB_HEARTBEAT_S": str(settings.job_heartbeat_s),
        "OPENAI_API_KEY": "",
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dancecoach.cli", "worker"],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _reference(client: TestClient, reference_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/references/{reference_id}").json()
    return body


def _job_rows(settings: Settings) -> list[tuple[str, int]]:
    with psycopg.connect(libpq_url(settings.resolved_database_url)) as connection:
        rows = connection.execute(
            "SELECT status::text, attempts FROM procrastinate_jobs ORDER BY id"
        ).fetchall()
    return [(str(status), int(attempts)) for status, attempts in rows]


def test_the_queue_needs_postgresql(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        JobQueue(Settings(data_dir=tmp_path, jobs="queue"))
    done = subprocess.run(
        [sys.executable, "-m", "dancecoach.cli", "worker"],
        env={**os.environ, "DANCECOACH_DATA_DIR": str(tmp_path), "DANCECOACH_JOBS": "queue"},
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert b"PostgreSQL" in done.stderr


def test_an_upload_waits_for_a_worker_and_a_killed_worker_s_job_is_retried_to_ready(
    postgres_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, postgres_url)
    video = footage("single/griddy.mp4")
    with TestClient(create_app(settings, demo_reference=False)) as client:
        with video.open("rb") as stream:
            created = client.post("/api/references", files={"file": ("dance.mp4", stream)})
        assert created.status_code == 202, created.text
        reference_id = created.json()["reference_video_id"]
        # Queued once, whoever asks again (a restart resuming it, a second server).
        client.app.state.runtime.references.resume_interrupted()  # type: ignore[attr-defined]
        assert _job_rows(settings) == [("todo", 0)]
        # No worker: the server does not do the work itself.
        time.sleep(2)
        assert _reference(client, reference_id)["progress"] == 0.0

        with _worker(settings, tmp_path / "worker-1.log") as first:
            deadline = time.monotonic() + 120
            while _reference(client, reference_id)["progress"] < 0.1:
                assert first.poll() is None, (tmp_path / "worker-1.log").read_text()
                assert time.monotonic() < deadline, "the worker made no progress"
                time.sleep(0.2)
            first.send_signal(signal.SIGKILL)  # mid-extraction, no chance to clean up
            first.wait()
        progress_at_kill = _reference(client, reference_id)["progress"]
        assert _reference(client, reference_id)["status"] == "processing"
        assert 0.1 <= progress_at_kill < 1.0
        assert _job_rows(settings) == [("doing", 0)]

        with _worker(settings, tmp_path / "worker-2.log"):
            deadline = time.monotonic() + 180
            while (body := _reference(client, reference_id))["status"] == "processing":
                assert time.monotonic() < deadline, (tmp_path / "worker-2.log").read_text()
                time.sleep(0.3)
        assert body["status"] == "ready", body
        assert body["progress"] == 1.0
        assert body["thumbnail_url"] is not None
        log = (tmp_path / "worker-2.log").read_text()
        assert "lost its worker: retrying it" in log
        # The retried job succeeded; it is the same job, not a second one.
        [(status, attempts)] = _job_rows(settings)
        assert status == "succeeded" and attempts >= 1
        # And it can be practised.
        session = client.post("/api/sessions/create", json={"reference_video_id": reference_id})
        assert session.status_code == 201, session.text
