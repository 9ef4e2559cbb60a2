"""Perturbations with known answers, applied to real pose sequences of the footage.

Each returns a new PoseSequence as a recording of the changed dance would give it; the tests and
the judgement bench compare it with the original and check the judgement's response.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from dancecoach.pose.landmarks import Landmark, X, Y
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.alignment import poses_at

# The points that move with a limb when it turns at its root joint.
LIMBS: dict[str, tuple[Landmark, tuple[Landmark, ...]]] = {
    "left_arm": (
        Landmark.LEFT_SHOULDER,
        (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST, Landmark.LEFT_PINKY, Landmark.LEFT_INDEX,
         Landmark.LEFT_THUMB),
    ),
    "right_leg": (
        Landmark.RIGHT_HIP,
        (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL,
         Landmark.RIGHT_FOOT_INDEX),
    ),
}  # fmt: skip
# Landmark noise of re-encoding a webcam frame as JPEG (normalized image coordinates): the
# median displacement the detector shows between a frame and its quality-70 JPEG is ~0.002
# of the frame; twice that is a generous stand-in.
JPEG_JITTER = 0.004


def rotate_limb(
    sequence: PoseSequence, limb: str, degrees: float, start_s: float, end_s: float
) -> PoseSequence:
    """The limb turned by `degrees` about its root joint (in the upright image) in a stretch."""
    root, moving = LIMBS[limb]
    landmarks = sequence.landmarks.copy()
    inside = (sequence.timestamps_s >= start_s) & (sequence.timestamps_s < end_s)
    aspect = sequence.aspect_ratio
    angle = math.radians(degrees)
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    for frame in np.flatnonzero(inside):
        pivot = landmarks[frame, root, :2].astype(np.float64)
        for point in moving:
            # Rotate in pixel-proportional units so that the turn is a true angle.
            dx = (float(landmarks[frame, point, X]) - pivot[0]) * aspect
            dy = float(landmarks[frame, point, Y]) - pivot[1]
            landmarks[frame, point, X] = pivot[0] + (dx * cos_a - dy * sin_a) / aspect
            landmarks[frame, point, Y] = pivot[1] + dx * sin_a + dy * cos_a
    return dataclasses.replace(sequence, landmarks=landmarks)


def start_later(sequence: PoseSequence, seconds: float) -> PoseSequence:
    """A recording that starts `seconds` into the dance: reference time = its time + seconds."""
    keep = sequence.timestamps_s >= sequence.timestamps_s[0] + seconds - 1e-9
    times = sequence.timestamps_s[keep]
    return dataclasses.replace(
        sequence, landmarks=sequence.landmarks[keep], timestamps_s=times - times[0]
    )


def at_tempo(sequence: PoseSequence, factor: float) -> PoseSequence:
    """The dance performed `factor` times as fast (1.1: 10 % faster), sampled at the same rate."""
    duration_s = float(sequence.timestamps_s[-1] - sequence.timestamps_s[0])
    times = np.arange(0.0, duration_s / factor, 1.0 / sequence.fps)
    landmarks = poses_at(sequence, sequence.timestamps_s[0] + times * factor)
    return dataclasses.replace(sequence, landmarks=landmarks, timestamps_s=times)


def jittered(sequence: PoseSequence, amount: float = JPEG_JITTER, seed: int = 0) -> PoseSequence:
    """Every point moved by Gaussian noise of `amount` (normalized coordinates) per axis."""
    noise = np.random.default_rng(seed).normal(0.0, amount, sequence.landmarks[..., :2].shape)
    landmarks = sequence.landmarks.copy()
    landmarks[..., :2] += noise.astype(np.float32)
    return dataclasses.replace(sequence, landmarks=landmarks)


def holding_one_pose(sequence: PoseSequence) -> PoseSequence:
    """A learner who holds the dancer's pose from the middle of the dance the whole time."""
    present = np.flatnonzero(sequence.present)
    middle = sequence.landmarks[present[len(present) // 2]]
    landmarks = np.broadcast_to(middle, sequence.landmarks.shape).copy()
    return dataclasses.replace(sequence, landmarks=landmarks)
