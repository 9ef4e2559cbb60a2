"""Result types of comparison and scoring, read by practice, offline, API and coaching."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Literal

from dancecoach.scoring.judgement import GRADES, Grade

Severity = Literal["minor", "medium", "major"]
SEVERITIES: tuple[Severity, ...] = typing.get_args(Severity)  # mildest first
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES, 1)}


@dataclass(frozen=True)
class JointError:
    """One specific difference between the learner and the reference in one frame.

    body_part: the joint in the learner's own left/right, e.g. "left_elbow".
    group: the body-part group it belongs to, e.g. "left_arm".
    feature: the measured quantity, e.g. "left_elbow_angle" or "left_upper_arm_direction".
    user_deg / reference_deg: the learner's and the reference's value in degrees (for the
        distance features, hand spread and foot width, the value is in torso lengths).
    difference: user - reference, signed, in the same unit.
    message: a plain instruction with the learner's correct side ("Raise your left arm higher").
    """

    body_part: str
    group: str
    feature: str
    user_deg: float
    reference_deg: float
    difference: float
    severity: Severity
    message: str

    def __reduce__(self) -> tuple[type[JointError], tuple[str | float, ...]]:
        # Pickled as its fields: live frames' errors cross a pipe by the thousand a second
        # (live/workers/pose_scoring.py), and the default form cost the event loop ~5 µs each.
        return (
            JointError,
            (
                self.body_part,
                self.group,
                self.feature,
                self.user_deg,
                self.reference_deg,
                self.difference,
                self.severity,
                self.message,
            ),
        )


@dataclass(frozen=True)
class FrameComparison:
    """Learner vs reference in one frame.

    accuracy: 0..1, or NaN when nothing could be compared (no person, parts out of frame); live,
        the gain pooled over the last seconds at the best lag (live_judgement.py).
    part_scores: 0..1 per body-part group that was visible in both poses (pooled the same way).
    errors: specific errors, most severe first.
    """

    accuracy: float
    part_scores: dict[str, float]
    errors: tuple[JointError, ...] = ()


@dataclass(frozen=True)
class SegmentError:
    """An error that dominates a problem segment, averaged over its frames."""

    body_part: str
    group: str
    feature: str
    user_deg: float
    reference_deg: float
    difference: float
    severity: Severity
    message: str
    frame_share: float  # fraction of the segment's frames that showed this error


@dataclass(frozen=True)
class ProblemSegment:
    """A stretch where accuracy dropped, in reference time (seconds) and attempt time."""

    start_s: float
    end_s: float
    attempt_start_s: float
    attempt_end_s: float
    score: float  # 0-100
    body_parts: tuple[str, ...]  # groups at fault, worst first
    errors: tuple[SegmentError, ...]
    lag_ms: float  # positive: the learner was late here
    title: str
    # Where it falls in the music (music/counts.py): the eight-count it starts in (1-based, 0
    # for the pickup) and its first and last count 1..8; None without beats.
    eight: int | None = None
    counts: tuple[int, int] | None = None
    # For coaching's words (scoring/body_position.py), not stored or sent: learner minus
    # reference yaw in degrees (positive: the learner faced further to their own left), and
    # (learner, reference) wrist heights in torso lengths above the hips; None: not measured.
    facing_deg: float | None = None
    left_hand_height: tuple[float, float] | None = None
    right_hand_height: tuple[float, float] | None = None


@dataclass(frozen=True)
class Moment:
    """A named stretch of the dance (a reference section or an automatically found move)."""

    label: str
    start_s: float
    end_s: float
    score: float  # 0-100


@dataclass(frozen=True)
class MoveScore:
    """One move of the reference (an eight-count, a named section or a found move) as danced."""

    label: str
    start_s: float  # reference time
    end_s: float
    score: float  # 0-100
    grade: Grade


AlignmentSource = Literal["audio", "pose", "timestamp"]


@dataclass(frozen=True)
class AlignmentInfo:
    """How the attempt was put on the reference's clock.

    source: "audio" (the shared soundtrack), "pose" (a bounded search over the poses, when
        there is no shared song) or "timestamp" (live: the frames carry reference time).
    offset_s: reference time = attempt time + offset_s.
    confidence: 0..1, how clearly the chosen offset stood out.
    same_song: whether both recordings play the same music (reported, never scored).
    tempo_ratio: the attempt's tempo over the reference's (1.1: the attempt is 10 % faster, a
        second of it covers 1.1 s of the reference); reference time = tempo_ratio * attempt
        time + offset_s.
    """

    source: AlignmentSource
    offset_s: float
    confidence: float
    same_song: bool
    tempo_ratio: float = 1.0


TrendDirection = Literal["improving", "degrading", "steady"]


@dataclass(frozen=True)
class Trend:
    """Which way the score went, with its fitted slope in the unit it was fitted in.

    One performance is fitted over its minutes of dancing (slope_per_min); several attempts
    combined are fitted over the attempts (slope_per_attempt). The other slope is None.
    """

    direction: TrendDirection
    slope_per_min: float | None = None  # score points per minute of dancing
    slope_per_attempt: float | None = None  # score points per attempt, in the order danced


@dataclass(frozen=True)
class TimelinePoint:
    time_s: float  # reference time
    score: float  # 0-100


@dataclass(frozen=True)
class AccentTiming:
    """How early or late the learner hit one accent: a count on which the reference's motion
    peaks (a hit), in reference time.

    time_s: the count's beat time in reference seconds; eight / count: where it is (eight 0 is
    the pickup); lag_ms: positive when the learner was late.
    """

    time_s: float
    eight: int
    count: int
    lag_ms: float


@dataclass(frozen=True)
class ScoreReport:
    """Everything scoring knows about one performance against a reference."""

    overall_score: float  # 0-100
    per_body_part: dict[str, float]  # group -> 0-100, only groups that were compared
    timeline: tuple[TimelinePoint, ...]
    trend: Trend
    problem_segments: tuple[ProblemSegment, ...]
    best_moment: Moment | None
    hardest_moment: Moment | None
    lag_ms: float  # average timing lag, positive = late
    consistency: float  # 0-100: how even the score was over time
    frames_compared: int
    frames_without_person: int
    offset_s: float  # reference time = attempt time + offset_s
    mirrored: bool
    alignment: AlignmentInfo
    grade: Grade  # of overall_score
    moves: tuple[MoveScore, ...]  # every move of the reference that was danced, in time order
    accents: tuple[AccentTiming, ...] = ()  # timing on the reference's hits (empty: no beats)


def grade_counts(report: ScoreReport) -> dict[str, int]:
    """How many moves got each grade, best grade first (every grade present, zeros too)."""
    return {grade: sum(move.grade == grade for move in report.moves) for grade in GRADES}
