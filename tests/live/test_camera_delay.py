"""The camera's delay: the steady lag of the first eights, told apart from the learner's timing."""

from __future__ import annotations

import numpy as np

from dancecoach.live.camera_delay import (
    ESTIMATE_SPAN_S,
    MAX_CAMERA_DELAY_S,
    CameraDelay,
    DelayEstimator,
    estimate_span_s,
)
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.alignment import reference_pose_at
from dancecoach.scoring.live_judgement import LiveJudge, LiveWindow
from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.scoring.timing import ON_TIME_MS
from tests.synthetic import routine, sequence

FPS = 10.0


def _estimate(
    reference: PoseSequence, learner: PoseSequence, delay_s: float, start_s: float = 1.0
) -> CameraDelay | None:
    """Stream the learner through the live judge with every frame `delay_s` late: the frame
    stamped with dance time t shows what she did at t - delay_s."""
    judge, window = LiveJudge(reference), LiveWindow()
    estimator = DelayEstimator(estimate_span_s(BeatGrid.empty()))
    for i in range(round(12 * FPS)):
        time_s = start_s + i / FPS
        pose = reference_pose_at(learner, time_s - delay_s)
        assert pose is not None
        verdict = judge.judge(pose, reference.aspect_ratio, time_s, window)
        accuracy = None if np.isnan(verdict.comparison.accuracy) else verdict.comparison.accuracy
        estimate = estimator.add(time_s, accuracy, verdict.steady_lag_s)
        if estimate is not None:
            return estimate
    return estimator.result


def test_a_camera_a_quarter_second_behind_is_found_within_50_ms() -> None:
    reference = sequence(routine(16.0, period_s=2.5))
    estimate = _estimate(reference, reference, 0.25)
    assert estimate is not None and estimate.delay_s is not None
    assert abs(estimate.delay_s - 0.25) <= 0.05, estimate
    assert estimate.noticeable  # 250 ms is beyond the on-time threshold
    assert estimate.frames >= 10


def test_no_delay_reads_as_none_to_speak_of() -> None:
    reference = sequence(routine(16.0, period_s=2.5))
    estimate = _estimate(reference, reference, 0.0)
    assert estimate is not None and estimate.delay_s is not None
    assert abs(estimate.delay_s) <= 0.05, estimate
    assert abs(estimate.delay_s) * 1000 < ON_TIME_MS and not estimate.noticeable


def test_an_unrelated_dance_gives_no_estimate_or_a_bounded_one() -> None:
    reference = sequence(routine(16.0, period_s=2.5))
    other = sequence(routine(16.0, period_s=1.3, phase_s=0.7))
    estimate = _estimate(reference, other, 0.25)
    assert estimate is not None, "the estimate is due after the first eights, whatever they held"
    assert estimate.delay_s is None or abs(estimate.delay_s) <= MAX_CAMERA_DELAY_S, estimate


def test_the_estimate_waits_for_an_eight_of_the_song_and_at_least_a_few_seconds() -> None:
    slow = BeatGrid(60.0, np.arange(0.0, 30.0, 1.0), 0)  # an eight lasts 8 s
    assert abs(estimate_span_s(slow) - 8.0) < 1e-9
    fast = BeatGrid(120.0, np.arange(0.0, 30.0, 0.5), 0)  # 4 s: too few frames to tell
    assert estimate_span_s(fast) == ESTIMATE_SPAN_S == estimate_span_s(BeatGrid.empty())
    estimator = DelayEstimator(estimate_span_s(slow))
    results = [estimator.add(i / FPS, 0.9, -0.2) for i in range(round(7.9 * FPS))]
    assert results == [None] * len(results)
    estimate = estimator.add(8.1, 0.9, -0.2)
    assert estimate == CameraDelay(0.2, estimate.frames if estimate else 0, True)
    assert estimator.add(8.2, 0.9, -0.2) is None, "told once"


def test_a_looped_section_keeps_counting_dance_time() -> None:
    estimator = DelayEstimator(8.0)  # longer than the section
    estimate = None
    for _ in range(4):
        for i in range(round(3 * FPS)):  # a 3 s section, looped
            estimate = estimator.add(2.0 + i / FPS, 0.9, -0.1) or estimate
    assert estimate is not None and estimate.delay_s == 0.1
