"""The 33 BlazePose landmarks, the skeleton drawn over them and the left/right mirror map.

One place for these facts: every other module (and the web client, through the API schema)
takes landmark indices, bone lists and mirror pairs from here.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

NUM_LANDMARKS = 33
# Channels of a landmark row: x, y (normalized image coordinates, 0..1 of width and height),
# z (MediaPipe's relative depth, same scale as x) and visibility (0..1).
X, Y, Z, VISIBILITY = 0, 1, 2, 3


class Landmark(IntEnum):
    """BlazePose landmark indices; left and right are the dancer's own sides."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


def _mirror_index(landmark: Landmark) -> Landmark:
    name = landmark.name
    if name.startswith("LEFT_"):
        return Landmark[name.replace("LEFT_", "RIGHT_", 1)]
    if name.startswith("RIGHT_"):
        return Landmark[name.replace("RIGHT_", "LEFT_", 1)]
    if name == "MOUTH_LEFT":
        return Landmark.MOUTH_RIGHT
    if name == "MOUTH_RIGHT":
        return Landmark.MOUTH_LEFT
    return landmark


# MIRROR_PERMUTATION[i] is the landmark that plays the role of i in a left-right mirrored body.
MIRROR_PERMUTATION: NDArray[np.intp] = np.array(
    [_mirror_index(lm) for lm in Landmark], dtype=np.intp
)

# Bones drawn as the skeleton overlay (pairs of landmark indices).
SKELETON_BONES: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.NOSE, Landmark.LEFT_EYE),
    (Landmark.NOSE, Landmark.RIGHT_EYE),
)


def mirror_landmarks(landmarks: NDArray[np.float32]) -> NDArray[np.float32]:
    """Mirror poses left-right as a horizontally flipped image would show them.

    Works on `(..., 33, 4)` arrays in normalized image coordinates: x becomes 1 - x and the
    left/right landmark labels swap, so a dancer's left arm becomes the right arm.
    """
    mirrored = landmarks[..., MIRROR_PERMUTATION, :].copy()
    mirrored[..., X] = 1.0 - mirrored[..., X]
    return mirrored


# A pose as it crosses the pipes between live processes: its dtype, shape and raw bytes.
# numpy's own pickling of a (33, 4) array cost ~5 µs to write and ~3 µs to read, its bytes
# ~0.2 µs each way; a browser-pose frame's pose crosses a pipe twice (to the scoring process,
# and back in its analysis), ~2,000 times a second on a busy server.
PackedPose = tuple[str, tuple[int, ...], bytes]


def pack_pose(pose: NDArray[np.float32] | None) -> PackedPose | None:
    if pose is None:
        return None
    return pose.dtype.str, pose.shape, pose.tobytes()


def unpack_pose(packed: PackedPose | None) -> NDArray[np.float32] | None:
    """The pose pack_pose packed, as a new writable array (exactly the same values)."""
    if packed is None:
        return None
    dtype, shape, data = packed
    pose: NDArray[np.float32] = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    return pose
