"""`dancecoach worker`: a process that runs the queue's jobs (reference preprocessing, the
rendering of finalized sessions' replay clips and the start-up catch-up of references, from
every queue).

Each worker runs one job at a time (pose extraction already uses several threads), sends a
heartbeat every Settings.job_heartbeat_s, and puts back the jobs of workers that stopped
beating for three heartbeats (killed, out of memory, their machine gone): another worker then
runs them again from the start, which is safe because the work is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from dancecoach.config import Settings
from dancecoach.jobs.queue import QUEUES, JobQueue
from dancecoach.library.catch_up import catch_up_reference
from dancecoach.practice.assembly import build_services
from dancecoach.storage.database import Database
from dancecoach.storage.files import DataLayout
from dancecoach.storage.migrate import upgrade_to_head
from dancecoach.storage.objects import object_store

log = logging.getLogger(__name__)

STALLED_AFTER_HEARTBEATS = 3


async def run_worker(settings: Settings) -> None:
    """Run jobs until cancelled (Ctrl-C, SIGTERM)."""
    layout = DataLayout(settings.data_dir)
    layout.ensure()
    db = Database.from_settings(settings)
    upgrade_to_head(db.engine)
    objects = object_store(settings, layout)
    unused = ThreadPoolExecutor(1)  # preprocessing runs in the job itself, not in a pool
    services = build_services(settings, db, objects, unused)
    queue = JobQueue(settings, worker=True)
    await asyncio.to_thread(queue.ensure_schema)

    def render_clips(session_id: str) -> None:
        rendered = services.sessions.clip_renderer.render_missing(session_id)
        log.info("session %s: rendered clips %s", session_id, rendered)

    def catch_up(reference_id: str) -> None:
        done = catch_up_reference(
            services.references, services.music, reference_id, settings.eights_per_section
        )
        log.info(
            "reference %s: caught up (beats analysed: %s, sound restored: %s)",
            reference_id,
            done.beats_analysed,
            done.sound_restored,
        )

    queue.handle(
        preprocess=services.references.preprocess, render_clips=render_clips, catch_up=catch_up
    )
    stalled_after = settings.job_heartbeat_s * STALLED_AFTER_HEARTBEATS
    try:
        async with queue.app.open_async():
            reaper = asyncio.create_task(queue.retry_stalled_forever(stalled_after))
            try:
                log.info("worker ready (queues %s)", ", ".join(QUEUES))
                await queue.app.run_worker_async(
                    queues=list(QUEUES),
                    concurrency=1,
                    update_heartbeat_interval=settings.job_heartbeat_s,
                    stalled_worker_timeout=stalled_after,
                    install_signal_handlers=True,
                )
            finally:
                reaper.cancel()
    finally:
        unused.shutdown(wait=False)
        db.dispose()
