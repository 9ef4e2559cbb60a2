"""Replay clips: the learner's stored frames of a problem segment as a browser-playable WebM.

VP8 in WebM is what this machine's OpenCV can write and every browser can play. The clip plays
in dance time (reference seconds), so it lines up with the reference video at the same moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from dancecoach.errors import DancecoachError

_MIN_FPS = 2.0
_MAX_FPS = 30.0
_MAX_SIDE = 960  # larger frames are scaled down: a clip is a replay, not an archive


class ClipUnavailableError(DancecoachError):
    """The frames of a clip are gone (retention) or were never stored."""


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

    Raises ClipUnavailableError when no frame image can be read.
    """
    images = []
    for _, jpeg in frames:
        image = None if not jpeg else cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if image is not None:
            images.append(image)
    if not images:
        raise ClipUnavailableError(
            "The learner frames of this clip are no longer stored (they are deleted after the "
            "retention period)."
        )
    height, width = images[0].shape[:2]
    scale = min(1.0, _MAX_SIDE / max(height, width))
    # VP8 needs even dimensions.
    size = (max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2))
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(destination.stem + ".partial.webm")
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
    return destination
