"""Which way the dancer faces: the body's yaw per frame, from the image landmarks.

Convention: yaw 0 is facing the camera, positive is turned towards the dancer's own left (a
quarter turn to their left is +90), +-180 is the back to the camera; degrees in (-180, 180].
A turned body looks narrower: the shoulders' and hips' apparent width across the torso, over
the same width seen from the front, is cos(yaw); its sign says front or back (the left
shoulder crosses to the other side when the back is turned). Which way the body turned comes
from MediaPipe's depth: the shoulder and hip on the side turned towards goes away from the
camera (larger z).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import Landmark, Z
from dancecoach.scoring.normalization import effective_visibility, to_body_frame

_LEFT = np.array([Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP], dtype=np.intp)
_RIGHT = np.array([Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP], dtype=np.intp)
# Below this visibility (0..1) a shoulder or hip is a guess, and so is the yaw.
_MIN_VISIBILITY = 0.5
# The frontal width is a high percentile of the recording's widths (the dancer faces the
# camera at some point), but never below this, in torso lengths (shoulders plus hips): a
# dancer seen only from the side would otherwise read as facing the camera. Shoulders are
# about 0.7 torso lengths apart and hips 0.45 (positions.py); a broad-shouldered dancer raises
# the percentile above the floor, a narrow one stays a little turned.
FRONTAL_PERCENTILE = 95.0
_MIN_FRONTAL_WIDTH = 0.9
# A frame wider than this share of the frontal width is not a turn but a broken pose (a torso
# foreshortened by leaning towards the camera, swapped landmarks).
_MAX_WIDTH_RATIO = 1.3
# Which way the body turned is only trusted when the depth difference across it is at least
# this (torso lengths); near facing the camera or the back the sign hardly matters.
_MIN_DEPTH_DIFFERENCE = 0.05
_SIGN_MATTERS_DEG = 20.0


def _across_and_depth(
    landmarks: NDArray[np.float32], aspect_ratio: float | NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Left-minus-right width across the torso and depth (torso lengths), shoulders plus hips."""
    points = to_body_frame(landmarks, aspect_ratio)
    width = (points[..., _LEFT, 0] - points[..., _RIGHT, 0]).sum(axis=-1)
    # The body frame's unit is the torso length in image units (x stretched by the aspect
    # ratio); MediaPipe's z has the scale of x, so it gets the same stretch.
    xy = landmarks[..., :2].astype(np.float64)
    aspect = np.asarray(aspect_ratio, dtype=np.float64)
    shoulders = (xy[..., _LEFT[0], :] + xy[..., _RIGHT[0], :]) / 2.0
    hips = (xy[..., _LEFT[1], :] + xy[..., _RIGHT[1], :]) / 2.0
    torso = np.hypot((shoulders[..., 0] - hips[..., 0]) * aspect, shoulders[..., 1] - hips[..., 1])
    z = landmarks[..., Z].astype(np.float64)
    depth = (z[..., _LEFT] - z[..., _RIGHT]).sum(axis=-1) * aspect
    with np.errstate(invalid="ignore", divide="ignore"):
        return width, depth / torso


def frontal_width(
    landmarks: NDArray[np.float32], aspect_ratio: float | NDArray[np.float64]
) -> float:
    """The dancer's width seen from the front (torso lengths, shoulders plus hips) over a
    recording `(frames, 33, 4)`: see FRONTAL_PERCENTILE."""
    width, _ = _across_and_depth(landmarks, aspect_ratio)
    finite = np.abs(width[np.isfinite(width)])
    if finite.size == 0:
        return _MIN_FRONTAL_WIDTH
    return max(float(np.percentile(finite, FRONTAL_PERCENTILE)), _MIN_FRONTAL_WIDTH)


def yaw_deg(
    landmarks: NDArray[np.float32],
    aspect_ratio: float | NDArray[np.float64],
    frontal: float | None = None,
) -> NDArray[np.float64]:
    """Yaw in degrees per pose `(..., 33, 4)` -> `(...)`, NaN where unsure.

    frontal: the dancer's frontal width (frontal_width); by default measured on these poses,
    which then should be a recording, not a single turned pose. Unsure: a shoulder or hip
    hardly visible, a width beyond the frontal one, or a clear turn whose side the depth
    does not tell.
    """
    width, depth = _across_and_depth(landmarks, aspect_ratio)
    reference_width = frontal_width(landmarks, aspect_ratio) if frontal is None else frontal
    ratio = width / reference_width
    magnitude = np.degrees(np.arccos(np.clip(ratio, -1.0, 1.0)))
    visible = effective_visibility(landmarks)[..., np.concatenate([_LEFT, _RIGHT])]
    unsure_side = (
        (magnitude > _SIGN_MATTERS_DEG)
        & (magnitude < 180.0 - _SIGN_MATTERS_DEG)
        & ~(np.abs(depth) >= _MIN_DEPTH_DIFFERENCE)
    )
    unsure = (
        (visible.min(axis=-1) < _MIN_VISIBILITY)
        | ~(np.abs(ratio) <= _MAX_WIDTH_RATIO)
        | unsure_side
    )
    signed = np.where(depth < 0, -magnitude, magnitude)
    return np.asarray(np.where(unsure, np.nan, signed), dtype=np.float64)


def yaw_difference_deg(
    learner: NDArray[np.float64], reference: NDArray[np.float64]
) -> NDArray[np.float64]:
    """learner - reference yaw, wrapped to (-180, 180] degrees (NaN where either is)."""
    difference = np.asarray(learner, dtype=np.float64) - reference
    return np.asarray(180.0 - np.mod(180.0 - difference, 360.0), dtype=np.float64)


def mean_yaw_deg(yaws: NDArray[np.float64]) -> float:
    """The circular mean of yaws (179 and -179 average to 180), ignoring NaN; NaN if none."""
    finite = yaws[np.isfinite(yaws)]
    if finite.size == 0:
        return float("nan")
    angles = np.radians(finite)
    return float(np.degrees(np.arctan2(np.sin(angles).mean(), np.cos(angles).mean())))
