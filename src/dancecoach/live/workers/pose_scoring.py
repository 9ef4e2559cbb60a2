"""Browser-pose streams scored in a process of their own, fed in batches by the event loop.

A browser-pose frame costs the server its scoring and its reply (~0.2 ms a frame in a batch);
on the event loop those were ~60 % of the loop's time at 200 sessions, and the one loop,
which also reads and answers every socket, was the limit (~2,000 frames a second, p95 well
over 50 ms). Here the loop hands batches to a scoring process that holds each
stream's analyzer (its window, cues and reference) for as long as the stream lives, and gets
back each frame's analysis, cut to what the loop still uses (what is stored, the moves' and the
camera delay's figures) with its reply message already serialised (live/messages.py): pickling
whole analyses back cost more than the scoring they took off the loop (tried before, 0.82 ms
of server CPU a frame against 0.53).

The pipe carries one kind of request, answered by one reply:

    ("score", opens, closes, items) -> ("scored", outcomes)
        opens: [(key, reference, mirror)], closes: [key], items: [(key, pose, timestamp_s,
        received_s, reset_cues)]; outcomes: one FrameAnalysis or DancecoachError per item

and ("stop",). The process says ("ready",) first. A process has at most two requests in hand:
with one, it idled while the loop answered its batch and gathered the next (~30 % of its time at
200 sessions); the second is scored while the first's replies go out. Only the first may open
streams (a reference is large): the second is a few kB, so writing it never blocks the loop for
longer than the process takes to read the first, which it does without the loop's help; the
process's replies may then wait in the pipe, which the loop always reads in time. A stream has
at most one frame in the process, as in the analysis processes: new frames wait in their
streams' slots (the newest wins; replaced ones count as dropped), so beyond capacity the scored
frames stay fresh. A process that dies, or leaves a request unanswered for STUCK_AFTER_S, is
replaced: its batches are answered with an error and its streams open again in the new one with
an empty window.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import threading
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from dancecoach.errors import DancecoachError
from dancecoach.live.analysis import (
    FrameAnalysis,
    FrameAnalyzer,
    FrameInput,
    PosedFrame,
    analyze_poses,
    pose_only_analyzers,
)
from dancecoach.live.browser_pose import (
    IMAGE_FRAMES_REFUSED,
    BrowserPose,
    ImageFramesRefusedError,
)
from dancecoach.live.messages import frame_messages
from dancecoach.live.recorder import STORED_ERRORS
from dancecoach.live.session import Incoming, Outcome
from dancecoach.live.workers.pipe import halt, requests
from dancecoach.memory.gc_pauses import freeze_startup_objects
from dancecoach.memory.native import limit_arenas
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.compiled_credit import warm_up as warm_up_live_judgement

log = logging.getLogger(__name__)

# Frames sent in one request at most: a batch amortises numpy's per-call cost, and a smaller
# one comes back sooner (~0.2 ms a frame).
MAX_BATCH = 64
# Requests a process holds at once (see above): the second overlaps the first's delivery.
IN_FLIGHT = 2
# A batch takes ~20 ms and opening a stream a few; a request unanswered this long means the
# process is stuck (as the analysis processes' call timeout): it is replaced.
STUCK_AFTER_S = 30.0

Item = tuple[int, BrowserPose, float, float, bool]  # key, pose, timestamp_s, received_s, reset
Batch = list[tuple["ScoredStream", Incoming]]


# The scoring process ---------------------------------------------------------------------


def serve(connection: Connection) -> None:
    """The scoring process's main loop; returns when told to stop or when the server is gone."""
    limit_arenas()
    analyzers: dict[int, FrameAnalyzer] = {}
    warm_up_live_judgement()
    freeze_startup_objects()
    connection.send(("ready",))
    try:
        for message in requests(connection):
            _, opens, closes, items = message
            for key, reference, mirror in opens:
                analyzers[key] = pose_only_analyzers(reference, mirror)
            for key in closes:
                analyzers.pop(key, None)
            connection.send(("scored", score_items(analyzers, items)))
    finally:
        connection.close()


def score_items(analyzers: dict[int, FrameAnalyzer], items: list[Item]) -> list[Outcome]:
    """Every item's outcome, the frames of open streams scored together (analyze_poses)."""
    outcomes: list[Outcome] = [
        DancecoachError("The stream is not open for scoring.") for _ in items
    ]
    posed: list[tuple[int, PosedFrame]] = []
    for index, (key, pose, timestamp_s, received_s, reset) in enumerate(items):
        analyzer = analyzers.get(key)
        if analyzer is None:
            continue
        if reset:
            analyzer.request_cue_reset()
        posed.append((index, PosedFrame(analyzer, pose, timestamp_s, received_s)))
    try:
        analyses = analyze_poses([frame for _, frame in posed])
    except Exception:
        log.exception("scoring %d browser poses failed", len(posed))
        for index, _ in posed:
            outcomes[index] = DancecoachError("The frame could not be analysed.")
        return outcomes
    for (index, _), analysis, message in zip(
        posed, analyses, frame_messages(analyses), strict=True
    ):
        outcomes[index] = for_the_loop(analysis, message)
    return outcomes


def for_the_loop(analysis: FrameAnalysis, message: bytes) -> FrameAnalysis:
    """The analysis as the event loop needs it: its reply serialised (frame_messages), the
    ghost and cues only in that reply, the errors that are stored (cheap to pickle)."""
    # Built anew rather than with dataclasses.replace, which costs twice as much per frame.
    return FrameAnalysis(
        timestamp_s=analysis.timestamp_s,
        width=analysis.width,
        height=analysis.height,
        landmarks=analysis.landmarks,
        ghost=None,
        accuracy=analysis.accuracy,
        part_scores=analysis.part_scores,
        errors=analysis.errors[:STORED_ERRORS],
        cues=(),
        warning=analysis.warning,
        processing_ms=analysis.processing_ms,
        agreement=analysis.agreement,
        message=message,
    )


# The server's side -----------------------------------------------------------------------


class ScoredStream(Protocol):
    """A browser-pose stream as the pool sees it (see LiveStream)."""

    @property
    def analyzer(self) -> Any: ...

    def take_newest(self) -> Incoming | None: ...

    def deliver(self, frame: Incoming, outcome: Outcome) -> None: ...


class PoseScoring:
    """A stream's analyzer as the event loop holds it (the Analyzer protocol): the stream and
    its state live in the scoring process; this is its key, what opens it there, and whether
    its cues start over with the next frame."""

    def __init__(self, key: int, reference: PoseSequence, mirror: bool) -> None:
        self.key = key
        self.reference = reference
        self.mirror = mirror
        self.reset_cues = False

    def warm_up(self) -> None:
        """Nothing to load: the scoring process holds no pose model."""

    def request_cue_reset(self) -> None:
        self.reset_cues = True

    def analyze(self, frame: FrameInput, timestamp_s: float, received_s: float) -> FrameAnalysis:
        raise ImageFramesRefusedError(IMAGE_FRAMES_REFUSED)

    def close(self) -> None:
        """Closed in the process by the pool (unregister)."""


@dataclass
class _Process:
    """One scoring process, its pipe, and what it has in hand."""

    index: int
    process: BaseProcess | None = None
    connection: Connection | None = None
    ready: bool = False
    in_flight: deque[Batch] = field(default_factory=deque)  # sent, not answered, oldest first
    in_flight_keys: set[int] = field(default_factory=set)  # the streams with a frame in them
    requests_sent: int = 0
    requests_answered: int = 0
    streams: dict[int, ScoredStream] = field(default_factory=dict)  # open (or opening) here
    ready_streams: dict[int, ScoredStream] = field(default_factory=dict)  # with a frame
    opens: list[int] = field(default_factory=list)  # keys to open with the next request
    closes: list[int] = field(default_factory=list)
    idle_waiters: dict[int, threading.Event] = field(default_factory=dict)


class PoseScoringPool:
    """Scores browser-pose streams in scoring processes (the FrameScheduler of those streams;
    every call comes from the event loop's thread, except `analyzer`)."""

    def __init__(
        self, processes: int = 1, max_batch: int = MAX_BATCH, stuck_after_s: float = STUCK_AFTER_S
    ) -> None:
        self._processes = [_Process(index) for index in range(max(1, processes))]
        self._max_batch = max_batch
        self._stuck_after_s = stuck_after_s
        self._keys = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduled = False
        self._stopped = False

    def analyzer(self, reference: PoseSequence, mirror: bool) -> PoseScoring:
        """An AnalyzerFactory: a new stream's handle (opened in its process on register)."""
        return PoseScoring(next(self._keys), reference, mirror)

    def process_ids(self) -> list[int | None]:
        return [None if p.process is None else p.process.pid for p in self._processes]

    def start(self) -> None:
        """Start the processes (from the event loop: their replies are read by it)."""
        self._loop = asyncio.get_running_loop()
        self._stopped = False
        for process in self._processes:
            self._spawn(process)

    def stop(self) -> None:
        self._stopped = True
        for process in self._processes:
            self._halt(process, graceful=True)

    # FrameScheduler ------------------------------------------------------------------

    def register(self, stream: ScoredStream) -> None:
        handle = _handle(stream)
        process = self._process_of(handle)
        process.streams[handle.key] = stream
        process.opens.append(handle.key)
        self._schedule()

    def notify(self, stream: ScoredStream) -> None:
        handle = _handle(stream)
        process = self._process_of(handle)
        if handle.key not in process.streams:
            return
        process.ready_streams[handle.key] = stream
        self._schedule()

    def unregister(self, stream: ScoredStream) -> threading.Event:
        """Stop scoring the stream; the event is set once no batch of it is being scored."""
        handle = _handle(stream)
        process = self._process_of(handle)
        done = threading.Event()
        if process.streams.pop(handle.key, None) is not None:
            process.ready_streams.pop(handle.key, None)
            if handle.key in process.opens:
                process.opens.remove(handle.key)
            else:
                process.closes.append(handle.key)
            self._schedule()
        if handle.key in process.in_flight_keys:
            process.idle_waiters[handle.key] = done
        else:
            done.set()
        return done

    # On the event loop -----------------------------------------------------------------

    def _process_of(self, handle: PoseScoring) -> _Process:
        return self._processes[handle.key % len(self._processes)]

    def _schedule(self) -> None:
        if not self._scheduled and self._loop is not None and not self._stopped:
            self._scheduled = True
            # After the callbacks already due: the frames other sockets brought join the batch.
            self._loop.call_soon(self._dispatch)

    def _dispatch(self) -> None:
        self._scheduled = False
        for process in self._processes:
            in_flight = len(process.in_flight)
            if process.ready and (in_flight == 0 or (in_flight < IN_FLIGHT and not process.opens)):
                self._send_batch(process)

    def _send_batch(self, process: _Process) -> None:
        busy = process.in_flight_keys
        waiting = (key for key in process.ready_streams if key not in busy)
        keys = list(itertools.islice(waiting, self._max_batch))
        batch: Batch = []
        refused: list[tuple[ScoredStream, Incoming]] = []
        for key in keys:
            stream = process.ready_streams.pop(key)
            frame = stream.take_newest()
            if frame is None:
                continue
            if isinstance(frame.frame, BrowserPose):
                batch.append((stream, frame))
            else:
                refused.append((stream, frame))
        handles = [_handle(process.streams[key]) for key in process.opens]
        opens = [(handle.key, handle.reference, handle.mirror) for handle in handles]
        if batch or opens or process.closes:
            items: list[Item] = []
            for stream, frame in batch:
                handle = _handle(stream)
                reset, handle.reset_cues = handle.reset_cues, False
                assert isinstance(frame.frame, BrowserPose)
                items.append((handle.key, frame.frame, frame.timestamp_s, frame.received_s, reset))
            try:
                assert process.connection is not None
                process.connection.send(("score", opens, process.closes, items))
            except (OSError, ValueError) as error:
                self._replace(process, error, batch)
            else:
                process.opens, process.closes = [], []
                process.in_flight.append(batch)
                busy.update(_handle(stream).key for stream, _ in batch)
                process.requests_sent += 1
                assert self._loop is not None
                self._loop.call_later(
                    self._stuck_after_s,
                    self._check_stuck,
                    process,
                    process.process,
                    process.requests_sent,
                )
        for stream, frame in refused:
            _deliver(stream, frame, _refusal(stream, frame))

    def _check_stuck(self, process: _Process, worker: BaseProcess | None, request: int) -> None:
        """Replace the process if it still has not answered request number `request`."""
        if process.process is worker and process.requests_answered < request:
            stuck = TimeoutError(f"no answer within {self._stuck_after_s:g} s")
            self._replace(process, stuck, _all_in_flight(process))

    def _on_reply(self, process: _Process) -> None:
        connection = process.connection
        if connection is None:
            return
        try:
            message = connection.recv()
        except (EOFError, OSError) as error:
            self._replace(process, error, _all_in_flight(process))
            return
        if message[0] == "ready":
            process.ready = True
        else:
            batch = process.in_flight.popleft()
            process.requests_answered += 1
            for (stream, frame), outcome in zip(batch, message[1], strict=True):
                key = _handle(stream).key
                process.in_flight_keys.discard(key)
                if key in process.streams:
                    _deliver(stream, frame, outcome)
            for key in [key for key in process.idle_waiters if key not in process.in_flight_keys]:
                process.idle_waiters.pop(key).set()
        if process.ready_streams or process.opens or process.closes:
            self._schedule()

    # Processes ------------------------------------------------------------------------

    def _spawn(self, process: _Process) -> None:
        context = multiprocessing.get_context("spawn")  # fork is unsafe in a threaded server
        parent, child = context.Pipe()
        worker = context.Process(
            target=serve, args=(child,), name=f"dancecoach-scoring-{process.index}", daemon=True
        )
        worker.start()
        child.close()
        process.process, process.connection = worker, parent
        process.ready = False
        _clear_in_flight(process)
        # Every stream of this process opens (again) with the first request.
        process.opens, process.closes = list(process.streams), []
        assert self._loop is not None
        self._loop.add_reader(parent.fileno(), self._on_reply, process)
        # uvloop makes a watched socket non-blocking; the pipe's whole messages (a batch's
        # replies, a stream's reference) are read and written in one go, so keep it blocking.
        os.set_blocking(parent.fileno(), True)

    def _replace(self, process: _Process, error: BaseException, lost: Batch) -> None:
        """The process failed: answer its batches with an error and start a new one."""
        if self._stopped:
            return
        log.error("scoring process %d failed (%r); starting a new one", process.index, error)
        self._halt(process, graceful=False)
        failure = DancecoachError(
            "Live scoring restarted after a failure; the next frames are scored again."
        )
        for stream, frame in lost:
            if _handle(stream).key in process.streams:
                _deliver(stream, frame, failure)
        for waiter in process.idle_waiters.values():
            waiter.set()
        process.idle_waiters.clear()
        self._spawn(process)

    def _halt(self, process: _Process, *, graceful: bool) -> None:
        worker, connection = process.process, process.connection
        process.process = process.connection = None
        process.ready = False
        _clear_in_flight(process)
        if connection is not None and self._loop is not None:
            with contextlib.suppress(Exception):
                self._loop.remove_reader(connection.fileno())
        halt(worker, connection, graceful=graceful)


def _all_in_flight(process: _Process) -> Batch:
    return [item for batch in process.in_flight for item in batch]


def _clear_in_flight(process: _Process) -> None:
    process.in_flight.clear()
    process.in_flight_keys.clear()
    process.requests_answered = process.requests_sent


def _handle(stream: ScoredStream) -> PoseScoring:
    handle = stream.analyzer
    assert isinstance(handle, PoseScoring)
    return handle


def _refusal(stream: ScoredStream, frame: Incoming) -> Outcome:
    try:
        return _handle(stream).analyze(frame.frame, frame.timestamp_s, frame.received_s)
    except DancecoachError as error:
        return error


def _deliver(stream: ScoredStream, frame: Incoming, outcome: Outcome) -> None:
    try:
        stream.deliver(frame, outcome)
    except Exception:
        log.exception("delivering a live frame's result failed")
