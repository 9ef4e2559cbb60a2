"""Facing (yaw) and hand height on synthetic poses with known answers, and on real footage."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.scoring.facing import yaw_deg, yaw_difference_deg
from dancecoach.scoring.hand_height import HAND_LEVELS, hand_heights, hand_level
from tests.synthetic import Figure, body_points, place, turned

TOLERANCE_DEG = 10.0


def _recording(
    yaws: list[float], *, aspect_ratio: float = 1.0, roll_deg: float = 0.0
) -> NDArray[np.float32]:
    """One frontal frame (a dancer faces the camera at some point), then the turned ones."""
    points = body_points(Figure(left_arm_deg=60, right_arm_deg=30, left_knee_bend_deg=20))
    return np.stack(
        [
            place(turned(points, yaw), aspect_ratio=aspect_ratio, roll_deg=roll_deg)
            for yaw in [0.0, *yaws]
        ]
    )


@pytest.mark.parametrize("aspect_ratio", [1.0, 9 / 16])
@pytest.mark.parametrize("yaw", [-150.0, -90.0, -45.0, -20.0, 30.0, 60.0, 90.0, 135.0])
def test_a_turned_body_gives_back_its_yaw_with_the_right_sign(
    yaw: float, aspect_ratio: float
) -> None:
    measured = yaw_deg(_recording([yaw], aspect_ratio=aspect_ratio, roll_deg=8.0), aspect_ratio)
    assert abs(measured[1] - yaw) <= TOLERANCE_DEG, measured
    assert np.sign(measured[1]) == np.sign(yaw)


def test_a_frontal_pose_faces_the_camera() -> None:
    measured = yaw_deg(_recording([0.0, 5.0]), 1.0)
    assert abs(measured[0]) <= 5.0 and abs(measured[1]) <= TOLERANCE_DEG


def test_a_single_turned_pose_is_measured_against_a_typical_frontal_width() -> None:
    # No frontal frame to learn the width from: the floor keeps a side view from reading as
    # facing the camera.
    points = body_points(Figure())
    measured = yaw_deg(place(turned(points, 90.0))[None], 1.0)
    assert measured[0] >= 60.0


def test_hidden_shoulders_or_hips_give_no_yaw() -> None:
    poses = _recording([45.0, 45.0])
    poses[1, 11, 3] = 0.1  # left shoulder hardly visible
    poses[2, 24, :] = np.nan  # right hip missing
    measured = yaw_deg(poses, 1.0)
    assert np.isnan(measured[1]) and np.isnan(measured[2])
    assert np.isfinite(measured[0])


def test_a_turn_whose_side_the_depth_does_not_tell_is_unsure() -> None:
    poses = _recording([60.0])
    poses[:, :, 2] = 0.0  # no depth at all
    assert np.isnan(yaw_deg(poses, 1.0)[1])


def test_yaw_differences_wrap_around_the_back() -> None:
    learner = np.array([170.0, -170.0, 90.0, np.nan])
    reference = np.array([-170.0, 170.0, 0.0, 0.0])
    difference = yaw_difference_deg(learner, reference)
    assert np.allclose(difference[:3], [-20.0, 20.0, 90.0])
    assert np.isnan(difference[3])


@pytest.mark.parametrize(
    ("figure", "left_words", "right_words"),
    [
        (Figure(left_arm_deg=180, right_arm_deg=0), "above your head", "below your hips"),
        (Figure(left_arm_deg=90, right_arm_deg=90), "at shoulder height", "at shoulder height"),
        (
            Figure(left_arm_deg=20, left_elbow_bend_deg=100, right_arm_deg=20),
            "at chest height",
            "at hip height",
        ),
    ],
)
def test_hand_heights_in_words(figure: Figure, left_words: str, right_words: str) -> None:
    heights = hand_heights(place(body_points(figure), roll_deg=15.0)[None], 1.0)[0]
    words = [HAND_LEVELS[hand_level(float(h))].state for h in heights]
    assert words == [left_words, right_words], heights


def test_a_hidden_wrist_has_no_height() -> None:
    pose = place(body_points(Figure()))
    pose[16, 3] = 0.0
    heights = hand_heights(pose[None], 1.0)[0]
    assert np.isfinite(heights[0]) and np.isnan(heights[1])
