"""The services as servers and job workers both build them from the settings: the library,
practice sessions, and the stores under them."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

from dancecoach.config import Settings
from dancecoach.library.assembly import build_library
from dancecoach.library.music import ReferenceMusic
from dancecoach.library.references import ReferenceService
from dancecoach.practice.sessions import SessionService
from dancecoach.storage.database import Database
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.objects import ObjectStore
from dancecoach.storage.reference_store import ReferenceStore
from dancecoach.storage.session_store import SessionStore


@dataclass(frozen=True)
class Services:
    references: ReferenceService
    music: ReferenceMusic
    sessions: SessionService
    reference_store: ReferenceStore
    session_store: SessionStore
    frame_store: FrameStore


def build_services(
    settings: Settings, db: Database, objects: ObjectStore, preprocess_executor: Executor
) -> Services:
    """preprocess_executor: where references are preprocessed when no job queue does it."""
    references, music = build_library(settings, db, objects, preprocess_executor)
    session_store = SessionStore(db)
    frame_store = FrameStore(db)
    sessions = SessionService(
        settings, references, session_store, frame_store, objects, beats=music.grid
    )
    return Services(
        references=references,
        music=music,
        sessions=sessions,
        reference_store=ReferenceStore(db),
        session_store=session_store,
        frame_store=frame_store,
    )
