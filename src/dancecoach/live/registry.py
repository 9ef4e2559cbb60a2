"""The live streams that are connected now: at most one per session.

A new connection to a session takes it over from an old one (a client that reconnected before
the server noticed the drop). Streams resume where the stored frames end, so a reconnect or a
server restart continues the same session.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from dancecoach.errors import CapacityError
from dancecoach.library.references import ReferenceService
from dancecoach.live.analysis import AnalyzerFactory
from dancecoach.live.camera_delay import DelayEstimator, StreamDelay, estimate_span_s
from dancecoach.live.moves import MoveGrader, live_moves
from dancecoach.live.recorder import FrameRecorder, FrameWriter
from dancecoach.live.scheduler import InferenceScheduler
from dancecoach.live.session import FrameScheduler, LiveStream
from dancecoach.practice.sessions import SessionService, performs_mirror_image
from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.objects import ObjectStore
from dancecoach.storage.session_store import SessionStore

T = TypeVar("T")


class LiveRegistry:
    def __init__(
        self,
        references: ReferenceService,
        sessions: SessionService,
        session_store: SessionStore,
        frame_store: FrameStore,
        objects: ObjectStore,
        *,
        scheduler: InferenceScheduler,
        io: Executor,
        analyzer_factory: AnalyzerFactory,
        browser_scheduler: FrameScheduler | None = None,
        browser_analyzer_factory: AnalyzerFactory | None = None,
        max_streams: int | None = None,
        max_browser_streams: int | None = None,
        beats: Callable[[str], BeatGrid] | None = None,
        durable_frames: bool = False,
    ) -> None:
        """max_streams: streams whose frames the server tracks; max_browser_streams: streams
        that send the poses their browser found (the scoring alone, far cheaper); beats: a
        reference's beat grid (its eights are the moves graded live).
        browser_scheduler, browser_analyzer_factory: where browser-pose streams are scored
        (default: with the tracked streams)."""
        self._beats = beats
        self._references = references
        self._sessions = sessions
        self._session_store = session_store
        self._frame_store = frame_store
        self._objects = objects
        self._scheduler = scheduler
        self._io = io
        self._analyzer_factory = analyzer_factory
        self._browser_scheduler: FrameScheduler = browser_scheduler or scheduler
        self._browser_analyzer_factory = browser_analyzer_factory or analyzer_factory
        self._max_streams = max_streams
        self._durable_frames = durable_frames
        self._max_browser_streams = max_browser_streams
        self._streams: dict[str, LiveStream] = {}
        # Every stream's frames are stored together (one transaction every half second).
        self._writer = FrameWriter(frame_store, io)
        self._browser_streams: set[str] = set()  # sessions streaming browser poses now
        # Streams still storing their last frames after a disconnect, by session.
        self._closing: dict[str, asyncio.Task[None]] = {}
        # Opens of one session are serialised (takeover); different sessions open in parallel.
        self._open_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def ids(self) -> frozenset[str]:
        return frozenset(self._streams)

    def __len__(self) -> int:
        return len(self._streams)

    def ensure_capacity(self, session_id: str | None = None, *, browser: bool = False) -> None:
        """Raise CapacityError when a new stream (not a takeover of session_id) would be one
        too many of its kind (browser: sends poses, not frames): beyond capacity every
        session's frames get slower and more are dropped."""
        if session_id in self._streams:
            return
        limit = self._max_browser_streams if browser else self._max_streams
        if limit is None:
            return
        browser_count = len(self._browser_streams)
        count = browser_count if browser else len(self._streams) - browser_count
        if count >= limit:
            raise CapacityError(
                f"The server is full: {limit} live sessions are streaming; "
                "try again in a few minutes."
            )

    async def open(self, session_id: str, *, browser: bool = False) -> LiveStream:
        """A stream for an active session (browser: it sends the poses the learner's browser
        found); raises NotFoundError, ConflictError (finalized) or CapacityError (full)."""
        async with self._open_locks[session_id]:
            await self.settle(session_id)
            practice = await self._in_io(self._sessions.get_active, session_id)
            self.ensure_capacity(session_id, browser=browser)
            reference = await self._in_io(self._references.poses, practice.reference_id)
            old = self._streams.pop(session_id, None)
            if old is not None:
                await old.end("replaced")
            # The old connection may have gone away meanwhile: its last frames come first.
            await self.settle(session_id)
            next_seq, last_s, pass_index, stored = await self._in_io(
                self._sessions.resume_point, session_id
            )
            analyzers = self._browser_analyzer_factory if browser else self._analyzer_factory
            analyzer = await self._in_io(
                analyzers, reference, performs_mirror_image(practice.mirror)
            )
            grid = (
                BeatGrid.empty()
                if self._beats is None
                else await self._in_io(self._beats, practice.reference_id)
            )
            recorder = FrameRecorder(
                session_id, self._frame_store, self._objects, self._io, next_seq, self._writer
            )
            stream = LiveStream(
                session_id,
                analyzer,
                recorder,
                self._session_store,
                self._browser_scheduler if browser else self._scheduler,
                self._io,
                pass_index=pass_index,
                last_timestamp_s=last_s,
                frames_scored=stored,
                dropped_before=practice.dropped_frames,
                durable=self._durable_frames,
                moves=MoveGrader(live_moves(reference, grid)),
                delay=DelayEstimator(estimate_span_s(grid)),
            )
            self._streams[session_id] = stream
            if browser:
                self._browser_streams.add(session_id)
            else:
                self._browser_streams.discard(session_id)
            return stream

    def camera_delay(self, session_id: str) -> StreamDelay | None:
        """The connected stream's camera delay (None without a stream)."""
        stream = self._streams.get(session_id)
        return None if stream is None else stream.camera_delay

    async def close(self, stream: LiveStream) -> None:
        """The client went away: store what is left (readers of the session wait for it)."""
        if self._streams.get(stream.session_id) is stream:
            del self._streams[stream.session_id]
            self._browser_streams.discard(stream.session_id)
        session_id = stream.session_id
        task = asyncio.create_task(stream.close())
        self._closing[session_id] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self._closing.get(session_id) is done:
                del self._closing[session_id]

        task.add_done_callback(forget)
        lock = self._open_locks.get(session_id)
        if lock is not None and not lock.locked():
            del self._open_locks[session_id]
        # Shielded: a cancelled handler (server shutdown) must not lose the last frames.
        await asyncio.shield(task)

    async def settle(self, session_id: str) -> None:
        """Wait until a disconnected stream of this session has stored its last frames."""
        task = self._closing.get(session_id)
        if task is not None:
            await asyncio.shield(task)

    async def flush(self, session_id: str) -> None:
        """Store buffered frames now (before a report or a summary reads them)."""
        await self.settle(session_id)
        stream = self._streams.get(session_id)
        if stream is not None:
            await stream.flush()

    async def end(self, session_id: str, reason: str) -> None:
        stream = self._streams.pop(session_id, None)
        self._browser_streams.discard(session_id)
        if stream is not None:
            await stream.end(reason)
        await self.settle(session_id)

    async def end_all(self, reason: str = "shutdown") -> None:
        streams, self._streams = list(self._streams.values()), {}
        self._browser_streams.clear()
        await asyncio.gather(*(stream.end(reason) for stream in streams), return_exceptions=True)

    async def _in_io(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._io, function, *args)
