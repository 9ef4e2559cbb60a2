"""Landmarks found by the learner's browser, checked before they are scored like a frame's.

In browser mode the page runs the pose model itself and sends the 33 landmarks of each webcam
frame instead of the frame. They enter the live analysis where a tracked pose would
(analysis.py), so everything after pose estimation is the same code. Whatever a client
sends is checked here first: the right number of points, finite numbers, coordinates that a
camera could produce, and a plausible image size (only its aspect ratio is used).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.errors import DancecoachError
from dancecoach.pose.landmarks import NUM_LANDMARKS, PackedPose, pack_pose, unpack_pose

# Normalized image coordinates of a point MediaPipe places out of frame stay within about one
# frame of the edges (a leg below a close-up's bottom edge reads y ~ 2); beyond four frames
# the numbers come from a broken or hostile client, not a camera.
MAX_OUTSIDE_FRAMES = 4.0
# z is on the same scale as x (the hips' midpoint is 0).
MAX_ABS_Z = 10.0
# Visibility is a probability; a little slack for float32 rounding in the browser.
VISIBILITY_SLACK = 1e-3


class InvalidLandmarksError(DancecoachError):
    """Landmarks that no pose model produced: wrong count, not finite, far out of range."""


class ImageFramesRefusedError(DancecoachError):
    """An image frame on a stream whose pose is found in the browser (landmarks only)."""


IMAGE_FRAMES_REFUSED = "This stream scores the poses your browser finds: send landmarks messages."


@dataclass(frozen=True)
class BrowserPose:
    """One webcam frame's pose as the learner's browser found it.

    landmarks: (33, 4) float32 x, y (normalized image coordinates), z, visibility; None when
    the browser found nobody. width, height: the webcam frame's size in pixels.
    """

    landmarks: NDArray[np.float32] | None
    width: int
    height: int

    def __reduce__(self) -> tuple[object, tuple[PackedPose | None, int, int]]:
        # Its pose as raw bytes (pack_pose): the event loop pickles every browser-pose frame
        # for the scoring process.
        return _unpacked_browser_pose, (pack_pose(self.landmarks), self.width, self.height)


def _unpacked_browser_pose(packed: PackedPose | None, width: int, height: int) -> BrowserPose:
    return BrowserPose(unpack_pose(packed), width, height)


def browser_pose(
    points: NDArray[np.float32] | NDArray[np.float64] | None,
    width: int,
    height: int,
    *,
    max_pixels: int,
    max_side: int,
) -> BrowserPose:
    """A checked BrowserPose; raises InvalidLandmarksError with a sentence saying what is wrong.

    points: (33, 4) x, y, z, visibility, or None (nobody in the frame).
    max_pixels, max_side: the largest webcam frame the server accepts (as for JPEG frames).
    """
    if not (1 <= width <= max_side and 1 <= height <= max_side):
        raise InvalidLandmarksError(
            f"image_width and image_height must be 1..{max_side} pixels; got {width}x{height}."
        )
    if width * height > max_pixels:
        raise InvalidLandmarksError(
            f"The frame is {width}x{height} pixels; the limit is {max_pixels} pixels."
        )
    if points is None:
        return BrowserPose(None, width, height)
    if points.shape != (NUM_LANDMARKS, 4):
        raise InvalidLandmarksError(
            f"Expected {NUM_LANDMARKS} landmarks of x, y, z, visibility; got shape {points.shape}."
        )
    pose = np.array(points, dtype=np.float32)  # a copy: the caller's buffer may be read-only
    # One comparison accepts every pose a camera could give (NaN and infinities fail it too);
    # only a pose that fails it is looked at again to say what is wrong. This runs for every
    # frame of every browser-pose session on the event loop.
    # (The ufuncs themselves: ndarray.all and np.clip wrap them in Python, which cost as much
    # again as the arithmetic here.)
    if not np.logical_and.reduce((pose >= _LOWEST) & (pose <= _HIGHEST), axis=None):
        _raise_what_is_wrong(pose)
    visibility = pose[:, 3]
    np.minimum(np.maximum(visibility, 0.0, out=visibility), 1.0, out=visibility)
    return BrowserPose(pose, width, height)


# The bounds of x, y, z, visibility (float32, as the pose is compared).
_LOWEST = np.array(
    [-MAX_OUTSIDE_FRAMES, -MAX_OUTSIDE_FRAMES, -MAX_ABS_Z, -VISIBILITY_SLACK], dtype=np.float32
)
_HIGHEST = np.array(
    [1.0 + MAX_OUTSIDE_FRAMES, 1.0 + MAX_OUTSIDE_FRAMES, MAX_ABS_Z, 1.0 + VISIBILITY_SLACK],
    dtype=np.float32,
)


def _raise_what_is_wrong(pose: NDArray[np.float32]) -> None:
    """Raise the InvalidLandmarksError that says why `pose` is out of bounds."""
    if not np.isfinite(pose).all():
        raise InvalidLandmarksError("Landmarks must be finite numbers (no NaN or infinity).")
    xy = pose[:, :2]
    if (xy < _LOWEST[0]).any() or (xy > _HIGHEST[0]).any():
        raise InvalidLandmarksError(
            "Landmark x and y are normalized image coordinates; these are far outside the "
            f"frame (allowed {-MAX_OUTSIDE_FRAMES:g}..{1 + MAX_OUTSIDE_FRAMES:g})."
        )
    if (pose[:, 2] < _LOWEST[2]).any() or (pose[:, 2] > _HIGHEST[2]).any():
        raise InvalidLandmarksError(f"Landmark z must be within +-{MAX_ABS_Z:g}.")
    raise InvalidLandmarksError("Landmark visibility must be between 0 and 1.")
