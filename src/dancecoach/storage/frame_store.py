"""Scored learner frames: batch inserts while dancing, ordered reads for scoring and clips."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update

from dancecoach.storage.database import Database
from dancecoach.storage.models import ScoredFrame


class FrameStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """One transaction per batch (rows are ScoredFrame column dicts)."""
        if not rows:
            return
        with self._db.session() as session:
            session.execute(insert(ScoredFrame), list(rows))

    def frames(
        self, session_id: str, first_seq: int = 0, last_seq: int | None = None
    ) -> list[ScoredFrame]:
        """Frames of a session with first_seq <= seq <= last_seq, in seq order."""
        with self._db.session() as session:
            query = select(ScoredFrame).where(
                ScoredFrame.session_id == session_id, ScoredFrame.seq >= first_seq
            )
            if last_seq is not None:
                query = query.where(ScoredFrame.seq <= last_seq)
            return list(session.scalars(query.order_by(ScoredFrame.seq)))

    def last_frame(self, session_id: str) -> ScoredFrame | None:
        with self._db.session() as session:
            query = (
                select(ScoredFrame)
                .where(ScoredFrame.session_id == session_id)
                .order_by(ScoredFrame.seq.desc())
                .limit(1)
            )
            return session.scalars(query).first()

    def count(self, session_id: str) -> int:
        with self._db.session() as session:
            value = session.scalar(
                select(func.count())
                .select_from(ScoredFrame)
                .where(ScoredFrame.session_id == session_id)
            )
            return int(value or 0)

    def forget_images(self, session_id: str) -> None:
        """After retention: the scores stay, the image file names go."""
        with self._db.session() as session:
            session.execute(
                update(ScoredFrame)
                .where(ScoredFrame.session_id == session_id)
                .values(image_file=None, image_offset=None, image_length=None)
            )
