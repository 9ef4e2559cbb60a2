"""Where the whole body faces and where the hands are, learner and reference, frame by frame:
what coaching says beyond the joint features ("a quarter turn to your left", "at chest
height"), summed up per problem segment."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.arrays import nan_mean
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.alignment import nearest_frames
from dancecoach.scoring.facing import mean_yaw_deg, yaw_deg, yaw_difference_deg
from dancecoach.scoring.hand_height import hand_heights

# A segment's facing or hand height is only reported when at least this share of its frames
# measured it: a few lucky frames of a turned, half-hidden body say little.
_MIN_MEASURED_SHARE = 0.3


@dataclass(frozen=True)
class BodyPosition:
    """Per attempt frame: yaws in degrees (facing.py's convention) and wrist heights `(frames,
    2)` (left, right) in torso lengths above the hips (hand_height.py), NaN where unsure. The
    reference's are at the matched moment, in the reading that was compared (mirrored if the
    learner danced the mirror image), so that left and right are the learner's own."""

    learner_yaw_deg: NDArray[np.float64]
    reference_yaw_deg: NDArray[np.float64]
    learner_hands: NDArray[np.float64]
    reference_hands: NDArray[np.float64]


@dataclass(frozen=True)
class SegmentBodyPosition:
    """A stretch summed up: facing_deg is learner minus reference yaw (positive: the learner
    faced further to their own left); hands are (learner, reference) per side. None where
    too few frames measured it."""

    facing_deg: float | None
    left_hand: tuple[float, float] | None
    right_hand: tuple[float, float] | None


def body_position(
    reference: PoseSequence,
    attempt: PoseSequence,
    reference_times_s: NDArray[np.float64],
    matched_poses: NDArray[np.float32],
) -> BodyPosition:
    """reference: the reading compared (maybe mirrored); matched_poses: its poses at
    reference_times_s, one per attempt frame."""
    # Yaw needs the whole recording (its frontal width), so the reference's is measured over
    # all of it and then read at the matched moments.
    reference_yaw = np.full(len(reference_times_s), np.nan)
    if len(reference):
        nearest = nearest_frames(reference, reference_times_s)
        every_yaw = yaw_deg(reference.landmarks, reference.aspect_ratio)
        reference_yaw = np.where(nearest >= 0, every_yaw[np.maximum(nearest, 0)], np.nan)
    return BodyPosition(
        learner_yaw_deg=yaw_deg(attempt.landmarks, attempt.aspect_ratio),
        reference_yaw_deg=reference_yaw,
        learner_hands=hand_heights(attempt.landmarks, attempt.aspect_ratio),
        reference_hands=hand_heights(matched_poses, reference.aspect_ratio),
    )


def _enough(measured: NDArray[np.bool_]) -> bool:
    return bool(measured.size) and float(measured.mean()) >= _MIN_MEASURED_SHARE


def segment_body_position(position: BodyPosition, start: int, end: int) -> SegmentBodyPosition:
    """The attempt frames [start, end) summed up (circular mean for the facing)."""
    difference = yaw_difference_deg(
        position.learner_yaw_deg[start:end], position.reference_yaw_deg[start:end]
    )
    facing = mean_yaw_deg(difference) if _enough(np.isfinite(difference)) else None
    hands: list[tuple[float, float] | None] = []
    for side in (0, 1):
        learner = position.learner_hands[start:end, side]
        reference = position.reference_hands[start:end, side]
        both = np.isfinite(learner) & np.isfinite(reference)
        if not _enough(both):
            hands.append(None)
            continue
        means = nan_mean(np.where(both[:, None], np.stack([learner, reference], axis=1), np.nan), 0)
        hands.append((round(float(means[0]), 2), round(float(means[1]), 2)))
    return SegmentBodyPosition(
        facing_deg=None if facing is None else round(facing, 1),
        left_hand=hands[0],
        right_hand=hands[1],
    )
