"""Pose sequences of videos, extracted once and cached by the video's content hash.

The same video (by content, whatever its name) is never processed twice for the same
sampling rate and dancer choice. Poses describe a person's body, so the cache is not kept for
good: entries unused for the frame retention period go, the least recently used go first when
it outgrows Settings.pose_cache_max_mb, and a deleted reference's entries go with it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dancecoach.config import Settings
from dancecoach.errors import InvalidVideoError, NoPersonFoundError
from dancecoach.estimation.extraction import extract_video
from dancecoach.pose.sequence import PoseSequence

# Bump when extraction changes in a way that makes cached poses stale.
EXTRACTION_VERSION = 2
_HASH_CHUNK_BYTES = 1 << 20

ProgressCallback = Callable[[float], None]

log = logging.getLogger(__name__)


def content_hash(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_HASH_CHUNK_BYTES):
                digest.update(chunk)
    except OSError as error:
        raise InvalidVideoError(f"Cannot read {path.name}: {error.strerror or error}") from error
    return digest.hexdigest()


def cache_dir(settings: Settings) -> Path:
    return settings.data_dir / "pose_cache"


def cache_path(settings: Settings, digest: str, follow_x: float | None = None) -> Path:
    dancer = "auto" if follow_x is None else f"x{follow_x:.3f}"
    name = f"{digest}-fps{settings.sample_fps:g}-{dancer}-v{EXTRACTION_VERSION}.npz"
    return cache_dir(settings) / name


def forget_video(settings: Settings, digest: str) -> int:
    """Delete every cached entry of a video's content (any rate, dancer, version)."""
    removed = 0
    for path in cache_dir(settings).glob(f"{digest}-*.npz"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def clear_pose_cache(settings: Settings) -> int:
    """Delete every cached entry (a user deleting all their data)."""
    removed = 0
    for path in cache_dir(settings).glob("*.npz"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def prune_pose_cache(settings: Settings) -> int:
    """Delete entries unused for the retention period, then the least recently used ones
    until the cache fits Settings.pose_cache_max_mb. Returns how many were deleted.

    "Used" is the file's modification time, which a cache hit renews.
    """
    entries = []
    for path in cache_dir(settings).glob("*.npz"):
        with contextlib.suppress(OSError):
            stat = path.stat()
            entries.append((stat.st_mtime, stat.st_size, path))
    entries.sort()  # least recently used first
    cutoff = time.time() - settings.frame_retention_hours * 3600.0
    budget = int(settings.pose_cache_max_mb * 1_000_000)
    total = sum(size for _, size, _ in entries)
    removed = 0
    for used_at, size, path in entries:
        if used_at >= cutoff and total <= budget:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed += 1
    if removed:
        log.info("pose cache: deleted %d entries (retention and size cap)", removed)
    return removed


def load_or_extract(
    video: Path,
    settings: Settings,
    progress: ProgressCallback | None = None,
    *,
    follow_x: float | None = None,
) -> PoseSequence:
    """The video's pose sequence, from the cache or freshly extracted (and then cached).

    Raises InvalidVideoError for a missing or unreadable video and NoPersonFoundError when
    nobody is found in it.
    """
    if not video.is_file():
        raise InvalidVideoError(f"{video} does not exist")
    cached = cache_path(settings, content_hash(video), follow_x)
    if cached.is_file():
        if progress:
            progress(1.0)
        with contextlib.suppress(OSError):
            os.utime(cached)  # recently used: the last to go when the cache is pruned
        return PoseSequence.load(cached)
    sequence: PoseSequence = extract_video(
        video,
        sample_fps=settings.sample_fps,
        workers=settings.extraction_workers,
        follow_x=follow_x,
        progress=progress,
    )
    if len(sequence) == 0 or not sequence.present.any():
        raise NoPersonFoundError(f"No person was found in {video.name}")
    _save_atomically(sequence, cached)
    prune_pose_cache(settings)
    return sequence


def _save_atomically(sequence: PoseSequence, destination: Path) -> None:
    """Write to a temporary file first so that a crash never leaves a half-written cache entry."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent, suffix=".npz")
    os.close(descriptor)
    try:
        sequence.save(Path(temporary))
        Path(temporary).replace(destination)
    finally:
        Path(temporary).unlink(missing_ok=True)
