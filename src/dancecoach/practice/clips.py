"""Replay clips: the learner's stored frames of a problem segment as a browser-playable WebM.

VP8 in WebM is what this machine's OpenCV can write and every browser can play. The clip plays
in dance time (reference seconds), so it lines up with the reference video at the same moment.
A clip is rendered once, by a `dancecoach.render_clips` job after finalizing (with the job
queue) or on its first request, whichever comes first; both go through ClipRenderer.render.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from dancecoach.errors import DancecoachError
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.models import ClipSpec
from dancecoach.storage.objects import ObjectStore
from dancecoach.storage.session_store import SessionStore

log = logging.getLogger(__name__)

_MIN_FPS = 2.0
_MAX_FPS = 30.0
_MAX_SIDE = 960  # larger frames are scaled down: a clip is a replay, not an archive
# Frame times are stored as floats; a frame exactly on a segment's edge belongs to it.
_EDGE_S = 1e-6


class ClipUnavailableError(DancecoachError):
    """The frames of a clip are gone (retention) or were never stored."""

    def __init__(self) -> None:
        super().__init__(
            "The learner frames of this clip are no longer stored (they are deleted after the "
            "retention period)."
        )


def clip_fps(timestamps_s: Sequence[float]) -> float:
    if len(timestamps_s) < 2:
        return 10.0
    intervals = np.diff(np.asarray(timestamps_s, dtype=np.float64))
    intervals = intervals[intervals > 0]
    if len(intervals) == 0:
        return 10.0
    return float(np.clip(1.0 / float(np.median(intervals)), _MIN_FPS, _MAX_FPS))


def render_clip(frames: Sequence[tuple[float, bytes | None]], destination: Path) -> Path:
    """Write (dance time, JPEG bytes) frames, in order, to a VP8 WebM file; frames whose
    image is missing (None) or unreadable are left out.

    The file is written under a temporary name of its own and renamed into place when whole,
    so a crash leaves no half clip at destination, and two renderers of one clip (a job and a
    request) never write into the same file.

    Raises ClipUnavailableError when no frame image can be read.
    """
    images = []
    for _, jpeg in frames:
        image = None if not jpeg else cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if image is not None:
            images.append(image)
    if not images:
        raise ClipUnavailableError()
    height, width = images[0].shape[:2]
    scale = min(1.0, _MAX_SIDE / max(height, width))
    # VP8 needs even dimensions.
    size = (max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2))
    destination.parent.mkdir(parents=True, exist_ok=True)
    # OpenCV picks the container from the name's suffix: the temporary name ends in .webm too.
    handle, name = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.stem}.", suffix=".partial.webm"
    )
    os.close(handle)  # OpenCV opens the file by its name
    temporary = Path(name)
    try:
        writer = cv2.VideoWriter(
            str(temporary), cv2.VideoWriter.fourcc(*"VP80"), clip_fps([t for t, _ in frames]), size
        )
        if not writer.isOpened():
            raise DancecoachError("The server cannot encode WebM clips (OpenCV without VP8).")
        try:
            for image in images:
                if (image.shape[1], image.shape[0]) != size:
                    image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
                writer.write(image)
        finally:
            writer.release()
        temporary.replace(destination)
    finally:
        temporary.unlink(missing_ok=True)
    return destination


class ClipRenderer:
    """Renders a session's clips from its stored frames into the object store, once."""

    def __init__(self, sessions: SessionStore, frames: FrameStore, objects: ObjectStore) -> None:
        self._sessions = sessions
        self._frames = frames
        self._objects = objects

    def stored(self, spec: ClipSpec) -> Path | None:
        """The clip's file when it is already rendered (None: not yet, or deleted since)."""
        if spec.file is None:
            return None
        try:
            return self._objects.fetch(spec.file)
        except FileNotFoundError:
            return None

    def is_stored(self, spec: ClipSpec) -> bool:
        """Whether the clip is rendered, without downloading it (a worker only checks)."""
        return spec.file is not None and self._objects.exists(spec.file)

    def render(self, spec: ClipSpec) -> Path:
        """Render the clip from its learner frames, store it and record where it is.

        Raises ClipUnavailableError when its frames are gone (retention)."""
        frames = [
            f
            for f in self._frames.frames(spec.session_id, spec.first_seq, spec.last_seq)
            if spec.start_s - _EDGE_S <= f.timestamp_s <= spec.end_s + _EDGE_S
        ]
        images = [
            (f.timestamp_s, self._objects.read(f.image_file, f.image_offset, f.image_length))
            for f in frames
            if f.image_file is not None
        ]
        if not images:
            raise ClipUnavailableError()
        path = render_clip(images, self._objects.layout.clip_path(spec.session_id, spec.number))
        key = self._objects.key(path)
        self._objects.publish(key)
        self._sessions.set_clip_file(spec.session_id, spec.number, key)
        return path

    def render_missing(self, session_id: str) -> list[int]:
        """Render every clip of the session that is not stored yet and whose frames are still
        there; returns the numbers rendered. Idempotent: a second run renders nothing."""
        rendered: list[int] = []
        for spec in self._sessions.clips(session_id):
            if self.is_stored(spec):
                continue
            try:
                path = self.render(spec)
            except ClipUnavailableError:
                log.info("clip %d of session %s: its frames are gone", spec.number, session_id)
                continue
            if self._objects.is_remote:
                # The store keeps the clip; the instance that serves it fetches its own copy.
                path.unlink(missing_ok=True)
            rendered.append(spec.number)
        return rendered
