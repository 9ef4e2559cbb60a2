"""Everything the running server needs, built from the settings and torn down in order.

Three kinds of threads with separate jobs: inference (live pose inference, one thread per
Settings.inference_workers, shared by every session, each driving one analysis process),
preprocessing (reference videos, one at a time since extraction itself uses several workers)
and I/O (database and files), so that disk waits never hold up inference and inference never
holds up the database. Browser-pose streams need no inference: their landmarks are scored on
the event loop, in batches (live/batching.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor

from dancecoach.accounts.service import AccountService
from dancecoach.config import Settings
from dancecoach.estimation.models import BrowserModelBundle
from dancecoach.jobs.queue import JobQueue
from dancecoach.library.catch_up import references_to_catch_up
from dancecoach.library.music import WARM_UP_DONE, catch_up, warm_up_in_background
from dancecoach.live.analysis import (
    AnalyzerFactory,
    FrameAnalyzer,
    FrameLimits,
    ImageDecoder,
    TrackerFactory,
    default_decoder,
    live_tracker_factory,
    pose_only_analyzers,
)
from dancecoach.live.batching import BatchScorer
from dancecoach.live.registry import LiveRegistry
from dancecoach.live.scheduler import InferenceScheduler
from dancecoach.live.workers.pool import AnalysisProcessPool
from dancecoach.live.workers.pose_scoring import PoseScoringPool
from dancecoach.memory.gc_pauses import freeze_startup_objects
from dancecoach.pose.sequence import PoseSequence
from dancecoach.practice.assembly import build_services
from dancecoach.practice.retention import run_cleanup_loop
from dancecoach.scoring.compiled_credit import warm_up as warm_up_live_judgement
from dancecoach.storage.database import Database
from dancecoach.storage.files import DataLayout
from dancecoach.storage.migrate import upgrade_to_head
from dancecoach.storage.objects import object_store
from dancecoach.storage.users import UserStore

log = logging.getLogger(__name__)

_IO_WORKERS = 8
# Longest wait for start-up's background work before freezing what exists anyway.
_WARM_UP_TIMEOUT_S = 300.0


class Runtime:
    def __init__(
        self,
        settings: Settings,
        *,
        decode: ImageDecoder | None = None,
        tracker_factory: TrackerFactory | None = None,
        demo_reference: bool = True,
    ) -> None:
        self.settings = settings
        self.layout = DataLayout(settings.data_dir)
        self.layout.ensure()
        self.objects = object_store(settings, self.layout)
        self.db = Database.from_settings(settings)
        upgrade_to_head(self.db.engine)
        self.analysis_pool: AnalysisProcessPool | None = None
        analyzer_factory: AnalyzerFactory
        in_processes = settings.inference_processes and decode is None and tracker_factory is None
        # Two threads a process keep its next frame waiting in the pipe (see live/scheduler.py).
        self.inference = InferenceScheduler(
            settings.inference_workers, threads_per_lane=2 if in_processes else 1
        )
        if in_processes:
            self.analysis_pool = AnalysisProcessPool(
                settings.inference_workers,
                FrameLimits.from_settings(settings),
                pin_cpus=settings.inference_pin_cpus,
                precision=settings.live_pose_model,
            )
            analyzer_factory = self.analysis_pool.analyzer
        else:
            # In this process: test doubles for the decoder or tracker cannot cross processes.
            analyzer_factory = _in_process_analyzers(
                decode or default_decoder(settings),
                tracker_factory or live_tracker_factory(settings.live_pose_model),
            )
        # Browser-pose streams send landmarks: scored in batches, by a scoring process
        # (live/workers/pose_scoring.py) or, with analysis in threads, on the event loop.
        self.scoring: PoseScoringPool | BatchScorer
        browser_analyzers: AnalyzerFactory
        if in_processes:
            # The event loop keeps a core's share (it reads, stores and answers every frame);
            # the scoring processes get the rest. On 2 cores one process held 150 sessions
            # within p95 50 ms, two fewer (they shared the loop's core; see the README).
            self.scoring = PoseScoringPool(processes=max(1, len(os.sched_getaffinity(0)) - 1))
            browser_analyzers = self.scoring.analyzer
        else:
            self.scoring, browser_analyzers = BatchScorer(), pose_only_analyzers
        self.preprocess_pool = ThreadPoolExecutor(1, thread_name_prefix="preprocess")
        self.io_pool = ThreadPoolExecutor(_IO_WORKERS, thread_name_prefix="io")
        self.accounts = AccountService(UserStore(self.db), settings.auth_session_days)
        services = build_services(settings, self.db, self.objects, self.preprocess_pool)
        self.references = services.references
        self.music = services.music
        self.sessions = services.sessions
        self.reference_store = services.reference_store
        self.session_store = services.session_store
        self.frame_store = services.frame_store
        # With a job queue, preprocessing and clip rendering run in `dancecoach worker`
        # processes, not here; without one, clips are rendered on their first request.
        self.jobs: JobQueue | None = None
        if settings.jobs == "queue":
            self.jobs = JobQueue(settings)
            self.references.queue_preprocessing = self.jobs.defer_preprocess
            self.sessions.queue_clips = self.jobs.defer_clips
        self.live = LiveRegistry(
            self.references,
            self.sessions,
            self.session_store,
            self.frame_store,
            self.objects,
            scheduler=self.inference,
            io=self.io_pool,
            analyzer_factory=analyzer_factory,
            browser_scheduler=self.scoring,
            browser_analyzer_factory=browser_analyzers,
            max_streams=settings.max_live_sessions,
            durable_frames=settings.durable_frames,
            max_browser_streams=settings.max_browser_pose_sessions,
            beats=self.music.grid,
        )
        # The pose model the learner's browser runs (browser pose mode), built in the background.
        self.browser_model = BrowserModelBundle()
        self._demo_reference = demo_reference
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Resume interrupted preprocessing, add the demo, catch the library up (or queue it),
        start the cleanup loop."""
        if self.analysis_pool is not None:
            self.analysis_pool.start()
        self.inference.start()
        self.scoring.start()
        # Live frames judged on this process's loop (no analysis processes) need the kernel.
        await asyncio.to_thread(warm_up_live_judgement)
        if self.jobs is not None:
            await asyncio.to_thread(self.jobs.open)
        resumed = self.references.resume_interrupted()
        if resumed:
            log.info("resumed preprocessing of %d references", resumed)
        demo = self.preprocess_pool.submit(self._ensure_demo) if self._demo_reference else None
        warm_up_in_background()
        if self.settings.live_pose != "server":  # else the page never runs the pose model
            self.browser_model.start()
        if self.jobs is not None:
            # The workers catch the library up; this instance only says which references need it.
            self.preprocess_pool.submit(self._queue_catch_up, self.jobs)
        else:
            self.preprocess_pool.submit(self._catch_up_music)
            self.preprocess_pool.submit(self._replace_silent_copies)
        self._tasks.append(
            asyncio.create_task(
                run_cleanup_loop(
                    self.settings,
                    self.session_store,
                    self.frame_store,
                    self.objects,
                    self.live.ids,
                ),
                name="frame-retention",
            )
        )
        freeze_startup_objects()
        self._tasks.append(
            asyncio.create_task(self._freeze_when_warm(demo), name="freeze-after-warm-up")
        )

    async def _freeze_when_warm(self, demo: Future[None] | None) -> None:
        """Freeze again once start-up's background work is done: librosa's kernels, the demo
        and the browser's model bundle more than double the objects a full collection walks
        (~430k in all), and at 100 browser-pose sessions its pauses reached 40-350 ms."""

        def warm() -> bool:
            return (
                WARM_UP_DONE.is_set()
                and (demo is None or demo.done())
                and (self.settings.live_pose == "server" or self.browser_model.wait(0.0))
            )

        # Polled (cancellable at shutdown), where waiting in a thread would hold shutdown up.
        deadline = asyncio.get_running_loop().time() + _WARM_UP_TIMEOUT_S
        while not warm() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.5)
        freeze_startup_objects()

    def _ensure_demo(self) -> None:
        try:
            # Servers starting together on one database must not each add a demo.
            with self.db.exclusive("dancecoach.demo"):
                self.references.ensure_demo()
        except Exception:
            log.exception("could not build the demo reference")

    def _queue_catch_up(self, jobs: JobQueue) -> None:
        """One catch-up job per reference that needs one (after the demo: it needs its beats)."""
        try:
            pending = references_to_catch_up(self.references, self.music)
            for reference_id in pending:
                jobs.defer_catch_up(reference_id)
        except Exception:
            log.exception("could not queue the catch-up of the library")
            return
        if pending:
            log.info("queued the catch-up of %d references", len(pending))

    def _replace_silent_copies(self) -> None:
        with self.db.exclusive("dancecoach.silent-copies"):
            self.references.replace_silent_copies()

    def _catch_up_music(self) -> None:
        try:
            # Once per deployment at a time: instances starting together would repeat it.
            with self.db.exclusive("dancecoach.music-catch-up"):
                catch_up(self.references, self.music, self.settings.eights_per_section)
        except Exception:
            log.exception("could not analyse the music of the library")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.live.end_all("shutdown")
        self.preprocess_pool.shutdown(wait=False, cancel_futures=True)
        self.inference.stop()
        self.scoring.stop()
        if self.analysis_pool is not None:
            self.analysis_pool.stop()
        self.io_pool.shutdown(wait=True)
        if self.jobs is not None:
            self.jobs.close()
        self.db.dispose()


def _in_process_analyzers(decode: ImageDecoder, trackers: TrackerFactory) -> AnalyzerFactory:
    def create(reference: PoseSequence, mirror: bool) -> FrameAnalyzer:
        return FrameAnalyzer(reference, mirror=mirror, decode=decode, tracker_factory=trackers)

    return create
