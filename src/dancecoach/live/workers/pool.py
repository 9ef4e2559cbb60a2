"""Analysis processes for live streams, seen from the server (see process.py).

Every stream is open in every process, and each frame goes to the process of the inference
thread that takes it, carrying the stream's tracking state (a few kB) from the previous frame:
two processes serve one queue of frames. Bound to one process each (as they were), a frame
waited for its busy process while the other idled: at 14 sessions the slowest 5 % of frames
waited ~25 ms for their process. Several inference threads may call one process at once: requests
go down the pipe in the order they are sent and the process answers them in that order, so the
process finds its next frame already waiting when it finishes one. One waiting caller at a time
reads replies and hands each to its caller; it usually finds its own first, so no reply waits
for an extra thread to wake up. A process that dies or hangs is replaced; streams re-open in it
on their next frame there, and carry on tracking from the state the server holds.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import threading
import time
from collections import deque
from concurrent.futures import Future
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from dancecoach.errors import DancecoachError
from dancecoach.live.analysis import FrameAnalysis, FrameInput, FrameLimits, LiveState
from dancecoach.live.scheduler import current_lane
from dancecoach.live.workers.pipe import STOP_TIMEOUT_S, halt
from dancecoach.live.workers.process import serve
from dancecoach.pose.sequence import PoseSequence

if TYPE_CHECKING:
    from dancecoach.estimation.models.files import LandmarkPrecision

log = logging.getLogger(__name__)

# Importing MediaPipe and loading the models takes a few seconds; a loaded machine needs more.
_START_TIMEOUT_S = 120.0
# One frame takes ~12 ms and opening a stream ~0.1 s; far beyond that the process is stuck.
_CALL_TIMEOUT_S = 30.0


class AnalysisUnavailableError(DancecoachError):
    """An analysis process failed; it is being replaced."""


class _ProcessGoneError(Exception):
    """The pipe to the analysis process broke or it never became ready."""


Reply = Future[Any]


class _Worker:
    """One analysis process, the pipe to it and the replies it owes."""

    def __init__(
        self, index: int, limits: FrameLimits, pin: bool, precision: LandmarkPrecision
    ) -> None:
        self.index = index
        self._precision: LandmarkPrecision = precision
        self._pin = pin
        self._limits = limits
        # Sending, and queueing the reply it will get, happen together under this lock.
        self._send_lock = threading.Lock()
        # Guards the replies owed and who reads them; callers wait on it for their reply.
        self._replies = threading.Condition()
        self._pending: deque[Reply] = deque()
        self._reader: int | None = None  # the thread reading replies now, if any
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._ready = False
        self._generation = 0
        self._open_keys: set[int] = set()  # streams open in the current process

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")  # fork is unsafe in a threaded server
        parent, child = context.Pipe()
        process = context.Process(
            target=serve,
            args=(child, self._limits, self.index if self._pin else None, self._precision),
            name=f"dancecoach-analysis-{self.index}",
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._connection, self._ready = process, parent, False
        with self._replies:
            self._pending, self._reader = deque(), None
        self._generation += 1
        self._open_keys.clear()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def stop(self) -> None:
        with self._send_lock:
            self._halt(graceful=True)

    def call(self, key: int, opener: tuple[Any, ...], message: tuple[Any, ...] | None) -> Any:
        """Send message for stream key, opening the stream first if this process lacks it."""
        generation = self._generation
        try:
            replies = self._send(key, opener, message)
            value = None
            for reply in replies:
                value = self._await(reply, _CALL_TIMEOUT_S)
            return value if message is not None else None
        except (_ProcessGoneError, TimeoutError, EOFError, OSError) as error:
            self._replace(generation, error)
            raise AnalysisUnavailableError(
                "Live analysis restarted after a failure; the next frames are scored again."
            ) from error

    def forget(self, key: int) -> None:
        """Close stream key in the process, if it is open there."""
        try:
            with self._send_lock:
                if key not in self._open_keys:
                    return
                self._open_keys.discard(key)
                (reply,) = self._send_locked([("close", key)])
            self._await(reply, STOP_TIMEOUT_S)
        except (_ProcessGoneError, TimeoutError, EOFError, OSError):
            log.warning("analysis process %d did not confirm a close", self.index)

    def _send(
        self, key: int, opener: tuple[Any, ...], message: tuple[Any, ...] | None
    ) -> list[Reply]:
        with self._send_lock:
            opening = key not in self._open_keys
            messages = [opener] if opening else []
            if message is not None:
                messages.append(message)
            replies = self._send_locked(messages)
            self._open_keys.add(key)
        if opening:
            try:
                self._await(replies[0], _CALL_TIMEOUT_S)
            except DancecoachError:
                with self._send_lock:
                    self._open_keys.discard(key)  # opening failed: try again next time
        return replies

    def _send_locked(self, messages: list[tuple[Any, ...]]) -> list[Reply]:
        """Send the messages in order; the caller holds the send lock."""
        connection = self._connection
        if connection is None:
            raise _ProcessGoneError("the analysis process is stopped")
        if not self._ready:  # nothing was sent yet, so nobody else reads the pipe
            if not connection.poll(_START_TIMEOUT_S):
                raise TimeoutError(f"not ready within {_START_TIMEOUT_S:.0f} s")
            connection.recv()  # ("ready", None): the models are loaded
            self._ready = True
        replies: list[Reply] = []
        for message in messages:
            reply: Reply = Future()
            with self._replies:
                self._pending.append(reply)
            replies.append(reply)
            connection.send(message)
        return replies

    def _await(self, reply: Reply, timeout_s: float) -> Any:
        """The reply's value (or its error), reading the pipe while nobody else does."""
        deadline = time.monotonic() + timeout_s
        me = threading.get_ident()
        with self._replies:
            while not reply.done() and self._reader is not None:
                if not self._replies.wait(max(0.0, deadline - time.monotonic())):
                    raise TimeoutError(f"no reply within {timeout_s:.0f} s")
            if reply.done():
                return reply.result()
            self._reader = me
            pending, connection = self._pending, self._connection
        try:
            while not reply.done():
                if connection is None or not connection.poll(deadline - time.monotonic()):
                    raise TimeoutError(f"no reply within {timeout_s:.0f} s")
                status, value = connection.recv()
                with self._replies:
                    owed = pending.popleft()  # empty only if the process was replaced
                    self._replies.notify_all()
                if status == "error":
                    owed.set_exception(value)
                else:
                    owed.set_result(value)
        except (EOFError, OSError, IndexError) as error:
            _fail_all(pending, self._replies, f"analysis process {self.index}: {error!r}")
        finally:
            with self._replies:
                if self._reader == me:  # a replacement process may have a reader already
                    self._reader = None
                self._replies.notify_all()
        return reply.result()

    def _replace(self, generation: int, error: BaseException) -> None:
        """Replace the process, unless another caller already did since `generation`."""
        with self._send_lock:
            if generation != self._generation:
                return
            log.error("analysis process %d failed (%s); starting a new one", self.index, error)
            self._halt(graceful=False)
            self.start()

    def _halt(self, *, graceful: bool) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        _fail_all(self._pending, self._replies, f"analysis process {self.index} was stopped")
        halt(process, connection, graceful=graceful)


def _fail_all(pending: deque[Reply], lock: threading.Condition, why: str) -> None:
    """Fail every reply still owed by a process that is gone."""
    with lock:
        owed = list(pending)
        pending.clear()
        lock.notify_all()
    for reply in owed:
        if not reply.done():
            reply.set_exception(_ProcessGoneError(why))


class RemoteFrameAnalyzer:
    """A stream's analyzer in the analysis processes (the Analyzer protocol).

    The stream is open in every process, and each frame is analysed by the process of the
    inference thread that took it, with the stream's state from the previous frame: a frame
    never waits for a busy process while another is free.
    """

    def __init__(
        self, workers: list[_Worker], key: int, reference: PoseSequence, mirror: bool
    ) -> None:
        self._workers = workers
        self._key = key
        self._opener = ("open", key, reference, mirror)
        self._state: LiveState | None = None  # None until the first frame is analysed
        self._reset_cues = False
        self._closed = False

    def warm_up(self) -> None:
        """Open the stream in every process now rather than on its first frame there."""
        for worker in self._workers:
            worker.call(self._key, self._opener, None)

    def request_cue_reset(self) -> None:
        self._reset_cues = True

    def analyze(self, frame: FrameInput, timestamp_s: float, received_s: float) -> FrameAnalysis:
        reset, self._reset_cues = self._reset_cues, False
        message = ("analyze", self._key, frame, timestamp_s, received_s, reset, self._state)
        analysis: FrameAnalysis
        analysis, self._state = self._worker().call(self._key, self._opener, message)
        return analysis

    def _worker(self) -> _Worker:
        """The process of the calling inference thread (the first one for other threads)."""
        lane = current_lane()
        return self._workers[lane if lane is not None and lane < len(self._workers) else 0]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for worker in self._workers:
            worker.forget(self._key)


class AnalysisProcessPool:
    """The analysis processes, one inference lane each; every stream may use any of them."""

    def __init__(
        self,
        processes: int,
        limits: FrameLimits,
        *,
        pin_cpus: bool = True,
        precision: LandmarkPrecision = "int8",
    ) -> None:
        """pin_cpus: process i runs on CPU i (see analysis_process.pin_to_cpu)."""
        self._workers = [_Worker(index, limits, pin_cpus, precision) for index in range(processes)]
        self._keys = itertools.count(1)

    @property
    def processes(self) -> int:
        return len(self._workers)

    def process_ids(self) -> list[int | None]:
        """The running processes' ids, by lane."""
        return [worker.pid for worker in self._workers]

    def start(self) -> None:
        """Start every process (they load the model in the background)."""
        for worker in self._workers:
            worker.start()

    def stop(self) -> None:
        for worker in self._workers:
            worker.stop()

    def analyzer(self, reference: PoseSequence, mirror: bool) -> RemoteFrameAnalyzer:
        return RemoteFrameAnalyzer(self._workers, next(self._keys), reference, mirror)
