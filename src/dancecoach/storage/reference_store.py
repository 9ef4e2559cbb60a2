"""Reference videos and their named sections in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dancecoach.storage.database import Database
from dancecoach.storage.models import ReferenceSection, ReferenceVideo, utc_now


class ReferenceStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, reference: ReferenceVideo) -> ReferenceVideo:
        with self._db.session() as session:
            session.add(reference)
        return reference

    def get(self, reference_id: str) -> ReferenceVideo | None:
        with self._db.session() as session:
            return session.get(ReferenceVideo, reference_id)

    def list_all(self) -> list[ReferenceVideo]:
        """Demo first, then newest first."""
        with self._db.session() as session:
            query = select(ReferenceVideo).order_by(
                ReferenceVideo.is_demo.desc(), ReferenceVideo.created_at.desc()
            )
            return list(session.scalars(query))

    def with_status(self, status: str) -> list[ReferenceVideo]:
        with self._db.session() as session:
            query = select(ReferenceVideo).where(ReferenceVideo.status == status)
            return list(session.scalars(query))

    def find_demo(self) -> ReferenceVideo | None:
        with self._db.session() as session:
            query = select(ReferenceVideo).where(ReferenceVideo.is_demo.is_(True)).limit(1)
            return session.scalars(query).first()

    def update(self, reference_id: str, **fields: Any) -> ReferenceVideo | None:
        with self._db.session() as session:
            reference = session.get(ReferenceVideo, reference_id)
            if reference is None:
                return None
            for name, value in fields.items():
                setattr(reference, name, value)
            reference.updated_at = utc_now()
            return reference

    def delete(self, reference_id: str) -> bool:
        with self._db.session() as session:
            reference = session.get(ReferenceVideo, reference_id)
            if reference is None:
                return False
            session.delete(reference)
            return True

    def add_section(self, section: ReferenceSection) -> ReferenceSection:
        with self._db.session() as session:
            session.add(section)
        return section

    def sections(self, reference_id: str) -> list[ReferenceSection]:
        with self._db.session() as session:
            query = (
                select(ReferenceSection)
                .where(ReferenceSection.reference_id == reference_id)
                .order_by(ReferenceSection.start_s, ReferenceSection.created_at)
            )
            return list(session.scalars(query))

    def get_section(self, section_id: str) -> ReferenceSection | None:
        with self._db.session() as session:
            return session.get(ReferenceSection, section_id)

    def delete_section(self, reference_id: str, section_id: str) -> bool:
        with self._db.session() as session:
            section = session.get(ReferenceSection, section_id)
            if section is None or section.reference_id != reference_id:
                return False
            session.delete(section)
            return True
