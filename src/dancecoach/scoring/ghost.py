"""The "ghost": the reference pose drawn on the learner's body, in the learner's image coordinates.

The reference pose is normalized (torso upright, unit torso length) and then placed with the
learner's own torso centre, length and tilt, so the overlay shows where the learner's limbs
should be, whatever their size or position in the webcam picture.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import VISIBILITY, Landmark, mirror_landmarks
from dancecoach.scoring.normalization import to_body_frame

_LEFT_SHOULDER, _RIGHT_SHOULDER = int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)
_LEFT_HIP, _RIGHT_HIP = int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)


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
    return place_on_user(body, reference_pose, user_pose, user_aspect)


def place_on_user(
    body: NDArray[np.float64],
    reference_pose: NDArray[np.float32],
    user_pose: NDArray[np.float32],
    user_aspect: float,
) -> NDArray[np.float32]:
    """project_reference_onto_user from the reference pose's body-frame points `(33, 2)`
    (to_body_frame), which live scoring finds for many frames in one call."""
    # The learner's torso in pixel-proportional, y-up coordinates, from four points (scalars:
    # this runs for every live frame, where numpy's per-call cost outweighs the arithmetic).
    left_shoulder, right_shoulder = user_pose[_LEFT_SHOULDER], user_pose[_RIGHT_SHOULDER]
    left_hip, right_hip = user_pose[_LEFT_HIP], user_pose[_RIGHT_HIP]
    shoulder_x = (float(left_shoulder[0]) + float(right_shoulder[0])) / 2.0 * user_aspect
    shoulder_y = -(float(left_shoulder[1]) + float(right_shoulder[1])) / 2.0
    hip_x = (float(left_hip[0]) + float(right_hip[0])) / 2.0 * user_aspect
    hip_y = -(float(left_hip[1]) + float(right_hip[1])) / 2.0
    torso_x, torso_y = shoulder_x - hip_x, shoulder_y - hip_y
    length = math.hypot(torso_x, torso_y)
    tilt = math.atan2(torso_y, torso_x) - math.pi / 2.0
    # Rotate by the tilt and scale to the torso length in one step.
    scaled_cos, scaled_sin = math.cos(tilt) * length, math.sin(tilt) * length
    centre_x, centre_y = (shoulder_x + hip_x) / 2.0, (shoulder_y + hip_y) / 2.0
    body_x, body_y = body[:, 0], body[:, 1]

    ghost = np.empty((33, 4), dtype=np.float32)
    ghost[:, 0] = (body_x * scaled_cos - body_y * scaled_sin + centre_x) / user_aspect
    ghost[:, 1] = -(body_x * scaled_sin + body_y * scaled_cos + centre_y)
    ghost[:, 2] = reference_pose[:, 2]
    ghost[:, VISIBILITY] = reference_pose[:, VISIBILITY]
    return ghost
