"""Features and normalization with known answers, and their invariances."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from dancecoach.pose.landmarks import Landmark, mirror_landmarks
from dancecoach.scoring.features import FEATURE_INDEX, FEATURES, compute_features
from dancecoach.scoring.normalization import to_body_frame
from tests.synthetic import Figure, body_points, place, pose


def feature(values: NDArray[np.float64], name: str) -> float:
    return float(values[..., FEATURE_INDEX[name]])


def test_a_right_angle_at_the_elbow_is_90_degrees() -> None:
    figure = Figure(left_arm_deg=90, left_elbow_bend_deg=90)
    values = compute_features(pose(figure), 1.0).values
    assert abs(feature(values, "left_elbow_angle") - 90.0) < 1e-3


def test_a_straight_arm_is_180_degrees_and_a_bent_knee_measures_its_bend() -> None:
    figure = Figure(right_arm_deg=45, right_knee_bend_deg=70)
    values = compute_features(pose(figure), 1.0).values
    assert abs(feature(values, "right_elbow_angle") - 180.0) < 1e-3
    assert abs(feature(values, "right_knee_angle") - 110.0) < 1e-3


def test_arm_up_and_arm_down_differ_even_with_the_same_elbow_angle() -> None:
    up = compute_features(pose(Figure(left_arm_deg=170)), 1.0).values
    down = compute_features(pose(Figure(left_arm_deg=10)), 1.0).values
    assert feature(up, "left_elbow_angle") == feature(down, "left_elbow_angle")
    assert abs(feature(up, "left_upper_arm_direction")) > 150
    assert abs(feature(down, "left_upper_arm_direction")) < 30


def test_torso_is_upright_and_one_unit_long_after_normalization() -> None:
    points = to_body_frame(pose(roll_deg=37.0, scale=0.3), 1.0)
    shoulders = points[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(axis=0)
    hips = points[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=0)
    torso = shoulders - hips
    assert np.allclose(torso, [0.0, 1.0], atol=1e-5)


def test_aspect_ratio_is_restored_before_angles_are_measured() -> None:
    figure = Figure(left_arm_deg=90, left_elbow_bend_deg=90)
    wide = place(body_points(figure), aspect_ratio=16 / 9)
    assert abs(feature(compute_features(wide, 16 / 9).values, "left_elbow_angle") - 90.0) < 1e-3


def test_mirroring_swaps_left_and_right() -> None:
    original = pose(Figure(left_arm_deg=160, right_arm_deg=15, left_knee_bend_deg=50))
    mirrored = mirror_landmarks(original)
    a = compute_features(original, 1.0).values
    b = compute_features(mirrored, 1.0).values
    for spec in FEATURES:
        if spec.name.startswith("left_"):
            twin = spec.name.replace("left_", "right_", 1)
            expected = feature(a, spec.name)
            got = feature(b, twin)
            if spec.kind == "direction":
                expected = -expected  # the mirror image points the other way
            assert abs(got - expected) < 1e-3, spec.name
    assert np.allclose(mirror_landmarks(mirrored), original)


angles = st.floats(min_value=0.0, max_value=180.0)


@settings(max_examples=60, deadline=None)
@given(
    left_arm=angles,
    right_arm=angles,
    elbow=st.floats(0.0, 150.0),
    knee=st.floats(0.0, 120.0),
    dx=st.floats(-0.3, 0.3),
    dy=st.floats(-0.2, 0.2),
    scale=st.floats(0.05, 0.3),
    roll=st.floats(-180.0, 180.0),
)
def test_features_ignore_translation_scale_and_in_plane_rotation(
    left_arm: float, right_arm: float, elbow: float, knee: float,
    dx: float, dy: float, scale: float, roll: float,
) -> None:  # fmt: skip
    figure = Figure(left_arm_deg=left_arm, right_arm_deg=right_arm, left_elbow_bend_deg=elbow,
                    right_knee_bend_deg=knee)  # fmt: skip
    canonical = compute_features(pose(figure), 1.0).values
    moved = compute_features(
        pose(figure, centre=(0.5 + dx, 0.55 + dy), scale=scale, roll_deg=roll), 1.0
    ).values
    difference = moved - canonical
    circular = np.array([s.kind == "direction" for s in FEATURES])
    difference[circular] = (difference[circular] + 180.0) % 360.0 - 180.0
    assert np.abs(difference).max() < 1e-3


def test_missing_pose_gives_nan_features_with_zero_weight() -> None:
    missing = np.full((33, 4), np.nan, dtype=np.float32)
    features = compute_features(missing, 1.0)
    assert np.isnan(features.values).all()
    assert (features.visibility == 0).all()


def test_points_outside_the_frame_get_zero_weight() -> None:
    low = pose(centre=(0.5, 0.9))  # legs below the bottom edge
    weights = compute_features(low, 1.0).visibility
    assert weights[FEATURE_INDEX["left_knee_angle"]] == 0.0
    assert weights[FEATURE_INDEX["left_elbow_angle"]] > 0.9


def test_poses_from_frames_of_different_shapes_get_their_own_aspect_ratio_in_one_call() -> None:
    # Live comparison computes the learner's (webcam, 16:9) and the reference's (4:3) features
    # together; each must equal its own single-pose result exactly.
    learner = pose(Figure(left_arm_deg=60, right_knee_bend_deg=30))
    reference = pose(Figure(left_arm_deg=120, left_elbow_bend_deg=45))
    together = compute_features(np.stack([learner, reference]), np.array([16 / 9, 4 / 3]))
    for index, (landmarks, aspect) in enumerate(((learner, 16 / 9), (reference, 4 / 3))):
        alone = compute_features(landmarks, aspect)
        np.testing.assert_array_equal(together[index].values, alone.values)
        np.testing.assert_array_equal(together[index].visibility, alone.visibility)
        np.testing.assert_array_equal(together[index].left_side_sign, alone.left_side_sign)
    assert not np.array_equal(together[0].values, compute_features(learner, 4 / 3).values)
