"""Browser-pose streams scored on the event loop in batches (live/batching.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from dancecoach.errors import DancecoachError
from dancecoach.live import batching
from dancecoach.live.analysis import FrameAnalysis, FrameAnalyzer, PosedFrame, analyze_poses
from dancecoach.live.batching import BatchScorer
from dancecoach.live.browser_pose import BrowserPose
from dancecoach.live.session import Incoming, Outcome
from dancecoach.scoring.alignment import reference_pose_at
from tests.synthetic import routine, sequence

_REFERENCE = sequence(routine(3.0))


@dataclass
class _Stream:
    """A stream as the scorer sees it: a one-frame slot and what it was given back."""

    analyzer: FrameAnalyzer = field(
        default_factory=lambda: FrameAnalyzer(
            _REFERENCE, mirror=False, decode=None, tracker_factory=None
        )
    )
    slot: Incoming | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    def offer(self, time_s: float) -> None:
        pose = reference_pose_at(_REFERENCE, time_s)
        self.slot = Incoming(BrowserPose(pose, 640, 480), time_s, time_s, 0)

    def has_frame(self) -> bool:
        return self.slot is not None

    def take_newest(self) -> Incoming | None:
        frame, self.slot = self.slot, None
        return frame

    def deliver(self, frame: Incoming, outcome: Outcome) -> None:
        self.outcomes.append(outcome)


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every batch scored (analyze_poses calls)."""
    sizes: list[int] = []
    score = analyze_poses

    def counted(frames: Sequence[PosedFrame]) -> list[FrameAnalysis]:
        sizes.append(len(frames))
        return score(frames)

    monkeypatch.setattr(batching, "analyze_poses", counted)
    return sizes


def test_frames_that_arrive_together_are_scored_in_one_batch(batches: list[int]) -> None:
    async def scenario() -> None:
        scorer = BatchScorer()
        streams = [_Stream() for _ in range(5)]
        for stream in streams:
            scorer.register(stream)
        for stream in streams:
            stream.offer(1.0)
            scorer.notify(stream)
        await asyncio.sleep(0)
        assert batches == [5]
        for stream in streams:
            (outcome,) = stream.outcomes
            assert isinstance(outcome, FrameAnalysis)
            # Each learner copies her reference exactly.
            assert outcome.accuracy is not None and outcome.accuracy > 0.9

    asyncio.run(scenario())


def test_a_large_batch_is_split_and_the_loop_runs_between(batches: list[int]) -> None:
    async def scenario() -> None:
        scorer = BatchScorer(max_batch=4)
        streams = [_Stream() for _ in range(10)]
        for stream in streams:
            scorer.register(stream)
            stream.offer(1.0)
            scorer.notify(stream)
        await asyncio.sleep(0)
        assert batches == [4]  # the rest waits for the loop's next turn
        for _ in range(3):
            await asyncio.sleep(0)
        assert batches == [4, 4, 2]
        assert all(len(stream.outcomes) == 1 for stream in streams)

    asyncio.run(scenario())


def test_a_stream_that_left_is_not_scored(batches: list[int]) -> None:
    async def scenario() -> None:
        scorer = BatchScorer()
        staying, leaving = _Stream(), _Stream()
        for stream in (staying, leaving):
            scorer.register(stream)
            stream.offer(1.0)
            scorer.notify(stream)
        assert scorer.unregister(leaving).is_set()
        await asyncio.sleep(0)
        assert batches == [1]
        assert len(staying.outcomes) == 1 and leaving.outcomes == []
        leaving.offer(1.1)
        scorer.notify(leaving)
        await asyncio.sleep(0)
        assert leaving.outcomes == []

    asyncio.run(scenario())


def test_an_image_on_a_browser_pose_stream_is_refused_and_the_batch_goes_on(
    batches: list[int],
) -> None:
    async def scenario() -> None:
        scorer = BatchScorer()
        good, wrong = _Stream(), _Stream()
        for stream in (good, wrong):
            scorer.register(stream)
        good.offer(1.0)
        wrong.slot = Incoming(b"\xff\xd8 a jpeg", 1.0, 1.0, 0)
        scorer.notify(good)
        scorer.notify(wrong)
        await asyncio.sleep(0)
        assert batches == [1]
        assert isinstance(good.outcomes[0], FrameAnalysis)
        (refused,) = wrong.outcomes
        assert isinstance(refused, DancecoachError)
        assert "landmarks" in str(refused)

    asyncio.run(scenario())
