"""Pose normalization: put every pose in a body frame that ignores position, size and camera roll.

Stages of the founding design: translate to the hip/shoulder centre, scale by torso length,
rotate the torso upright. Input is normalized image coordinates; output is 2-D body-frame
coordinates in torso lengths with y pointing up (from the hips towards the shoulders).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import VISIBILITY, Landmark

# Points outside the image by more than this margin (fraction of the frame) are out of frame:
# MediaPipe still guesses them, but nothing it says about them can be trusted.
_OUT_OF_FRAME_MARGIN = 0.02
_MIN_TORSO_LENGTH = 1e-6

_LEFT_SHOULDER, _RIGHT_SHOULDER = int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)
_LEFT_HIP, _RIGHT_HIP = int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)


def effective_visibility(landmarks: NDArray[np.float32]) -> NDArray[np.float32]:
    """Visibility (0..1) per landmark, zero for points outside the frame or missing (NaN)."""
    xy = landmarks[..., :2]
    inside = np.all((xy >= -_OUT_OF_FRAME_MARGIN) & (xy <= 1.0 + _OUT_OF_FRAME_MARGIN), axis=-1)
    visibility = landmarks[..., VISIBILITY]
    # A NaN visibility, or a NaN coordinate (not `inside`), reads as not visible.
    return np.where(inside & ~np.isnan(visibility), visibility, 0.0).astype(np.float32)


def to_body_frame(
    landmarks: NDArray[np.float32], aspect_ratio: float | NDArray[np.float64]
) -> NDArray[np.float64]:
    """Normalized image coordinates `(..., 33, 4)` -> body-frame xy `(..., 33, 2)`.

    aspect_ratio is the frame's width / height (one for all poses, or one per pose: shape
    `(...)`): x is stretched by it so that both axes share one unit before any angle is
    measured. Missing poses stay NaN.
    """
    xy = landmarks[..., :2].astype(np.float64)
    per_point_aspect = np.asarray(aspect_ratio, dtype=np.float64)[..., None]
    # Pixel-proportional axes, y up.
    points = np.stack([xy[..., 0] * per_point_aspect, -xy[..., 1]], axis=-1)

    # (a + b) / 2 equals the pair's mean, without the per-call cost of mean() (hot path).
    shoulder_centre = (points[..., _LEFT_SHOULDER, :] + points[..., _RIGHT_SHOULDER, :]) / 2.0
    hip_centre = (points[..., _LEFT_HIP, :] + points[..., _RIGHT_HIP, :]) / 2.0
    body_centre = (shoulder_centre + hip_centre) / 2.0
    torso = shoulder_centre - hip_centre
    torso_length = np.linalg.norm(torso, axis=-1)
    torso_length = np.where(torso_length < _MIN_TORSO_LENGTH, np.nan, torso_length)

    centred = (points - body_centre[..., None, :]) / torso_length[..., None, None]

    # Rotate so that the torso vector points along +y.
    torso_angle = np.arctan2(torso[..., 1], torso[..., 0])
    rotation = np.pi / 2.0 - torso_angle
    cos_r, sin_r = np.cos(rotation)[..., None], np.sin(rotation)[..., None]
    x, y = centred[..., 0], centred[..., 1]
    return np.stack([x * cos_r - y * sin_r, x * sin_r + y * cos_r], axis=-1)
