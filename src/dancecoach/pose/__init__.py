"""Pose data shared by every layer: the 33 landmarks, pose sequences, the body-part vocabulary
and the jitter filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.pose.body_parts import BODY_PART_GROUPS, WHOLE_BODY, part_label, part_words
    from dancecoach.pose.landmarks import NUM_LANDMARKS, Landmark, mirror_landmarks
    from dancecoach.pose.sequence import PoseSequence
    from dancecoach.pose.smoothing import LandmarkSmoother, smooth_recorded

__all__ = [
    "BODY_PART_GROUPS",
    "NUM_LANDMARKS",
    "WHOLE_BODY",
    "Landmark",
    "LandmarkSmoother",
    "PoseSequence",
    "mirror_landmarks",
    "part_label",
    "part_words",
    "smooth_recorded",
]

_MODULES = {
    "NUM_LANDMARKS": "landmarks",
    "Landmark": "landmarks",
    "mirror_landmarks": "landmarks",
    "PoseSequence": "sequence",
    "BODY_PART_GROUPS": "body_parts",
    "WHOLE_BODY": "body_parts",
    "part_label": "body_parts",
    "part_words": "body_parts",
    "LandmarkSmoother": "smoothing",
    "smooth_recorded": "smoothing",
}


__getattr__ = lazy_exports(__name__, _MODULES)
