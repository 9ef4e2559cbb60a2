"""Privacy: learner frames (and clips made from them) are deleted after the retention period.

Counted from finalization, or from the last activity of a session that was never finalized.
Scores and reports stay; only the images go.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from dancecoach.config import Settings
from dancecoach.storage.files import DataLayout
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.models import utc_now
from dancecoach.storage.session_store import SessionStore

log = logging.getLogger(__name__)

CLEANUP_INTERVAL_S = 600.0


def purge_expired_frames(
    settings: Settings,
    sessions: SessionStore,
    frames: FrameStore,
    layout: DataLayout,
    active_session_ids: frozenset[str] = frozenset(),
) -> list[str]:
    """Delete the images of sessions past retention; returns the purged session ids."""
    cutoff = utc_now() - timedelta(hours=settings.frame_retention_hours)
    purged = []
    for session_id in sessions.purgeable(finalized_before=cutoff, idle_before=cutoff):
        if session_id in active_session_ids:
            continue
        layout.remove_tree(layout.session_frames_dir(session_id))
        layout.remove_tree(layout.session_dir(session_id) / "clips")
        frames.forget_images(session_id)
        sessions.clear_clip_files(session_id)
        sessions.update(session_id, frames_purged_at=utc_now())
        purged.append(session_id)
    if purged:
        log.info("deleted learner frames of %d sessions past retention", len(purged))
    return purged


async def run_cleanup_loop(
    settings: Settings,
    sessions: SessionStore,
    frames: FrameStore,
    layout: DataLayout,
    active_ids: Callable[[], frozenset[str]],
    interval_s: float = CLEANUP_INTERVAL_S,
) -> None:
    """Purge now and then every interval_s, skipping sessions that are streaming."""
    while True:
        try:
            await asyncio.to_thread(
                purge_expired_frames, settings, sessions, frames, layout, active_ids()
            )
        except Exception:
            log.exception("frame cleanup failed")
        await asyncio.sleep(interval_s)
