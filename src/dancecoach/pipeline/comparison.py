"""Comparison of learner and reference features: accuracy, per-body-part scores, specific errors.

Works on single poses (live) and on whole arrays of matched frames (offline) with the same
code. Features that are out of frame in either pose are skipped, never penalised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.pipeline.features import (
    FEATURE_INDEX,
    FEATURE_WEIGHTS,
    FEATURES,
    IS_CIRCULAR,
    IS_DISTANCE,
    MIRRORED_FEATURE_ORDER,
    FeatureSpec,
    PoseFeatures,
    compute_features,
)
from dancecoach.pipeline.landmarks import mirror_landmarks
from dancecoach.pipeline.messages import error_message
from dancecoach.pipeline.results import BODY_PART_GROUPS, FrameComparison, JointError, Severity

# Full credit within the tolerance, none beyond the zero-credit difference, linear in between.
ANGLE_TOLERANCE_DEG = 18.0
ANGLE_ZERO_CREDIT_DEG = 45.0
DISTANCE_TOLERANCE = 0.15  # torso lengths
DISTANCE_ZERO_CREDIT = 1.0
# Accuracy is the weighted feature credit rescaled so that this much credit reads as 0: two
# unrelated dances still share a lot (both dancers stand upright), so raw credit starts high.
# Calibrated on real footage (same choreography by different dancers vs unrelated dances).
ACCURACY_FLOOR = 0.6
# Below this visibility a point is treated as out of frame.
MIN_VISIBILITY = 0.5
# A frame needs this much feature weight compared, else its accuracy is unknown (NaN).
MIN_COMPARED_WEIGHT = 2.5
# Feature importance: a feature whose spread over the reference is this fraction of its
# zero-credit span gets weight 1; still features keep at least the floor.
IMPORTANCE_SPREAD_FOR_FULL_WEIGHT = 1.0
IMPORTANCE_FLOOR = 0.25
IMPORTANCE_CEILING = 1.5
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
    def accuracy(self) -> NDArray[np.float64]:
        total = self.weight.sum(axis=-1)
        scored = (self.weight * self.similarity).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total >= MIN_COMPARED_WEIGHT, rescale_credit(scored / total), np.nan)

    def group_scores(self) -> dict[str, NDArray[np.float64]]:
        """0..1 per body-part group (NaN where nothing of the group was compared)."""
        # Sums per group as one product with the membership matrix: a handful of numpy calls
        # whatever the number of groups (this runs for every live frame).
        total = self.weight @ _GROUP_MEMBERSHIP
        with np.errstate(invalid="ignore", divide="ignore"):
            credit = ((self.weight * self.similarity) @ _GROUP_MEMBERSHIP) / total
            scores = np.where(total > 0, rescale_credit(credit), np.nan)
        return {group: scores[..., index] for index, group in enumerate(BODY_PART_GROUPS)}


# (features, groups): 1 where the feature belongs to the group.
_GROUP_MEMBERSHIP: NDArray[np.float64] = np.array(
    [[1.0 if group in spec.groups else 0.0 for group in BODY_PART_GROUPS] for spec in FEATURES]
)


def rescale_credit(credit: NDArray[np.float64]) -> NDArray[np.float64]:
    """Weighted feature credit (0..1) -> accuracy (0..1), see ACCURACY_FLOOR."""
    return np.asarray(np.clip((credit - ACCURACY_FLOOR) / (1.0 - ACCURACY_FLOOR), 0.0, 1.0))


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


def compare_features(
    user: PoseFeatures, reference: PoseFeatures, importance: NDArray[np.float64] | None = None
) -> FeatureComparison:
    """Compare matched features (any leading shape, broadcast).

    importance: optional per-feature multiplier (see feature_importance) so that what the
    choreography actually moves counts more than what stays still throughout.
    """
    difference = feature_difference(user.values, reference.values)
    visibility = np.minimum(user.visibility, reference.visibility)
    base = FEATURE_WEIGHTS if importance is None else FEATURE_WEIGHTS * importance
    weight = np.where(visibility >= MIN_VISIBILITY, visibility * base, 0.0)
    weight = np.where(np.isnan(difference), 0.0, weight)
    # Features are finite or NaN (never infinite): where/isnan is nan_to_num at a third of the
    # per-call cost, which counts on every live frame.
    similarity = feature_similarity(difference)
    similarity = np.where(np.isnan(similarity), 0.0, similarity)
    difference = np.where(np.isnan(difference), 0.0, difference)
    return FeatureComparison(user, reference, difference, weight, similarity)


def feature_importance(reference: PoseFeatures) -> NDArray[np.float64]:
    """Per-feature weight multiplier from how much the reference moves each feature over time.

    A feature the dancer keeps still the whole dance (legs in an arm routine) still counts, but
    less; one the choreography keeps changing counts more. Spread is measured in units of the
    feature's tolerance span.
    """
    values = reference.values.reshape(-1, reference.values.shape[-1])
    visible = reference.visibility.reshape(values.shape) >= MIN_VISIBILITY
    spread = np.zeros(values.shape[-1])
    for i in range(values.shape[-1]):
        column = values[visible[:, i], i]
        if len(column) < 2:
            continue
        if IS_CIRCULAR[i]:
            angles = np.radians(column)
            resultant = np.hypot(np.cos(angles).mean(), np.sin(angles).mean())
            spread[i] = np.degrees(np.sqrt(max(-2.0 * np.log(max(resultant, 1e-9)), 0.0)))
        else:
            spread[i] = column.std()
    span = np.where(IS_DISTANCE, DISTANCE_ZERO_CREDIT, ANGLE_ZERO_CREDIT_DEG)
    return np.asarray(
        np.clip(
            spread / span / IMPORTANCE_SPREAD_FOR_FULL_WEIGHT, IMPORTANCE_FLOOR, IMPORTANCE_CEILING
        )
    )


def mirror_importance(importance: NDArray[np.float64]) -> NDArray[np.float64]:
    """Importance of the mirrored reference: left and right features swap."""
    return importance[MIRRORED_FEATURE_ORDER]


def severity_of(spec: FeatureSpec, difference: float) -> Severity | None:
    """Severity of a difference, or None when it is too small to mention."""
    thresholds = _DISTANCE_SEVERITY if spec.kind == "distance" else _ANGLE_SEVERITY
    for limit, severity in thresholds:
        if abs(difference) >= limit:
            return severity  # type: ignore[return-value]
    return None


def errors_at(comparison: FeatureComparison, index: tuple[int, ...] = ()) -> tuple[JointError, ...]:
    """Specific errors of one frame (index into the leading axes), most severe first."""
    user_values = comparison.user.values[index]
    reference_values = comparison.reference.values[index]
    difference = comparison.difference[index]
    weight = comparison.weight[index]
    left_side_sign = float(comparison.user.left_side_sign[index])
    errors: list[JointError] = []
    for i, spec in enumerate(FEATURES):
        if weight[i] <= 0:
            continue
        severity = severity_of(spec, float(difference[i]))
        if severity is None:
            continue
        user_value, reference_value = float(user_values[i]), float(reference_values[i])
        errors.append(
            JointError(
                body_part=spec.body_part,
                group=spec.groups[0] if len(spec.groups) == 1 else _shared_group(spec),
                feature=spec.name,
                user_deg=round(user_value, 1),
                reference_deg=round(reference_value, 1),
                difference=round(float(difference[i]), 1),
                severity=severity,
                message=error_message(spec, user_value, reference_value, left_side_sign),
            )
        )
    errors.sort(key=lambda e: abs(e.difference) / _severity_scale(e.feature), reverse=True)
    return tuple(errors)


def _shared_group(spec: FeatureSpec) -> str:
    return "arms" if "left_arm" in spec.groups else "legs"


def _severity_scale(feature_name: str) -> float:
    spec = FEATURES[FEATURE_INDEX[feature_name]]
    return _DISTANCE_SEVERITY[0][0] if spec.kind == "distance" else _ANGLE_SEVERITY[0][0]


def compare_poses(
    user: NDArray[np.float32],
    user_aspect: float,
    reference: NDArray[np.float32],
    reference_aspect: float,
    *,
    mirror: bool,
    importance: NDArray[np.float64] | None = None,
) -> FrameComparison:
    """Compare one learner pose with one reference pose, both `(33, 4)`.

    mirror: True when the learner performs the mirror image of the reference (their left side
    does what the reference dancer's right side does); the reference is then mirrored first, so
    that errors always name the learner's own left and right.
    importance: per-feature weights of this reference (feature_importance of its whole
    sequence, computed once per session), so live and offline scores agree.
    """
    if mirror:
        reference = mirror_landmarks(reference)
    # Both poses in one call: this runs for every live frame, and numpy's per-call cost
    # dominates arrays this small.
    features = compute_features(
        np.stack([user, reference]), np.array([user_aspect, reference_aspect])
    )
    comparison = compare_features(
        features[0],
        features[1],
        None if importance is None else (mirror_importance(importance) if mirror else importance),
    )
    accuracy = float(comparison.accuracy)
    part_scores = {
        group: float(score)
        for group, score in comparison.group_scores().items()
        if not np.isnan(score)
    }
    errors = errors_at(comparison) if not np.isnan(accuracy) else ()
    return FrameComparison(accuracy=accuracy, part_scores=part_scores, errors=errors)
