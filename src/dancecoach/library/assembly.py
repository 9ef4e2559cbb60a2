"""The library as servers and job workers both build it: references with their music steps."""

from __future__ import annotations

from concurrent.futures import Executor

from dancecoach.config import Settings
from dancecoach.library.music import ReferenceMusic, suggest_sections
from dancecoach.library.references import ReferenceService
from dancecoach.storage.beat_store import BeatStore
from dancecoach.storage.database import Database
from dancecoach.storage.objects import ObjectStore
from dancecoach.storage.reference_store import ReferenceStore
from dancecoach.storage.session_store import SessionStore


def build_library(
    settings: Settings, db: Database, objects: ObjectStore, preprocess_executor: Executor
) -> tuple[ReferenceService, ReferenceMusic]:
    """The reference service, whose preprocessing also analyses the music and suggests
    sections, and the music service."""
    references = ReferenceService(
        settings, ReferenceStore(db), SessionStore(db), objects, preprocess_executor
    )
    music = ReferenceMusic(BeatStore(db))
    references.preprocess_hooks.append(music.analyse)

    def suggest(reference_id: str, *_: object) -> None:
        suggest_sections(references, music, reference_id, settings.eights_per_section)

    references.preprocess_hooks.append(suggest)
    return references, music
