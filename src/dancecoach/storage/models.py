"""SQLAlchemy 2 table models: references, their sections, practice sessions, scored frames,
and the accounts of a shared server (users, sign-in sessions and API tokens).

Times are seconds; "dance time" is reference-video time, which is what live clients send.
Rows hold numbers and file names only; videos and learner frames live in the data folder.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

ID_LENGTH = 32


def utc_now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime | None) -> datetime | None:
    """Naive values are taken as UTC; aware ones are converted to it."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend, whatever the database's own time zone.

    SQLite keeps no offset (it stores the wall time it is given and returns it naive), so values
    are converted to UTC before they are stored; PostgreSQL returns timestamptz in the
    connection's TimeZone setting (the server's zone by default), so results are converted back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return _as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return _as_utc(value)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class ReferenceVideo(Base):
    """A choreography video and the state of its preprocessing."""

    __tablename__ = "reference_videos"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    original_filename: Mapped[str] = mapped_column(String(255))
    video_file: Mapped[str] = mapped_column(String(255))  # relative to the data folder
    poses_file: Mapped[str | None] = mapped_column(String(255), default=None)
    thumbnail_file: Mapped[str | None] = mapped_column(String(255), default=None)
    status: Mapped[str] = mapped_column(String(16), default="processing")  # processing|ready|failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    failure_reason: Mapped[str | None] = mapped_column(Text, default=None)
    duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    fps: Mapped[float | None] = mapped_column(Float, default=None)
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    frame_count: Mapped[int | None] = mapped_column(Integer, default=None)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # In a group video: normalized x (0..1) of the dancer to learn from; None = automatic.
    dancer_x: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class ReferenceSection(Base):
    """A named part of a reference (for section practice and best/hardest move names)."""

    __tablename__ = "reference_sections"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    reference_id: Mapped[str] = mapped_column(
        ForeignKey("reference_videos.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    # Cut by the music (two eights a section) rather than named by the teacher.
    suggested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class PracticeSession(Base):
    """One learner's live practice against one reference."""

    __tablename__ = "practice_sessions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    reference_id: Mapped[str] = mapped_column(
        ForeignKey("reference_videos.id", ondelete="CASCADE"), index=True
    )
    # The learner who danced it (users.id); NULL on a server without accounts (its one user).
    # No foreign key: see migration 0005.
    user_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|finalized
    mirror: Mapped[bool] = mapped_column(Boolean, default=True)
    playback_rate: Mapped[float] = mapped_column(Float, default=1.0)
    section_title: Mapped[str | None] = mapped_column(String(200), default=None)
    section_start_s: Mapped[float | None] = mapped_column(Float, default=None)
    section_end_s: Mapped[float | None] = mapped_column(Float, default=None)
    dropped_frames: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    frames_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class ScoredFrame(Base):
    """One learner frame as the live engine scored it.

    seq orders frames within a session across reconnects; pass_index counts explicit seeks
    (section loops), so dance time only has to increase within one pass.
    """

    __tablename__ = "scored_frames"
    __table_args__ = (
        UniqueConstraint("session_id", "seq", name="uq_scored_frames_session_seq"),
        Index("ix_scored_frames_session_time", "session_id", "timestamp_s"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    pass_index: Mapped[int] = mapped_column(Integer, default=0)
    timestamp_s: Mapped[float] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    accuracy: Mapped[float | None] = mapped_column(Float, default=None)
    # (33, 4) float32 little-endian bytes; NULL when no person was found.
    landmarks: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    part_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # The learner's JPEG: bytes image_offset.. +image_length of image_file, which holds the
    # frames of one write batch back to back (the whole file when the offset is NULL).
    image_file: Mapped[str | None] = mapped_column(String(255), default=None)
    image_offset: Mapped[int | None] = mapped_column(Integer, default=None)
    image_length: Mapped[int | None] = mapped_column(Integer, default=None)


class SectionResult(Base):
    """The scored report of one completed section (one attempt at a part of the dance)."""

    __tablename__ = "section_results"
    __table_args__ = (UniqueConstraint("session_id", "number", name="uq_section_results_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1-based within the session
    first_seq: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    title: Mapped[str] = mapped_column(String(200))
    overall_accuracy: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class ClipSpec(Base):
    """Which learner frames make replay clip n of a session, and its file once rendered."""

    __tablename__ = "clips"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1-based, as in URLs
    first_seq: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)  # dance time
    end_s: Mapped[float] = mapped_column(Float)
    file: Mapped[str | None] = mapped_column(String(255), default=None)


class User(Base):
    """An account of a shared server: a teacher manages the library, a learner practises."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, with its parameters
    role: Mapped[str] = mapped_column(String(16))  # teacher|learner
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class AuthToken(Base):
    """A sign-in (browser cookie) or an API token (scripts): only a hash of the secret is kept,
    so a copy of the database signs no one in."""

    __tablename__ = "auth_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 hex
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # session|api
    label: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class ReferenceBeats(Base):
    """The beat analysis of a reference's soundtrack (one row per analysed reference).

    A reference without a usable soundtrack has a row with tempo_bpm NULL and no beats, so
    it is not analysed again. beat_times_s: beat times in seconds (JSON list).
    downbeat: index (0..7) of the first beat the analysis heard as count 1;
    downbeat_shift: the teacher's correction in beats (count 1 = downbeat + shift).
    version: the analysis that produced the row; older rows are analysed again at start.
    """

    __tablename__ = "reference_beats"

    reference_id: Mapped[str] = mapped_column(
        ForeignKey("reference_videos.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    tempo_bpm: Mapped[float | None] = mapped_column(Float, default=None)
    beat_times_s: Mapped[list[Any]] = mapped_column(JSON, default=list)
    downbeat: Mapped[int] = mapped_column(Integer, default=0)
    downbeat_shift: Mapped[int] = mapped_column(Integer, default=0)
    analysed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class EightMastery(Base):
    """How far Break-It-Down got with one eight-count of a reference.

    stage: the last stage passed (0: none; 1: at 0.5x, 2: at 0.75x, 3: at 1x, 4: chained with
    the eights around it); best_score: the best 0-100 score on it so far; best_by_rate: the
    best 0-100 score at each playback rate it was danced at, keyed by the rate as text ("0.5").
    """

    __tablename__ = "eight_mastery"

    # Each learner's own progress; "" is the one user of a server without accounts.
    user_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default="")
    reference_id: Mapped[str] = mapped_column(
        ForeignKey("reference_videos.id", ondelete="CASCADE"), primary_key=True
    )
    eight: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage: Mapped[int] = mapped_column(Integer, default=0)
    best_score: Mapped[float | None] = mapped_column(Float, default=None)
    best_by_rate: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
