"""Comparison of learner and reference features: accuracy, per-body-part scores, specific errors.

Works on single poses (live) and on whole arrays of matched frames (offline) with the same
code. Features that are out of frame in either pose are skipped, never penalised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.body_parts import BODY_PART_GROUPS
from dancecoach.scoring.features import (
    FEATURE_WEIGHTS,
    FEATURES,
    IS_CIRCULAR,
    IS_DISTANCE,
    FeatureSpec,
    PoseFeatures,
)
from dancecoach.scoring.instructions import error_message
from dancecoach.scoring.results import JointError, Severity

# Full credit within the tolerance, none beyond the zero-credit difference, linear in between.
# 18 degrees is about what two careful dancers differ by on the same count; beyond 45 degrees a
# limb is plainly elsewhere. (Credit is read against its chance level, agreement.py, so these
# set the resolution of the comparison, not where the score scale starts.)
ANGLE_TOLERANCE_DEG = 18.0
ANGLE_ZERO_CREDIT_DEG = 45.0
DISTANCE_TOLERANCE = 0.15  # torso lengths
DISTANCE_ZERO_CREDIT = 1.0
# Below this visibility a point is treated as out of frame.
MIN_VISIBILITY = 0.5
# A frame needs this much feature weight compared, else its credit is unknown (NaN).
MIN_COMPARED_WEIGHT = 2.5
# Severity thresholds: degrees for angles and directions, torso lengths for distances.
_ANGLE_SEVERITY = ((55.0, "major"), (35.0, "medium"), (20.0, "minor"))
_DISTANCE_SEVERITY = ((0.8, "major"), (0.5, "medium"), (0.3, "minor"))


@dataclass(frozen=True)
class FeatureComparison:
    """Matched learner and reference features, `(..., NUM_FEATURES)` each."""

    user: PoseFeatures
    reference: PoseFeatures
    difference: NDArray[np.float64]  # user - reference, wrapped to +-180 for directions
    weight: NDArray[np.float64]  # 0 where skipped
    similarity: NDArray[np.float64]  # 0..1

    @property
    def credit(self) -> NDArray[np.float64]:
        """Weighted feature credit 0..1 `(...)`, NaN where too little was compared."""
        total = self.weight.sum(axis=-1)
        scored = (self.weight * self.similarity).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total >= MIN_COMPARED_WEIGHT, scored / total, np.nan)

    def group_credit(self) -> NDArray[np.float64]:
        """Credit 0..1 per body-part group `(..., groups)` in BODY_PART_GROUPS order (NaN where
        nothing of the group was compared)."""
        # Sums per group as one product with the membership matrix: a handful of numpy calls
        # whatever the number of groups (this runs for every live frame).
        total = self.weight @ GROUP_MEMBERSHIP
        with np.errstate(invalid="ignore", divide="ignore"):
            credit = ((self.weight * self.similarity) @ GROUP_MEMBERSHIP) / total
        return np.asarray(np.where(total > 0, credit, np.nan))


# (features, groups): 1 where the feature belongs to the group.
GROUP_MEMBERSHIP: NDArray[np.float64] = np.array(
    [[1.0 if group in spec.groups else 0.0 for group in BODY_PART_GROUPS] for spec in FEATURES]
)


def feature_difference(
    user: NDArray[np.float64], reference: NDArray[np.float64]
) -> NDArray[np.float64]:
    """user - reference per feature, directions wrapped into [-180, 180)."""
    difference = user - reference
    wrapped = (difference + 180.0) % 360.0 - 180.0
    return np.asarray(np.where(IS_CIRCULAR, wrapped, difference), dtype=np.float64)


def feature_similarity(difference: NDArray[np.float64]) -> NDArray[np.float64]:
    """0..1 credit per feature difference."""
    magnitude = np.abs(difference)
    tolerance = np.where(IS_DISTANCE, DISTANCE_TOLERANCE, ANGLE_TOLERANCE_DEG)
    zero_credit = np.where(IS_DISTANCE, DISTANCE_ZERO_CREDIT, ANGLE_ZERO_CREDIT_DEG)
    return np.asarray(np.clip(1.0 - (magnitude - tolerance) / (zero_credit - tolerance), 0.0, 1.0))


def compare_features(user: PoseFeatures, reference: PoseFeatures) -> FeatureComparison:
    """Compare matched features (any leading shape, broadcast)."""
    difference = feature_difference(user.values, reference.values)
    visibility = np.minimum(user.visibility, reference.visibility)
    weight = np.where(visibility >= MIN_VISIBILITY, visibility * FEATURE_WEIGHTS, 0.0)
    weight = np.where(np.isnan(difference), 0.0, weight)
    # Features are finite or NaN (never infinite): where/isnan is nan_to_num at a third of the
    # per-call cost, which counts on every live frame.
    similarity = feature_similarity(difference)
    similarity = np.where(np.isnan(similarity), 0.0, similarity)
    difference = np.where(np.isnan(difference), 0.0, difference)
    return FeatureComparison(user, reference, difference, weight, similarity)


def severity_of(spec: FeatureSpec, difference: float) -> Severity | None:
    """Severity of a difference, or None when it is too small to mention."""
    return _severity_in(_thresholds(spec), abs(difference))


def _thresholds(spec: FeatureSpec) -> tuple[tuple[float, str], ...]:
    """The feature's severity thresholds, largest first."""
    return _DISTANCE_SEVERITY if spec.kind == "distance" else _ANGLE_SEVERITY


def _severity_in(thresholds: tuple[tuple[float, str], ...], size: float) -> Severity | None:
    for limit, severity in thresholds:
        if size >= limit:
            return severity  # type: ignore[return-value]
    return None


def errors_at(comparison: FeatureComparison, index: tuple[int, ...] = ()) -> tuple[JointError, ...]:
    """Specific errors of one frame (index into the leading axes), most severe first."""
    user_values = comparison.user.values[index]
    reference_values = comparison.reference.values[index]
    difference = comparison.difference[index]
    weight = comparison.weight[index]
    left_side_sign = float(comparison.user.left_side_sign[index])
    # Only the features big enough to mention are looked at one by one (most are not).
    mentioned = np.flatnonzero((weight > 0) & (np.abs(difference) >= _SMALLEST_MENTIONED))
    errors = [
        _error(
            i,
            float(user_values[i]),
            float(reference_values[i]),
            float(difference[i]),
            left_side_sign,
        )
        for i in mentioned.tolist()
    ]
    return _most_severe_first(errors)


def errors_of_rows(comparison: FeatureComparison) -> list[tuple[JointError, ...]]:
    """errors_at of every row of a `(rows, features)` comparison, with numpy's per-call cost
    paid once for all rows (a live batch's frames) rather than once a row."""
    difference = comparison.difference
    mentioned = (comparison.weight > 0) & (np.abs(difference) >= _SMALLEST_MENTIONED)
    rows, features = np.nonzero(mentioned)
    found: list[list[JointError | None]] = [[] for _ in range(len(difference))]
    signs = comparison.user.left_side_sign.tolist()
    for row, i, user_value, reference_value, row_difference in zip(
        rows.tolist(),
        features.tolist(),
        comparison.user.values[rows, features].tolist(),
        comparison.reference.values[rows, features].tolist(),
        difference[rows, features].tolist(),
        strict=True,
    ):
        found[row].append(_error(i, user_value, reference_value, row_difference, signs[row]))
    return [_most_severe_first(errors) for errors in found]


def _error(
    feature: int,
    user_value: float,
    reference_value: float,
    difference: float,
    left_side_sign: float,
) -> JointError | None:
    """The error of one feature's difference, or None when it is too small to mention."""
    # The feature's facts are looked up once (this runs for every error of every live frame).
    spec, group, thresholds, _ = _FEATURE_FACTS[feature]
    severity = _severity_in(thresholds, abs(difference))
    if severity is None:
        return None
    return JointError(
        body_part=spec.body_part,
        group=group,
        feature=spec.name,
        user_deg=round(user_value, 1),
        reference_deg=round(reference_value, 1),
        difference=round(difference, 1),
        severity=severity,
        message=error_message(spec, user_value, reference_value, left_side_sign),
    )


def _most_severe_first(errors: list[JointError | None]) -> tuple[JointError, ...]:
    found = [error for error in errors if error is not None]
    found.sort(key=lambda e: abs(e.difference) / _SEVERITY_SCALE[e.feature], reverse=True)
    return tuple(found)


# Per feature: the smallest difference severity_of mentions.
_SMALLEST_MENTIONED: NDArray[np.float64] = np.array([_thresholds(spec)[-1][0] for spec in FEATURES])


def _shared_group(spec: FeatureSpec) -> str:
    return "arms" if "left_arm" in spec.groups else "legs"


def _severity_scale(spec: FeatureSpec) -> float:
    return _thresholds(spec)[0][0]


# Per feature: its spec, the group its errors belong to, its severity thresholds (largest
# first) and the scale errors are ranked on.
_FEATURE_FACTS = [
    (
        spec,
        spec.groups[0] if len(spec.groups) == 1 else _shared_group(spec),
        _thresholds(spec),
        _severity_scale(spec),
    )
    for spec in FEATURES
]
_SEVERITY_SCALE = {spec.name: scale for spec, _, _, scale in _FEATURE_FACTS}
