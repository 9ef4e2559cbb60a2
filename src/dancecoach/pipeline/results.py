"""Result types of comparison and scoring: what the orchestration, API and feedback layers read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dancecoach.pipeline.judgement import Grade

Severity = Literal["minor", "medium", "major"]
SEVERITY_RANK: dict[str, int] = {"minor": 1, "medium": 2, "major": 3}

# Body-part groups that get their own score (per-body-part accuracy, limb colours).
BODY_PART_GROUPS: tuple[str, ...] = ("left_arm", "right_arm", "left_leg", "right_leg", "torso")


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


@dataclass(frozen=True)
class FrameComparison:
    """Learner vs reference in one frame.

    accuracy: 0..1, or NaN when nothing could be compared (no person, parts out of frame).
    part_scores: 0..1 per body-part group that was visible in both poses.
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
    tempo_ratio: the reference's tempo over the attempt's (1.1: the attempt is 10 % slower);
        reference time = tempo_ratio * attempt time + offset_s.
    """

    source: AlignmentSource
    offset_s: float
    confidence: float
    same_song: bool
    tempo_ratio: float = 1.0


@dataclass(frozen=True)
class Trend:
    direction: Literal["improving", "degrading", "steady"]
    slope_per_min: float  # score points per minute of dancing


@dataclass(frozen=True)
class TimelinePoint:
    time_s: float  # reference time
    score: float  # 0-100


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
