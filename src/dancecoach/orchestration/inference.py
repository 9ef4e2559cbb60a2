"""Dedicated inference threads shared by every live stream, newest frame first.

Each thread, when free, takes the next stream that has a frame waiting (streams queue in
arrival order, at most once each) and analyses that stream's newest frame, so a frame never
waits in a queue behind older frames, and no round trip through the event loop stands between
one analysis and the next. A stream is never analysed by two threads at once, because its
pose tracker must see its frames one by one. MediaPipe releases the GIL while it runs, so the
threads use every core.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Protocol

log = logging.getLogger(__name__)


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
    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._ready: deque[Schedulable] = deque()
        self._entries: dict[int, _Entry] = {}
        self._condition = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._stopping = False

    @property
    def workers(self) -> int:
        return self._workers

    def start(self) -> None:
        for index in range(self._workers):
            thread = threading.Thread(target=self._run, name=f"inference-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads.clear()

    def register(self, stream: Schedulable) -> None:
        with self._condition:
            self._entries[id(stream)] = _Entry()

    def notify(self, stream: Schedulable) -> None:
        """The stream has a new frame: queue it unless it is queued or being analysed."""
        with self._condition:
            entry = self._entries.get(id(stream))
            if entry is None or entry.closed or entry.queued or entry.busy:
                return
            entry.queued = True
            self._ready.append(stream)
            self._condition.notify()

    def unregister(self, stream: Schedulable) -> threading.Event:
        """Stop scheduling the stream; the returned event is set once no thread analyses it."""
        with self._condition:
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

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._ready and not self._stopping:
                    self._condition.wait()
                if self._stopping:
                    return
                stream = self._ready.popleft()
                entry = self._entries[id(stream)]
                entry.queued = False
                entry.busy = True
                entry.idle.clear()
            try:
                stream.analyse_newest()
            except Exception:
                log.exception("live frame analysis failed")
            finally:
                with self._condition:
                    entry.busy = False
                    if entry.closed:
                        self._entries.pop(id(stream), None)
                    elif stream.has_frame():
                        # A newer frame arrived meanwhile: back of the line, for fairness.
                        entry.queued = True
                        self._ready.append(stream)
                        self._condition.notify()
                    entry.idle.set()
