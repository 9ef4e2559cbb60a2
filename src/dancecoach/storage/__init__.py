"""Storage: SQL database (SQLite by default, PostgreSQL by URL), migrations and the data folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.storage.database import Database
    from dancecoach.storage.files import DataLayout
    from dancecoach.storage.frame_store import FrameStore
    from dancecoach.storage.migrate import upgrade_to_head
    from dancecoach.storage.reference_store import ReferenceStore
    from dancecoach.storage.session_store import SessionStore

__all__ = [
    "DataLayout",
    "Database",
    "FrameStore",
    "ReferenceStore",
    "SessionStore",
    "upgrade_to_head",
]

_MODULES = {
    "Database": "database",
    "upgrade_to_head": "migrate",
    "DataLayout": "files",
    "ReferenceStore": "reference_store",
    "SessionStore": "session_store",
    "FrameStore": "frame_store",
}


__getattr__ = lazy_exports(__name__, _MODULES)
