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

from dancecoach.api.music_schemas import AccentPublic
from dancecoach.live.camera_delay import MAX_CAMERA_DELAY_S
from dancecoach.scoring.judgement import Grade
from dancecoach.scoring.results import Severity, TrendDirection
from dancecoach.scoring.timing import Timing
from dancecoach.storage.files import clean_display_text

ReferenceStatus = Literal["processing", "ready", "failed"]
SessionStatus = Literal["active", "finalized"]
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


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class AccountPublic(BaseModel):
    """Who is signed in. On a server without accounts: the one local user, a teacher."""

    username: str | None
    role: Literal["teacher", "learner"]
    accounts: bool = Field(description="Whether this server has accounts (sign-in required).")


class ApiTokenCreate(BaseModel):
    label: str | None = Field(default=None, max_length=100)


class ApiTokenCreated(BaseModel):
    """A token for scripts: send `Authorization: Bearer <token>`. Shown this once only."""

    token: str
    label: str | None


class DataDeleted(BaseModel):
    """What DELETE /api/me/data removed."""

    sessions_deleted: int
    pose_cache_entries_deleted: int


class HealthPublic(BaseModel):
    status: Literal["ok"]
    version: str
    database: str
    references: int
    active_streams: int
    live_capacity: int = Field(description="Live sessions this server takes before 503.")
    load: float = Field(description="active_streams / live_capacity (a balancer's weight).")
    pid: int = Field(description="This server process (several run behind a balancer).")
    serving: bool | None = Field(
        default=None, description="With ?session=ID: whether this server streams that session."
    )
    jobs: dict[str, int] | None = Field(
        default=None, description="With a job queue: its jobs by status (todo, doing, failed)."
    )


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
    suggested: bool = Field(
        False, description="Cut by the music (whole eight-counts), not named by the teacher."
    )


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
    dancer_count: int | None = Field(
        description="Dancers found at the start of the video (2 or more: a group video whose "
        "dancer can be chosen, GET .../dancers); null = not looked for yet."
    )
    created_at: datetime
    video_url: str
    thumbnail_url: str | None
    sections: list[SectionPublic]


class BoxPublic(BaseModel):
    """A rectangle on the still, in normalized image coordinates (0..1, y down)."""

    left: float
    top: float
    right: float
    bottom: float


class DancerPublic(BaseModel):
    number: int = Field(description="1, 2, ... from left to right on the still.")
    dancer_x: float = Field(ge=0.0, le=1.0, description="Send this to choose the dancer.")
    box: BoxPublic


class DancersPublic(BaseModel):
    """The dancers at the start of a reference video, on a still, to choose whom to learn from."""

    time_s: float = Field(description="Where in the video the still is, in seconds.")
    still_url: str
    width: int | None = Field(description="The still's width in pixels (the video's).")
    height: int | None
    dancers: list[DancerPublic]
    chosen: int | None = Field(
        description="The number of the dancer followed; null = chosen automatically."
    )


class DancerChoice(BaseModel):
    dancer_x: float | None = Field(
        ge=0.0,
        le=1.0,
        description="A dancer's dancer_x from GET .../dancers; null = the most central dancer.",
    )


class FromReport(BaseModel):
    """A response built from practice's typed report values (practice/report_types.py): field
    names follow them, so one model_validate call maps a report to the wire."""

    model_config = ConfigDict(from_attributes=True)


class ProgressAttempt(FromReport):
    session_id: str
    section_number: int
    title: str
    start_time: float
    end_time: float
    created_at: datetime
    overall_accuracy: Accuracy | None
    per_body_part: dict[str, Score]
    frames_compared: int


class BestMovePublic(FromReport):
    """A move of the reference at its best over every attempt that danced it."""

    label: str
    start_s: float
    end_s: float
    best_score: Score
    grade: Grade
    times_danced: int = Field(ge=1, description="Attempts in which the move was scored.")


class ReferenceProgress(FromReport):
    """Attempts at a reference over time (each completed section is one attempt)."""

    reference_video_id: str
    attempts: list[ProgressAttempt]
    best_accuracy: Accuracy | None
    latest_accuracy: Accuracy | None
    body_part_change: dict[str, float] = Field(
        description="Score points gained per body part from the first to the latest attempt."
    )
    sessions: int
    best_moves: list[BestMovePublic] = Field(
        description="Each move's best score and grade over all attempts, in reference time order."
    )


# Sessions -------------------------------------------------------------------------------


class SectionSpan(BaseModel):
    start_s: Seconds
    end_s: Seconds

    @model_validator(mode="after")
    def _ordered(self) -> SectionSpan:
        if self.end_s <= self.start_s:
            raise ValueError("end_s must be after start_s")
        return self


# The practice speeds the app offers (the server scores any rate within SessionCreate's bounds).
PRACTICE_RATES = (0.5, 0.75, 1.0)


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
    pose: Literal["server", "browser"] = Field(
        default="server",
        description="Where the learner's pose is found: the server (webcam frames are sent) or "
        "the browser (only landmarks are sent; a far larger number of sessions fit).",
    )


class RecordingKept(BaseModel):
    """The learner's own webcam recording (browser pose mode), kept on the server."""

    size_bytes: int
    url: str


class SessionCreated(BaseModel):
    session_id: str
    reference_video_id: str
    websocket_url: str


class SectionInfo(FromReport):
    title: str | None
    start_s: float
    end_s: float


class SessionPublic(FromReport):
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


class SegmentErrorPublic(FromReport):
    body_part: str
    feature: str
    message: str
    severity: Severity
    user_deg: float
    reference_deg: float
    difference: float
    frame_share: float


class ProblemSegmentPublic(FromReport):
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
    eight: int | None = Field(
        None, description="The eight-count it starts in (1-based, 0: pickup); null without beats."
    )
    counts: list[int] | None = Field(
        None, description="Its first and last count, 1..8; null without beats."
    )
    errors: list[SegmentErrorPublic]


class MomentPublic(FromReport):
    label: str
    start_s: float
    end_s: float
    score: Score


GradePublic = Grade


class GradeBandPublic(BaseModel):
    grade: GradePublic
    min_score: Score = Field(description="Lowest 0-100 score of the grade (Miss: below all).")


class MovePublic(FromReport):
    """One move of the reference as danced, with its grade (see GET /api/protocol for bands)."""

    label: str
    start_s: float
    end_s: float
    score: Score
    grade: GradePublic


class TimelinePointPublic(FromReport):
    time_s: float
    score: Score


class TrendPublic(FromReport):
    """Which way the score went; the slope is in the unit it was fitted in, the other is null."""

    direction: TrendDirection
    slope_per_min: float | None = Field(
        default=None, description="Score points per minute of dancing (one performance)."
    )
    slope_per_attempt: float | None = Field(
        default=None,
        description="Score points per attempt, in the order danced (several attempts combined).",
    )


_CAMERA_DELAY_S = (
    "Seconds of dance time the camera's pictures ran behind (negative: ahead), as estimated "
    "live over the first eight; null when it could not be told."
)
_CAMERA_DELAY_APPLIED = (
    "The dance times were shifted by camera_delay_s: the timing figures are the learner's own "
    "(otherwise they still include the camera's delay)."
)


class AnalyticsPublic(FromReport):
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
    timing: Timing = Field(description="Whether the average lag is within the on-time threshold.")
    consistency: Score
    dropped_frames: int | None
    grade: GradePublic = Field(description="The grade of the overall score.")
    moves: list[MovePublic] = Field(description="Every move danced, in time order, graded.")
    grade_counts: dict[str, int] = Field(description="How many moves got each grade.")
    accents: list[AccentPublic] = Field(
        default_factory=list,
        description="Timing on the reference's hits, by count (empty without beats).",
    )
    camera_delay_s: float | None = Field(default=None, description=_CAMERA_DELAY_S)
    camera_delay_applied: bool = Field(default=False, description=_CAMERA_DELAY_APPLIED)


class FeedbackItemPublic(FromReport):
    timestamp: float
    title: str
    feedback: str
    severity: str
    body_parts: list[str]
    source: Literal["llm", "template"]


class SectionReport(FromReport):
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


class SectionSummary(FromReport):
    section_number: int
    title: str
    start_time: float
    end_time: float
    overall_accuracy: Accuracy | None


class SessionReport(FromReport):
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


class LandmarkIn(BaseModel):
    """A point the learner's browser found: x, y in normalized image coordinates (0..1 inside
    the frame), z on the scale of x, visibility 0..1."""

    model_config = ConfigDict(strict=True, extra="forbid")

    x: float
    y: float
    z: float
    visibility: float


class LandmarksMessage(BaseModel):
    """Client -> server in browser pose mode: the pose the page found in one webcam frame,
    scored exactly like a frame (the reply is a frame_result)."""

    type: Literal["landmarks"]
    timestamp: float = Field(ge=0.0, le=86_400.0, description="Dance time, reference seconds.")
    landmarks: list[LandmarkIn] | None = Field(
        description="33 BlazePose points in MediaPipe's order, or null when nobody was found."
    )
    image_width: int = Field(strict=True, description="The webcam frame's width in pixels.")
    image_height: int = Field(strict=True, description="The webcam frame's height in pixels.")
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


class CameraDelayMessage(BaseModel):
    """Client -> server: the learner accepted the camera's delay (the server's `camera_delay`
    estimate, or 0 to undo it): frames are scored and stored this much earlier in the dance
    than their timestamps say."""

    type: Literal["camera_delay"]
    delay_s: float = Field(ge=-MAX_CAMERA_DELAY_S, le=MAX_CAMERA_DELAY_S)


ClientMessage = Annotated[
    FrameMessage
    | LandmarksMessage
    | PauseMessage
    | ResumeMessage
    | SeekMessage
    | PingMessage
    | CameraDelayMessage,
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
        "invalid_landmarks",
        "image_frames_refused",
        "frame_too_large",
        "timestamp_backwards",
        "paused",
        "session_not_found",
        "session_finished",
        "storage_unavailable",
        "server_full",
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
    camera_delay_s: float = Field(
        default=0.0, description="The camera delay applied to this stream's dance times now."
    )


class PongMessage(BaseModel):
    type: Literal["pong"]


class MoveMessage(BaseModel):
    """Server -> client as the dance leaves a move: its grade (the eight-counts where the
    reference has beats, else the moves found in its motion). Sent after the frame_result of
    the first frame past the move, or at a seek for the move it cut short."""

    type: Literal["move"]
    label: str = Field(description='"Third eight", or "Move at 0:07" without beats.')
    start_s: Seconds
    end_s: Seconds
    score: float = Field(ge=0, le=100)
    grade: GradePublic
    eight: int | None = Field(description="The eight-count (1-based); null without beats.")


class CameraDelayEstimate(BaseModel):
    """Server -> client, once, after the first eight (at least 6 s) of dance: how far behind the
    camera's pictures arrive (the steady lag of the frames that clearly match the reference)."""

    type: Literal["camera_delay"]
    delay_s: float | None = Field(
        description="Seconds of dance time the frames run behind (negative: ahead); null when "
        "the first eight did not show it."
    )
    frames: int = Field(description="The frames the estimate came from.")
    noticeable: bool = Field(description="Beyond the on-time threshold: worth compensating.")


ServerMessage = Annotated[
    FrameResult | ErrorMessage | StateMessage | PongMessage | MoveMessage | CameraDelayEstimate,
    Field(discriminator="type"),
]


class CloseCode(BaseModel):
    code: int
    meaning: str
    final: bool = Field(description="Reconnecting cannot help: the client should stop and say why.")


class CreditCurvePublic(BaseModel):
    """How an angle difference earns credit: full within the first, none beyond the second."""

    full_credit_within_deg: float
    no_credit_beyond_deg: float


LivePoseMode = Literal["auto", "browser", "server"]


class BrowserPosePublic(BaseModel):
    """Where the pose runs in live practice, and what the page needs to run it itself."""

    mode: LivePoseMode = Field(
        description="What the page offers: auto (the browser when its model loads and runs "
        "fast enough, else the server), browser only, or server only."
    )
    min_probe_fps: float = Field(
        description="Auto picks the browser when a short probe runs at least this fast."
    )
    model_url: str | None = Field(
        description="The pose model bundle (.task) at an immutable, content-hashed URL; "
        "null while the server is still building it or when it could not."
    )
    landmark_count: int
    binary_landmarks_magic: str = Field(
        description="The 4 ASCII bytes after the time that mark a binary landmarks message."
    )
    binary_landmarks_layout: str


class ProtocolPublic(BaseModel):
    """How to talk to /ws/{session_id}: message kinds, the binary frame layout, close codes."""

    binary_frame_layout: str
    browser_pose: BrowserPosePublic
    client_message_types: list[str]
    server_message_types: list[str]
    error_codes: list[str]
    close_codes: list[CloseCode]
    max_frame_bytes: int
    grade_bands: list[GradeBandPublic] = Field(
        description="The grades of a move's 0-100 score, best first."
    )
    on_time_ms: float = Field(
        description="An average lag within this many milliseconds either way is on time."
    )
    credit_curve: CreditCurvePublic
    severities: list[Severity] = Field(description="Severity levels of errors, mildest first.")
    body_part_names: dict[str, str] = Field(
        description="Words for every body-part key in reports, errors and feedback items."
    )
    max_camera_delay_s: float = Field(
        description="The largest camera delay either way a camera_delay message may apply."
    )
    warnings: dict[str, str] = Field(
        description="What to tell the learner for each live frame warning code."
    )
    playback_rates: list[float] = Field(
        description="The practice speeds the app offers, slowest first (1 = the video's speed)."
    )
