"""The inference scheduler: any lane serves any stream, the least busy lane first."""

from __future__ import annotations

import threading
import time

from dancecoach.live.scheduler import InferenceScheduler


class CountingStream:
    def __init__(self, frames: int) -> None:
        self.left = frames
        self.threads: set[str] = set()
        self.done = threading.Event()
        self._lock = threading.Lock()

    def has_frame(self) -> bool:
        return self.left > 0

    def analyse_newest(self) -> None:
        with self._lock:
            self.threads.add(threading.current_thread().name)
            time.sleep(0.002)
            self.left -= 1
            if self.left == 0:
                self.done.set()


def test_every_stream_is_served_until_it_has_no_frame() -> None:
    scheduler = InferenceScheduler(2)
    scheduler.start()
    try:
        streams = [CountingStream(20) for _ in range(4)]
        for stream in streams:
            scheduler.register(stream)
        for stream in streams:
            scheduler.notify(stream)
        for stream in streams:
            assert stream.done.wait(5), "every stream is served until it has no frame"
    finally:
        scheduler.stop()
    assert set().union(*(s.threads for s in streams)) <= {"inference-0", "inference-1"}


class HeldStream:
    """One frame, analysed until the test lets it go."""

    def __init__(self) -> None:
        self.thread: str | None = None
        self.started, self.release = threading.Event(), threading.Event()
        self._frames = 1

    def has_frame(self) -> bool:
        return self._frames > 0

    def analyse_newest(self) -> None:
        self._frames = 0
        self.thread = threading.current_thread().name
        self.started.set()
        self.release.wait(5)


def test_a_frame_goes_to_an_idle_lane_before_a_busy_lanes_second_thread() -> None:
    scheduler = InferenceScheduler(2, threads_per_lane=2)
    scheduler.start()
    try:
        for _ in range(10):  # a race would pick the busy lane about half the time
            first, second = HeldStream(), HeldStream()
            for stream in (first, second):
                scheduler.register(stream)
            scheduler.notify(first)
            assert first.started.wait(5)
            time.sleep(0.005)  # every other thread is waiting again
            scheduler.notify(second)
            assert second.started.wait(5)
            first.release.set()
            second.release.set()
            lanes = {(stream.thread or "?").split(".")[0] for stream in (first, second)}
            # The second frame went to the other process, not into the busy one's pipe.
            assert lanes == {"inference-0", "inference-1"}
            for stream in (first, second):
                scheduler.unregister(stream).wait(5)
    finally:
        scheduler.stop()
