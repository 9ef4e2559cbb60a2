"""Pose sequences of videos, extracted once and cached by the video's content hash.

The same video (by content, whatever its name) is never processed twice for the same
sampling rate and dancer choice.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from dancecoach.config import Settings
from dancecoach.errors import InvalidVideoError, NoPersonFoundError
from dancecoach.pipeline.extraction import extract_video
from dancecoach.pipeline.sequence import PoseSequence

# Bump when extraction changes in a way that makes cached poses stale.
EXTRACTION_VERSION = 2
_HASH_CHUNK_BYTES = 1 << 20

ProgressCallback = Callable[[float], None]


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


def cache_path(settings: Settings, digest: str, follow_x: float | None = None) -> Path:
    dancer = "auto" if follow_x is None else f"x{follow_x:.3f}"
    name = f"{digest}-fps{settings.sample_fps:g}-{dancer}-v{EXTRACTION_VERSION}.npz"
    return settings.data_dir / "pose_cache" / name


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
