"""Alignment and scoring on synthetic routines with known offsets, lags and errors."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.agreement import chance_levels, sample_frames
from dancecoach.scoring.alignment import (
    OffsetEstimate,
    PairChance,
    estimate_offset,
    offset_grid,
    poses_at,
    reference_pose_at,
)
from dancecoach.scoring.features import compute_features
from dancecoach.scoring.matching import TEMPO_RATES
from dancecoach.scoring.moments import Section
from dancecoach.scoring.performance import score_performance
from tests.synthetic import Figure, routine, sequence


def test_interpolation_reads_between_frames_and_nothing_outside() -> None:
    reference = sequence(routine(2.0))
    middle = reference_pose_at(reference, 0.5 / 15.0)
    assert middle is not None
    expected = (reference.landmarks[0] + reference.landmarks[1]) / 2
    assert np.allclose(middle, expected, atol=1e-6)
    assert reference_pose_at(reference, -1.0) is None
    assert reference_pose_at(reference, 5.0) is None
    assert np.isnan(poses_at(reference, np.array([10.0]))).all()


def test_same_routine_scores_near_perfect() -> None:
    reference = sequence(routine(10.0))
    report = score_performance(reference, reference, mirror=False, alignment="search")
    assert report.overall_score >= 98
    assert abs(report.offset_s) < 0.05
    assert abs(report.lag_ms) < 40
    assert report.problem_segments == () or all(s.score > 85 for s in report.problem_segments)


def test_global_offset_is_found() -> None:
    reference = sequence(routine(14.0))
    # The attempt video starts 1.2 s into the routine: reference time = attempt time + 1.2.
    attempt = sequence(routine(10.0, phase_s=1.2))
    report = score_performance(reference, attempt, mirror=False, alignment="search")
    assert abs(report.offset_s - 1.2) < 0.1
    assert report.overall_score >= 95


def test_being_late_is_timing_not_wrong_shapes() -> None:
    reference = sequence(routine(10.0))
    late = sequence(routine(10.0, phase_s=-0.25))  # the learner is 250 ms behind
    report = score_performance(reference, late, mirror=False, alignment="timestamp")
    assert 150 <= report.lag_ms <= 350
    assert report.overall_score >= 93


def test_mirror_auto_detects_a_flipped_recording() -> None:
    reference = sequence(routine(8.0))
    flipped = reference.mirrored()
    auto = score_performance(reference, flipped, mirror=None, alignment="search")
    assert auto.mirrored
    assert auto.overall_score >= 95
    direct = score_performance(reference, flipped, mirror=False, alignment="search")
    assert direct.overall_score < auto.overall_score - 10
    plain = score_performance(reference, reference, mirror=None, alignment="search")
    assert not plain.mirrored


def test_a_wrong_left_arm_becomes_a_problem_segment_at_the_right_time() -> None:
    figures = routine(12.0)
    reference = sequence(figures)
    wrong = [
        dataclasses.replace(f, left_arm_deg=10.0, left_elbow_bend_deg=0.0)
        if 5.0 <= i / 15 < 7.0
        else f
        for i, f in enumerate(figures)
    ]
    report = score_performance(reference, sequence(wrong), mirror=False, alignment="timestamp")
    assert report.problem_segments
    worst = min(report.problem_segments, key=lambda s: s.score)
    assert worst.start_s < 6.0 < worst.end_s
    assert worst.start_s >= 4.3 and worst.end_s <= 7.7
    assert worst.body_parts[0] == "left_arm"
    assert any("left" in e.message for e in worst.errors)
    assert report.per_body_part["left_arm"] < report.per_body_part["right_arm"]
    assert report.hardest_moment is not None
    assert report.hardest_moment.start_s <= 6.5 and report.hardest_moment.end_s >= 5.5


def test_frames_without_a_person_are_counted_but_not_penalised() -> None:
    reference = sequence(routine(8.0))
    landmarks = reference.landmarks.copy()
    landmarks[30:60] = np.nan
    attempt = PoseSequence(landmarks, reference.timestamps_s, reference.frame_size, reference.fps)
    report = score_performance(reference, attempt, mirror=False, alignment="timestamp")
    assert report.frames_without_person == 30
    assert report.frames_compared == len(reference) - 30
    assert report.overall_score >= 98


def test_named_sections_name_the_best_and_hardest_moment() -> None:
    figures = routine(8.0)
    wrong = [
        dataclasses.replace(f, right_arm_deg=0.0) if i >= 60 else f for i, f in enumerate(figures)
    ]
    sections = [Section("Intro", 0.0, 4.0), Section("Chorus", 4.0, 8.0)]
    report = score_performance(
        sequence(figures), sequence(wrong), mirror=False, alignment="timestamp", sections=sections
    )
    assert report.best_moment is not None and report.best_moment.label == "Intro"
    assert report.hardest_moment is not None and report.hardest_moment.label == "Chorus"


def test_improvement_over_time_is_a_rising_trend() -> None:
    figures = routine(12.0)
    # Early frames are badly off, later ones right: the learner is improving.
    attempt = [
        dataclasses.replace(f, left_arm_deg=f.left_arm_deg - 90 * max(0.0, 1 - i / 90))
        for i, f in enumerate(figures)
    ]
    report = score_performance(
        sequence(figures), sequence(attempt), mirror=False, alignment="timestamp"
    )
    assert report.trend.direction == "improving"
    assert report.trend.slope_per_min is not None and report.trend.slope_per_min > 0


def test_unrelated_poses_score_far_lower_than_the_same_routine() -> None:
    reference = sequence(routine(10.0))
    other = sequence([Figure(left_arm_deg=5, right_arm_deg=175, left_knee_bend_deg=90)] * 150)
    same = score_performance(reference, reference, mirror=None, alignment="search").overall_score
    unrelated = score_performance(reference, other, mirror=None, alignment="search").overall_score
    assert same - unrelated > 30


def test_a_uniformly_wrong_performance_still_gets_short_problem_segments() -> None:
    reference = sequence(routine(12.0))
    wrong = sequence([Figure(left_arm_deg=0, right_arm_deg=180, left_knee_bend_deg=100)] * 180)
    report = score_performance(reference, wrong, mirror=False, alignment="timestamp")
    assert report.overall_score < 30
    assert report.problem_segments
    assert all(s.end_s - s.start_s <= 3.6 for s in report.problem_segments)


@settings(max_examples=200, deadline=None)
@given(
    missing=st.lists(st.booleans(), min_size=1, max_size=8),
    times=st.lists(st.floats(-0.2, 0.8, allow_nan=False), min_size=1, max_size=10),
)
def test_one_time_reads_the_same_pose_as_the_array_version(
    missing: list[bool], times: list[float]
) -> None:
    """The live path (scalar) and the offline path (arrays) agree, gaps and edges included."""
    full = sequence(routine(2.0))
    landmarks = full.landmarks[: len(missing)].copy()
    landmarks[np.array(missing)] = np.nan
    reference = dataclasses.replace(
        full, landmarks=landmarks, timestamps_s=full.timestamps_s[: len(missing)]
    )
    stamps = reference.timestamps_s
    # Besides random times: every frame time and the half-frame edges around it.
    edges = [t + d for t in stamps for d in (0.0, 0.5 / reference.fps, -0.5 / reference.fps)]
    for time_s in [*times, *edges]:
        expected = poses_at(reference, np.array([time_s]))[0]
        pose = reference_pose_at(reference, time_s)
        if np.isnan(expected[0, 0]):
            assert pose is None, time_s
        else:
            assert pose is not None, time_s
            np.testing.assert_array_equal(pose, expected)


def _searched(reference: PoseSequence, attempt: PoseSequence) -> OffsetEstimate:
    """The pose search over +-3 s and the tempo rates, as compare runs it without a song."""
    reference_features = compute_features(reference.landmarks, reference.aspect_ratio)
    attempt_features = compute_features(attempt.landmarks, attempt.aspect_ratio)
    chance = PairChance(
        attempt=chance_levels(attempt_features, sample_frames(reference_features)),
        reference=chance_levels(reference_features, sample_frames(attempt_features)),
    )
    return estimate_offset(
        reference, reference_features, attempt, attempt_features, chance,
        offset_grid(0.0, 3.0, 1.0 / reference.fps), rates=TEMPO_RATES, shift_cost_per_s=0.01,
    )  # fmt: skip


def _wandering(duration_s: float, seed: int) -> PoseSequence:
    """Another dance: limbs wander smoothly and at random (a seeded random walk)."""
    rng = np.random.default_rng(seed)
    frames = round(duration_s * 15.0)
    steps = rng.normal(0.0, 6.0, size=(frames, 4)).cumsum(axis=0)
    figures = [
        Figure(
            left_arm_deg=float(90 + 70 * np.sin(np.radians(a))),
            right_arm_deg=float(90 + 70 * np.sin(np.radians(b))),
            left_elbow_bend_deg=float(45 + 40 * np.sin(np.radians(c))),
            left_knee_bend_deg=float(max(0.0, 50 * np.sin(np.radians(d)))),
        )
        for a, b, c, d in steps
    ]
    return sequence(figures)


def test_the_search_counts_what_it_found_by_choosing_as_chance() -> None:
    reference = sequence(routine(14.0, period_s=2.5))
    # The same routine starting 1.2 s later: the shift is real, nothing was found by choosing.
    same = _searched(reference, dataclasses.replace(reference, landmarks=reference.landmarks[18:],
                     timestamps_s=reference.timestamps_s[:-18]))  # fmt: skip
    assert abs(same.offset_s - 1.2) <= 1.0 / 15.0
    assert same.optimism < 0.02
    # Unrelated dances: whatever the best of 455 shifts and tempos found does not hold on the
    # seconds its choice did not see.
    for seed in range(4):
        other = _searched(reference, _wandering(12.0, seed))
        assert other.optimism > 0.02, (seed, other)
        assert other.gain - other.optimism < same.gain - same.optimism - 0.5
