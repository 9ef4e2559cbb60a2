"""Per-frame comparison: accuracy, errors with the learner's own sides, skipping what is unseen."""

from __future__ import annotations

import numpy as np

from dancecoach.pose.landmarks import mirror_landmarks
from dancecoach.scoring.agreement import compare_poses
from tests.synthetic import Figure, chance_sample, pose

CHANCE = chance_sample()


def test_identical_poses_score_full_accuracy_without_errors() -> None:
    p = pose(Figure(left_arm_deg=120, right_elbow_bend_deg=60))
    result = compare_poses(p, 1.0, p, 1.0, mirror=False, chance_sample=CHANCE)
    assert result.accuracy == 1.0
    assert result.errors == ()


def test_a_low_left_arm_is_told_to_rise_and_the_right_side_is_fine() -> None:
    reference = pose(Figure(left_arm_deg=160, right_arm_deg=160))
    user = pose(Figure(left_arm_deg=80, right_arm_deg=160))
    result = compare_poses(user, 1.0, reference, 1.0, mirror=False, chance_sample=CHANCE)
    assert result.accuracy < 0.9
    assert result.errors, "a 80 degree difference must be reported"
    worst = result.errors[0]
    assert worst.group == "left_arm"
    assert worst.severity == "major"
    assert "Raise your left" in worst.message
    assert not any(e.body_part.startswith("right") for e in result.errors)
    # The right arm only loses what the shared hand spread costs.
    assert result.part_scores["right_arm"] > result.part_scores["left_arm"] + 0.2


def test_bent_knee_message_names_the_right_knee() -> None:
    reference = pose(Figure(right_knee_bend_deg=80))
    user = pose(Figure(right_knee_bend_deg=0))
    errors = compare_poses(user, 1.0, reference, 1.0, mirror=False, chance_sample=CHANCE).errors
    assert any(e.message == "Bend your right knee more" for e in errors)


def test_a_learner_dancing_the_mirror_image_scores_full_only_in_mirror_mode() -> None:
    reference = pose(Figure(left_arm_deg=170, right_arm_deg=10, left_knee_bend_deg=60))
    learner = mirror_landmarks(reference)
    assert (
        compare_poses(learner, 1.0, reference, 1.0, mirror=True, chance_sample=CHANCE).accuracy
        > 0.999
    )
    assert (
        compare_poses(learner, 1.0, reference, 1.0, mirror=False, chance_sample=CHANCE).accuracy
        < 0.7
    )


def test_legs_out_of_frame_are_skipped_not_penalised() -> None:
    reference = pose(Figure(left_knee_bend_deg=90, right_knee_bend_deg=90))
    user = pose(Figure(), centre=(0.5, 0.9))  # legs below the frame, straight
    result = compare_poses(user, 1.0, reference, 1.0, mirror=False, chance_sample=CHANCE)
    assert result.accuracy > 0.99
    assert "left_leg" not in result.part_scores


def test_no_person_gives_unknown_accuracy_not_zero() -> None:
    missing = np.full((33, 4), np.nan, dtype=np.float32)
    result = compare_poses(missing, 1.0, pose(), 1.0, mirror=False, chance_sample=CHANCE)
    assert np.isnan(result.accuracy)
    assert result.errors == ()
