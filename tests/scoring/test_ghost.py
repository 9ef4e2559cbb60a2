"""The ghost overlay lands on the learner's body with the reference's limb positions."""

from __future__ import annotations

import numpy as np

from dancecoach.pose.landmarks import Landmark
from dancecoach.scoring.ghost import project_reference_onto_user
from tests.synthetic import Figure, pose


def test_the_ghost_of_the_same_pose_lies_on_the_learner() -> None:
    reference = pose(Figure(left_arm_deg=150), centre=(0.3, 0.4), scale=0.1, roll_deg=10)
    learner = pose(Figure(left_arm_deg=150), centre=(0.6, 0.6), scale=0.25, aspect_ratio=16 / 9)
    ghost = project_reference_onto_user(reference, 1.0, learner, 16 / 9, mirror=False)
    assert np.allclose(ghost[:, :2], learner[:, :2], atol=1e-4)


def test_the_ghost_shows_where_the_arm_should_be() -> None:
    reference = pose(Figure(left_arm_deg=170))  # left arm straight up
    learner = pose(Figure(left_arm_deg=10), centre=(0.4, 0.5), scale=0.2)
    ghost = project_reference_onto_user(reference, 1.0, learner, 1.0, mirror=False)
    # Same shoulders as the learner, but the wrist above the shoulder (image y grows down).
    assert np.allclose(
        ghost[Landmark.LEFT_SHOULDER, :2], learner[Landmark.LEFT_SHOULDER, :2], atol=1e-4
    )
    assert ghost[Landmark.LEFT_WRIST, 1] < ghost[Landmark.LEFT_SHOULDER, 1] - 0.1
    assert learner[Landmark.LEFT_WRIST, 1] > learner[Landmark.LEFT_SHOULDER, 1]


def test_mirror_mode_puts_the_reference_left_arm_on_the_learner_right() -> None:
    reference = pose(Figure(left_arm_deg=170, right_arm_deg=10))
    learner = pose(Figure())
    ghost = project_reference_onto_user(reference, 1.0, learner, 1.0, mirror=True)
    assert ghost[Landmark.RIGHT_WRIST, 1] < ghost[Landmark.RIGHT_SHOULDER, 1]
    assert ghost[Landmark.LEFT_WRIST, 1] > ghost[Landmark.LEFT_SHOULDER, 1]
