"""The "ghost": the reference pose drawn on the learner's body, in the learner's image coordinates.

The reference pose is normalized (torso upright, unit torso length) and then placed with the
learner's own torso centre, length and tilt, so the overlay shows where the learner's limbs
should be, whatever their size or position in the webcam picture.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dancecoach.pipeline.landmarks import VISIBILITY, Landmark, mirror_landmarks
from dancecoach.pipeline.normalization import to_body_frame

_SHOULDERS = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]
_HIPS = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]


def project_reference_onto_user(
    reference_pose: NDArray[np.float32],
    reference_aspect: float,
    user_pose: NDArray[np.float32],
    user_aspect: float,
    *,
    mirror: bool,
) -> NDArray[np.float32]:
    """(33, 4) reference landmarks in the learner's normalized image coordinates.

    mirror: True when the learner performs the mirror image of the reference (as in
    compare_poses). Visibility is the reference's; z is copied unchanged.
    """
    if mirror:
        reference_pose = mirror_landmarks(reference_pose)
    body = to_body_frame(reference_pose, reference_aspect)  # torso upright, length 1, y up

    # The learner's torso in pixel-proportional, y-up coordinates.
    points = np.stack([user_pose[:, 0] * user_aspect, -user_pose[:, 1]], axis=-1).astype(np.float64)
    shoulder_centre = points[_SHOULDERS].mean(axis=0)
    hip_centre = points[_HIPS].mean(axis=0)
    centre = (shoulder_centre + hip_centre) / 2.0
    torso = shoulder_centre - hip_centre
    length = float(np.linalg.norm(torso))
    tilt = float(np.arctan2(torso[1], torso[0])) - np.pi / 2.0
    cos_t, sin_t = np.cos(tilt), np.sin(tilt)
    rotated = np.stack(
        [body[:, 0] * cos_t - body[:, 1] * sin_t, body[:, 0] * sin_t + body[:, 1] * cos_t], axis=-1
    )
    placed = rotated * length + centre

    ghost = np.empty((33, 4), dtype=np.float32)
    ghost[:, 0] = placed[:, 0] / user_aspect
    ghost[:, 1] = -placed[:, 1]
    ghost[:, 2] = reference_pose[:, 2]
    ghost[:, VISIBILITY] = reference_pose[:, VISIBILITY]
    return ghost
