"""Synthetic poses with known joint angles, for tests with known answers.

A stick figure is built in a body frame (hips at the origin, torso length 1, y up, the dancer
facing the camera so their left side is at +x) and then placed in an image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import Landmark
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.agreement import sample_frames
from dancecoach.scoring.features import PoseFeatures, compute_features

_UPPER_ARM, _FOREARM, _THIGH, _SHIN = 0.6, 0.55, 0.9, 0.85


@dataclass(frozen=True)
class Figure:
    """Limb directions in degrees from hanging straight down, positive = away from the body.

    Elbow and knee bends are the extra turn of the lower limb relative to the upper limb.
    """

    left_arm_deg: float = 20.0
    right_arm_deg: float = 20.0
    left_elbow_bend_deg: float = 0.0
    right_elbow_bend_deg: float = 0.0
    left_leg_deg: float = 5.0
    right_leg_deg: float = 5.0
    left_knee_bend_deg: float = 0.0
    right_knee_bend_deg: float = 0.0


def _limb(
    start: NDArray[np.float64], direction_deg: float, outward: float, length: float
) -> NDArray[np.float64]:
    angle = math.radians(direction_deg)
    return start + length * np.array([outward * math.sin(angle), -math.cos(angle)])


def body_points(figure: Figure) -> NDArray[np.float64]:
    """(33, 2) body-frame points of the figure."""
    points = np.zeros((33, 2))
    for side, outward in (("LEFT", 1.0), ("RIGHT", -1.0)):
        arm = getattr(figure, f"{side.lower()}_arm_deg")
        elbow_bend = getattr(figure, f"{side.lower()}_elbow_bend_deg")
        leg = getattr(figure, f"{side.lower()}_leg_deg")
        knee_bend = getattr(figure, f"{side.lower()}_knee_bend_deg")
        shoulder = np.array([0.3 * outward, 1.0])
        hip = np.array([0.2 * outward, 0.0])
        elbow = _limb(shoulder, arm, outward, _UPPER_ARM)
        wrist = _limb(elbow, arm + elbow_bend, outward, _FOREARM)
        knee = _limb(hip, leg, outward, _THIGH)
        ankle = _limb(knee, leg - knee_bend, outward, _SHIN)
        for name, point in (
            ("SHOULDER", shoulder), ("ELBOW", elbow), ("WRIST", wrist), ("HIP", hip),
            ("KNEE", knee), ("ANKLE", ankle),
            ("PINKY", wrist + (wrist - elbow) * 0.15), ("INDEX", wrist + (wrist - elbow) * 0.2),
            ("THUMB", wrist + (wrist - elbow) * 0.1),
            ("HEEL", ankle + np.array([0.0, -0.05])),
            ("FOOT_INDEX", ankle + np.array([0.1 * outward, -0.08])),
            ("EYE", np.array([0.06 * outward, 1.45])),
            ("EYE_INNER", np.array([0.03 * outward, 1.45])),
            ("EYE_OUTER", np.array([0.09 * outward, 1.45])),
            ("EAR", np.array([0.12 * outward, 1.42])),
        ):  # fmt: skip
            points[Landmark[f"{side}_{name}"]] = point
    points[Landmark.NOSE] = [0.0, 1.38]
    points[Landmark.MOUTH_LEFT] = [0.04, 1.3]
    points[Landmark.MOUTH_RIGHT] = [-0.04, 1.3]
    return points


def turned(points: NDArray[np.float64], yaw_deg: float) -> NDArray[np.float64]:
    """(33, 2) body-frame points of a figure in its frontal plane -> (33, 3) with depth
    (away from the camera), the body turned about its vertical axis by yaw_deg towards the
    dancer's own left (scoring/facing.py's convention)."""
    yaw = math.radians(yaw_deg)
    across = points[:, 0]
    return np.stack([across * math.cos(yaw), points[:, 1], across * math.sin(yaw)], axis=1)


def place(
    points: NDArray[np.float64],
    *,
    centre: tuple[float, float] = (0.5, 0.55),
    scale: float = 0.18,
    roll_deg: float = 0.0,
    aspect_ratio: float = 1.0,
    visibility: float = 0.99,
) -> NDArray[np.float32]:
    """Body-frame points (33, 2), or (33, 3) with depth (turned), -> (33, 4) normalized image
    landmarks.

    scale is the torso length as a fraction of the frame height; roll turns the figure in the
    image plane; aspect_ratio is width / height of the imaginary frame.
    """
    roll = math.radians(roll_deg)
    rotation = np.array([[math.cos(roll), -math.sin(roll)], [math.sin(roll), math.cos(roll)]])
    rolled = points[:, :2] @ rotation.T * scale
    pose = np.zeros((33, 4), dtype=np.float32)
    pose[:, 0] = centre[0] + rolled[:, 0] / aspect_ratio
    pose[:, 1] = centre[1] - rolled[:, 1]
    if points.shape[1] == 3:
        # MediaPipe's z: relative depth on the scale of x, smaller is nearer the camera.
        pose[:, 2] = points[:, 2] * scale / aspect_ratio
    pose[:, 3] = visibility
    return pose


def pose(
    figure: Figure | None = None,
    *,
    centre: tuple[float, float] = (0.5, 0.55),
    scale: float = 0.18,
    roll_deg: float = 0.0,
    aspect_ratio: float = 1.0,
    yaw_deg: float = 0.0,
) -> NDArray[np.float32]:
    """A placed pose of the figure (default: arms slightly out, legs straight), turned by
    yaw_deg towards the dancer's left."""
    return place(
        turned(body_points(figure or Figure()), yaw_deg),
        centre=centre,
        scale=scale,
        roll_deg=roll_deg,
        aspect_ratio=aspect_ratio,
    )


def sequence(
    figures: list[Figure],
    fps: float = 15.0,
    aspect_ratio: float = 1.0,
    yaws_deg: list[float] | None = None,
) -> PoseSequence:
    """A pose sequence of the given figures, one frame each (turned by yaws_deg, if given)."""
    yaws = yaws_deg or [0.0] * len(figures)
    landmarks = np.stack(
        [pose(f, aspect_ratio=aspect_ratio, yaw_deg=y) for f, y in zip(figures, yaws, strict=True)]
    )
    timestamps = np.arange(len(figures)) / fps
    height = 480
    return PoseSequence(landmarks, timestamps, (round(height * aspect_ratio), height), fps)


def routine(
    duration_s: float, fps: float = 15.0, period_s: float = 2.0, phase_s: float = 0.0
) -> list[Figure]:
    """A smooth arm-and-leg routine: arms sweep up and down, one knee bends, in a cycle."""
    figures = []
    for i in range(round(duration_s * fps)):
        t = i / fps + phase_s
        wave = math.sin(2 * math.pi * t / period_s)
        slow = math.sin(2 * math.pi * t / (period_s * 2.3))
        figures.append(
            Figure(
                left_arm_deg=90 + 70 * wave,
                right_arm_deg=90 - 60 * slow,
                left_elbow_bend_deg=45 + 40 * slow,
                right_elbow_bend_deg=30 + 30 * wave,
                left_knee_bend_deg=max(0.0, 60 * wave),
                right_leg_deg=10 + 25 * max(0.0, -slow),
            )
        )
    return figures


def chance_sample(seconds: float = 8.0) -> PoseFeatures:
    """Reference moments for chance levels (agreement.py): a sample of a varied routine."""
    return sample_frames(compute_features(sequence(routine(seconds)).landmarks, 1.0))
