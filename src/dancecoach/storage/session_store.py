"""Practice sessions, their section results and replay clip definitions in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update

from dancecoach.storage.database import Database
from dancecoach.storage.models import ClipSpec, PracticeSession, SectionResult, utc_now


class SessionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, practice: PracticeSession) -> PracticeSession:
        with self._db.session() as session:
            session.add(practice)
        return practice

    def get(self, session_id: str) -> PracticeSession | None:
        with self._db.session() as session:
            return session.get(PracticeSession, session_id)

    def delete(self, session_id: str) -> bool:
        """The session's row and, by cascade, its frames, section results and clips."""
        with self._db.session() as session:
            practice = session.get(PracticeSession, session_id)
            if practice is None:
                return False
            session.delete(practice)
            return True

    def all_ids(self) -> list[str]:
        with self._db.session() as session:
            return list(session.scalars(select(PracticeSession.id)))

    def ids_of(self, user_id: str) -> list[str]:
        with self._db.session() as session:
            query = select(PracticeSession.id).where(PracticeSession.user_id == user_id)
            return list(session.scalars(query))

    def for_reference(self, reference_id: str, user_id: str | None = None) -> list[PracticeSession]:
        """Sessions against a reference: one user's, or everyone's when user_id is None."""
        with self._db.session() as session:
            query = select(PracticeSession).where(PracticeSession.reference_id == reference_id)
            if user_id is not None:
                query = query.where(PracticeSession.user_id == user_id)
            return list(session.scalars(query.order_by(PracticeSession.created_at)))

    def update(self, session_id: str, **fields: Any) -> None:
        with self._db.session() as session:
            session.execute(
                update(PracticeSession).where(PracticeSession.id == session_id).values(**fields)
            )

    def add_dropped(self, session_id: str, dropped: int) -> None:
        with self._db.session() as session:
            session.execute(
                update(PracticeSession)
                .where(PracticeSession.id == session_id)
                .values(
                    dropped_frames=PracticeSession.dropped_frames + dropped,
                    last_activity_at=utc_now(),
                )
            )

    def finalize(self, session_id: str, report: dict[str, Any]) -> None:
        self.update(session_id, status="finalized", finalized_at=utc_now(), report=report)

    def purgeable(self, finalized_before: datetime, idle_before: datetime) -> list[str]:
        """Sessions whose learner frames are past retention: finalized, or idle, long enough."""
        with self._db.session() as session:
            query = select(PracticeSession.id).where(
                PracticeSession.frames_purged_at.is_(None),
                or_(
                    PracticeSession.finalized_at < finalized_before,
                    (PracticeSession.status == "active")
                    & (PracticeSession.last_activity_at < idle_before),
                ),
            )
            return list(session.scalars(query))

    def with_frames_oldest_first(self) -> list[PracticeSession]:
        """Sessions whose learner frames are still stored: finalized ones first (oldest
        finalized first), then the others by last activity."""
        with self._db.session() as session:
            query = (
                select(PracticeSession)
                .where(PracticeSession.frames_purged_at.is_(None))
                .order_by(
                    PracticeSession.finalized_at.is_(None),
                    PracticeSession.finalized_at,
                    PracticeSession.last_activity_at,
                )
            )
            return list(session.scalars(query))

    # Section results -------------------------------------------------------------------

    def section_results(self, session_id: str) -> list[SectionResult]:
        with self._db.session() as session:
            query = (
                select(SectionResult)
                .where(SectionResult.session_id == session_id)
                .order_by(SectionResult.number)
            )
            return list(session.scalars(query))

    def section_results_for_reference(
        self, reference_id: str, user_id: str | None = None
    ) -> list[SectionResult]:
        """Completed sections against a reference: one user's, or everyone's (None)."""
        with self._db.session() as session:
            query = (
                select(SectionResult)
                .join(PracticeSession, PracticeSession.id == SectionResult.session_id)
                .where(PracticeSession.reference_id == reference_id)
            )
            if user_id is not None:
                query = query.where(PracticeSession.user_id == user_id)
            query = query.order_by(SectionResult.created_at, SectionResult.number)
            return list(session.scalars(query))

    def last_covered_seq(self, session_id: str) -> int:
        """The last frame seq that a completed section covers (-1 when none)."""
        with self._db.session() as session:
            value = session.scalar(
                select(func.max(SectionResult.last_seq)).where(
                    SectionResult.session_id == session_id
                )
            )
            return -1 if value is None else int(value)

    def add_section_result(self, result: SectionResult, clips: list[ClipSpec]) -> SectionResult:
        """Store a section report with its clips; numbers are given by the caller."""
        with self._db.session() as session:
            session.add(result)
            session.add_all(clips)
        return result

    def next_numbers(self, session_id: str) -> tuple[int, int]:
        """The next free section number and clip number of a session."""
        with self._db.session() as session:
            section = session.scalar(
                select(func.max(SectionResult.number)).where(SectionResult.session_id == session_id)
            )
            clip = session.scalar(
                select(func.max(ClipSpec.number)).where(ClipSpec.session_id == session_id)
            )
            return (section or 0) + 1, (clip or 0) + 1

    # Clips -----------------------------------------------------------------------------

    def get_clip(self, session_id: str, number: int) -> ClipSpec | None:
        with self._db.session() as session:
            return session.get(ClipSpec, (session_id, number))

    def clips(self, session_id: str) -> list[ClipSpec]:
        """Every clip of a session, by number."""
        with self._db.session() as session:
            query = select(ClipSpec).where(ClipSpec.session_id == session_id)
            return list(session.scalars(query.order_by(ClipSpec.number)))

    def set_clip_file(self, session_id: str, number: int, file: str | None) -> None:
        with self._db.session() as session:
            session.execute(
                update(ClipSpec)
                .where(ClipSpec.session_id == session_id, ClipSpec.number == number)
                .values(file=file)
            )

    def clear_clip_files(self, session_id: str) -> None:
        with self._db.session() as session:
            session.execute(
                update(ClipSpec).where(ClipSpec.session_id == session_id).values(file=None)
            )
