"""The landmarks message on the wire (browser pose mode): its binary form, and turning either
form into a checked BrowserPose.

Binary landmarks message (all little-endian), told apart from a binary JPEG frame by the four
ASCII bytes after the time (a JPEG starts with FF D8):

    offset 0   float64  dance time, reference seconds
    offset 8   4 bytes  "POSE"
    offset 12  uint16   image width in pixels
    offset 14  uint16   image height in pixels
    offset 16  33 x 4 float32: x, y, z, visibility of each landmark in MediaPipe's order
               (544 bytes in all), or nothing (16 bytes in all) when nobody was found
"""

from __future__ import annotations

import struct

import numpy as np

from dancecoach.config import Settings
from dancecoach.live.browser_pose import BrowserPose, InvalidLandmarksError, browser_pose
from dancecoach.pose.landmarks import NUM_LANDMARKS

BINARY_LANDMARKS_MAGIC = b"POSE"
BINARY_LANDMARKS_HEADER = struct.Struct("<d4sHH")
_POINTS_BYTES = NUM_LANDMARKS * 4 * 4
_SIZES = (BINARY_LANDMARKS_HEADER.size, BINARY_LANDMARKS_HEADER.size + _POINTS_BYTES)
BINARY_LANDMARKS_LAYOUT = (
    "8 bytes little-endian float64 dance time (s), 4 ASCII bytes POSE, uint16 LE image width, "
    f"uint16 LE image height, then {NUM_LANDMARKS} x (x, y, z, visibility) float32 LE "
    f"({BINARY_LANDMARKS_HEADER.size + _POINTS_BYTES} bytes), or no points when nobody was found "
    f"({BINARY_LANDMARKS_HEADER.size} bytes)"
)


def is_binary_landmarks(data: bytes) -> bool:
    """Whether a binary message is landmarks (else it is a JPEG frame)."""
    return data[8:12] == BINARY_LANDMARKS_MAGIC


def parse_binary_landmarks(
    data: bytes, *, max_pixels: int, max_side: int
) -> tuple[float, BrowserPose]:
    """(dance time, pose) of a binary landmarks message; raises InvalidLandmarksError.

    The time is checked by the caller, as a JPEG frame's is.
    """
    if len(data) not in _SIZES:
        raise InvalidLandmarksError(
            f"A binary landmarks message is {_SIZES[1]} bytes (or {_SIZES[0]} with nobody "
            f"found); got {len(data)}."
        )
    timestamp, _, width, height = BINARY_LANDMARKS_HEADER.unpack_from(data)
    points = None
    if len(data) > BINARY_LANDMARKS_HEADER.size:
        points = np.frombuffer(data, dtype="<f4", offset=BINARY_LANDMARKS_HEADER.size).reshape(
            NUM_LANDMARKS, 4
        )
    return float(timestamp), browser_pose(
        points, width, height, max_pixels=max_pixels, max_side=max_side
    )


def browser_pose_stream(settings: Settings, requested: str | None) -> bool:
    """Whether a stream sends browser poses: the server's setting decides unless it is auto."""
    if settings.live_pose != "auto":
        return settings.live_pose == "browser"
    return requested == "browser"
