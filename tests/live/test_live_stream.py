"""The live engine without HTTP: the latest frame wins, inference never queues up."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from dancecoach.errors import DancecoachError
from dancecoach.live.analysis import FrameAnalysis, FrameInput
from dancecoach.live.recorder import FrameRecorder
from dancecoach.live.scheduler import InferenceScheduler
from dancecoach.live.session import (
    LiveStream,
    StreamPausedError,
    TimestampOrderError,
)
from dancecoach.scoring.results import JointError
from dancecoach.storage.database import Database
from dancecoach.storage.files import DataLayout, new_id
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.migrate import upgrade_to_head
from dancecoach.storage.models import PracticeSession, ReferenceVideo
from dancecoach.storage.objects import LocalObjectStore
from dancecoach.storage.reference_store import ReferenceStore
from dancecoach.storage.session_store import SessionStore


class SlowAnalyzer:
    """Takes a fixed time per frame and records what it analysed."""

    lane = None

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.analysed: list[float] = []
        self.threads: set[str] = set()
        self.busy = threading.Lock()

    def warm_up(self) -> None:
        pass

    def request_cue_reset(self) -> None:
        pass

    def close(self) -> None:
        pass

    def analyze(self, frame: FrameInput, timestamp_s: float, received_s: float) -> FrameAnalysis:
        assert self.busy.acquire(blocking=False), "a stream's frames must never overlap"
        try:
            self.threads.add(threading.current_thread().name)
            time.sleep(self.seconds)
            if frame == b"bad":
                raise DancecoachError("bad frame")
            self.analysed.append(timestamp_s)
            return FrameAnalysis(
                timestamp_s, 64, 48, None, None, None, {}, (), (), "no_person", self.seconds * 1e3
            )
        finally:
            self.busy.release()


@pytest.fixture
def stores(tmp_path: Path) -> tuple[DataLayout, SessionStore, FrameStore, str]:
    from dancecoach.config import Settings

    settings = Settings(data_dir=tmp_path / "data")
    layout = DataLayout(settings.data_dir)
    layout.ensure()
    db = Database.from_settings(settings)
    upgrade_to_head(db.engine)
    reference_id, session_id = new_id(), new_id()
    ReferenceStore(db).add(
        ReferenceVideo(id=reference_id, name="r", original_filename="r.mp4", video_file="x")
    )
    sessions = SessionStore(db)
    sessions.add(PracticeSession(id=session_id, reference_id=reference_id))
    return layout, sessions, FrameStore(db), session_id


async def _stream(
    stores: Any, analyzer: SlowAnalyzer, pool: ThreadPoolExecutor, scheduler: InferenceScheduler
) -> LiveStream:
    layout, sessions, frames, session_id = stores
    recorder = FrameRecorder(session_id, frames, LocalObjectStore(layout), pool, next_seq=0)
    return LiveStream(
        session_id,
        analyzer,
        recorder,
        sessions,
        scheduler,
        pool,
        pass_index=0,
        last_timestamp_s=None,
        frames_scored=0,
        dropped_before=0,
    )


def test_frames_arriving_during_inference_are_replaced_by_the_newest(stores: Any) -> None:
    async def scenario() -> tuple[list[float], list[int], list[str]]:
        analyzer = SlowAnalyzer(0.05)
        results: list[int] = []
        errors: list[str] = []

        def on_result(analysis: FrameAnalysis, dropped: int) -> None:
            results.append(dropped)

        async def on_error(error: DancecoachError, timestamp: float) -> None:
            errors.append(str(error))

        async def on_end(reason: str) -> None:
            pass

        scheduler = InferenceScheduler(2)
        scheduler.start()
        with ThreadPoolExecutor(2) as pool:
            stream = await _stream(stores, analyzer, pool, scheduler)
            await stream.start(on_result, on_error, on_end)
            # 20 frames at 100 fps against 20 fps of inference.
            for index in range(20):
                stream.offer(b"jpeg", 1.0 + index * 0.01)
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)
            stream.offer(b"bad", 2.0)
            await asyncio.sleep(0.2)
            await stream.close()
            stored = len(stores[2].frames(stores[3]))
            assert stored == len(analyzer.analysed)
        scheduler.stop()
        return analyzer.analysed, results, errors

    analysed, dropped_counts, errors = asyncio.run(scenario())
    # Far fewer analysed than sent, always the newest, in order, and the last one is never lost.
    assert 3 <= len(analysed) <= 10
    assert analysed == sorted(analysed)
    assert analysed[-1] == pytest.approx(1.19)
    assert dropped_counts[-1] == 20 - len(analysed)
    assert errors == ["bad frame"]


def test_order_pause_and_seek_rules(stores: Any) -> None:
    async def scenario() -> None:
        scheduler = InferenceScheduler(1)
        with ThreadPoolExecutor(1) as pool:
            stream = await _stream(stores, SlowAnalyzer(0.0), pool, scheduler)
            stream.offer(b"jpeg", 2.0)
            with pytest.raises(TimestampOrderError):
                stream.offer(b"jpeg", 1.0)
            await stream.pause()
            with pytest.raises(StreamPausedError):
                stream.offer(b"jpeg", 3.0)
            stream.resume()
            stream.seek()
            stream.offer(b"jpeg", 0.5)
            assert stream.state().pass_index == 1
            await stream.close()

    asyncio.run(scenario())


def test_a_batch_of_learner_frames_is_one_file_and_each_frame_reads_back(stores: Any) -> None:
    layout, _, frames, session_id = stores
    jpegs = [bytes([index]) * (1000 + 37 * index) for index in range(25)]

    async def record_all() -> None:
        with ThreadPoolExecutor(2) as pool:
            recorder = FrameRecorder(session_id, frames, LocalObjectStore(layout), pool, next_seq=0)
            for index, jpeg in enumerate(jpegs):
                analysis = FrameAnalysis(
                    index / 10, 64, 48, None, None, None, {}, (), (), "no_person", 1.0
                )
                recorder.record(analysis, jpeg, pass_index=0)
                await asyncio.sleep(0)
            await recorder.close()

    asyncio.run(record_all())
    stored = frames.frames(session_id)
    assert [frame.seq for frame in stored] == list(range(25))
    read_back = [
        layout.read_part(frame.image_file, frame.image_offset, frame.image_length)
        for frame in stored
        if frame.image_file is not None
    ]
    assert read_back == jpegs
    # A file a write batch (10 frames, or what arrived while the last batch was written).
    assert len(list(layout.session_frames_dir(session_id).iterdir())) <= 3


def test_a_scored_frame_reads_back_with_its_scores_and_errors(stores: Any) -> None:
    """The scores and errors are written as JSON text made on the hot path (SerializedJSON):
    they read back as the values that were scored, in the database's own JSON column."""
    layout, _, frames, session_id = stores
    error = JointError(
        "left_elbow",
        "left_arm",
        "left_elbow_angle",
        170.1,
        95.0,
        75.1,
        "major",
        "Bend your left elbow more",
    )
    parts = {"left_arm": 0.4213, "torso": 0.9, "right_leg": 1.0}

    async def record_one() -> None:
        with ThreadPoolExecutor(1) as pool:
            recorder = FrameRecorder(session_id, frames, LocalObjectStore(layout), pool, next_seq=0)
            analysis = FrameAnalysis(
                1.5, 640, 360, None, None, 0.625, parts, (error,), (), None, 1.0
            )
            recorder.record(analysis, None, pass_index=0)
            await recorder.close()

    asyncio.run(record_one())
    (stored,) = frames.frames(session_id)
    assert (stored.accuracy, stored.part_scores) == (0.625, parts)
    assert stored.errors == [
        {
            "body_part": "left_elbow",
            "feature": "left_elbow_angle",
            "message": "Bend your left elbow more",
            "severity": "major",
            "difference": 75.1,
        }
    ]
