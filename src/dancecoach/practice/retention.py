"""Privacy and disk: learner frames (and clips made from them) are deleted after the retention
period, and sooner when they outgrow their disk quota (oldest finished sessions first).

Retention counts from finalization, or from the last activity of a session that was never
finalized. Scores and reports stay; only the images go. The offline pose cache follows the same
retention and its own size cap (see pose_cache.prune_pose_cache).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from dancecoach.config import Settings
from dancecoach.library.pose_cache import prune_pose_cache
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.models import utc_now
from dancecoach.storage.objects import ObjectStore
from dancecoach.storage.session_store import SessionStore

log = logging.getLogger(__name__)

# Often enough that the quota holds within a minute or so of streaming at full capacity.
CLEANUP_INTERVAL_S = 60.0


def purge_expired_frames(
    settings: Settings,
    sessions: SessionStore,
    frames: FrameStore,
    objects: ObjectStore,
    active_session_ids: frozenset[str] = frozenset(),
) -> list[str]:
    """Delete the images of sessions past retention; returns the purged session ids."""
    cutoff = utc_now() - timedelta(hours=settings.frame_retention_hours)
    purged = []
    for session_id in sessions.purgeable(finalized_before=cutoff, idle_before=cutoff):
        if session_id in active_session_ids:
            continue
        delete_session_images(session_id, sessions, frames, objects)
        purged.append(session_id)
    if purged:
        log.info("deleted learner frames of %d sessions past retention", len(purged))
    return purged


def delete_session_images(
    session_id: str, sessions: SessionStore, frames: FrameStore, objects: ObjectStore
) -> None:
    """The session's learner frames and clips go; its scores and reports stay."""
    objects.delete_prefix(f"sessions/{session_id}/frames/")
    objects.delete_prefix(f"sessions/{session_id}/clips/")
    frames.forget_images(session_id)
    sessions.clear_clip_files(session_id)
    sessions.update(session_id, frames_purged_at=utc_now())


def folder_bytes(folder: Path) -> int:
    """Bytes of the files under a folder (0 when it is missing)."""
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file():
                total += path.stat().st_size
    return total


def enforce_frame_quota(
    settings: Settings,
    sessions: SessionStore,
    frames: FrameStore,
    objects: ObjectStore,
    active_session_ids: frozenset[str] = frozenset(),
) -> list[str]:
    """Delete learner frames, oldest finished sessions first, until they fit the quota.

    Sessions that are streaming now are never touched. Returns the purged session ids.
    """
    quota = int(settings.learner_frames_quota_mb * 1_000_000)
    candidates = sessions.with_frames_oldest_first()
    sizes = {p.id: objects.prefix_bytes(f"sessions/{p.id}/") for p in candidates}
    total = sum(sizes.values())
    purged: list[str] = []
    for practice in candidates:
        if total <= quota:
            break
        if practice.id in active_session_ids or sizes[practice.id] == 0:
            continue
        delete_session_images(practice.id, sessions, frames, objects)
        total -= sizes[practice.id]
        purged.append(practice.id)
        log.warning(
            "learner frames over their %.0f MB quota: deleted the %.1f MB of %s session %s",
            settings.learner_frames_quota_mb,
            sizes[practice.id] / 1e6,
            practice.status,
            practice.id,
        )
    return purged


async def run_cleanup_loop(
    settings: Settings,
    sessions: SessionStore,
    frames: FrameStore,
    objects: ObjectStore,
    active_ids: Callable[[], frozenset[str]],
    interval_s: float = CLEANUP_INTERVAL_S,
) -> None:
    """Clean up now and then every interval_s, skipping sessions that are streaming."""
    while True:
        try:
            await asyncio.to_thread(clean_up, settings, sessions, frames, objects, active_ids())
        except Exception:
            log.exception("frame cleanup failed")
        await asyncio.sleep(interval_s)


def clean_up(
    settings: Settings,
    sessions: SessionStore,
    frames: FrameStore,
    objects: ObjectStore,
    active_session_ids: frozenset[str] = frozenset(),
) -> None:
    """One round: frames past retention, then the frame quota, then the pose cache."""
    purge_expired_frames(settings, sessions, frames, objects, active_session_ids)
    enforce_frame_quota(settings, sessions, frames, objects, active_session_ids)
    prune_pose_cache(settings)
