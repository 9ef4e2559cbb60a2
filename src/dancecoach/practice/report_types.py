"""The practice reports as typed values, from the scorer to the wire: section and session
reports, their problem segments and analytics, and progress across attempts.

Reports are stored as JSON (see `to_json`, `from_json`); the API's pydantic schemas are built
from these values (api/schemas.py). Accuracies are 0..1, scores 0-100, times seconds.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from dancecoach.coaching.items import FeedbackSource
from dancecoach.scoring.judgement import Grade
from dancecoach.scoring.results import Moment, MoveScore, Severity, TimelinePoint, Trend
from dancecoach.scoring.timing import Timing

T = TypeVar("T")


@dataclass(frozen=True)
class SegmentErrorReport:
    """An error that dominated a problem segment (see scoring.results.SegmentError)."""

    body_part: str
    feature: str
    message: str
    severity: Severity
    user_deg: float  # degrees, or torso lengths for hand spread and foot width
    reference_deg: float
    difference: float
    frame_share: float  # fraction of the segment's frames that showed it


@dataclass(frozen=True)
class SegmentReport:
    """A problem segment as reported: reference and attempt times, coaching, the replay clip."""

    start_time: float  # reference time, seconds
    end_time: float
    attempt_start_time: float
    attempt_end_time: float
    title: str
    feedback: str
    video_clip: str | None  # URL of the learner's replay clip
    clip_number: int | None
    section_number: int
    score: float  # 0-100
    body_parts: tuple[str, ...]  # groups at fault, worst first
    lag_ms: float  # positive: late here
    errors: tuple[SegmentErrorReport, ...]
    # Where it falls in the music (music/counts.py): the eight it starts in (1-based, 0: the
    # pickup) and its first and last count; None without beats (and in reports stored before).
    eight: int | None = None
    counts: tuple[int, int] | None = None


@dataclass(frozen=True)
class FeedbackEntry:
    """A coaching item in the founding design's format (timestamp in reference seconds)."""

    timestamp: float
    title: str
    feedback: str
    severity: str
    body_parts: tuple[str, ...]
    source: FeedbackSource


@dataclass(frozen=True)
class AccentReport:
    """The learner's timing on one of the reference's hits (scoring.results.AccentTiming)."""

    time_s: float  # the count's beat time, reference seconds
    eight: int  # 1-based; 0: the pickup
    count: int  # 1-8
    lag_ms: float  # positive: late
    timing: Timing


@dataclass(frozen=True)
class Analytics:
    """The numbers of a section or a session: frames, moves, body parts, timing, trend."""

    total_frames: int
    frames_compared: int
    frames_without_person: int
    average_accuracy: float | None  # mean live per-frame accuracy, 0..1
    best_move: str | None
    hardest_move: str | None
    best_moment: Moment | None
    hardest_moment: Moment | None
    per_body_part: dict[str, float]  # group -> 0-100
    timeline: tuple[TimelinePoint, ...]
    trend: Trend
    lag_ms: float  # average, positive = late
    timing: Timing
    consistency: float  # 0-100
    dropped_frames: int | None
    grade: Grade
    moves: tuple[MoveScore, ...]
    grade_counts: dict[str, int]
    accents: tuple[AccentReport, ...] = ()  # timing on the reference's hits (none: no beats)
    # The camera's delay (CameraDelayNote), beside lag_ms: with it applied lag_ms is the
    # learner's own timing. None / False in reports stored before it existed.
    camera_delay_s: float | None = None
    camera_delay_applied: bool = False


@dataclass(frozen=True)
class PracticeSpan:
    """The part of the reference a session practises (reference seconds)."""

    title: str | None
    start_s: float
    end_s: float


@dataclass(frozen=True)
class SessionState:
    """Where a session stands: frames scored, the last dance time, sections completed."""

    session_id: str
    reference_video_id: str
    status: str  # "active" or "finalized"
    mirror: bool
    playback_rate: float
    section: PracticeSpan | None
    frames_scored: int
    dropped_frames: int
    last_timestamp: float | None  # dance time of the last stored frame
    pass_index: int
    sections_completed: int
    created_at: datetime
    finalized_at: datetime | None
    report_url: str | None


@dataclass(frozen=True)
class ProgressAttempt:
    """One completed section of one session: an attempt at the reference."""

    session_id: str
    section_number: int
    title: str
    start_time: float  # reference time, seconds
    end_time: float
    created_at: datetime
    overall_accuracy: float | None  # 0..1; None when nobody could be compared
    per_body_part: dict[str, float]  # group -> 0-100
    frames_compared: int


@dataclass(frozen=True)
class BestMove:
    """A move of the reference at its best over every attempt that danced it."""

    label: str
    start_s: float  # reference time, seconds
    end_s: float
    best_score: float  # 0-100
    grade: Grade  # of best_score
    times_danced: int  # attempts in which the move was scored


@dataclass(frozen=True)
class ReferenceProgress:
    """Attempts at one reference over time, the best and latest accuracy, how much each body
    part's score changed from the first scored attempt to the latest (points), and each move's
    best grade."""

    reference_video_id: str
    attempts: tuple[ProgressAttempt, ...]
    best_accuracy: float | None
    latest_accuracy: float | None
    body_part_change: dict[str, float]
    sessions: int
    best_moves: tuple[BestMove, ...] = ()  # in reference time order


@dataclass(frozen=True)
class CameraDelayNote:
    """The camera's delay in a report (live/camera_delay.py): seconds of dance time the
    learner's frames ran behind (negative: ahead), None when it could not be told; applied:
    the dance times were shifted by it, so the report's timing is the learner's own (else
    that timing still includes it)."""

    delay_s: float | None
    applied: bool
    from_pass: int = 0  # applied to the frames of this pass and later ones only


@dataclass(frozen=True)
class SectionReport:
    """One completed section (one pass of the dance): its score, problems and coaching."""

    session_id: str
    section_number: int
    title: str
    start_time: float  # reference time of the first and last frame, seconds
    end_time: float
    pass_index: int
    overall_accuracy: float | None  # 0..1; None when nobody could be compared
    problem_segments: tuple[SegmentReport, ...]
    analytics: Analytics
    feedback: tuple[FeedbackEntry, ...]
    created_at: datetime


@dataclass(frozen=True)
class SectionSummary:
    """A completed section as the session report lists it."""

    section_number: int
    title: str
    start_time: float  # reference time, seconds
    end_time: float
    overall_accuracy: float | None


@dataclass(frozen=True)
class SessionReport:
    """The final report of a session: every section combined (frame-weighted) and coached."""

    session_id: str
    reference_video_id: str
    overall_accuracy: float | None  # 0..1; None when nobody could be compared
    problem_segments: tuple[SegmentReport, ...]
    analytics: Analytics | None  # None when nobody could be compared
    feedback: tuple[FeedbackEntry, ...]
    sections: tuple[SectionSummary, ...]
    total_frames: int
    created_at: datetime


def to_json(value: Any) -> Any:
    """A report as JSON-ready data: dataclasses as objects, tuples as lists, times as ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def from_json(kind: type[T], data: Any) -> T:
    """A stored report (JSON data) as the typed value; fields added since it was stored take
    their defaults."""
    return typing.cast(T, _build(kind, data))


def _build(kind: Any, data: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin is typing.Union or origin is types.UnionType:
        if data is None:
            return None
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _build(inner, data)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_build(item, value) for value in data)
    if origin is dict:
        item = typing.get_args(kind)[1]
        return {key: _build(item, value) for key, value in data.items()}
    if origin is typing.Literal or kind is Any:
        return data
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{
                f.name: _build(hints[f.name], data[f.name])
                for f in dataclasses.fields(kind)
                if f.name in data
            }
        )
    if kind is datetime:
        return data if isinstance(data, datetime) else datetime.fromisoformat(data)
    if kind is float:
        return float(data)
    return data
