"""How high the hands are on the body: wrist height in torso lengths and its words.

Height 0 is the hips (the hip centre's level along the torso), 1 the shoulders, measured along
the upright torso so that it does not change with position, size or camera roll.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import Landmark
from dancecoach.scoring.normalization import effective_visibility, to_body_frame

_WRISTS = np.array([Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST], dtype=np.intp)
# Below this visibility (0..1) a wrist's height is a guess.
_MIN_VISIBILITY = 0.5
# to_body_frame puts its origin halfway between the hip and shoulder centres, one torso apart.
_HIPS_IN_BODY_FRAME = -0.5


@dataclass(frozen=True)
class HandLevel:
    """A range of hand heights with its words.

    below: the level holds heights under this (torso lengths above the hips).
    state: where the hand was, after "your left hand was": "at chest height".
    target: where to bring it, after "up" or "down": "to chest height".
    """

    below: float
    state: str
    target: str


# Bottom to top. The face starts a little above the shoulders (the neck), the head's top about
# 0.65 torso lengths above them; the waist sits a third of the way up from the hips.
HAND_LEVELS: tuple[HandLevel, ...] = (
    HandLevel(-0.1, "below your hips", "below your hips"),
    HandLevel(0.2, "at hip height", "to hip height"),
    HandLevel(0.5, "at waist height", "to waist height"),
    HandLevel(0.85, "at chest height", "to chest height"),
    HandLevel(1.15, "at shoulder height", "to shoulder height"),
    HandLevel(1.6, "at face height", "to face height"),
    HandLevel(float("inf"), "above your head", "above your head"),
)


def hand_level(height: float) -> int:
    """Index into HAND_LEVELS of a height in torso lengths above the hips."""
    return next((i for i, lv in enumerate(HAND_LEVELS) if height < lv.below), len(HAND_LEVELS) - 1)


def hand_heights(
    landmarks: NDArray[np.float32], aspect_ratio: float | NDArray[np.float64]
) -> NDArray[np.float64]:
    """Left and right wrist heights `(..., 2)` in torso lengths above the hips, for poses
    `(..., 33, 4)` in normalized image coordinates; NaN where a wrist is hardly visible."""
    heights = to_body_frame(landmarks, aspect_ratio)[..., _WRISTS, 1] - _HIPS_IN_BODY_FRAME
    visible = effective_visibility(landmarks)[..., _WRISTS] >= _MIN_VISIBILITY
    return np.asarray(np.where(visible, heights, np.nan), dtype=np.float64)
