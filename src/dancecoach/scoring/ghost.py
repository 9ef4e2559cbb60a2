"""The "ghost": the reference pose drawn on the learner's body, in the learner's image coordinates.

The reference pose is normalized (torso upright, unit torso length) and then placed with the
learner's own torso centre, length and tilt, so the overlay shows where the learner's limbs
should be, whatever their size or position in the webcam picture.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import Landmark, mirror_landmarks
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
    (to_body_frame)."""
    aspect = np.array([user_aspect], dtype=np.float64)
    placed: NDArray[np.float32] = place_on_users(
        body[None], reference_pose[None], user_pose[None], aspect
    )[0]
    return placed


def place_on_users(
    bodies: NDArray[np.float64],
    reference_poses: NDArray[np.float32],
    user_poses: NDArray[np.float32],
    user_aspects: NDArray[np.float64],
) -> NDArray[np.float32]:
    """place_on_user of many frames at once `(frames, 33, 4)`: live scoring places a batch's
    ghosts in one pass (numpy's per-call cost, paid once a frame, outweighed the arithmetic).

    bodies `(frames, 33, 2)`, reference_poses and user_poses `(frames, 33, 4)`, user_aspects
    `(frames,)`.
    """
    # The learner's torso in pixel-proportional, y-up coordinates, from four points.
    corners = user_poses[:, [_LEFT_SHOULDER, _RIGHT_SHOULDER, _LEFT_HIP, _RIGHT_HIP], :2]
    corners = corners.astype(np.float64)
    aspect = user_aspects[:, None]
    shoulder_x = (corners[:, 0, 0] + corners[:, 1, 0])[:, None] / 2.0 * aspect
    shoulder_y = -(corners[:, 0, 1] + corners[:, 1, 1])[:, None] / 2.0
    hip_x = (corners[:, 2, 0] + corners[:, 3, 0])[:, None] / 2.0 * aspect
    hip_y = -(corners[:, 2, 1] + corners[:, 3, 1])[:, None] / 2.0
    torso_x, torso_y = shoulder_x - hip_x, shoulder_y - hip_y
    length = np.hypot(torso_x, torso_y)
    tilt = np.arctan2(torso_y, torso_x) - math.pi / 2.0
    # Rotate by the tilt and scale to the torso length in one step.
    scaled_cos, scaled_sin = np.cos(tilt) * length, np.sin(tilt) * length
    centre_x, centre_y = (shoulder_x + hip_x) / 2.0, (shoulder_y + hip_y) / 2.0
    body_x, body_y = bodies[:, :, 0], bodies[:, :, 1]

    ghosts = np.empty(reference_poses.shape, dtype=np.float32)
    ghosts[:, :, 0] = (body_x * scaled_cos - body_y * scaled_sin + centre_x) / aspect
    ghosts[:, :, 1] = -(body_x * scaled_sin + body_y * scaled_cos + centre_y)
    # z and visibility are the reference's.
    ghosts[:, :, 2:] = reference_poses[:, :, 2:]
    return ghosts
