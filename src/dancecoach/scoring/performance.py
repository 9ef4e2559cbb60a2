"""Scoring of a whole performance: align, compare every frame, then aggregate.

Produces the overall score, per-body-part scores, the score over time, the trend, problem
segments with their dominant errors, the best and hardest moments and the timing lag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.body_parts import BODY_PART_GROUPS
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.audio import SongMatch
from dancecoach.scoring.judgement import grade_of
from dancecoach.scoring.matching import (
    DEFAULT_MAX_POSE_OFFSET_S,
    Alignment,
    MatchedPerformance,
    match_performance,
)
from dancecoach.scoring.moments import Section, best_and_hardest, motion_speed, score_moves
from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.scoring.music.counts import eight_moves
from dancecoach.scoring.music.placement import with_counts
from dancecoach.scoring.music.timing import accent_beats, accent_timings
from dancecoach.scoring.results import (
    ScoreReport,
    TimelinePoint,
    Trend,
)
from dancecoach.scoring.segments import find_problem_segments

# The trend counts as a change when it moves the score this many points over the dance.
_TREND_MIN_POINTS = 5.0
_TIMELINE_BIN_S = 1.0


def _trend(times_s: NDArray[np.float64], accuracy: NDArray[np.float64]) -> Trend:
    valid = ~np.isnan(accuracy)
    if valid.sum() < 4 or np.ptp(times_s[valid]) <= 0:
        return Trend("steady", 0.0)
    slope_per_s = float(np.polyfit(times_s[valid], accuracy[valid] * 100.0, 1)[0])
    change = slope_per_s * float(np.ptp(times_s[valid]))
    direction: Literal["improving", "degrading", "steady"] = "steady"
    if change >= _TREND_MIN_POINTS:
        direction = "improving"
    elif change <= -_TREND_MIN_POINTS:
        direction = "degrading"
    return Trend(direction, round(slope_per_s * 60.0, 2))


def _timeline(matched: MatchedPerformance) -> tuple[TimelinePoint, ...]:
    """The score of each second of reference time that was danced."""
    compared = matched.compared
    if not compared.any():
        return ()
    bins = np.floor(matched.reference_times_s / _TIMELINE_BIN_S).astype(np.int64)
    points = []
    for value in np.unique(bins[compared]):
        score = matched.score(bins == value)
        if not np.isnan(score):
            points.append(TimelinePoint(round(float(value * _TIMELINE_BIN_S), 3), round(score, 1)))
    return tuple(points)


def summarize(
    reference: PoseSequence,
    matched: MatchedPerformance,
    sections: Sequence[Section] = (),
    beats: BeatGrid | None = None,
) -> ScoreReport:
    """Aggregate a matched performance into a score report.

    beats: the reference's beat grid; problem moments are then placed on its counts, the moves
    are its eight-counts and the learner's timing is measured on the reference's accents.
    """
    valid = matched.compared
    present = matched.attempt.present
    frames_without_person = int((~present & matched.in_range).sum())
    overall = matched.overall_score
    overall = 0.0 if np.isnan(overall) else overall

    per_body_part: dict[str, float] = {}
    for index, group in enumerate(BODY_PART_GROUPS):
        seen = valid & ~np.isnan(matched.group_credit[:, index])
        if seen.sum() >= max(1, valid.sum() // 4):
            per_body_part[group] = round(matched.group_score(index, seen), 1)

    timeline = _timeline(matched)
    timeline_scores = np.array([p.score for p in timeline])
    consistency = (
        float(np.clip(100.0 - 2.0 * timeline_scores.std(), 0.0, 100.0))
        if len(timeline) > 1
        else 100.0
    )
    lag_ms = float(-np.mean(matched.lags_s[valid]) * 1000.0) if valid.any() else 0.0
    # With beats the moves are the eight-counts, the ones graded live; else named sections or
    # the moves found in the reference's motion.
    if beats is not None and beats.has_beats:
        moves = score_moves(
            reference, matched, [move for move, _ in eight_moves(beats, reference.duration_s)]
        )
    else:
        moves = score_moves(reference, matched, sections)
    best, hardest = best_and_hardest(moves)

    report = ScoreReport(
        overall_score=round(overall, 1),
        per_body_part=per_body_part,
        timeline=timeline,
        trend=_trend(matched.attempt.timestamps_s, matched.accuracy),
        problem_segments=find_problem_segments(matched),
        best_moment=best,
        hardest_moment=hardest,
        lag_ms=round(lag_ms, 1),
        consistency=round(consistency, 1),
        frames_compared=int(valid.sum()),
        frames_without_person=frames_without_person,
        offset_s=round(matched.offset_s, 3),
        mirrored=matched.mirrored,
        alignment=matched.alignment,
        grade=grade_of(round(overall, 1)),
        moves=moves,
    )
    if beats is None or not beats.has_beats:
        return report
    accents = accent_beats(beats, motion_speed(reference), reference.timestamps_s)
    timings = accent_timings(beats, accents, matched.reference_times_s, matched.lags_s, valid)
    return replace(with_counts(report, beats), accents=timings)


def score_performance(
    reference: PoseSequence,
    attempt: PoseSequence,
    *,
    mirror: bool | None,
    alignment: Alignment,
    sections: Sequence[Section] = (),
    song: SongMatch | None = None,
    max_pose_offset_s: float = DEFAULT_MAX_POSE_OFFSET_S,
    beats: BeatGrid | None = None,
) -> ScoreReport:
    """Score an attempt against a reference (see match_performance for the arguments;
    beats: the reference's beat grid, see summarize)."""
    matched = match_performance(
        reference,
        attempt,
        mirror=mirror,
        alignment=alignment,
        song=song,
        max_pose_offset_s=max_pose_offset_s,
    )
    return summarize(reference, matched, sections, beats)
