"""The music of each reference in the database: its beat analysis (table reference_beats) and
Break-It-Down's progress per eight-count (table eight_mastery)."""

from __future__ import annotations

from sqlalchemy import select

from dancecoach.storage.database import Database
from dancecoach.storage.models import EightMastery, ReferenceBeats, utc_now


def rate_key(rate: float) -> str:
    """The key of a playback rate in eight_mastery.best_by_rate: 0.5 -> "0.5", 1 -> "1"."""
    return f"{rate:g}"


class BeatStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, reference_id: str) -> ReferenceBeats | None:
        with self._db.session() as session:
            return session.get(ReferenceBeats, reference_id)

    def put(
        self,
        reference_id: str,
        *,
        version: int,
        tempo_bpm: float | None,
        beat_times_s: list[float],
        downbeat: int,
    ) -> ReferenceBeats:
        """Store a (new) analysis; a teacher's shift of count 1 is kept."""
        with self._db.session() as session:
            row = session.get(ReferenceBeats, reference_id)
            if row is None:
                row = ReferenceBeats(reference_id=reference_id, downbeat_shift=0)
                session.add(row)
            row.version = version
            row.tempo_bpm = tempo_bpm
            row.beat_times_s = beat_times_s
            row.downbeat = downbeat
            row.analysed_at = utc_now()
            return row

    def set_shift(self, reference_id: str, shift: int) -> ReferenceBeats | None:
        with self._db.session() as session:
            row = session.get(ReferenceBeats, reference_id)
            if row is None:
                return None
            row.downbeat_shift = shift
            return row

    def analysed_ids(self, version: int) -> set[str]:
        """References whose analysis is current."""
        with self._db.session() as session:
            query = select(ReferenceBeats.reference_id).where(ReferenceBeats.version == version)
            return set(session.scalars(query))

    def mastery(self, reference_id: str, user_id: str) -> list[EightMastery]:
        """One user's progress on each eight of a reference ("": a server without accounts)."""
        with self._db.session() as session:
            query = (
                select(EightMastery)
                .where(EightMastery.reference_id == reference_id, EightMastery.user_id == user_id)
                .order_by(EightMastery.eight)
            )
            return list(session.scalars(query))

    def mastery_of_user(self, user_id: str) -> list[EightMastery]:
        """One user's progress on every eight of every reference."""
        with self._db.session() as session:
            query = select(EightMastery).where(EightMastery.user_id == user_id)
            return list(session.scalars(query))

    def record_attempt(
        self,
        reference_id: str,
        user_id: str,
        eight: int,
        stage: int,
        score: float,
        rate: float | None = None,
    ) -> EightMastery:
        """Keep the furthest stage passed and the best score of one user's eight, overall and
        at the playback rate it was danced at (when known)."""
        with self._db.session() as session:
            row = session.get(EightMastery, (user_id, reference_id, eight))
            if row is None:
                row = EightMastery(user_id=user_id, reference_id=reference_id, eight=eight, stage=0)
                session.add(row)
            row.stage = max(row.stage or 0, stage)
            row.best_score = score if row.best_score is None else max(row.best_score, score)
            if rate is not None:
                key = rate_key(rate)
                best = dict(row.best_by_rate or {})  # a new dict: SQLAlchemy sees the change
                best[key] = max(best.get(key, score), score)
                row.best_by_rate = best
            row.updated_at = utc_now()
            return row

    def forget_mastery(self, user_id: str) -> int:
        with self._db.session() as session:
            rows = list(
                session.scalars(select(EightMastery).where(EightMastery.user_id == user_id))
            )
            for row in rows:
                session.delete(row)
            return len(rows)
