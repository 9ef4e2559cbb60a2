"""Every live session's frames stored together by the server's one writer (live/recorder.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from dancecoach.live.analysis import FrameAnalysis
from dancecoach.live.recorder import WRITE_INTERVAL_S, FrameRecorder, FrameWriter
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.objects import ObjectStore


class _Frames:
    """A frame store that keeps each insert's rows and can refuse the next ones."""

    def __init__(self) -> None:
        self.inserts: list[list[dict[str, Any]]] = []
        self.failures = 0

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("disk full")
        self.inserts.append(list(rows))


def _analysis(time_s: float) -> FrameAnalysis:
    return FrameAnalysis(time_s, 64, 48, None, None, 0.5, {}, (), (), None, 1.0)


def _recorders(
    frames: _Frames, writer: FrameWriter, pool: ThreadPoolExecutor, count: int
) -> list[FrameRecorder]:
    store, objects = cast(FrameStore, frames), cast(ObjectStore, None)  # no images are written
    return [
        FrameRecorder(f"session-{index}", store, objects, pool, next_seq=0, writer=writer)
        for index in range(count)
    ]


def test_every_sessions_frames_go_in_one_write() -> None:
    frames = _Frames()

    async def scenario() -> list[int]:
        with ThreadPoolExecutor(1) as pool:
            writer = FrameWriter(cast(FrameStore, frames), pool)
            recorders = _recorders(frames, writer, pool, 3)
            tasks = [asyncio.create_task(recorder.run_periodic_flush()) for recorder in recorders]
            for step in range(4):
                for recorder in recorders:
                    recorder.record(_analysis(step / 10), None, pass_index=0)
            await asyncio.sleep(WRITE_INTERVAL_S * 2.5)
            stored = [recorder.stored_through for recorder in recorders]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            return stored

    stored = asyncio.run(scenario())
    # The 12 frames of the three sessions went in one transaction, and each session knows.
    assert [len(rows) for rows in frames.inserts] == [12]
    assert {row["session_id"] for row in frames.inserts[0]} == {f"session-{i}" for i in range(3)}
    assert stored == [3, 3, 3]


def test_frames_the_store_refused_are_kept_and_written_next_time() -> None:
    frames = _Frames()
    frames.failures = 1

    async def scenario() -> tuple[int, int]:
        with ThreadPoolExecutor(1) as pool:
            writer = FrameWriter(cast(FrameStore, frames), pool)
            (recorder,) = _recorders(frames, writer, pool, 1)
            task = asyncio.create_task(recorder.run_periodic_flush())
            recorder.record(_analysis(0.1), None, pass_index=0)
            recorder.record(_analysis(0.2), None, pass_index=0)
            await asyncio.sleep(WRITE_INTERVAL_S * 1.5)
            refused = recorder.stored_through  # the first write failed
            recorder.record(_analysis(0.3), None, pass_index=0)
            await asyncio.sleep(WRITE_INTERVAL_S * 1.5)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await recorder.close()
            return refused, recorder.stored_through

    refused, stored = asyncio.run(scenario())
    assert refused == -1
    assert stored == 2
    written = [row["seq"] for rows in frames.inserts for row in rows]
    assert written == [0, 1, 2]  # nothing lost, nothing twice, in order


def test_a_pause_stores_the_sessions_frames_at_once_with_a_writer() -> None:
    frames = _Frames()

    async def scenario() -> int:
        with ThreadPoolExecutor(1) as pool:
            writer = FrameWriter(cast(FrameStore, frames), pool)
            (recorder,) = _recorders(frames, writer, pool, 1)
            recorder.record(_analysis(0.1), None, pass_index=0)
            await recorder.flush()  # what a pause or a durable reply does
            return recorder.stored_through

    assert asyncio.run(scenario()) == 0
    assert [len(rows) for rows in frames.inserts] == [1]
