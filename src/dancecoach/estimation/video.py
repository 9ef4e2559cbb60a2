"""Reading videos and images: upright frames (rotation tags honoured), sampling, size limits."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from dancecoach.errors import InvalidImageError, InvalidVideoError, LimitExceededError

_FALLBACK_FPS = 30.0


@dataclass(frozen=True)
class VideoInfo:
    """A readable video; width and height are of the upright (rotation-corrected) frame."""

    path: Path
    fps: float
    frame_count: int
    duration_s: float
    width: int
    height: int


def _open(path: Path) -> cv2.VideoCapture:
    if not path.is_file():
        raise InvalidVideoError(f"{path.name} is not a readable video: the file does not exist")
    capture = cv2.VideoCapture(str(path))
    # Without this OpenCV ignores rotation tags and phone videos come out sideways.
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    if not capture.isOpened():
        capture.release()
        raise InvalidVideoError(f"{path.name} is not a readable video")
    return capture


def _fps(capture: cv2.VideoCapture) -> float:
    fps = float(capture.get(cv2.CAP_PROP_FPS))
    return fps if 1.0 <= fps <= 240.0 else _FALLBACK_FPS


def probe_video(path: Path) -> VideoInfo:
    """Check that a file is a decodable video and describe it (raises InvalidVideoError)."""
    capture = _open(path)
    try:
        ok, frame = capture.read()
        if not ok or frame is None:
            raise InvalidVideoError(f"{path.name} is not a readable video (no frame decodes)")
        fps = _fps(capture)
        frame_count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        if frame_count <= 0:  # some containers (streamed WebM) do not say: count the frames
            frame_count = 1
            while capture.grab():
                frame_count += 1
        height, width = frame.shape[:2]
        return VideoInfo(path, fps, frame_count, frame_count / fps, int(width), int(height))
    finally:
        capture.release()


def sample_times(info: VideoInfo, sample_fps: float) -> tuple[float, int]:
    """Effective sampling rate (never above the video's) and number of samples."""
    rate = min(sample_fps, info.fps)
    return rate, max(1, int(np.floor(info.duration_s * rate + 1e-6)))


def iter_frames(
    path: Path, sample_fps: float, start_s: float = 0.0, end_s: float | None = None
) -> Iterator[tuple[float, NDArray[np.uint8]]]:
    """(timestamp_s, upright BGR frame) at the sampling rate, nearest source frame per sample.

    Timestamps are k / rate for the effective rate (never above the video's own fps), so a
    sequence read in chunks lines up exactly with one read at once. Frames are matched to
    sample times by their own presentation times, so variable frame rate phone videos keep
    in time; a frame nearest to two sample times is given for both.
    """
    info = probe_video(path)
    rate, total = sample_times(info, sample_fps)
    first = max(0, int(np.ceil(start_s * rate - 1e-9)))
    last = total if end_s is None else min(total, int(np.ceil(end_s * rate - 1e-9)))
    if first >= last:
        return
    capture = _open(path)
    try:
        # Land a frame early, so that the nearest frame to the first sample is not skipped.
        start_index = round(first / rate * info.fps) - 1
        if start_index > 0:
            capture.set(cv2.CAP_PROP_POS_FRAMES, start_index)
        sample = first
        interval_s = 1.0 / info.fps
        previous_s: float | None = None
        # Skipped frames are only grab()bed: no colour conversion or copy as retrieve() makes.
        while sample < last and capture.grab():
            frame_s = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            if previous_s is not None:
                if not frame_s > previous_s:  # no usable time stamp: assume a steady rate
                    frame_s = previous_s + interval_s
                interval_s = frame_s - previous_s
            previous_s = frame_s
            # The next frame comes about one interval later: this frame serves every sample
            # time nearer to it than to the next one.
            frame: NDArray[np.uint8] | None = None
            while sample < last and frame_s + interval_s / 2 >= sample / rate:
                if frame is None:
                    ok, decoded = capture.retrieve()
                    if not ok:
                        return
                    frame = np.asarray(decoded, dtype=np.uint8)
                yield sample / rate, frame
                sample += 1
    finally:
        capture.release()


def read_frame_at(path: Path, time_s: float) -> NDArray[np.uint8]:
    """One upright BGR frame nearest to time_s (for stills and thumbnails)."""
    info = probe_video(path)
    capture = _open(path)
    try:
        index = min(max(0, round(time_s * info.fps)), info.frame_count - 1)
        capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, frame = capture.read()
        if not ok or frame is None:
            capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = capture.read()
        if not ok or frame is None:
            raise InvalidVideoError(f"Cannot read a frame of {path.name} at {time_s:.2f} s")
        return np.asarray(frame, dtype=np.uint8)
    finally:
        capture.release()


def image_dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG or PNG header without decoding, or None if unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        # SOF markers carry the frame size (C4, C8 and CC are other segment types).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        position += 2 + length
    return None


def decode_image(
    data: bytes, *, max_bytes: int, max_pixels: int, max_side: int
) -> NDArray[np.uint8]:
    """JPEG/PNG bytes -> BGR image, refusing oversized input before decoding it."""
    if len(data) > max_bytes:
        raise LimitExceededError(f"Image is {len(data)} bytes; the limit is {max_bytes}")
    size = image_dimensions(data)
    if size is None:
        raise InvalidImageError("The data is not a readable JPEG or PNG image")
    width, height = size
    if width > max_side or height > max_side or width * height > max_pixels:
        raise LimitExceededError(
            f"Image is {width}x{height}; the limit is {max_side} px a side, {max_pixels} pixels"
        )
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise InvalidImageError("The image data could not be decoded")
    return np.asarray(image, dtype=np.uint8)
