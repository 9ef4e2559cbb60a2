"""Dedicated inference threads shared by every live stream, newest frame first.

Each thread, when free, takes the next stream that has a frame waiting (streams queue in
arrival order, at most once each) and analyses that stream's newest frame, so a frame never
waits in a queue behind older frames, and no round trip through the event loop stands between
one analysis and the next. A stream is never analysed by two threads at once, because its
pose tracker must see its frames one by one.

Lane i has its own threads, which call analysis process i (see workers/pool.py) and wait on
it with the GIL released; any lane may serve any stream. With two threads a lane, the process
finds the next frame already waiting in its pipe when it finishes one, instead of idling while
the reply travels back and the next frame comes (at 14 sessions it idled ~20 % of the time
while frames waited).

A frame goes to the least busy lane: a second thread of a lane only takes
one when every lane is busy. Taken by whichever thread woke first, a frame often queued in a
busy process's pipe while the other process idled: at 14 sessions the time between sending a
frame to its process and its reply, beyond the analysis itself, was a median 3.2 ms; routed
to the least busy lane, 1.3 ms.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Iterator
from typing import Protocol

log = logging.getLogger(__name__)

_thread_lane = threading.local()


def current_lane() -> int | None:
    """The lane of the calling inference thread (None in any other thread)."""
    lane: int | None = getattr(_thread_lane, "lane", None)
    return lane


@contextlib.contextmanager
def running_in_lane(lane: int | None) -> Iterator[None]:
    """Let the calling thread act as one of the lane's threads (tools and tests)."""
    previous = current_lane()
    _thread_lane.lane = lane
    try:
        yield
    finally:
        _thread_lane.lane = previous


class Schedulable(Protocol):
    """A stream as the scheduler sees it (see LiveStream)."""

    def has_frame(self) -> bool: ...

    def analyse_newest(self) -> None:
        """Take the newest frame and analyse it (in the calling worker thread)."""


class _Entry:
    __slots__ = ("busy", "closed", "idle", "queued")

    def __init__(self) -> None:
        self.queued = False
        self.busy = False
        self.closed = False
        self.idle = threading.Event()
        self.idle.set()


class InferenceScheduler:
    def __init__(self, lanes: int, threads_per_lane: int = 1) -> None:
        self._lanes = lanes
        self._threads_per_lane = threads_per_lane
        self._ready: deque[Schedulable] = deque()
        self._entries: dict[int, _Entry] = {}
        self._busy = [0] * lanes  # threads of each lane analysing a frame now
        self._lock = threading.Lock()
        # One wake-up per lane, so a frame wakes a thread of the least busy lane.
        self._wakeups = [threading.Condition(self._lock) for _ in range(lanes)]
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def start(self) -> None:
        for lane in range(self._lanes):
            for index in range(self._threads_per_lane):
                name = f"inference-{lane}" + (f".{index}" if self._threads_per_lane > 1 else "")
                thread = threading.Thread(target=self._run, args=(lane,), name=name, daemon=True)
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            for wakeup in self._wakeups:
                wakeup.notify_all()
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads.clear()

    def register(self, stream: Schedulable) -> None:
        """Schedule the stream (any lane may analyse it)."""
        with self._lock:
            self._entries[id(stream)] = _Entry()

    def _enqueue(self, stream: Schedulable, entry: _Entry) -> None:
        entry.queued = True
        self._ready.append(stream)
        self._wakeups[self._busy.index(min(self._busy))].notify()

    def _next(self, lane: int) -> Schedulable | None:
        if self._ready and self._busy[lane] <= min(self._busy):  # else a less busy lane takes it
            return self._ready.popleft()
        return None

    def _wake_least_busy(self) -> None:
        """After a lane got less busy: let the least busy lane take what waits."""
        if self._ready:
            self._wakeups[self._busy.index(min(self._busy))].notify()

    def notify(self, stream: Schedulable) -> None:
        """The stream has a new frame: queue it unless it is queued or being analysed."""
        with self._lock:
            entry = self._entries.get(id(stream))
            if entry is None or entry.closed or entry.queued or entry.busy:
                return
            self._enqueue(stream, entry)

    def unregister(self, stream: Schedulable) -> threading.Event:
        """Stop scheduling the stream; the returned event is set once no thread analyses it."""
        with self._lock:
            entry = self._entries.get(id(stream))
            if entry is None:
                done = threading.Event()
                done.set()
                return done
            entry.closed = True
            if entry.queued:
                self._ready.remove(stream)
                entry.queued = False
            if not entry.busy:
                del self._entries[id(stream)]
            return entry.idle

    def _run(self, lane: int) -> None:
        _thread_lane.lane = lane
        while True:
            with self._lock:
                stream = None
                while not self._stopping and (stream := self._next(lane)) is None:
                    self._wakeups[lane].wait()
                if self._stopping or stream is None:
                    return
                entry = self._entries[id(stream)]
                entry.queued = False
                entry.busy = True
                entry.idle.clear()
                self._busy[lane] += 1
            try:
                stream.analyse_newest()
            except Exception:
                log.exception("live frame analysis failed")
            finally:
                with self._lock:
                    self._busy[lane] -= 1
                    entry.busy = False
                    if entry.closed:
                        self._entries.pop(id(stream), None)
                    elif stream.has_frame():
                        # A newer frame arrived meanwhile: back of the line, for fairness.
                        self._enqueue(stream, entry)
                    self._wake_least_busy()
                    entry.idle.set()
