"""The same server on PostgreSQL: migrations, live sessions, the library, progress, restarts.

DANCECOACH_TEST_POSTGRES_URL names a database (postgresql+psycopg://user:pw@host:port/db) whose
role may create databases; `scripts/postgres_test_db.sh` sets one up and prints it. Each test
gets a fresh database of its own, dropped afterwards, so test order does not matter. Without
the URL the tests skip; under DANCECOACH_REQUIRE_POSTGRES=1 (CI sets it) they fail instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import URL, Engine, create_engine, inspect, make_url, text

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.practice.retention import purge_expired_frames
from dancecoach.runtime import Runtime
from dancecoach.storage.database import create_db_engine
from dancecoach.storage.migrate import alembic_config, upgrade_to_head
from dancecoach.storage.models import Base
from tests.api.fakes import GREY, WHITE, FakeTracker, jpeg, reference_sequence, write_video
from tests.api.polling import wait_until_settled
from tests.api.wsclient import frame_binary, receive, receive_type

# Test databases run in a zone far from UTC, as a server set up outside UTC would.
_SERVER_TIME_ZONE = "America/St_Johns"


def _admin_url() -> URL:
    value = os.environ.get("DANCECOACH_TEST_POSTGRES_URL")
    if not value:
        message = "DANCECOACH_TEST_POSTGRES_URL is not set (scripts/postgres_test_db.sh makes one)"
        if os.environ.get("DANCECOACH_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (DANCECOACH_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    return make_url(value)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty database for this test only (dropped afterwards, even if still in use)."""
    admin_url = _admin_url()
    name = f"{admin_url.database}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            # template0 and UTF8: independent of the cluster's locale and of template1.
            connection.execute(
                text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'")
            )
            connection.execute(
                text(f"ALTER DATABASE \"{name}\" SET TimeZone = '{_SERVER_TIME_ZONE}'")
            )
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        openai_api_key=None,
        openai_base_url=None,
    )


def _app_client(settings: Settings) -> TestClient:
    """A server on the settings' database; `with` starts it (migrations) and stops it."""
    reference = reference_sequence()
    app = create_app(settings, tracker_factory=lambda: FakeTracker(reference), demo_reference=False)
    return TestClient(app)


def _runtime(client: TestClient) -> Runtime:
    value: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return value


def _ready_reference(client: TestClient, tmp_path: Path, name: str = "PG") -> str:
    video = write_video(tmp_path / f"{uuid.uuid4().hex}.avi")
    return _runtime(client).references.register_ready(video, reference_sequence(), name=name).id


def _create_session(client: TestClient, reference_id: str) -> str:
    response = client.post("/api/sessions/create", json={"reference_video_id": reference_id})
    assert response.status_code == 201, response.text
    value: str = response.json()["session_id"]
    return value


def _dance(client: TestClient, session_id: str, times: list[float], colour: int = GREY) -> None:
    """Stream one frame per dance time, waiting for each result."""
    with client.websocket_connect(f"/ws/{session_id}") as ws:
        receive(ws)
        for timestamp in times:
            ws.send_bytes(frame_binary(jpeg(colour), timestamp))
            receive_type(ws, "frame_result")


def _times(start_s: float, count: int) -> list[float]:
    return [round(start_s + index * 0.1, 3) for index in range(count)]


def _is_utc(stamp: str) -> bool:
    return datetime.fromisoformat(stamp).utcoffset() == UTC.utcoffset(None)


# Migrations ------------------------------------------------------------------------------


def _schema(engine: Engine) -> dict[str, list[tuple[str, str]]]:
    inspector = inspect(engine)
    return {
        table: [(c["name"], str(c["type"])) for c in inspector.get_columns(table)]
        for table in inspector.get_table_names()
    }


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _model_differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def test_migrations_build_the_models_schema_and_a_second_run_changes_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    engine = create_db_engine(_settings(tmp_path, postgres_url))
    try:
        assert inspect(engine).get_table_names() == []
        upgrade_to_head(engine)
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert _current_revision(engine) == head
        assert set(_schema(engine)) == set(Base.metadata.tables) | {"alembic_version"}
        # Models and migrations agree on PostgreSQL: autogenerate would find nothing to do.
        assert _model_differences(engine) == []
        before = _schema(engine)
        upgrade_to_head(engine)
        assert _current_revision(engine) == head
        assert _schema(engine) == before
    finally:
        engine.dispose()


def test_migrations_downgrade_to_empty_and_upgrade_again(postgres_url: str, tmp_path: Path) -> None:
    from alembic import command

    engine = create_db_engine(_settings(tmp_path, postgres_url))
    try:
        upgrade_to_head(engine)
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(_schema(engine)) == {"alembic_version"}
        upgrade_to_head(engine)
        assert _model_differences(engine) == []
    finally:
        engine.dispose()


# Each process connects, says "ready", and upgrades once told to go: they all start together.
_MIGRATE_ON_GO = """
import sys
from sqlalchemy import create_engine
import dancecoach.storage.database, dancecoach.storage.models, alembic.command
from dancecoach.storage.migrate import upgrade_to_head
engine = create_engine(sys.argv[1])
engine.connect().close()
print("ready", flush=True)
sys.stdin.readline()
upgrade_to_head(engine)
"""


def test_servers_starting_together_migrate_an_empty_database_once(
    postgres_url: str, tmp_path: Path
) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _MIGRATE_ON_GO, postgres_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in processes:
        _, errors = process.communicate(timeout=60)
        assert process.returncode == 0, errors
    engine = create_db_engine(_settings(tmp_path, postgres_url))
    try:
        assert _model_differences(engine) == []
    finally:
        engine.dispose()


# Live sessions ---------------------------------------------------------------------------


def test_live_session_round_trip_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    with _app_client(_settings(tmp_path, postgres_url)) as client:
        runtime = _runtime(client)
        assert runtime.db.backend == "postgresql"
        assert client.get("/api/health").json()["database"] == "postgresql"
        reference_id = _ready_reference(client, tmp_path)
        session_id = _create_session(client, reference_id)
        with client.websocket_connect(f"/ws/{session_id}") as ws:
            receive(ws)
            for index in range(30):
                colour = WHITE if index >= 15 else GREY
                ws.send_bytes(frame_binary(jpeg(colour), 1.0 + index * 0.1))
                receive_type(ws, "frame_result")
        # GET stores what the stream still buffers; rows come back as they went in.
        assert client.get(f"/api/sessions/{session_id}").json()["frames_scored"] == 30
        frames = runtime.frame_store.frames(session_id)
        assert [f.seq for f in frames] == list(range(30))
        first = frames[0]
        assert first.landmarks is not None
        assert np.frombuffer(first.landmarks, dtype="<f4").shape == (33 * 4,)
        assert first.part_scores and all(isinstance(v, float) for v in first.part_scores.values())
        assert first.received_at.utcoffset() == UTC.utcoffset(None)
        assert any(f.errors for f in frames[15:])
        report = client.post(f"/api/sessions/{session_id}/finalize").json()
        assert report["analytics"]["total_frames"] == 30
        assert report["overall_accuracy"] is not None
        assert client.get(f"/api/sessions/{session_id}/report").json() == report
        summary = client.get(f"/api/sessions/{session_id}").json()
        assert summary["status"] == "finalized"
        assert _is_utc(summary["created_at"]) and _is_utc(summary["finalized_at"])
        # Retention compares stored times with now and clears the image columns.
        zero = runtime.settings.model_copy(update={"frame_retention_hours": 0.0})
        purged = purge_expired_frames(
            zero, runtime.session_store, runtime.frame_store, runtime.objects
        )
        assert purged == [session_id]
        assert all(f.image_file is None for f in runtime.frame_store.frames(session_id))
        assert client.get(f"/api/sessions/{session_id}/report").json() == report
        assert client.delete(f"/api/references/{reference_id}").status_code == 204
        assert client.get(f"/api/sessions/{session_id}").status_code == 404


# The library -----------------------------------------------------------------------------


def test_reference_upload_list_rename_sections_and_delete_over_rest(
    postgres_url: str, tmp_path: Path
) -> None:
    with _app_client(_settings(tmp_path, postgres_url)) as client:
        video = write_video(tmp_path / "empty_room.avi", seconds=1.0)
        with video.open("rb") as stream:
            response = client.post(
                "/api/references",
                files={"file": ("빈 방.avi", stream, "video/x-msvideo")},
                data={"name": "빈 방 💃"},
            )
        assert response.status_code == 202, response.text
        uploaded = response.json()["reference_video_id"]
        # Preprocessing stores its progress, then the failure and its reason.
        settled = wait_until_settled(client, uploaded)
        assert settled["status"] == "failed"
        assert "person" in settled["failure_reason"].lower()
        assert settled["name"] == "빈 방 💃"
        assert _is_utc(settled["created_at"])

        ready = _ready_reference(client, tmp_path, name="Routine")
        listed = [r["reference_video_id"] for r in client.get("/api/references").json()]
        assert listed == [ready, uploaded]  # newest first
        # The longest name allowed, in characters that take three bytes each.
        renamed = client.patch(f"/api/references/{ready}", json={"name": "춤" * 200})
        assert renamed.status_code == 200, renamed.text
        assert client.get(f"/api/references/{ready}").json()["name"] == "춤" * 200

        sections = f"/api/references/{ready}/sections"
        chorus = client.post(sections, json={"title": "Chorus", "start_s": 2.0, "end_s": 4.0})
        intro = client.post(sections, json={"title": "Intro", "start_s": 0.0, "end_s": 2.0})
        assert chorus.status_code == intro.status_code == 201
        assert [s["title"] for s in client.get(sections).json()] == ["Intro", "Chorus"]
        assert client.delete(f"{sections}/{intro.json()['id']}").status_code == 204
        assert [s["title"] for s in client.get(sections).json()] == ["Chorus"]

        folder = _runtime(client).layout.reference_dir(uploaded)
        for reference_id in (uploaded, ready):
            assert client.delete(f"/api/references/{reference_id}").status_code == 204
            assert client.get(f"/api/references/{reference_id}").status_code == 404
        assert client.get("/api/references").json() == []
        assert not folder.exists()


def test_progress_counts_attempts_across_sessions(postgres_url: str, tmp_path: Path) -> None:
    with _app_client(_settings(tmp_path, postgres_url)) as client:
        reference_id = _ready_reference(client, tmp_path)
        first = _create_session(client, reference_id)
        _dance(client, first, _times(1.0, 20), WHITE)
        # PostgreSQL text cannot hold NUL: the title is cleaned like section names.
        title = {"title": "Verse\x001"}
        worse = client.post(f"/api/sessions/{first}/complete-section", json=title)
        assert worse.status_code == 200, worse.text
        second = _create_session(client, reference_id)
        _dance(client, second, _times(1.0, 20))
        better = client.post(f"/api/sessions/{second}/complete-section").json()
        progress = client.get(f"/api/references/{reference_id}/progress").json()
        assert progress["sessions"] == 2
        assert [a["session_id"] for a in progress["attempts"]] == [first, second]
        assert progress["attempts"][0]["title"] == worse.json()["title"] == "Verse 1"
        assert all(_is_utc(a["created_at"]) for a in progress["attempts"])
        assert progress["best_accuracy"] == better["overall_accuracy"]
        assert progress["latest_accuracy"] == better["overall_accuracy"]
        assert progress["body_part_change"]["left_arm"] > 0


# Restarts --------------------------------------------------------------------------------


def test_a_restarted_server_continues_the_session_and_finalizes_it(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, postgres_url)
    with _app_client(settings) as client:
        reference_id = _ready_reference(client, tmp_path)
        session_id = _create_session(client, reference_id)
        _dance(client, session_id, _times(1.0, 15), WHITE)
        first = client.post(f"/api/sessions/{session_id}/complete-section").json()
        _dance(client, session_id, _times(2.5, 10))
        before = client.get(f"/api/sessions/{session_id}").json()

    # A second server on the same database and data folder (migrations again: a no-op).
    with _app_client(settings) as client:
        after = client.get(f"/api/sessions/{session_id}").json()
        assert after == before
        assert after["frames_scored"] == 25 and after["sections_completed"] == 1
        assert client.get(f"/api/sessions/{session_id}/sections").json() == [first]
        # The stream resumes where it stopped; new frames get the next seq and row ids.
        with client.websocket_connect(f"/ws/{session_id}") as ws:
            state = receive(ws)
            assert state["frames_scored"] == 25
            assert state["last_timestamp"] == pytest.approx(3.4)
            for timestamp in _times(3.5, 10):
                ws.send_bytes(frame_binary(jpeg(GREY), timestamp))
                receive_type(ws, "frame_result")
        assert client.get(f"/api/sessions/{session_id}").json()["frames_scored"] == 35
        frames = _runtime(client).frame_store.frames(session_id)
        assert [f.seq for f in frames] == list(range(35))
        assert len({f.id for f in frames}) == 35

        final = client.post(f"/api/sessions/{session_id}/finalize")
        assert final.status_code == 200, final.text
        report = final.json()
        assert report["analytics"]["total_frames"] == 35
        assert [s["section_number"] for s in report["sections"]] == [1, 2]
        assert client.get(f"/api/sessions/{session_id}/report").json() == report
        for segment in report["problem_segments"]:
            assert client.get(segment["video_clip"]).status_code == 200
        progress = client.get(f"/api/references/{reference_id}/progress").json()
        assert [a["section_number"] for a in progress["attempts"]] == [1, 2]

    # And a third sees the finalized report unchanged.
    with _app_client(settings) as client:
        assert client.get(f"/api/sessions/{session_id}/report").json() == report
