"""Live frame analysis against a synthetic reference: what a learner's frame is scored as."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.live.analysis import FrameAnalyzer
from dancecoach.pose.landmarks import mirror_landmarks
from dancecoach.scoring.alignment import reference_pose_at
from dancecoach.scoring.ghost import project_reference_onto_user
from dancecoach.scoring.live_judgement import LiveJudge, LiveWindow
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
