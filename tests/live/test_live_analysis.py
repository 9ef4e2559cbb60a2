"""Live frame analysis against a synthetic reference: what a learner's frame is scored as."""

from __future__ import annotations

import dataclasses
import functools
import pickle

import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.live.analysis import (
    FrameAgreement,
    FrameAnalysis,
    FrameAnalyzer,
    PosedFrame,
    analyze_poses,
)
from dancecoach.live.browser_pose import BrowserPose
from dancecoach.pose.landmarks import mirror_landmarks
from dancecoach.scoring.alignment import reference_pose_at
from dancecoach.scoring.ghost import project_reference_onto_user
from dancecoach.scoring.live_judgement import LiveJudge, LiveWindow
from dancecoach.scoring.results import JointError
from tests.synthetic import Figure, pose, routine, sequence


class _ScriptedTracker:
    """Returns the learner poses it is given, one per frame."""

    def __init__(self, poses: list[NDArray[np.float32]]) -> None:
        self._poses = iter(poses)

    def process(self, image_bgr: NDArray[np.uint8], timestamp_s: float) -> NDArray[np.float32]:
        return next(self._poses)

    def close(self) -> None:
        pass


def _blank(_: bytes) -> NDArray[np.uint8]:
    return np.zeros((480, 480, 3), np.uint8)


@pytest.mark.parametrize("mirror", [False, True])
def test_live_scores_are_the_live_judgement_of_the_stream(mirror: bool) -> None:
    reference = sequence(routine(4.0))
    times = [0.25 + 0.1 * i for i in range(30)]
    # The learner dances the routine 50 ms late, as the mirror image when mirror is set.
    learner_poses = []
    for time_s in times:
        late = reference_pose_at(reference, time_s - 0.05)
        assert late is not None
        learner_poses.append(mirror_landmarks(late) if mirror else late)
    analyzer = FrameAnalyzer(
        reference,
        mirror=mirror,
        decode=_blank,
        tracker_factory=lambda: _ScriptedTracker(learner_poses),
    )
    compared = dataclasses.replace(
        reference,
        landmarks=mirror_landmarks(reference.landmarks) if mirror else reference.landmarks,
    )
    judge, window = LiveJudge(compared), LiveWindow()
    for time_s, learner in zip(times, learner_poses, strict=True):
        result = analyzer.analyze(b"jpeg", time_s, time_s)
        verdict = judge.judge(learner, 1.0, time_s, window)
        expected = verdict.comparison
        assert result.accuracy == pytest.approx(expected.accuracy, abs=1e-6)
        assert result.part_scores == pytest.approx(expected.part_scores, abs=1e-6)
        assert [e.message for e in result.errors] == [e.message for e in expected.errors]
        assert result.agreement is not None
        assert result.agreement.lag_s == verdict.lag_s
        assert result.agreement.above == pytest.approx(verdict.above)
        expected_pose = reference_pose_at(reference, time_s)
        assert expected_pose is not None
        ghost = project_reference_onto_user(expected_pose, 1.0, learner, 1.0, mirror=mirror)
        assert result.ghost is not None
        np.testing.assert_allclose(result.ghost, ghost, atol=1e-5)
        # Copying the right side for the session's view, 50 ms late, reads as dancing it right.
        assert result.accuracy is not None and result.accuracy > 0.9


def test_copying_the_wrong_side_scores_lower() -> None:
    reference = sequence([Figure(left_arm_deg=150.0, right_arm_deg=20.0)] * 10)
    own_side = pose(Figure(left_arm_deg=150.0, right_arm_deg=20.0))
    other_side = pose(Figure(left_arm_deg=20.0, right_arm_deg=150.0))
    for mirror, right, wrong in ((False, own_side, other_side), (True, other_side, own_side)):
        analyzer = FrameAnalyzer(
            dataclasses.replace(reference),
            mirror=mirror,
            decode=_blank,
            tracker_factory=functools.partial(_ScriptedTracker, [right, wrong]),
        )
        good = analyzer.analyze(b"jpeg", 0.2, 0.2).accuracy
        bad = analyzer.analyze(b"jpeg", 0.3, 0.3).accuracy
        assert good is not None and bad is not None
        assert good > bad + 0.3, (mirror, good, bad)


def test_a_batch_of_streams_is_scored_as_each_stream_alone() -> None:
    """Scored together (the browser-pose batch), every stream reads what it would alone: three
    references (one at another frame rate, so another lag count), one learner mirrored, one
    who steps out of view, one who dances past the end of her reference."""
    references = [
        (sequence(routine(4.0)), False),
        (sequence(routine(3.0, fps=10.0, period_s=1.5), fps=10.0), True),
        (sequence(routine(2.0, phase_s=0.7)), False),
    ]
    batched = [
        FrameAnalyzer(reference, mirror=mirror, decode=None, tracker_factory=None)
        for reference, mirror in references
    ]
    alone = [
        FrameAnalyzer(reference, mirror=mirror, decode=None, tracker_factory=None)
        for reference, mirror in references
    ]
    compared = 0
    for step in range(35):
        time_s = 0.2 + 0.1 * step
        frames = []
        for index, (reference, mirror) in enumerate(references):
            late = reference_pose_at(reference, min(time_s - 0.05 * index, 1.9))
            assert late is not None
            learner = mirror_landmarks(late) if mirror else late
            if index == 1 and 10 <= step < 14:
                frames.append(BrowserPose(None, 640, 480))  # out of view for a moment
            else:
                frames.append(BrowserPose(learner, 640, 480))
        together = analyze_poses(
            [
                PosedFrame(analyzer, frame, time_s, time_s)
                for analyzer, frame in zip(batched, frames, strict=True)
            ]
        )
        for analyzer, frame, result in zip(alone, frames, together, strict=True):
            expected = analyzer.analyze(frame, time_s, time_s)
            assert result.warning == expected.warning
            if expected.accuracy is None:
                assert result.accuracy is None
                continue
            compared += 1
            assert result.accuracy == pytest.approx(expected.accuracy, abs=1e-9)
            assert result.part_scores == pytest.approx(expected.part_scores, abs=1e-9)
            assert [e.message for e in result.errors] == [e.message for e in expected.errors]
            assert [c.feature for c in result.cues] == [c.feature for c in expected.cues]
            assert result.agreement == pytest.approx(expected.agreement)
            assert result.ghost is not None and expected.ghost is not None
            np.testing.assert_allclose(result.ghost, expected.ghost, atol=1e-6)
    # Most frames were compared; the stretches without a person or a reference were not.
    assert compared > 70


def test_the_window_keeps_its_sums_as_frames_come_and_go() -> None:
    generator = np.random.default_rng(3)
    window = LiveWindow()
    pushed: dict[float, tuple[NDArray[np.float32], NDArray[np.float32]]] = {}
    time_s = 0.0
    for step in range(200):
        time_s = 0.0 if step == 120 else time_s + float(generator.uniform(0.05, 0.3))  # a seek
        if step == 120:
            pushed.clear()
        above = generator.normal(size=(17, 7)).astype(np.float32)
        room = generator.uniform(0.1, 0.9, 7).astype(np.float32)
        room[generator.uniform(size=7) < 0.2] = np.nan
        window.push(time_s, above, room, 2.0)
        pushed[time_s] = above, room
        assert all(time_s - 2.0 < t <= time_s for t in window.times_s)
        kept = [pushed[t] for t in window.times_s]
        assert len(window.times_s) == sum(time_s - 2.0 < t for t in pushed)
        np.testing.assert_allclose(
            window.above_total, np.sum([a for a, _ in kept], axis=0, dtype=np.float64), atol=1e-9
        )
        rooms = np.stack([r for _, r in kept])
        np.testing.assert_allclose(
            window.room_total, np.nansum(rooms, axis=0, dtype=np.float64), atol=1e-9
        )
        np.testing.assert_array_equal(window.room_known, (~np.isnan(rooms)).sum(axis=0))


def test_an_analysis_and_a_browser_pose_cross_a_pipe_unchanged() -> None:
    """Their poses are pickled as raw bytes (pack_pose): every field, with its values and
    types, must come back as it was, and the poses writable like any other array."""
    rng = np.random.default_rng(7)
    landmarks = rng.random((33, 4)).astype(np.float32)
    error = JointError(
        "left_elbow", "left_arm", "left_elbow_angle", 90.0, 150.0, -60.0, "major", "m"
    )
    # Every field set to something other than its default.
    analysis = FrameAnalysis(
        timestamp_s=1.25,
        width=640,
        height=360,
        landmarks=landmarks,
        ghost=rng.random((33, 4)).astype(np.float32),
        accuracy=0.75,
        part_scores={"left_arm": 0.5},
        errors=(error,),
        cues=(error,),
        warning="low_confidence",
        processing_ms=2.5,
        agreement=FrameAgreement(-0.1, -0.05, 0.3, 0.6),
        message=b'{"type":"frame_result"}',
    )
    back = pickle.loads(pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL))
    for field in dataclasses.fields(FrameAnalysis):
        value, returned = getattr(analysis, field.name), getattr(back, field.name)
        if isinstance(value, np.ndarray):
            assert returned.dtype == value.dtype and np.array_equal(returned, value)
            returned[0, 0] = 0.0  # writable
        else:
            assert returned == value, field.name
    for points in (landmarks, None):
        browser = pickle.loads(pickle.dumps(BrowserPose(points, 640, 360)))
        assert (browser.width, browser.height) == (640, 360)
        assert (
            (browser.landmarks is None)
            if points is None
            else np.array_equal(browser.landmarks, points)
        )
