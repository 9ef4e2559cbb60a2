"""Live judgement: a stream judged frame by frame the way a recorded section is."""

from __future__ import annotations

import numpy as np

from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.alignment import WARP_WINDOW_S, reference_pose_at
from dancecoach.scoring.features import compute_features
from dancecoach.scoring.live_judgement import (
    _PLATEAU_GAIN,
    LIVE_WINDOW_S,
    LiveJudge,
    LiveWindow,
    _plateau_middles,
)
from dancecoach.scoring.matching import match_performance
from tests.perturbations import holding_one_pose
from tests.synthetic import routine, sequence

FPS = 10.0  # a webcam stream


def _stream(
    judge: LiveJudge, reference: PoseSequence, learner_time: list[float], dance_time: list[float]
) -> tuple[list[float], list[float]]:
    """Accuracy and lag of each frame: the learner's pose is the reference's at learner_time,
    sent with dance_time."""
    window = LiveWindow()
    accuracies, lags = [], []
    for shown, sent in zip(learner_time, dance_time, strict=True):
        pose = reference_pose_at(reference, shown)
        assert pose is not None
        verdict = judge.judge(pose, reference.aspect_ratio, sent, window)
        accuracies.append(verdict.comparison.accuracy)
        lags.append(verdict.lag_s)
    return accuracies, lags


def test_a_learner_a_little_late_reads_as_dancing_it_right_and_the_lag_is_found() -> None:
    reference = sequence(routine(12.0, period_s=2.5))
    judge = LiveJudge(reference)
    times = [1.0 + i / FPS for i in range(90)]
    for late_s in (0.0, 0.2, 0.4):
        accuracies, lags = _stream(judge, reference, [t - late_s for t in times], times)
        settled = slice(round(LIVE_WINDOW_S * FPS), None)
        assert min(accuracies[settled]) > 0.9, (late_s, min(accuracies[settled]))
        # Negative lag: the learner is behind the reference. Within 0.1 s: poses a frame or
        # two apart earn the same full credit, and the pull towards zero lag picks the smallest.
        assert abs(float(np.median(lags[settled])) + late_s) <= 0.1, (late_s, lags[settled])


def test_lateness_beyond_the_warp_costs_score() -> None:
    reference = sequence(routine(12.0, period_s=2.5))
    judge = LiveJudge(reference)
    times = [3.0 + i / FPS for i in range(80)]
    on_time, _ = _stream(judge, reference, times, times)
    far_late, _ = _stream(judge, reference, [t - 2 * WARP_WINDOW_S - 0.25 for t in times], times)
    assert np.mean(far_late) < np.mean(on_time) - 0.3


def test_holding_one_pose_while_the_routine_dances_reads_low_live_and_recorded() -> None:
    reference = sequence(routine(12.0, period_s=2.5))
    held = holding_one_pose(reference)
    judge = LiveJudge(reference)
    window = LiveWindow()
    accuracies = []
    for index in range(0, len(held), 2):
        verdict = judge.judge(
            held.landmarks[index], held.aspect_ratio, float(held.timestamps_s[index]), window
        )
        accuracies.append(verdict.comparison.accuracy)
    recorded = match_performance(reference, held, mirror=False, alignment="timestamp")
    assert float(np.mean(accuracies)) < 0.4  # a Miss on average
    assert recorded.overall_score < 40


def test_a_seek_starts_a_new_window() -> None:
    reference = sequence(routine(12.0, period_s=2.5))
    judge = LiveJudge(reference)
    window = LiveWindow()
    for time_s in (5.0, 5.1, 5.2):
        pose = reference_pose_at(reference, time_s)
        assert pose is not None
        judge.judge(pose, 1.0, time_s, window)
    assert len(window.times_s) == 3
    pose = reference_pose_at(reference, 2.0)
    assert pose is not None
    judge.judge(pose, 1.0, 2.0, window)  # looped back to the section's start
    assert window.times_s == [2.0]


def test_nothing_comparable_reads_as_no_score() -> None:
    reference = sequence(routine(4.0))
    missing = np.full((33, 4), np.nan, dtype=np.float32)
    result = LiveJudge(reference).judge(missing, 1.0, 1.0, LiveWindow()).comparison
    assert np.isnan(result.accuracy)
    assert result.errors == ()
    result = LiveJudge(reference).judge(reference.landmarks[0], 1.0, 60.0, LiveWindow()).comparison
    assert np.isnan(result.accuracy), "past the reference's end nothing is judged"


def test_every_lag_reads_the_nearest_reference_frame_and_nothing_past_the_ends() -> None:
    """Inside the reference the lags are read as one slice, near its ends one by one: both
    must give, at every lag, the features of the nearest reference frame, and none outside."""
    reference = sequence(routine(6.0, period_s=2.5))
    judge = LiveJudge(reference)
    features = compute_features(reference.landmarks, reference.aspect_ratio)
    lag_frames = np.rint(judge.lags_s * reference.fps).astype(int)
    for time_s in np.arange(-1.5, 7.5, 0.037):
        read = judge._reference_at(float(time_s))
        nearest = round((float(time_s) - float(reference.timestamps_s[0])) * reference.fps)
        for row, index in enumerate(nearest + lag_frames):
            if 0 <= index < len(reference):
                np.testing.assert_array_equal(read.values[row], features.values[index])
                np.testing.assert_array_equal(read.visibility[row], features.visibility[index])
                assert read.left_side_sign[row] == features.left_side_sign[index]
            else:
                assert np.isnan(read.values[row]).all()
                assert (read.visibility[row] == 0.0).all()


def test_the_steady_lag_is_the_middle_of_the_plateau_around_the_best_gain() -> None:
    """The plateaus of many frames found together, against a walk along each frame's lags."""
    generator = np.random.default_rng(11)
    lags_s = np.tile(np.arange(-7, 8) / 15.0, (400, 1))
    # Coarse gains make runs of near-equal ones; some lags missing, some frames unknown.
    gains = np.round(generator.uniform(0.0, 0.05, lags_s.shape), 2)
    gains[generator.uniform(size=gains.shape) < 0.1] = -np.inf
    gains[::37] = np.nan
    gains[5] = -np.inf
    expected = []
    for row, lag_row in zip(gains, lags_s, strict=True):
        top = np.max(row)
        if not np.isfinite(top):
            expected.append(np.nan)
            continue
        peak = int(np.argmax(row))
        start = end = peak
        while start > 0 and row[start - 1] >= top - _PLATEAU_GAIN:
            start -= 1
        while end < len(row) - 1 and row[end + 1] >= top - _PLATEAU_GAIN:
            end += 1
        expected.append((lag_row[start] + lag_row[end]) / 2.0)
    found = _plateau_middles(gains, lags_s)
    np.testing.assert_array_equal(found, np.array(expected))
    assert np.isfinite(found).sum() > 300  # most frames have a plateau
    assert len(set(found[np.isfinite(found)].tolist())) > 10  # and they differ
