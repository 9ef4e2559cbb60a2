"""Browser-pose streams scored in a scoring process (live/workers/pose_scoring.py): each
stream's frames get what the event loop would have made of them, a dead process is replaced
and its streams carry on, a closed stream gets nothing more."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable

import numpy as np
import orjson
import pytest
from numpy.typing import NDArray

from dancecoach.errors import DancecoachError
from dancecoach.live.analysis import FrameAnalysis, PosedFrame, analyze_poses, pose_only_analyzers
from dancecoach.live.browser_pose import BrowserPose, ImageFramesRefusedError
from dancecoach.live.messages import frame_message, with_dropped
from dancecoach.live.recorder import STORED_ERRORS
from dancecoach.live.session import Incoming, Outcome
from dancecoach.live.workers.pose_scoring import PoseScoring, PoseScoringPool
from dancecoach.pose.landmarks import mirror_landmarks
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.alignment import reference_pose_at
from tests.synthetic import routine, sequence

pytestmark = pytest.mark.exclusive  # stuck processes are found by timeouts

TIMES = [0.25 + 0.1 * i for i in range(12)]


class _Stream:
    """A stream as the pool sees it: a one-frame slot and what it was answered."""

    def __init__(self, analyzer: PoseScoring) -> None:
        self.analyzer = analyzer
        self.slot: Incoming | None = None
        self.outcomes: list[tuple[float, Outcome]] = []

    def take_newest(self) -> Incoming | None:
        frame, self.slot = self.slot, None
        return frame

    def deliver(self, frame: Incoming, outcome: Outcome) -> None:
        self.outcomes.append((frame.timestamp_s, outcome))


Pose = NDArray[np.float32]


def _learner(reference: PoseSequence, time_s: float, mirror: bool) -> Pose:
    late = reference_pose_at(reference, time_s - 0.05)
    assert late is not None
    return mirror_landmarks(late) if mirror else late


async def _until(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def _run(
    scenario: Callable[[PoseScoringPool], Awaitable[None]], stuck_after_s: float = 30.0
) -> None:
    async def main() -> None:
        pool = PoseScoringPool(stuck_after_s=stuck_after_s)
        pool.start()
        try:
            await scenario(pool)
        finally:
            pool.stop()

    asyncio.run(main())


def _answered(streams: list[_Stream], count: int) -> Callable[[], bool]:
    return lambda: all(len(stream.outcomes) >= count for stream in streams)


async def _dance(
    pool: PoseScoringPool, streams: list[_Stream], poses: list[list[Pose | None]]
) -> None:
    """Each stream sends its frames one at a time, waiting for each answer."""
    for index, time_s in enumerate(TIMES):
        for stream, learner in zip(streams, poses, strict=True):
            stream.slot = Incoming(BrowserPose(learner[index], 640, 480), time_s, time_s, 0)
            pool.notify(stream)
        await _until(_answered(streams, index + 1))


def test_frames_scored_in_the_process_are_answered_as_on_the_loop() -> None:
    references = [sequence(routine(4.0)), sequence(routine(3.0))]
    # Two references, mirrored or not, and a learner out of view in the middle.
    setups = [(references[0], False), (references[0], True), (references[1], False)]
    poses: list[list[Pose | None]] = [
        [_learner(ref, t, mirror) for t in TIMES] for ref, mirror in setups
    ]
    poses[2][5] = None

    async def scenario(pool: PoseScoringPool) -> None:
        streams = [_Stream(pool.analyzer(ref, mirror)) for ref, mirror in setups]
        for stream in streams:
            pool.register(stream)
        await _dance(pool, streams, poses)
        # The same frames scored here, one stream at a time.
        for stream, (ref, mirror), learner in zip(streams, setups, poses, strict=True):
            local = pose_only_analyzers(ref, mirror)
            for index, (time_s, outcome) in enumerate(stream.outcomes):
                here = analyze_poses(
                    [PosedFrame(local, BrowserPose(learner[index], 640, 480), time_s, time_s)]
                )[0]
                assert isinstance(outcome, FrameAnalysis)
                assert outcome.accuracy == here.accuracy
                assert outcome.part_scores == here.part_scores
                assert outcome.errors == here.errors[:STORED_ERRORS]
                assert outcome.agreement == here.agreement
                assert outcome.warning == here.warning
                assert outcome.message is not None
                sent = orjson.loads(with_dropped(outcome.message, 3))
                expected = orjson.loads(with_dropped(frame_message(here), 3))
                sent.pop("processing_ms"), expected.pop("processing_ms")
                assert sent == expected
            assert any(o.accuracy is not None and o.accuracy > 0.9 for _, o in stream.outcomes)  # type: ignore[union-attr]

    _run(scenario)


@pytest.mark.parametrize("failure", [signal.SIGKILL, signal.SIGSTOP])
def test_a_dead_or_stuck_scoring_process_is_replaced_and_its_streams_go_on(failure: int) -> None:
    reference = sequence(routine(4.0))
    learner: list[Pose | None] = [_learner(reference, t, False) for t in TIMES]

    async def scenario(pool: PoseScoringPool) -> None:
        stream = _Stream(pool.analyzer(reference, False))
        pool.register(stream)
        await _dance(pool, [stream], [learner])
        (pid,) = pool.process_ids()
        assert pid is not None
        os.kill(pid, failure)
        if failure == signal.SIGSTOP:  # stuck: noticed once a frame goes unanswered
            stream.slot = Incoming(BrowserPose(learner[0], 640, 480), 9.0, 9.0, 0)
            pool.notify(stream)
            await _until(lambda: len(stream.outcomes) > len(TIMES))
            assert isinstance(stream.outcomes[-1][1], DancecoachError)
        await _until(lambda: pool.process_ids()[0] not in (None, pid))
        stream.outcomes.clear()
        await _dance(pool, [stream], [learner])
        scored = [o for _, o in stream.outcomes if isinstance(o, FrameAnalysis)]
        # Opened again in the new process: scored, with a window that starts over.
        assert len(scored) == len(TIMES)
        assert scored[-1].accuracy is not None and scored[-1].accuracy > 0.9

    _run(scenario, stuck_after_s=1.0)


def test_a_closed_stream_gets_nothing_more_and_an_image_frame_is_refused() -> None:
    reference = sequence(routine(4.0))
    learner: list[Pose | None] = [_learner(reference, t, False) for t in TIMES]

    async def scenario(pool: PoseScoringPool) -> None:
        stream, other = (_Stream(pool.analyzer(reference, False)) for _ in range(2))
        for s in (stream, other):
            pool.register(s)
        await _dance(pool, [stream, other], [learner, learner])
        stream.slot = Incoming(BrowserPose(learner[0], 640, 480), 9.0, 9.0, 0)
        pool.notify(stream)
        idle = pool.unregister(stream)
        await asyncio.get_running_loop().run_in_executor(None, idle.wait, 30.0)
        assert idle.is_set()
        answered = len(stream.outcomes)
        other.slot = Incoming(b"\xff\xd8 a jpeg", 9.0, 9.0, 0)
        pool.notify(other)
        await _until(lambda: len(other.outcomes) > len(TIMES))
        refused = other.outcomes[-1][1]
        assert isinstance(refused, ImageFramesRefusedError)
        await asyncio.sleep(0.2)
        assert len(stream.outcomes) == answered
        assert not any(isinstance(o, DancecoachError) for _, o in stream.outcomes)

    _run(scenario)


def test_a_second_batch_waits_in_the_process_but_never_a_streams_second_frame() -> None:
    """While the process scores one batch the next is already in its pipe (so it never idles
    while the loop answers), but a stream's next frame waits in its slot until its previous
    one is answered: with the process stopped, A's and B's first frames go in two requests,
    A's second waits; once it runs, every frame is answered in order."""
    reference = sequence(routine(4.0))
    learner: list[Pose | None] = [_learner(reference, t, False) for t in TIMES]

    def frame(index: int) -> Incoming:
        return Incoming(BrowserPose(learner[index], 640, 480), TIMES[index], TIMES[index], 0)

    async def scenario(pool: PoseScoringPool) -> None:
        a, b = (_Stream(pool.analyzer(reference, False)) for _ in range(2))
        for s in (a, b):
            pool.register(s)
        a.slot = frame(0)
        pool.notify(a)
        b.slot = frame(0)
        pool.notify(b)
        await _until(_answered([a, b], 1))
        (pid,) = pool.process_ids()
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        try:
            a.slot = frame(1)
            pool.notify(a)
            await asyncio.sleep(0.1)
            b.slot = frame(1)
            pool.notify(b)
            await asyncio.sleep(0.1)
            a.slot = frame(2)
            pool.notify(a)
            await asyncio.sleep(0.1)
            process = pool._processes[0]  # the pipe's discipline is the point
            assert len(process.in_flight) == 2
            assert a.slot is not None and a.slot.timestamp_s == TIMES[2]  # waits: A is in one
        finally:
            os.kill(pid, signal.SIGCONT)
        await _until(lambda: len(a.outcomes) == 3 and len(b.outcomes) == 2)
        assert [t for t, _ in a.outcomes] == TIMES[:3]
        assert all(isinstance(o, FrameAnalysis) for s in (a, b) for _, o in s.outcomes)

    _run(scenario)
