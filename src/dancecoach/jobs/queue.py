"""The job queue: Procrastinate on the PostgreSQL database the servers already share.

Why Procrastinate on PostgreSQL rather than RQ on Redis: a deployment of several servers needs
PostgreSQL anyway (session state, the library), and a queue in the same database adds no
service to run, back up or secure; a job is queued in the same database that holds the
reference it processes; workers wait on LISTEN/NOTIFY instead of polling; and Procrastinate's
worker heartbeats tell which running jobs lost their worker, so they can be retried.

Three tasks, each on its own queue: preprocessing a reference (long: extraction, the playable
copy, the thumbnail, beat analysis), rendering a finalized session's replay clips (short), and
catching a reference up after an upgrade (its beats, a playable copy with sound), queued by
servers at start-up. A job is named by what it processes, so queueing it twice is harmless:
the queueing lock keeps one waiting job per reference or session, the lock keeps two from
running at once (a reference's catch-up takes the lock of its preprocessing), and the work
itself is idempotent (ReferenceService.preprocess leaves a ready reference alone; poses are
cached by the video's content hash; ClipRenderer.render_missing skips stored clips;
catch_up_reference skips what is current).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import procrastinate
from procrastinate import exceptions as procrastinate_errors
from sqlalchemy import make_url

from dancecoach.config import Settings

log = logging.getLogger(__name__)

PREPROCESS_TASK = "dancecoach.preprocess_reference"
REFERENCES_QUEUE = "references"
RENDER_CLIPS_TASK = "dancecoach.render_clips"
CLIPS_QUEUE = "clips"
CATCH_UP_TASK = "dancecoach.catch_up_reference"
CATCH_UP_QUEUE = "catch-up"
QUEUES = (REFERENCES_QUEUE, CLIPS_QUEUE, CATCH_UP_QUEUE)
# Below the default (0): an upload someone waits for goes before the catch-up of the library
# that a start-up queues, however many of those are waiting.
_CATCH_UP_PRIORITY = -1
# A job that fails (an exception, not a dead worker) is tried this many times in all.
MAX_ATTEMPTS = 3
# Serialises schema creation between servers and workers starting at once.
_SCHEMA_LOCK_ID = 0x64636A6F62  # "dcjob"


def libpq_url(database_url: str) -> str:
    """postgresql+psycopg://... (SQLAlchemy) -> postgresql://... (libpq, for Procrastinate)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            "DANCECOACH_JOBS=queue needs PostgreSQL (DANCECOACH_DATABASE_URL=postgresql+psycopg"
            "://...); the embedded SQLite database runs background work in the server itself."
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class JobQueue:
    """The Procrastinate app of one process (a server that queues, or a worker that runs)."""

    def __init__(self, settings: Settings, *, worker: bool = False) -> None:
        """worker: run jobs (an asyncio worker); otherwise queue them from server threads."""
        self.settings = settings
        conninfo = libpq_url(settings.resolved_database_url)
        connector: procrastinate.PsycopgConnector | procrastinate.SyncPsycopgConnector = (
            procrastinate.PsycopgConnector(conninfo=conninfo)
            if worker
            else procrastinate.SyncPsycopgConnector(conninfo=conninfo)
        )
        self.app = procrastinate.App(connector=connector)
        self._preprocess: Callable[[str], None] | None = None
        self._render_clips: Callable[[str], None] | None = None
        self._catch_up: Callable[[str], None] | None = None
        retry = procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS, wait=2)

        @self.app.task(
            name=PREPROCESS_TASK, queue=REFERENCES_QUEUE, retry=retry, pass_context=False
        )
        def preprocess_reference(reference_id: str) -> None:
            _run(self._preprocess, reference_id)

        @self.app.task(name=RENDER_CLIPS_TASK, queue=CLIPS_QUEUE, retry=retry, pass_context=False)
        def render_clips(session_id: str) -> None:
            _run(self._render_clips, session_id)

        @self.app.task(name=CATCH_UP_TASK, queue=CATCH_UP_QUEUE, retry=retry, pass_context=False)
        def catch_up_reference(reference_id: str) -> None:
            _run(self._catch_up, reference_id)

        self._preprocess_task = preprocess_reference
        self._render_clips_task = render_clips
        self._catch_up_task = catch_up_reference

    def handle(
        self,
        *,
        preprocess: Callable[[str], None],
        render_clips: Callable[[str], None],
        catch_up: Callable[[str], None],
    ) -> None:
        """Run jobs with these functions (a worker): preprocess(reference id),
        render_clips(session id), catch_up(reference id)."""
        self._preprocess = preprocess
        self._render_clips = render_clips
        self._catch_up = catch_up

    def open(self) -> None:
        """Create the queue's tables if need be; a queueing process also opens its pool."""
        self.ensure_schema()
        if isinstance(self.app.connector, procrastinate.SyncPsycopgConnector):
            self.app.open()

    def close(self) -> None:
        if isinstance(self.app.connector, procrastinate.SyncPsycopgConnector):
            self.app.close()

    def ensure_schema(self) -> None:
        """Create Procrastinate's tables once (under an advisory lock: many may start at once)."""
        import psycopg

        with psycopg.connect(libpq_url(self.settings.resolved_database_url)) as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK_ID,))
            try:
                row = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
                if row is None or row[0] is None:
                    connection.execute(self.app.schema_manager.get_schema())
                    connection.commit()
                    log.info("created the job queue's tables")
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK_ID,))

    def defer_preprocess(self, reference_id: str) -> None:
        """Queue preprocessing of a reference (a no-op when one is already waiting)."""
        try:
            # queueing_lock: one waiting job per reference; lock: never two running at once
            # (a retried job and a later request for the same reference).
            self._preprocess_task.configure(
                queueing_lock=f"preprocess:{reference_id}", lock=_reference_lock(reference_id)
            ).defer(reference_id=reference_id)
        except procrastinate_errors.AlreadyEnqueued:
            log.info("preprocessing of %s is already queued", reference_id)

    def defer_clips(self, session_id: str) -> None:
        """Queue rendering of a finalized session's clips (a no-op when one is already waiting)."""
        try:
            # As for preprocessing: one waiting job per session, never two running at once.
            self._render_clips_task.configure(
                queueing_lock=f"clips:{session_id}", lock=f"session:{session_id}"
            ).defer(session_id=session_id)
        except procrastinate_errors.AlreadyEnqueued:
            log.info("the clips of session %s are already queued", session_id)

    def defer_catch_up(self, reference_id: str) -> None:
        """Queue catching a reference up (a no-op when one is already waiting)."""
        try:
            # The lock is the reference's preprocessing lock: a catch-up never runs while the
            # reference is preprocessed (a dancer chosen again), nor two catch-ups at once.
            self._catch_up_task.configure(
                queueing_lock=f"catch-up:{reference_id}",
                lock=_reference_lock(reference_id),
                priority=_CATCH_UP_PRIORITY,
            ).defer(reference_id=reference_id)
        except procrastinate_errors.AlreadyEnqueued:
            log.info("the catch-up of %s is already queued", reference_id)

    def counts(self) -> dict[str, int]:
        """Jobs by status (todo, doing, failed, ...), for the health endpoint."""
        import psycopg

        with psycopg.connect(libpq_url(self.settings.resolved_database_url)) as connection:
            rows = connection.execute(
                "SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status"
            ).fetchall()
        return {str(status): int(count) for status, count in rows}

    async def retry_stalled(self, seconds_since_heartbeat: float) -> int:
        """Put back the running jobs whose worker stopped sending heartbeats (killed, lost)."""
        manager = self.app.job_manager
        stalled = list(
            await manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat)
        )
        for job in stalled:
            log.warning("job %s (%s) lost its worker: retrying it", job.id, job.task_name)
            await manager.retry_job(job)
        await manager.prune_stalled_workers(seconds_since_heartbeat)
        return len(stalled)

    async def retry_stalled_forever(self, seconds_since_heartbeat: float) -> None:
        while True:
            try:
                await self.retry_stalled(seconds_since_heartbeat)
            except Exception:
                log.exception("could not check for stalled jobs")
            await asyncio.sleep(max(seconds_since_heartbeat / 3, 0.5))


def _reference_lock(reference_id: str) -> str:
    """The lock of every job that changes a reference: only one of them runs at a time."""
    return f"reference:{reference_id}"


def _run(work: Callable[[str], None] | None, object_id: str) -> None:
    if work is None:
        raise RuntimeError("this process queues jobs but does not run them")
    work(object_id)
