"""Pose features: joint angles, limb directions, torso lean, head tilt, hand spread, foot width.

The features are a table of data (which points, what kind, which body part), computed on
body-frame coordinates, so they do not change with position, size or camera roll. Each value
comes with a visibility weight (the least visible point it uses); a feature whose points are
out of frame gets weight 0 and is skipped by comparison rather than penalised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import NUM_LANDMARKS, Landmark
from dancecoach.scoring.normalization import effective_visibility, to_body_frame

FeatureKind = Literal["angle", "direction", "distance"]

# Virtual points appended after the 33 landmarks: mid-points used by the torso and head features.
SHOULDER_CENTRE = NUM_LANDMARKS
HIP_CENTRE = NUM_LANDMARKS + 1
ANKLE_CENTRE = NUM_LANDMARKS + 2
EAR_CENTRE = NUM_LANDMARKS + 3
_VIRTUAL_POINTS: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_EAR, Landmark.RIGHT_EAR),
)
_VIRTUAL_A = np.array([a for a, _ in _VIRTUAL_POINTS], dtype=np.intp)
_VIRTUAL_B = np.array([b for _, b in _VIRTUAL_POINTS], dtype=np.intp)


@dataclass(frozen=True)
class FeatureSpec:
    """One feature.

    kind "angle": interior angle at points[1] between points[0] and points[2], 0..180 degrees.
    kind "direction": direction of points[0] -> points[1] in the body frame, in degrees from
        `zero` ("down" for limbs, so 0 is hanging down and +-180 is straight up; "up" for torso
        and head, so 0 is upright), positive towards the body frame's +x.
    kind "distance": distance between points[0] and points[1] in torso lengths.
    """

    name: str
    kind: FeatureKind
    points: tuple[int, ...]
    body_part: str  # the joint or limb in words-to-be ("left_elbow")
    groups: tuple[str, ...]  # body-part groups whose score this feature counts towards
    weight: float = 1.0
    zero: Literal["down", "up"] = "down"


def _side_features(side: Literal["left", "right"]) -> list[FeatureSpec]:
    def lm(name: str) -> int:
        return int(Landmark[f"{side.upper()}_{name}"])

    arm, leg = f"{side}_arm", f"{side}_leg"
    return [
        FeatureSpec(f"{side}_elbow_angle", "angle", (lm("SHOULDER"), lm("ELBOW"), lm("WRIST")),
                    f"{side}_elbow", (arm,)),
        FeatureSpec(f"{side}_shoulder_angle", "angle", (lm("HIP"), lm("SHOULDER"), lm("ELBOW")),
                    f"{side}_shoulder", (arm,)),
        FeatureSpec(f"{side}_upper_arm_direction", "direction", (lm("SHOULDER"), lm("ELBOW")),
                    f"{side}_upper_arm", (arm,)),
        FeatureSpec(f"{side}_forearm_direction", "direction", (lm("ELBOW"), lm("WRIST")),
                    f"{side}_forearm", (arm,)),
        FeatureSpec(f"{side}_hip_angle", "angle", (lm("SHOULDER"), lm("HIP"), lm("KNEE")),
                    f"{side}_hip", (leg,)),
        FeatureSpec(f"{side}_knee_angle", "angle", (lm("HIP"), lm("KNEE"), lm("ANKLE")),
                    f"{side}_knee", (leg,)),
        FeatureSpec(f"{side}_thigh_direction", "direction", (lm("HIP"), lm("KNEE")),
                    f"{side}_thigh", (leg,), weight=0.8),
        FeatureSpec(f"{side}_shin_direction", "direction", (lm("KNEE"), lm("ANKLE")),
                    f"{side}_shin", (leg,), weight=0.8),
    ]  # fmt: skip


FEATURES: tuple[FeatureSpec, ...] = (
    *_side_features("left"),
    *_side_features("right"),
    FeatureSpec("torso_lean", "direction", (ANKLE_CENTRE, HIP_CENTRE), "torso", ("torso",),
                weight=0.7, zero="up"),
    FeatureSpec("head_tilt", "direction", (SHOULDER_CENTRE, EAR_CENTRE), "head", ("torso",),
                weight=0.5, zero="up"),
    FeatureSpec("hand_spread", "distance", (Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST), "hands",
                ("left_arm", "right_arm"), weight=0.6),
    FeatureSpec("foot_width", "distance", (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE), "feet",
                ("left_leg", "right_leg"), weight=0.6),
)  # fmt: skip
FEATURE_INDEX: dict[str, int] = {spec.name: i for i, spec in enumerate(FEATURES)}
NUM_FEATURES = len(FEATURES)
# MIRRORED_FEATURE_ORDER[i] is the feature that plays the role of feature i in a mirrored body.
MIRRORED_FEATURE_ORDER: NDArray[np.intp] = np.array(
    [
        FEATURE_INDEX.get(
            s.name.replace("left_", "@").replace("right_", "left_").replace("@", "right_"), i
        )
        for i, s in enumerate(FEATURES)
    ],
    dtype=np.intp,
)
IS_CIRCULAR: NDArray[np.bool_] = np.array([s.kind == "direction" for s in FEATURES])
IS_DISTANCE: NDArray[np.bool_] = np.array([s.kind == "distance" for s in FEATURES])
FEATURE_WEIGHTS: NDArray[np.float64] = np.array([s.weight for s in FEATURES])


@dataclass(frozen=True)
class PoseFeatures:
    """Feature values `(..., NUM_FEATURES)` (degrees or torso lengths) and weights 0..1."""

    values: NDArray[np.float64]
    visibility: NDArray[np.float64]
    # +1 where the dancer's left shoulder lies towards the body frame's +x (facing the camera),
    # -1 where it lies towards -x (facing away): tells "out to the side" from "across the body".
    left_side_sign: NDArray[np.float64]

    def __getitem__(self, index: int | tuple[int, ...]) -> PoseFeatures:
        """The features of the poses at index (of the leading axes)."""
        return PoseFeatures(self.values[index], self.visibility[index], self.left_side_sign[index])


def _with_virtual_points(
    points: NDArray[np.float64], visibility: NDArray[np.float32]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    # Midpoints as (a + b) / 2: the same values as a mean over the pair, in one call.
    extra_points = (points[..., _VIRTUAL_A, :] + points[..., _VIRTUAL_B, :]) / 2.0
    extra_vis = np.minimum(visibility[..., _VIRTUAL_A], visibility[..., _VIRTUAL_B])
    all_points = np.concatenate([points, extra_points], axis=-2)
    all_vis = np.concatenate([visibility, extra_vis], axis=-1)
    return all_points, all_vis.astype(np.float64)


def _signed_angle_deg(
    vector: NDArray[np.float64], zero: Literal["down", "up"]
) -> NDArray[np.float64]:
    x, y = vector[..., 0], vector[..., 1]
    reference_y = -y if zero == "down" else y
    return np.asarray(np.degrees(np.arctan2(x, reference_y)), dtype=np.float64)


def _interior_angle_deg(
    a: NDArray[np.float64], vertex: NDArray[np.float64], c: NDArray[np.float64]
) -> NDArray[np.float64]:
    u, v = a - vertex, c - vertex
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = (u * v).sum(axis=-1)
    # atan2(|cross|, dot) stays accurate near 0 and 180 degrees, unlike acos.
    return np.asarray(np.degrees(np.arctan2(np.abs(cross), dot)), dtype=np.float64)


def _indices(kind: FeatureKind) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Feature numbers of one kind and their points `(features, points per feature)`."""
    specs = [(i, spec.points) for i, spec in enumerate(FEATURES) if spec.kind == kind]
    return (
        np.array([i for i, _ in specs], dtype=np.intp),
        np.array([points for _, points in specs], dtype=np.intp),
    )


# Computed per kind on whole index arrays: one numpy call per kind, not one per feature.
_ANGLES, _ANGLE_POINTS = _indices("angle")
_DIRECTIONS, _DIRECTION_POINTS = _indices("direction")
_DISTANCES, _DISTANCE_POINTS = _indices("distance")
_ZERO_IS_DOWN = np.array([FEATURES[i].zero == "down" for i in _DIRECTIONS])


def compute_features(
    landmarks: NDArray[np.float32], aspect_ratio: float | NDArray[np.float64]
) -> PoseFeatures:
    """Features of poses `(..., 33, 4)` in normalized image coordinates.

    aspect_ratio: width / height of the frames, one for all poses or one per pose `(...)`.
    """
    points, visibility = _with_virtual_points(
        to_body_frame(landmarks, aspect_ratio), effective_visibility(landmarks)
    )
    values = np.empty((*points.shape[:-2], NUM_FEATURES), dtype=np.float64)
    weights = np.empty_like(values)

    angle = points[..., _ANGLE_POINTS, :]  # (..., features, 3 points, xy)
    values[..., _ANGLES] = _interior_angle_deg(angle[..., 0, :], angle[..., 1, :], angle[..., 2, :])
    direction = points[..., _DIRECTION_POINTS[:, 1], :] - points[..., _DIRECTION_POINTS[:, 0], :]
    downward = _signed_angle_deg(direction, "down")
    values[..., _DIRECTIONS] = np.where(_ZERO_IS_DOWN, downward, _signed_angle_deg(direction, "up"))
    distance = points[..., _DISTANCE_POINTS[:, 1], :] - points[..., _DISTANCE_POINTS[:, 0], :]
    values[..., _DISTANCES] = np.linalg.norm(distance, axis=-1)
    for numbers, spec_points in (
        (_ANGLES, _ANGLE_POINTS),
        (_DIRECTIONS, _DIRECTION_POINTS),
        (_DISTANCES, _DISTANCE_POINTS),
    ):
        weights[..., numbers] = visibility[..., spec_points].min(axis=-1)

    weights = np.where(np.isnan(values), 0.0, weights)
    shoulder_offset = (
        points[..., Landmark.LEFT_SHOULDER, 0] - points[..., Landmark.RIGHT_SHOULDER, 0]
    )
    left_side_sign = np.where(shoulder_offset < 0, -1.0, 1.0)
    return PoseFeatures(values, weights, left_side_sign)
