"""Agreement above chance: what a score measures, whoever dances and whatever the camera.

Feature credit alone (comparison.py) is high even between unrelated dances: any two upright
people share most joint angles most of the time, and one dancer's build and style agree with
themselves whatever they dance. So every credit is read against its *chance level*: the credit
the same learner pose gets against the reference's other moments, and the reference pose
against the learner's other moments. The gain

    gain = sum(credit - chance) / sum(1 - chance)

is 0 for a learner who stands still or dances something else (their poses fit every moment
of the reference equally well), 1 for the same performance, and in between the share of the
possible improvement over chance that the learner achieved. The sums run over frames, so
moments where chance is already high (a neutral stance the whole dance shares) count little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.arrays import nan_mean
from dancecoach.pose.body_parts import BODY_PART_GROUPS
from dancecoach.pose.landmarks import mirror_landmarks
from dancecoach.scoring.comparison import compare_features, errors_at
from dancecoach.scoring.features import PoseFeatures, compute_features
from dancecoach.scoring.judgement import score_from_gain, scores_from_gains
from dancecoach.scoring.results import FrameComparison

# Frames of the other sequence that each chance level is averaged over: enough for a standard
# error of ~0.01 (credits spread ~0.15), few enough that a live frame costs tens of microseconds.
CHANCE_SAMPLES = 120
_CHUNK_PAIRS = 60_000  # pose pairs compared per numpy call (bounds the memory of long videos)


@dataclass(frozen=True)
class Chance:
    """Chance levels `(frames,)` and per body-part group `(frames, groups)`, NaN where unknown."""

    overall: NDArray[np.float64]
    groups: NDArray[np.float64]

    def at(self, index: NDArray[np.intp]) -> Chance:
        return Chance(self.overall[index], self.groups[index])


def sample_frames(features: PoseFeatures, count: int = CHANCE_SAMPLES) -> PoseFeatures:
    """Up to `count` evenly spaced frames with a pose, of a `(frames, features)` sequence."""
    present = np.flatnonzero(features.visibility.max(axis=-1) > 0)
    if len(present) > count:
        present = present[np.linspace(0, len(present) - 1, count).round().astype(np.intp)]
    return features[present]  # type: ignore[index]


def chance_levels(poses: PoseFeatures, others: PoseFeatures) -> Chance:
    """Mean credit of each pose `(frames, features)` against every pose of `others`.

    others: a sample of the other sequence (sample_frames). Poses that cannot be compared with
    any of them get NaN.
    """
    frames = poses.values.shape[0]
    overall = np.full(frames, np.nan)
    groups: NDArray[np.float64] | None = None
    if others.values.shape[0] == 0:
        # Nothing to compare with (nobody was ever in view): unknown, with one column per group
        # like any other chance, so a section nobody danced scores as nothing matched.
        return Chance(overall, np.full((frames, len(BODY_PART_GROUPS)), np.nan))
    step = max(1, _CHUNK_PAIRS // others.values.shape[0])
    for start in range(0, frames, step):
        block = poses[start : start + step]  # type: ignore[index]
        comparison = compare_features(
            PoseFeatures(
                block.values[:, None, :],
                block.visibility[:, None, :],
                block.left_side_sign[:, None],
            ),
            PoseFeatures(
                others.values[None, :, :],
                others.visibility[None, :, :],
                others.left_side_sign[None, :],
            ),
        )
        credit = comparison.credit
        group_credit = comparison.group_credit()
        overall[start : start + step] = nan_mean(credit, axis=1)
        block_groups = nan_mean(group_credit, axis=1)
        if groups is None:
            groups = np.full((frames, block_groups.shape[-1]), np.nan)
        groups[start : start + step] = block_groups
    assert groups is not None
    return Chance(overall, groups)


def gain(
    credit: NDArray[np.float64],
    chance: NDArray[np.float64],
    mask: NDArray[np.bool_] | None = None,
) -> float:
    """sum(credit - chance) / sum(1 - chance) over the frames (in mask) where both are known.

    NaN when no frame counts.
    """
    valid = ~np.isnan(credit) & ~np.isnan(chance)
    if mask is not None:
        valid &= mask
    room = float((1.0 - chance[valid]).sum())
    if not valid.any() or room <= 0.0:
        return float("nan") if not valid.any() else 1.0
    return float((credit[valid] - chance[valid]).sum()) / room


def frame_gains(credit: NDArray[np.float64], chance: NDArray[np.float64]) -> NDArray[np.float64]:
    """The gain of each frame on its own (NaN where unknown)."""
    room = 1.0 - chance
    known = ~np.isnan(credit) & ~np.isnan(chance)
    with np.errstate(invalid="ignore", divide="ignore"):
        gains = np.where(room > 0, (credit - chance) / np.where(room > 0, room, 1.0), 1.0)
    return np.asarray(np.where(known, gains, np.nan))


def windowed_gains(
    credit: NDArray[np.float64], chance: NDArray[np.float64], width: int
) -> NDArray[np.float64]:
    """The gain of a centred window of `width` frames around each frame (NaN where unknown)."""
    width = max(1, min(width, len(credit)))
    valid = ~np.isnan(credit) & ~np.isnan(chance)
    kernel = np.ones(width)
    above = np.convolve(np.where(valid, credit - chance, 0.0), kernel, mode="same")
    room = np.convolve(np.where(valid, 1.0 - chance, 0.0), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(
            np.where(valid & (room > 0), above / np.where(room > 0, room, 1.0), np.nan)
        )


def compare_poses(
    user: NDArray[np.float32],
    user_aspect: float,
    reference: NDArray[np.float32],
    reference_aspect: float,
    *,
    mirror: bool,
    chance_sample: PoseFeatures,
) -> FrameComparison:
    """Judge one learner pose against one reference pose, both `(33, 4)` (a live frame).

    mirror: True when the learner performs the mirror image of the reference (their left side
    does what the reference dancer's right side does); the reference is then mirrored first, so
    that errors always name the learner's own left and right.
    chance_sample: sample_frames of the reference's features as compared (mirrored when mirror
    is True), computed once per session. A live frame knows only the learner's side of the
    chance level: the learner's other poses are still to come.
    """
    if mirror:
        reference = mirror_landmarks(reference)
    # Both poses in one call: this runs for every live frame, and numpy's per-call cost
    # dominates arrays this small.
    features = compute_features(
        np.stack([user, reference]), np.array([user_aspect, reference_aspect])
    )
    comparison = compare_features(features[0], features[1])
    credit = float(comparison.credit)
    chance = chance_levels(features[0:1], chance_sample)  # type: ignore[index]
    accuracy = score_from_gain(float(frame_gains(np.array([credit]), chance.overall)[0])) / 100.0
    group_credit = comparison.group_credit()
    group_scores = scores_from_gains(frame_gains(group_credit, chance.groups[0])) / 100.0
    part_scores = {
        group: float(group_scores[index])
        for index, group in enumerate(BODY_PART_GROUPS)
        if not np.isnan(group_scores[index])
    }
    errors = errors_at(comparison) if not np.isnan(accuracy) else ()
    return FrameComparison(accuracy=accuracy, part_scores=part_scores, errors=errors)
