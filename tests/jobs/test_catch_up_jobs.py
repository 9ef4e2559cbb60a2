"""The library's start-up catch-up (beats, playable copies with sound) as jobs: an instance only
finds the references that need it and queues one job each; a `dancecoach worker` does the work,
and doing it again does nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.jobs.queue import CATCH_UP_TASK, libpq_url
from dancecoach.library.catch_up import CaughtUp, catch_up_reference, references_to_catch_up
from dancecoach.library.music import BEATS_VERSION
from dancecoach.library.playable import SILENT_PLAYABLE_NAME
from dancecoach.practice.assembly import Services, build_services
from dancecoach.runtime import Runtime
from dancecoach.storage.beat_store import BeatStore
from dancecoach.storage.database import Database
from dancecoach.storage.files import DataLayout
from dancecoach.storage.migrate import upgrade_to_head
from dancecoach.storage.objects import object_store
from tests.api.fakes import reference_sequence, write_video
from tests.api.test_music import _beats
from tests.api.test_postgres import postgres_url  # noqa: F401  (the fixture)
from tests.footage import footage
from tests.jobs.test_job_queue import _settings, _worker

pytestmark = pytest.mark.exclusive  # workers are timed by heartbeats

EIGHTS_PER_SECTION = 2


@contextmanager
def _library(settings: Settings) -> Iterator[tuple[Services, DataLayout, Database]]:
    """The services as a worker builds them, without a server."""
    layout = DataLayout(settings.data_dir)
    layout.ensure()
    db = Database.from_settings(settings)
    upgrade_to_head(db.engine)
    executor = ThreadPoolExecutor(1)
    try:
        yield build_services(settings, db, object_store(settings, layout), executor), layout, db
    finally:
        executor.shutdown(wait=True)
        db.dispose()


def test_only_references_that_need_catching_up_are_found_and_a_second_catch_up_does_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    with _library(settings) as (services, layout, db):
        references, music = services.references, services.music

        def ready(name: str) -> str:
            video = write_video(tmp_path / f"{name}.avi")
            return references.register_ready(video, reference_sequence(), name=name).id

        never_analysed = ready("never-analysed")
        current = ready("current")
        music.analyse(current, references.video_path(current), None)
        stale = ready("stale")
        BeatStore(db).put(
            stale, version=BEATS_VERSION - 1, tempo_bpm=None, beat_times_s=[], downbeat=0
        )
        # A silent copy from an earlier version, and no beats either: found once.
        silent_copy = ready("silent-copy")
        (layout.reference_dir(silent_copy) / SILENT_PLAYABLE_NAME).write_bytes(b"silent WebM")
        processing = ready("processing")
        services.reference_store.update(processing, status="processing")

        found = references_to_catch_up(references, music)
        assert sorted(found) == sorted([never_analysed, stale, silent_copy])

        done = {
            reference_id: catch_up_reference(references, music, reference_id, EIGHTS_PER_SECTION)
            for reference_id in found
        }
        assert done == {
            never_analysed: CaughtUp(beats_analysed=True, sound_restored=False),
            stale: CaughtUp(beats_analysed=True, sound_restored=False),
            silent_copy: CaughtUp(beats_analysed=True, sound_restored=True),
        }
        assert references.playback_key(silent_copy).endswith("/playable.mp4")
        assert references_to_catch_up(references, music) == []
        # A retried or repeated job finds everything current; a processing one is not touched.
        for reference_id in [*found, current, processing]:
            repeat = catch_up_reference(references, music, reference_id, EIGHTS_PER_SECTION)
            assert repeat == CaughtUp(beats_analysed=False, sound_restored=False)
        assert not music.is_current(processing)


def _catch_up_jobs(settings: Settings) -> list[tuple[str, int]]:
    """(status, attempts) of every catch-up job, oldest first."""
    with psycopg.connect(libpq_url(settings.resolved_database_url)) as connection:
        rows = connection.execute(
            "SELECT status::text, attempts FROM procrastinate_jobs WHERE task_name = %s "
            "ORDER BY id",
            (CATCH_UP_TASK,),
        ).fetchall()
    return [(str(status), int(attempts)) for status, attempts in rows]


def test_a_reference_without_beats_gets_them_from_a_worker_after_an_instance_starts(
    postgres_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, postgres_url)
    video = footage("pairs/cannibal_duet_left.mp4")
    with TestClient(create_app(settings, demo_reference=False)) as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        runtime.preprocess_pool.submit(lambda: None).result(timeout=60)  # its start-up is over
        # Added as references were before beat analysis existed: ready, never analysed.
        song = runtime.references.register_ready(video, reference_sequence(), name="Song")
        assert _catch_up_jobs(settings) == []  # the library was empty when it started

    with TestClient(create_app(settings, demo_reference=False)) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        # The start-up work runs on the one preprocessing thread: this waits for all of it.
        runtime.preprocess_pool.submit(lambda: None).result(timeout=60)
        assert _catch_up_jobs(settings) == [("todo", 0)]
        # The instance queued the work and did none of it.
        assert _beats(client, song.id)["beats"] == []
        assert not runtime.music.is_current(song.id)
        assert client.get(f"/api/references/{song.id}/sections").json() == []
        # Queued once, however many instances start.
        assert runtime.jobs is not None
        runtime.jobs.defer_catch_up(song.id)
        assert _catch_up_jobs(settings) == [("todo", 0)]

        log = tmp_path / "worker.log"
        with _worker(settings, log) as worker:
            deadline = time.monotonic() + 180
            while [status for status, _ in _catch_up_jobs(settings)] != ["succeeded"]:
                assert worker.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        assert _catch_up_jobs(settings) == [("succeeded", 1)]
        assert "beats analysed: True" in log.read_text()
        # This instance serves what the worker found (it kept no empty grid meanwhile).
        beats = _beats(client, song.id)
        assert beats["tempo_bpm"] is not None and len(beats["beats"]) >= 16
        sections = client.get(f"/api/references/{song.id}/sections").json()
        assert sections and all(section["suggested"] for section in sections)

    # Caught up: the next start queues nothing more.
    with TestClient(create_app(settings, demo_reference=False)) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        runtime.preprocess_pool.submit(lambda: None).result(timeout=60)
        assert _catch_up_jobs(settings) == [("succeeded", 1)]
