"""The inference scheduler: lane-bound streams run only on their own thread; a lone stream's
pose model may use more CPU threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from dancecoach.orchestration.inference import InferenceScheduler


class CountingStream:
    def __init__(self, frames: int) -> None:
        self.left = frames
        self.threads: set[str] = set()
        self.model_threads: set[int] = set()
        self.done = threading.Event()
        self._lock = threading.Lock()

    def has_frame(self) -> bool:
        return self.left > 0

    def analyse_newest(self, threads: int = 1) -> None:
        with self._lock:
            self.model_threads.add(threads)
            self.threads.add(threading.current_thread().name)
            time.sleep(0.002)
            self.left -= 1
            if self.left == 0:
                self.done.set()


def test_bound_streams_stay_on_their_lane_and_free_streams_use_any_thread() -> None:
    scheduler = InferenceScheduler(2)
    scheduler.start()
    try:
        lane_zero, lane_one = CountingStream(20), CountingStream(20)
        free = [CountingStream(20) for _ in range(4)]
        scheduler.register(lane_zero, 0)
        scheduler.register(lane_one, 1)
        for stream in free:
            scheduler.register(stream)
        for stream in (lane_zero, lane_one, *free):
            scheduler.notify(stream)
        for stream in (lane_zero, lane_one, *free):
            assert stream.done.wait(5), "every stream is served until it has no frame"
    finally:
        scheduler.stop()
    assert lane_zero.threads == {"inference-0"}
    assert lane_one.threads == {"inference-1"}
    assert set().union(*(s.threads for s in free)) == {"inference-0", "inference-1"}


def test_a_lone_stream_gets_the_solo_threads_and_streams_sharing_the_server_one() -> None:
    scheduler = InferenceScheduler(2, solo_threads=2)
    scheduler.start()
    try:
        alone = CountingStream(5)
        scheduler.register(alone)
        scheduler.notify(alone)
        assert alone.done.wait(5)
        assert alone.model_threads == {2}
        first, second = CountingStream(5), CountingStream(5)
        scheduler.register(first)
        scheduler.register(second)
        for stream in (first, second):
            scheduler.notify(stream)
        for stream in (first, second):
            assert stream.done.wait(5)
        assert first.model_threads == second.model_threads == {1}
        # Once the others have left, the remaining stream has the server to itself again.
        for stream in (alone, first):
            assert scheduler.unregister(stream).wait(5)
        second.left = 3
        scheduler.notify(second)
        assert wait_until(lambda: second.left == 0)
        assert 2 in second.model_threads
    finally:
        scheduler.stop()


def wait_until(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False
