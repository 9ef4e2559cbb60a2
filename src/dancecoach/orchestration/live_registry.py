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

from dancecoach.orchestration.inference import InferenceScheduler
from dancecoach.orchestration.live_analysis import AnalyzerFactory, performs_mirror_image
from dancecoach.orchestration.live_recorder import FrameRecorder
from dancecoach.orchestration.live_session import LiveStream
from dancecoach.orchestration.references import ReferenceService
from dancecoach.orchestration.sessions import SessionService
from dancecoach.storage.files import DataLayout
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.session_store import SessionStore

T = TypeVar("T")


class LiveRegistry:
    def __init__(
        self,
        references: ReferenceService,
        sessions: SessionService,
        session_store: SessionStore,
        frame_store: FrameStore,
        layout: DataLayout,
        *,
        scheduler: InferenceScheduler,
        io: Executor,
        analyzer_factory: AnalyzerFactory,
    ) -> None:
        self._references = references
        self._sessions = sessions
        self._session_store = session_store
        self._frame_store = frame_store
        self._layout = layout
        self._scheduler = scheduler
        self._io = io
        self._analyzer_factory = analyzer_factory
        self._streams: dict[str, LiveStream] = {}
        # Streams still storing their last frames after a disconnect, by session.
        self._closing: dict[str, asyncio.Task[None]] = {}
        # Opens of one session are serialised (takeover); different sessions open in parallel.
        self._open_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def ids(self) -> frozenset[str]:
        return frozenset(self._streams)

    def __len__(self) -> int:
        return len(self._streams)

    async def open(self, session_id: str) -> LiveStream:
        """A stream for an active session; raises NotFoundError or ConflictError (finalized)."""
        async with self._open_locks[session_id]:
            await self.settle(session_id)
            practice = await self._in_io(self._sessions.get_active, session_id)
            reference = await self._in_io(self._references.poses, practice.reference_id)
            old = self._streams.pop(session_id, None)
            if old is not None:
                await old.end("replaced")
            # The old connection may have gone away meanwhile: its last frames come first.
            await self.settle(session_id)
            next_seq, last_s, pass_index, stored = await self._in_io(
                self._sessions.resume_point, session_id
            )
            analyzer = await self._in_io(
                self._analyzer_factory, reference, performs_mirror_image(practice.mirror)
            )
            recorder = FrameRecorder(
                session_id, self._frame_store, self._layout, self._io, next_seq
            )
            stream = LiveStream(
                session_id,
                analyzer,
                recorder,
                self._session_store,
                self._scheduler,
                self._io,
                pass_index=pass_index,
                last_timestamp_s=last_s,
                frames_scored=stored,
                dropped_before=practice.dropped_frames,
            )
            self._streams[session_id] = stream
            return stream

    async def close(self, stream: LiveStream) -> None:
        """The client went away: store what is left (readers of the session wait for it)."""
        if self._streams.get(stream.session_id) is stream:
            del self._streams[stream.session_id]
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
        if stream is not None:
            await stream.end(reason)
        await self.settle(session_id)

    async def end_all(self, reason: str = "shutdown") -> None:
        streams, self._streams = list(self._streams.values()), {}
        await asyncio.gather(*(stream.end(reason) for stream in streams), return_exceptions=True)

    async def _in_io(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._io, function, *args)
