"""Pydantic wire schemas: REST bodies and responses, and the WebSocket messages.

Field names follow the founding design (session_id, overall_accuracy, problem_segments with
start_time/end_time/title/feedback/video_clip, analytics with total_frames/average_accuracy/
best_move/hardest_move; per-frame pose_landmarks/immediate_errors/accuracy/timestamp).
Accuracies are 0..1; scores are 0-100; times are seconds of the reference video (dance time).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dancecoach.pipeline.judgement import Grade
from dancecoach.storage.files import clean_display_text

ReferenceStatus = Literal["processing", "ready", "failed"]
SessionStatus = Literal["active", "finalized"]
Severity = Literal["minor", "medium", "major"]
Seconds = Annotated[float, Field(ge=0.0, le=86_400.0, allow_inf_nan=False)]
Accuracy = Annotated[float, Field(ge=0.0, le=1.0)]
Score = Annotated[float, Field(ge=0.0, le=100.0)]


class ErrorPublic(BaseModel):
    """Every error response: a sentence for the user and a stable code for the client."""

    detail: str
    code: str
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Field-level problems of an invalid request (422)."
    )


class HealthPublic(BaseModel):
    status: Literal["ok"]
    version: str
    database: str
    references: int
    active_streams: int


# References -----------------------------------------------------------------------------


class SectionCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    start_s: Seconds
    end_s: Seconds

    @model_validator(mode="after")
    def _ordered(self) -> SectionCreate:
        if self.end_s <= self.start_s:
            raise ValueError("end_s must be after start_s")
        return self


class SectionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    start_s: float
    end_s: float


class ReferenceCreated(BaseModel):
    reference_video_id: str
    status: ReferenceStatus


class ReferenceUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class ReferencePublic(BaseModel):
    reference_video_id: str
    name: str
    status: ReferenceStatus
    progress: Accuracy = Field(description="Preprocessing progress, 0 to 1.")
    failure_reason: str | None
    duration_s: float | None
    fps: float | None
    width: int | None
    height: int | None
    is_demo: bool
    dancer_x: float | None = Field(
        description="Group video: x (0..1) of the followed dancer; null = chosen automatically."
    )
    created_at: datetime
    video_url: str
    thumbnail_url: str | None
    sections: list[SectionPublic]


class ProgressAttempt(BaseModel):
    session_id: str
    section_number: int
    title: str
    start_time: float
    end_time: float
    created_at: datetime
    overall_accuracy: Accuracy | None
    per_body_part: dict[str, Score]
    frames_compared: int


class ReferenceProgress(BaseModel):
    """Attempts at a reference over time (each completed section is one attempt)."""

    reference_video_id: str
    attempts: list[ProgressAttempt]
    best_accuracy: Accuracy | None
    latest_accuracy: Accuracy | None
    body_part_change: dict[str, float] = Field(
        description="Score points gained per body part from the first to the latest attempt."
    )
    sessions: int


# Sessions -------------------------------------------------------------------------------


class SectionSpan(BaseModel):
    start_s: Seconds
    end_s: Seconds

    @model_validator(mode="after")
    def _ordered(self) -> SectionSpan:
        if self.end_s <= self.start_s:
            raise ValueError("end_s must be after start_s")
        return self


class SessionCreate(BaseModel):
    reference_video_id: str = Field(min_length=1, max_length=64)
    section: str | SectionSpan | None = Field(
        default=None, description="A section id of the reference, or a {start_s, end_s} span."
    )
    mirror: bool = Field(
        default=True,
        description="The learner faces a mirrored reference and moves the same body side.",
    )
    playback_rate: float = Field(
        default=1.0,
        ge=0.25,
        le=2.0,
        description="Reference playback speed; frames still carry dance time in reference seconds.",
    )


class SessionCreated(BaseModel):
    session_id: str
    reference_video_id: str
    websocket_url: str


class SectionInfo(BaseModel):
    title: str | None
    start_s: float
    end_s: float


class SessionPublic(BaseModel):
    session_id: str
    reference_video_id: str
    status: SessionStatus
    mirror: bool
    playback_rate: float
    section: SectionInfo | None
    frames_scored: int
    dropped_frames: int
    last_timestamp: float | None
    pass_index: int
    sections_completed: int
    created_at: datetime
    finalized_at: datetime | None
    report_url: str | None


class CompleteSectionRequest(BaseModel):
    """The section just danced; all optional (default: every frame since the last section)."""

    start_s: Seconds | None = None
    end_s: Seconds | None = None
    title: str | None = Field(default=None, max_length=200)

    @field_validator("title")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        """Control characters become spaces, as in section names (PostgreSQL refuses NUL)."""
        return (None if value is None else clean_display_text(value)) or None

    @model_validator(mode="after")
    def _ordered(self) -> CompleteSectionRequest:
        if self.start_s is not None and self.end_s is not None and self.end_s <= self.start_s:
            raise ValueError("end_s must be after start_s")
        return self


class SegmentErrorPublic(BaseModel):
    body_part: str
    feature: str
    message: str
    severity: Severity
    user_deg: float
    reference_deg: float
    difference: float
    frame_share: float


class ProblemSegmentPublic(BaseModel):
    start_time: float = Field(description="Reference time, seconds.")
    end_time: float
    attempt_start_time: float
    attempt_end_time: float
    title: str
    feedback: str
    video_clip: str | None = Field(description="URL of the learner's replay clip (WebM).")
    clip_number: int | None
    section_number: int
    score: Score
    body_parts: list[str]
    lag_ms: float
    errors: list[SegmentErrorPublic]


class MomentPublic(BaseModel):
    label: str
    start_s: float
    end_s: float
    score: Score


GradePublic = Grade


class GradeBandPublic(BaseModel):
    grade: GradePublic
    min_score: Score = Field(description="Lowest 0-100 score of the grade (Miss: below all).")


class MovePublic(BaseModel):
    """One move of the reference as danced, with its grade (see GET /api/protocol for bands)."""

    label: str
    start_s: float
    end_s: float
    score: Score
    grade: GradePublic


class TimelinePointPublic(BaseModel):
    time_s: float
    score: Score


class TrendPublic(BaseModel):
    direction: Literal["improving", "degrading", "steady"]
    slope_per_min: float


class AnalyticsPublic(BaseModel):
    total_frames: int
    frames_compared: int
    frames_without_person: int
    average_accuracy: Accuracy | None = Field(description="Mean of the live per-frame accuracy.")
    best_move: str | None
    hardest_move: str | None
    best_moment: MomentPublic | None
    hardest_moment: MomentPublic | None
    per_body_part: dict[str, Score]
    timeline: list[TimelinePointPublic]
    trend: TrendPublic
    lag_ms: float = Field(description="Average timing lag; positive means late.")
    timing: Literal["late", "early", "on time"]
    consistency: Score
    dropped_frames: int | None
    grade: GradePublic = Field(description="The grade of the overall score.")
    moves: list[MovePublic] = Field(description="Every move danced, in time order, graded.")
    grade_counts: dict[str, int] = Field(description="How many moves got each grade.")


class FeedbackItemPublic(BaseModel):
    timestamp: float
    title: str
    feedback: str
    severity: str
    body_parts: list[str]
    source: Literal["llm", "template"]


class SectionReport(BaseModel):
    session_id: str
    section_number: int
    title: str
    start_time: float
    end_time: float
    pass_index: int
    overall_accuracy: Accuracy | None = Field(
        description="Scored accuracy 0..1; null when nobody could be compared."
    )
    problem_segments: list[ProblemSegmentPublic]
    analytics: AnalyticsPublic
    feedback: list[FeedbackItemPublic]
    created_at: datetime


class SectionSummary(BaseModel):
    section_number: int
    title: str
    start_time: float
    end_time: float
    overall_accuracy: Accuracy | None


class SessionReport(BaseModel):
    session_id: str
    reference_video_id: str
    overall_accuracy: Accuracy | None
    problem_segments: list[ProblemSegmentPublic]
    analytics: AnalyticsPublic | None
    feedback: list[FeedbackItemPublic]
    sections: list[SectionSummary]
    total_frames: int
    created_at: datetime


# WebSocket messages ---------------------------------------------------------------------


class FrameMessage(BaseModel):
    """Client -> server: one webcam frame as a data URL (or plain base64) JPEG."""

    type: Literal["frame"]
    data: str
    timestamp: float = Field(ge=0.0, le=86_400.0, description="Dance time, reference seconds.")
    session_id: str | None = None

    @field_validator("timestamp")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("timestamp must be a finite number")
        return value


class PauseMessage(BaseModel):
    """Client -> server: stop scoring; frames are refused until resume."""

    type: Literal["pause"]


class ResumeMessage(BaseModel):
    type: Literal["resume"]


class SeekMessage(BaseModel):
    """Client -> server: the dance time jumps (a section loop); starts a new pass."""

    type: Literal["seek"]
    timestamp: Seconds | None = None


class PingMessage(BaseModel):
    type: Literal["ping"]


ClientMessage = Annotated[
    FrameMessage | PauseMessage | ResumeMessage | SeekMessage | PingMessage,
    Field(discriminator="type"),
]


class LandmarkPublic(BaseModel):
    """A point in normalized image coordinates of the learner's frame (0..1)."""

    x: float
    y: float
    z: float
    visibility: float


class ImmediateError(BaseModel):
    body_part: str
    message: str
    severity: Severity


class FrameResult(BaseModel):
    """Server -> client after each analysed frame."""

    type: Literal["frame_result"]
    pose_landmarks: list[LandmarkPublic] | None = Field(description="33 points, or null.")
    immediate_errors: list[ImmediateError] = Field(
        description="Debounced cues: major errors sustained about 0.5 s, at most one new per 1.5 s."
    )
    accuracy: Accuracy | None
    timestamp: float
    reference_landmarks: list[LandmarkPublic | None] | None = Field(
        description="The reference pose drawn on the learner's body (ghost), image coordinates."
    )
    part_scores: dict[str, Accuracy]
    warning: Literal["no_person", "low_confidence", "no_reference_pose"] | None
    dropped_frames: int = Field(description="Frames of this session replaced before analysis.")
    processing_ms: float


class ErrorMessage(BaseModel):
    """Server -> client: a message was refused; the connection stays open."""

    type: Literal["error"]
    code: Literal[
        "malformed_json",
        "invalid_message",
        "unknown_message_type",
        "session_mismatch",
        "invalid_base64",
        "invalid_image",
        "frame_too_large",
        "timestamp_backwards",
        "paused",
        "session_not_found",
        "session_finished",
        "internal_error",
    ]
    message: str
    timestamp: float | None = None


class StateMessage(BaseModel):
    """Server -> client on connect and after pause/resume/seek."""

    type: Literal["state"]
    session_id: str
    reference_video_id: str
    paused: bool
    pass_index: int
    last_timestamp: float | None = Field(description="Dance time of the last accepted frame.")
    frames_scored: int
    dropped_frames: int
    mirror: bool
    playback_rate: float


class PongMessage(BaseModel):
    type: Literal["pong"]


ServerMessage = Annotated[
    FrameResult | ErrorMessage | StateMessage | PongMessage, Field(discriminator="type")
]


class CloseCode(BaseModel):
    code: int
    meaning: str


class ProtocolPublic(BaseModel):
    """How to talk to /ws/{session_id}: message kinds, the binary frame layout, close codes."""

    binary_frame_layout: str
    client_message_types: list[str]
    server_message_types: list[str]
    error_codes: list[str]
    close_codes: list[CloseCode]
    max_frame_bytes: int
    grade_bands: list[GradeBandPublic] = Field(
        description="The grades of a move's 0-100 score, best first."
    )
