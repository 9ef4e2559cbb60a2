"""The `compare` command's result as a typed value, and its one serialisation (`--json`).

Field names are the CLI's JSON contract: times of problem segments are `start_time` /
`end_time` (reference seconds) and `attempt_start_time` / `attempt_end_time` (attempt
seconds), scores 0-100, lags in milliseconds (positive: late).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dancecoach.coaching.items import FeedbackItem
from dancecoach.coaching.turns import moment_title
from dancecoach.practice.report_types import FeedbackEntry, to_json
from dancecoach.practice.reports import feedback_entry
from dancecoach.scoring.judgement import Grade
from dancecoach.scoring.results import (
    AccentTiming,
    AlignmentInfo,
    Moment,
    MoveScore,
    ProblemSegment,
    ScoreReport,
    SegmentError,
    TimelinePoint,
    Trend,
    grade_counts,
)


@dataclass(frozen=True)
class CompareSegment:
    """A problem segment as `compare` reports it (scoring.results.ProblemSegment without the
    measurements kept only for coaching's words)."""

    start_time: float  # reference seconds
    end_time: float
    attempt_start_time: float  # attempt seconds
    attempt_end_time: float
    title: str
    body_parts: tuple[str, ...]  # groups at fault, worst first
    score: float  # 0-100
    lag_ms: float  # positive: late here
    # The eight it starts in (1-based, 0: the pickup) and its first and last count; None
    # without beats.
    eight: int | None
    counts: tuple[int, int] | None
    errors: tuple[SegmentError, ...]


@dataclass(frozen=True)
class CompareReport:
    """Everything `compare` tells about an attempt against a reference, with its coaching.

    The fields are in the order `--json` prints them.
    """

    overall_score: float  # 0-100
    grade: Grade
    offset_s: float  # reference time = attempt time + offset_s
    mirrored: bool
    alignment: AlignmentInfo
    lag_ms: float  # average, positive = late
    per_body_part: dict[str, float]  # group -> 0-100, only groups that were compared
    problem_segments: tuple[CompareSegment, ...]
    frames_compared: int
    frames_without_person: int
    trend: Trend
    consistency: float  # 0-100
    best_moment: Moment | None
    hardest_moment: Moment | None
    timeline: tuple[TimelinePoint, ...]
    moves: tuple[MoveScore, ...]
    grade_counts: dict[str, int]  # moves per grade, best grade first, zeros too
    accents: tuple[AccentTiming, ...]  # timing on the reference's hits (empty: no beats)
    feedback: tuple[FeedbackEntry, ...]


def _segment(segment: ProblemSegment) -> CompareSegment:
    return CompareSegment(
        start_time=segment.start_s,
        end_time=segment.end_s,
        attempt_start_time=segment.attempt_start_s,
        attempt_end_time=segment.attempt_end_s,
        title=moment_title(segment),  # "Turn at ..." when the learner faced another way
        body_parts=segment.body_parts,
        score=segment.score,
        lag_ms=segment.lag_ms,
        eight=segment.eight,
        counts=segment.counts,
        errors=segment.errors,
    )


def compare_report(report: ScoreReport, feedback: Sequence[FeedbackItem]) -> CompareReport:
    """The scorer's report with its coaching, as `compare` reports it."""
    return CompareReport(
        overall_score=report.overall_score,
        grade=report.grade,
        offset_s=report.offset_s,
        mirrored=report.mirrored,
        alignment=report.alignment,
        lag_ms=report.lag_ms,
        per_body_part=dict(report.per_body_part),
        problem_segments=tuple(_segment(segment) for segment in report.problem_segments),
        frames_compared=report.frames_compared,
        frames_without_person=report.frames_without_person,
        trend=report.trend,
        consistency=report.consistency,
        best_moment=report.best_moment,
        hardest_moment=report.hardest_moment,
        timeline=report.timeline,
        moves=report.moves,
        grade_counts=grade_counts(report),
        accents=report.accents,
        feedback=tuple(feedback_entry(item) for item in feedback),
    )


def compare_json(report: CompareReport) -> dict[str, object]:
    """The object `compare --json` prints: the fields by name, tuples as lists."""
    data: dict[str, object] = to_json(report)
    return data
