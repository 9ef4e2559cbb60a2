"""The live engine of one connected practice stream: latest frame wins, inference off the loop.

Frames arrive faster than they may be analysed. A stream keeps one slot with the newest
unanalysed frame; a frame that is overwritten before a worker took it counts as dropped. The
worker sends each slot frame to the shared inference thread pool, so the event loop never runs
pose inference and all streams share the cores. A stream takes its frame out of the slot only
once it holds one of the pool's permits (one per inference thread): frames never wait in a
queue behind other streams' frames, so beyond capacity the frames that are analysed are still
fresh (latency stays bounded) and the rest are dropped. Timestamps are dance time (reference
seconds) and must increase within a pass; a seek starts a new pass (a section loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from dancecoach.errors import DancecoachError
from dancecoach.orchestration.live_analysis import FrameAnalysis, FrameAnalyzer
from dancecoach.orchestration.live_recorder import FrameRecorder
from dancecoach.storage.session_store import SessionStore

log = logging.getLogger(__name__)


class TimestampOrderError(DancecoachError):
    """A frame's dance time is not after the previous frame's (and no seek came between)."""


class StreamPausedError(DancecoachError):
    """A frame arrived while the client had paused the stream."""


ResultCallback = Callable[[FrameAnalysis, int], Awaitable[None]]  # (analysis, dropped total)
ErrorCallback = Callable[[DancecoachError, float], Awaitable[None]]  # (error, frame timestamp)
EndCallback = Callable[[str], Awaitable[None]]  # reason: "replaced" | "finalized" | "shutdown"


@dataclass(frozen=True)
class StreamState:
    session_id: str
    paused: bool
    pass_index: int
    last_timestamp_s: float | None
    frames_scored: int
    dropped_frames: int


@dataclass(frozen=True)
class _Incoming:
    jpeg: bytes
    timestamp_s: float
    received_s: float  # monotonic
    pass_index: int


class LiveStream:
    """One connection's frames: a one-frame slot, a worker task and a recorder."""

    def __init__(
        self,
        session_id: str,
        analyzer: FrameAnalyzer,
        recorder: FrameRecorder,
        sessions: SessionStore,
        inference: Executor,
        io: Executor,
        *,
        permits: asyncio.Semaphore,
        pass_index: int,
        last_timestamp_s: float | None,
        frames_scored: int,
        dropped_before: int,
    ) -> None:
        self.session_id = session_id
        self._analyzer = analyzer
        self._recorder = recorder
        self._sessions = sessions
        self._inference = inference
        self._io = io
        self._permits = permits
        self._pass_index = pass_index
        self._last_timestamp_s = last_timestamp_s
        self._frames_scored = frames_scored
        self._dropped_before = dropped_before
        self._dropped = 0
        self._paused = False
        self._closed = False
        self._slot: _Incoming | None = None
        self._wakeup = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._on_result: ResultCallback | None = None
        self._on_error: ErrorCallback | None = None
        self._on_end: EndCallback | None = None
        self._close_task: asyncio.Future[None] | None = None

    @property
    def dropped_total(self) -> int:
        return self._dropped_before + self._dropped

    def state(self) -> StreamState:
        return StreamState(
            session_id=self.session_id,
            paused=self._paused,
            pass_index=self._pass_index,
            last_timestamp_s=self._last_timestamp_s,
            frames_scored=self._frames_scored,
            dropped_frames=self.dropped_total,
        )

    async def start(
        self, on_result: ResultCallback, on_error: ErrorCallback, on_end: EndCallback
    ) -> None:
        """Load the pose model (in the pool), then begin taking frames.

        on_end is called when the server ends the stream (another connection took the
        session over, the session was finalized, or the server stops).
        """
        self._on_result, self._on_error, self._on_end = on_result, on_error, on_end
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._inference, self._analyzer.warm_up)
        self._tasks = [
            asyncio.create_task(self._work(), name=f"live-worker-{self.session_id}"),
            asyncio.create_task(self._recorder.run_periodic_flush(), name="live-flush"),
        ]

    def offer(self, jpeg: bytes, timestamp_s: float) -> None:
        """Put a frame in the slot (replacing, and dropping, an unanalysed one)."""
        if self._paused:
            raise StreamPausedError("The stream is paused: send a resume message before frames.")
        last = self._last_timestamp_s
        if last is not None and timestamp_s <= last:
            raise TimestampOrderError(
                f"Frame timestamp {timestamp_s:.3f} s is not after the previous one "
                f"({last:.3f} s); send a seek message before going back in the dance."
            )
        self._last_timestamp_s = timestamp_s
        if self._slot is not None:
            self._dropped += 1
        self._slot = _Incoming(jpeg, timestamp_s, time.monotonic(), self._pass_index)
        self._wakeup.set()

    async def pause(self) -> None:
        self._paused = True
        self._slot = None
        self._analyzer.request_cue_reset()
        await self._recorder.flush()

    def resume(self) -> None:
        self._paused = False
        self._analyzer.request_cue_reset()

    def seek(self) -> None:
        """Start a new pass: the next frame may have any dance time (a section loop)."""
        self._pass_index += 1
        self._last_timestamp_s = None
        self._slot = None
        self._analyzer.request_cue_reset()

    async def _work(self) -> None:
        while not self._closed:
            await self._wakeup.wait()
            self._wakeup.clear()
            if self._slot is None:
                continue
            async with self._permits:
                # Taken only now: the newest frame, not the one that arrived before the wait.
                frame, self._slot = self._slot, None
                if frame is None:
                    continue
                analysis = await self._analyse(frame)
            if analysis is None:
                continue
            # Store first: a client that vanished mid-reply still keeps its score.
            self._recorder.record(analysis, frame.jpeg, frame.pass_index)
            self._frames_scored += 1
            if self._on_result is not None:
                try:
                    await self._on_result(analysis, self.dropped_total)
                except Exception:
                    log.debug("could not send a result to session %s", self.session_id)

    async def _analyse(self, frame: _Incoming) -> FrameAnalysis | None:
        """The frame's analysis from the pool, or None after telling the client what failed."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._inference,
                self._analyzer.analyze,
                frame.jpeg,
                frame.timestamp_s,
                frame.received_s,
            )
        except DancecoachError as error:
            await self._notify_error(error, frame.timestamp_s)
        except Exception:
            log.exception("analysis failed in session %s", self.session_id)
            await self._notify_error(
                DancecoachError("The frame could not be analysed."), frame.timestamp_s
            )
        return None

    async def _notify_error(self, error: DancecoachError, timestamp_s: float) -> None:
        if self._on_error is None:
            return
        try:
            await self._on_error(error, timestamp_s)
        except Exception:
            log.debug("could not send an error to session %s", self.session_id)

    async def flush(self) -> None:
        await self._recorder.flush()

    async def end(self, reason: str) -> None:
        """Stop the stream from the server side: tell the client, then close."""
        if self._on_end is not None and not self._closed:
            try:
                await self._on_end(reason)
            except Exception:
                log.debug("could not tell session %s that its stream ended", self.session_id)
        await self.close()

    async def close(self) -> None:
        """Finish the frame in flight, store everything, release the tracker.

        Every caller returns only when this is done, whoever started it.
        """
        if self._close_task is None:
            self._close_task = asyncio.ensure_future(self._close())
        await asyncio.shield(self._close_task)

    async def _close(self) -> None:
        self._closed = True
        self._slot = None
        self._wakeup.set()
        for task in self._tasks[1:]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._tasks:
            # The worker exits after its frame in flight; the tracker must not be in use when
            # it is closed below.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._tasks[0]), timeout=10.0)
        await self._recorder.close()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._inference, self._analyzer.close)
        await loop.run_in_executor(
            self._io, self._sessions.add_dropped, self.session_id, self._dropped
        )
