"""Synthetic score reports with known numbers, built from scoring's result dataclasses."""

from __future__ import annotations

from dataclasses import replace

from dancecoach.scoring.judgement import grade_of
from dancecoach.scoring.results import (
    AlignmentInfo,
    Moment,
    ProblemSegment,
    ScoreReport,
    SegmentError,
    TimelinePoint,
    Trend,
)
from dancecoach.scoring.segments import segment_title

LEFT_ELBOW = SegmentError(
    body_part="left_elbow",
    group="left_arm",
    feature="left_elbow_angle",
    user_deg=95.0,
    reference_deg=145.0,
    difference=-50.0,
    severity="major",
    message="Straighten your left arm more",
    frame_share=0.8,
)
RIGHT_KNEE = SegmentError(
    body_part="right_knee",
    group="right_leg",
    feature="right_knee_angle",
    user_deg=168.0,
    reference_deg=128.0,
    difference=40.0,
    severity="medium",
    message="Bend your right knee more",
    frame_share=0.6,
)
RIGHT_UPPER_ARM = SegmentError(
    body_part="right_upper_arm",
    group="right_arm",
    feature="right_upper_arm_direction",
    user_deg=-62.0,
    reference_deg=-118.0,
    difference=56.0,
    severity="major",
    message="Raise your right arm higher",
    frame_share=0.7,
)
FEET = SegmentError(
    body_part="feet",
    group="left_leg",
    feature="foot_width",
    user_deg=0.42,
    reference_deg=0.95,
    difference=-0.53,
    severity="medium",
    message="Step your feet wider apart",
    frame_share=0.5,
)


def segment(
    start_s: float,
    end_s: float,
    errors: tuple[SegmentError, ...],
    *,
    score: float = 55.0,
    lag_ms: float = 0.0,
) -> ProblemSegment:
    groups = tuple(dict.fromkeys(e.group for e in errors))
    return ProblemSegment(
        start_s=start_s,
        end_s=end_s,
        attempt_start_s=start_s,
        attempt_end_s=end_s,
        score=score,
        body_parts=groups,
        errors=errors,
        lag_ms=lag_ms,
        title=segment_title(groups, "0:00"),
    )


def report(
    segments: tuple[ProblemSegment, ...] = (),
    *,
    overall: float = 72.0,
    lag_ms: float = 0.0,
    trend: Trend | None = None,
    duration_s: int = 24,
) -> ScoreReport:
    return ScoreReport(
        overall_score=overall,
        per_body_part={
            "left_arm": 61.0,
            "right_arm": 77.0,
            "left_leg": 83.0,
            "right_leg": 70.0,
            "torso": 91.0,
        },
        timeline=tuple(
            TimelinePoint(float(t), 60.0 + 30.0 * ((t * 7) % 5) / 4) for t in range(duration_s)
        ),
        trend=trend or Trend("improving", 4.2),
        problem_segments=segments,
        best_moment=Moment("Move at 0:04", 4.0, 7.0, 93.0),
        hardest_moment=Moment("Move at 0:12", 12.0, 15.0, 51.0),
        lag_ms=lag_ms,
        consistency=82.0,
        frames_compared=duration_s * 15,
        frames_without_person=3,
        offset_s=0.0,
        mirrored=False,
        alignment=AlignmentInfo("timestamp", 0.0, 0.0, same_song=False),
        grade=grade_of(overall),
        moves=(),
    )


def typical_report() -> ScoreReport:
    """Three problem segments: bent left elbow + straight right knee, low right arm, narrow feet."""
    return report(
        (
            segment(12.0, 15.2, (LEFT_ELBOW, RIGHT_KNEE), score=48.0),
            segment(16.4, 18.0, (RIGHT_UPPER_ARM,), score=58.0),
            segment(20.1, 22.3, (FEET,), score=66.0, lag_ms=310.0),
        )
    )


def great_report() -> ScoreReport:
    """Nothing to fix: no problem segments, a high score."""
    return replace(report(overall=94.0), hardest_moment=Moment("Move at 0:18", 18.0, 21.0, 88.0))
