"""Analysis processes for live streams, seen from the server (see analysis_process.py).

Each stream is bound to one process for its life (its pose tracker lives there), the process
hosting the fewest streams. Inference thread i is the only caller of process i's frame
analyses, so every call is one request and one reply on the pipe; opens and closes from other
threads take the same lock. A process that dies or hangs is replaced; its streams re-open on
their next frame (the tracker starts afresh, nothing stored is lost).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from dancecoach.errors import DancecoachError
from dancecoach.orchestration.analysis_process import serve
from dancecoach.orchestration.live_analysis import FrameAnalysis, FrameLimits
from dancecoach.pipeline.sequence import PoseSequence

log = logging.getLogger(__name__)

# Importing MediaPipe and building the model takes a few seconds; a loaded machine needs more.
_START_TIMEOUT_S = 120.0
# One frame takes ~12 ms and opening a stream ~0.1 s; far beyond that the process is stuck.
_CALL_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 5.0


class AnalysisUnavailableError(DancecoachError):
    """An analysis process failed; it is being replaced."""


class _Worker:
    """One analysis process and the pipe to it."""

    def __init__(self, index: int, limits: FrameLimits, pin: bool) -> None:
        self.index = index
        self._pin = pin
        self.streams = 0  # bound streams, for placing new ones
        self._limits = limits
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._ready = False
        self._open_keys: set[int] = set()  # streams open in the current process

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")  # fork is unsafe in a threaded server
        parent, child = context.Pipe()
        process = context.Process(
            target=serve,
            args=(child, self._limits, self.index if self._pin else None),
            name=f"dancecoach-analysis-{self.index}",
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._connection, self._ready = process, parent, False
        self._open_keys.clear()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def stop(self) -> None:
        with self._lock:
            self._halt(graceful=True)

    def call(self, key: int, opener: tuple[Any, ...], message: tuple[Any, ...] | None) -> Any:
        """Send message for stream key, opening the stream first if this process lacks it."""
        with self._lock:
            try:
                if key not in self._open_keys:
                    self._exchange(opener)
                    self._open_keys.add(key)
                return None if message is None else self._exchange(message)
            except (EOFError, OSError, TimeoutError) as error:
                log.error("analysis process %d failed (%s); starting a new one", self.index, error)
                self._halt(graceful=False)
                self.start()
                raise AnalysisUnavailableError(
                    "Live analysis restarted after a failure; the next frames are scored again."
                ) from error

    def forget(self, key: int) -> None:
        """Close stream key in the process, if it is open there."""
        with self._lock:
            if key not in self._open_keys:
                return
            self._open_keys.discard(key)
            try:
                self._exchange(("close", key))
            except (EOFError, OSError, TimeoutError):
                log.warning("analysis process %d did not confirm a close", self.index)

    def _exchange(self, message: tuple[Any, ...]) -> Any:
        connection = self._connection
        assert connection is not None, "the analysis process was not started"
        if not self._ready:
            self._receive(connection, _START_TIMEOUT_S)
            self._ready = True
        connection.send(message)
        status, value = self._receive(connection, _CALL_TIMEOUT_S)
        if status == "error":
            raise value
        return value

    @staticmethod
    def _receive(connection: Connection, timeout_s: float) -> tuple[str, Any]:
        if not connection.poll(timeout_s):
            raise TimeoutError(f"no reply within {timeout_s:.0f} s")
        reply: tuple[str, Any] = connection.recv()
        return reply

    def _halt(self, *, graceful: bool) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if connection is not None:
            if graceful:
                with contextlib.suppress(OSError):
                    connection.send(("stop",))
            connection.close()
        if process is not None:
            process.join(_STOP_TIMEOUT_S if graceful else 0)
            if process.is_alive():
                process.kill()
                process.join(_STOP_TIMEOUT_S)


class RemoteFrameAnalyzer:
    """A stream's analyzer that lives in an analysis process (the Analyzer protocol)."""

    def __init__(
        self,
        worker: _Worker,
        key: int,
        reference: PoseSequence,
        mirror: bool,
        release: Callable[[_Worker], None],
    ) -> None:
        self._worker = worker
        self._release = release
        self._key = key
        self._opener = ("open", key, reference, mirror)
        self._reset_cues = False
        self._closed = False

    @property
    def lane(self) -> int:
        return self._worker.index

    def warm_up(self) -> None:
        """Create the stream's tracker in its process now rather than on the first frame."""
        self._worker.call(self._key, self._opener, None)

    def request_cue_reset(self) -> None:
        self._reset_cues = True

    def analyze(self, jpeg: bytes, timestamp_s: float, received_s: float) -> FrameAnalysis:
        reset, self._reset_cues = self._reset_cues, False
        message = ("analyze", self._key, jpeg, timestamp_s, received_s, reset)
        analysis: FrameAnalysis = self._worker.call(self._key, self._opener, message)
        return analysis

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._worker.forget(self._key)
        self._release(self._worker)


class AnalysisProcessPool:
    """The analysis processes; `analyzer` binds a new stream to the least busy one."""

    def __init__(self, processes: int, limits: FrameLimits, *, pin_cpus: bool = True) -> None:
        """pin_cpus: process i runs on CPU i (see analysis_process.pin_to_cpu)."""
        self._workers = [_Worker(index, limits, pin_cpus) for index in range(processes)]
        self._keys = itertools.count(1)
        self._placing = threading.Lock()

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
        with self._placing:
            worker = min(self._workers, key=lambda w: (w.streams, w.index))
            worker.streams += 1
            key = next(self._keys)
        return RemoteFrameAnalyzer(worker, key, reference, mirror, self._release)

    def _release(self, worker: _Worker) -> None:
        with self._placing:
            worker.streams -= 1
