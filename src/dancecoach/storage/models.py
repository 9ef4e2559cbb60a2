"""SQLAlchemy 2 table models: references, their sections, practice sessions and scored frames.

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
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class PracticeSession(Base):
    """One learner's live practice against one reference."""

    __tablename__ = "practice_sessions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    reference_id: Mapped[str] = mapped_column(
        ForeignKey("reference_videos.id", ondelete="CASCADE"), index=True
    )
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
    """Which learner frames make replay clip n of a session (rendered on first request)."""

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
