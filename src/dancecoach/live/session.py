"""The live engine of one connected practice stream: latest frame wins, inference off the loop.

Frames arrive faster than they may be analysed. A stream keeps one slot with the newest
unanalysed frame; a frame that is overwritten before an inference thread took it counts as
dropped. The shared inference threads (see scheduler.py; for browser poses, the event loop's
batches, see batching.py) take the newest frame only when they are free, so beyond capacity
the analysed frames are still fresh (latency stays bounded) and the rest are dropped.
Timestamps are dance time (reference seconds) and must increase within a pass; a seek starts
a new pass (a section loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Protocol

from dancecoach.errors import DancecoachError, StorageUnavailableError
from dancecoach.live.analysis import Analyzer, FrameAnalysis, FrameInput
from dancecoach.live.browser_pose import BrowserPose
from dancecoach.live.camera_delay import CameraDelay, DelayEstimator, StreamDelay
from dancecoach.live.moves import MoveGrade, MoveGrader
from dancecoach.live.recorder import FrameRecorder
from dancecoach.storage.session_store import SessionStore

log = logging.getLogger(__name__)

_CLOSE_TIMEOUT_S = 30.0


class TimestampOrderError(DancecoachError):
    """A frame's dance time is not after the previous frame's (and no seek came between)."""


class StreamPausedError(DancecoachError):
    """A frame arrived while the client had paused the stream."""


class FrameScheduler(Protocol):
    """Who analyses a stream's frames: the inference threads (scheduler.InferenceScheduler)
    or, for browser poses, the scoring thread (batching.BatchScorer)."""

    def register(self, stream: LiveStream) -> None: ...

    def notify(self, stream: LiveStream) -> None: ...

    def unregister(self, stream: LiveStream) -> threading.Event: ...


Outcome = FrameAnalysis | DancecoachError
# (analysis, dropped total); called on the event loop as each result is ready, and returns at
# once (it queues the reply): a task a reply was ~10 µs of the loop's time a frame.
ResultCallback = Callable[[FrameAnalysis, int], None]
ErrorCallback = Callable[[DancecoachError, float], Awaitable[None]]  # (error, frame timestamp)
EndCallback = Callable[[str], Awaitable[None]]  # reason: "replaced" | "finalized" | "shutdown"
# What the stream judges over many frames: a move's grade as it ends, the camera's delay once.
LiveEvent = MoveGrade | CameraDelay
EventCallback = Callable[[LiveEvent], Awaitable[None]]


@dataclass(frozen=True)
class StreamState:
    session_id: str
    paused: bool
    pass_index: int
    last_timestamp_s: float | None
    frames_scored: int
    dropped_frames: int
    camera_delay_s: float  # applied to the dance times now


@dataclass(frozen=True)
class Incoming:
    """A frame waiting in a stream's slot, or taken by the thread that analyses it."""

    frame: FrameInput  # the JPEG, or the pose the learner's browser found in it
    timestamp_s: float
    received_s: float  # monotonic
    pass_index: int


class LiveStream:
    """One connection's frames: a one-frame slot, analysis by the scheduler, a recorder."""

    def __init__(
        self,
        session_id: str,
        analyzer: Analyzer,
        recorder: FrameRecorder,
        sessions: SessionStore,
        scheduler: FrameScheduler,
        io: Executor,
        *,
        pass_index: int,
        last_timestamp_s: float | None,
        frames_scored: int,
        dropped_before: int,
        durable: bool = False,
        moves: MoveGrader | None = None,
        delay: DelayEstimator | None = None,
    ) -> None:
        """durable: answer a frame only once it is stored, so that a server killed at any
        moment has kept every frame it answered (a session continued on another server then
        misses none); costs a write per reply instead of one per 10 frames."""
        self.session_id = session_id
        self._moves = moves
        self._delay = delay
        # Seconds subtracted from the client's dance times once the learner accepted the
        # estimate (camera_delay.py): what is scored and stored is when she danced.
        self._camera_delay_s = 0.0
        self._delay_from_pass = 0
        self._last_scored_s = last_timestamp_s
        self._analyzer = analyzer
        self._recorder = recorder
        self._sessions = sessions
        self._scheduler = scheduler
        self._io = io
        self._pass_index = pass_index
        self._last_timestamp_s = last_timestamp_s
        self._frames_scored = frames_scored
        self._dropped_before = dropped_before
        self._durable = durable
        self._dropped = 0
        self._paused = False
        self._closed = False
        # The slot is written on the event loop and emptied by an inference thread.
        self._slot: Incoming | None = None
        self._slot_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._flush_task: asyncio.Task[None] | None = None
        self._replies: set[asyncio.Task[None]] = set()
        self._on_result: ResultCallback | None = None
        self._on_error: ErrorCallback | None = None
        self._on_end: EndCallback | None = None
        self._on_event: EventCallback | None = None
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
            camera_delay_s=self._camera_delay_s,
        )

    @property
    def camera_delay(self) -> StreamDelay:
        return StreamDelay(
            None if self._delay is None else self._delay.result,
            self._camera_delay_s,
            self._delay_from_pass,
        )

    def apply_camera_delay(self, delay_s: float) -> None:
        """Score and store each frame `delay_s` earlier in the dance than the client says.

        A change starts a new pass (as a seek does): a section is then scored with one shift
        throughout, never half with and half without (its timing would mean neither).
        Frames that would fall before 0 s are skipped.
        """
        if delay_s == self._camera_delay_s:
            return
        self.seek()
        self._camera_delay_s = delay_s
        self._delay_from_pass = self._pass_index

    async def start(
        self,
        on_result: ResultCallback,
        on_error: ErrorCallback,
        on_end: EndCallback,
        on_event: EventCallback | None = None,
    ) -> None:
        """Load the pose model (in an I/O thread), then begin taking frames.

        on_end is called when the server ends the stream (another connection took the
        session over, the session was finalized, or the server stops); on_event with each
        move's grade and with the camera's delay (see LiveEvent).
        """
        self._on_result, self._on_error, self._on_end = on_result, on_error, on_end
        self._on_event = on_event
        self._loop = asyncio.get_running_loop()
        await self._loop.run_in_executor(self._io, self._analyzer.warm_up)
        self._scheduler.register(self)
        self._flush_task = asyncio.create_task(
            self._recorder.run_periodic_flush(), name=f"live-flush-{self.session_id}"
        )

    def offer(self, frame: FrameInput, timestamp_s: float) -> None:
        """Put a frame (or its browser pose) in the slot, replacing and dropping an unanalysed
        one: a flood of either kind costs the server one analysis per free thread, no more."""
        if self._paused:
            raise StreamPausedError("The stream is paused: send a resume message before frames.")
        last = self._last_timestamp_s
        if last is not None and timestamp_s <= last:
            raise TimestampOrderError(
                f"Frame timestamp {timestamp_s:.3f} s is not after the previous one "
                f"({last:.3f} s); send a seek message before going back in the dance."
            )
        self._last_timestamp_s = timestamp_s
        scored_s = timestamp_s - self._camera_delay_s
        if scored_s < 0.0 or (self._last_scored_s is not None and scored_s <= self._last_scored_s):
            return  # just after a camera delay was applied (see apply_camera_delay)
        self._last_scored_s = scored_s
        incoming = Incoming(frame, scored_s, time.monotonic(), self._pass_index)
        with self._slot_lock:
            if self._slot is not None:
                self._dropped += 1
            self._slot = incoming
        self._scheduler.notify(self)

    def _clear_slot(self) -> None:
        with self._slot_lock:
            self._slot = None

    async def pause(self) -> None:
        self._paused = True
        self._clear_slot()
        self._analyzer.request_cue_reset()
        if self._moves is not None:
            # A pause ends the move in progress (a section's end, or the learner stopping).
            self._event(self._moves.restart())
        await self._recorder.flush()

    def resume(self) -> None:
        self._paused = False
        self._analyzer.request_cue_reset()

    def seek(self) -> None:
        """Start a new pass: the next frame may have any dance time (a section loop)."""
        self._pass_index += 1
        self._last_timestamp_s = None
        self._last_scored_s = None
        self._clear_slot()
        self._analyzer.request_cue_reset()
        if self._moves is not None:
            self._event(self._moves.restart())

    # Called by the inference threads --------------------------------------------------

    def has_frame(self) -> bool:
        return self._slot is not None

    @property
    def analyzer(self) -> Analyzer:
        return self._analyzer

    def take_newest(self) -> Incoming | None:
        """The newest frame, taken out of the slot (for a scoring thread)."""
        with self._slot_lock:
            frame, self._slot = self._slot, None
        return frame

    def deliver(self, frame: Incoming, outcome: Outcome) -> None:
        """Take the outcome of a frame scored on the event loop (batching.BatchScorer)."""
        self._deliver(frame, outcome)

    def analyse_newest(self) -> None:
        """Analyse the newest frame in this (inference) thread; the loop gets the outcome."""
        frame = self.take_newest()
        if frame is None or self._loop is None:
            return
        outcome: FrameAnalysis | DancecoachError
        try:
            outcome = self._analyzer.analyze(frame.frame, frame.timestamp_s, frame.received_s)
        except DancecoachError as error:
            outcome = error
        except Exception:
            log.exception("analysis failed in session %s", self.session_id)
            outcome = DancecoachError("The frame could not be analysed.")
        # Posted before the scheduler marks this stream idle, so close() sees it delivered.
        self._loop.call_soon_threadsafe(self._deliver, frame, outcome)

    # Back on the event loop ------------------------------------------------------------

    def _deliver(self, frame: Incoming, outcome: FrameAnalysis | DancecoachError) -> None:
        if isinstance(outcome, DancecoachError):
            if self._on_error is not None:
                self._reply(self._on_error(outcome, frame.timestamp_s))
            return
        # Store first: a client that vanished mid-reply still keeps its score.
        try:
            jpeg = None if isinstance(frame.frame, BrowserPose) else frame.frame
            seq = self._recorder.record(outcome, jpeg, frame.pass_index)
        except StorageUnavailableError as error:
            self._paused = True
            self._clear_slot()
            if self._on_error is not None:
                self._reply(self._on_error(error, frame.timestamp_s))
            return
        self._frames_scored += 1
        if self._on_result is not None:
            dropped = self.dropped_total
            if self._durable:
                self._reply(self._once_stored(seq, outcome, dropped, self._on_result))
            else:
                self._result(self._on_result, outcome, dropped)
        if frame.pass_index != self._pass_index:
            return  # analysed before a seek: the moves and the estimate follow the new pass
        agreement = outcome.agreement
        if self._moves is not None:
            self._event(
                self._moves.add(
                    outcome.timestamp_s,
                    None if agreement is None else agreement.above,
                    None if agreement is None else agreement.room,
                )
            )
        if self._delay is not None:
            self._event(
                self._delay.add(
                    outcome.timestamp_s,
                    outcome.accuracy,
                    None if agreement is None else agreement.steady_lag_s,
                )
            )

    def _event(self, event: LiveEvent | None) -> None:
        if event is not None and self._on_event is not None:
            self._reply(self._on_event(event))

    async def _once_stored(
        self, seq: int, outcome: FrameAnalysis, dropped: int, on_result: ResultCallback
    ) -> None:
        # Not answered when the store refused it: the client sends on, and the store recovers
        # or not.
        if await self._recorder.stored(seq):
            self._result(on_result, outcome, dropped)

    def _result(self, on_result: ResultCallback, outcome: FrameAnalysis, dropped: int) -> None:
        try:
            on_result(outcome, dropped)
        except Exception:
            log.debug("could not send a result to session %s", self.session_id)

    def _reply(self, send: Awaitable[None]) -> None:
        async def guarded() -> None:
            try:
                await send
            except Exception:
                log.debug("could not send a reply to session %s", self.session_id)

        task = asyncio.create_task(guarded())
        self._replies.add(task)
        task.add_done_callback(self._replies.discard)

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
        self._clear_slot()
        loop = asyncio.get_running_loop()
        idle = self._scheduler.unregister(self)
        # The tracker must not be in use when it is closed below.
        await loop.run_in_executor(self._io, idle.wait, _CLOSE_TIMEOUT_S)
        if self._flush_task is not None:
            self._flush_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flush_task
        if self._replies:
            await asyncio.wait(set(self._replies), timeout=5.0)
        await self._recorder.close()
        await loop.run_in_executor(self._io, self._analyzer.close)
        await loop.run_in_executor(
            self._io, self._sessions.add_dropped, self.session_id, self._dropped
        )
