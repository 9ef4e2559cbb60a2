"""The one vocabulary of body parts: names, groups, the moving end of a limb, bone colours."""

from __future__ import annotations

from dancecoach.pose.body_parts import (
    BODY_PART_GROUPS,
    bone_group,
    moving_end,
    part_label,
    part_words,
    region,
)
from dancecoach.pose.landmarks import SKELETON_BONES, Landmark
from dancecoach.scoring.features import FEATURES


def test_a_part_is_named_once_and_its_moving_end_is_a_different_word_on_purpose() -> None:
    assert part_words("left_shin") == "left lower leg"
    assert moving_end("shin") == "foot"  # "raise your left foot", not "your left lower leg"
    assert part_label("torso") == "Upper body"


def test_every_scored_part_and_bone_belongs_to_a_scored_group() -> None:
    for spec in FEATURES:
        assert set(spec.groups) <= set(BODY_PART_GROUPS), spec.name
    groups = {bone_group(a, b) for a, b in SKELETON_BONES}
    assert groups == set(BODY_PART_GROUPS)
    assert bone_group(Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST) == "left_arm"
    assert {region(group) for group in BODY_PART_GROUPS} == {"arm", "leg", "torso"}
