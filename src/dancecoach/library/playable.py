"""Browser-playable copies of reference videos.

Browsers decode H.264, VP8/VP9 and AV1 but not HEVC (phone recordings and screen captures
often are HEVC). Such a video gets an H.264 + AAC MP4 copy with its soundtrack for playback
(sound_copy.py); scoring always reads the original. Copies made before the copies had sound
(silent VP8 WebM) are replaced at start-up; the silent WebM remains the fallback when PyAV
cannot write the MP4.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

PLAYABLE_NAME = "playable.mp4"
SILENT_PLAYABLE_NAME = "playable.webm"
_BROWSER_CODECS = {"avc1", "h264", "x264", "vp80", "vp90", "vp08", "vp09", "av01"}
_MAX_SIDE = 720


def codec_tag(path: Path) -> str:
    """The video's four-character codec tag, lower case ("" when unknown)."""
    capture = cv2.VideoCapture(str(path))
    try:
        code = int(capture.get(cv2.CAP_PROP_FOURCC))
    finally:
        capture.release()
    return "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4)).strip("\x00 ").lower()


def needs_playable_copy(path: Path) -> bool:
    return codec_tag(path) not in _BROWSER_CODECS


def make_playable_copy(source: Path, destination: Path) -> Path | None:
    """Write a VP8 WebM copy (upright, at most 720 px a side); None if it cannot be made."""
    capture = cv2.VideoCapture(str(source))
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    writer: cv2.VideoWriter | None = None
    temporary = destination.with_suffix(".part.webm")
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            height, width = frame.shape[:2]
            scale = min(1.0, _MAX_SIDE / max(height, width))
            size = (round(width * scale / 2) * 2, round(height * scale / 2) * 2)
            if writer is None:
                writer = cv2.VideoWriter(str(temporary), cv2.VideoWriter.fourcc(*"VP80"), fps, size)
                if not writer.isOpened():
                    return None
            writer.write(np.asarray(cv2.resize(frame, size)) if scale < 1.0 else frame)
    finally:
        capture.release()
        if writer is not None:
            writer.release()
    if writer is None or not temporary.is_file():
        return None
    temporary.replace(destination)
    return destination


def ensure_playable(video: Path) -> Path | None:
    """The playable copy beside the video, made if the video needs one (None if not needed).

    A silent copy from an earlier version is replaced by one with sound.
    """
    from dancecoach.library.sound_copy import make_copy_with_sound

    destination = video.with_name(PLAYABLE_NAME)
    silent = video.with_name(SILENT_PLAYABLE_NAME)
    if destination.is_file():
        return destination
    if not silent.is_file() and not needs_playable_copy(video):
        return None
    log.info("making a browser-playable copy of %s (codec %r)", video.name, codec_tag(video))
    if make_copy_with_sound(video, destination) is not None:
        silent.unlink(missing_ok=True)
        return destination
    if silent.is_file():
        return silent
    return make_playable_copy(video, silent)


def playback_path(video: Path) -> Path:
    """The file a browser should be given for this reference video."""
    for name in (PLAYABLE_NAME, SILENT_PLAYABLE_NAME):
        copy = video.with_name(name)
        if copy.is_file():
            return copy
    return video
