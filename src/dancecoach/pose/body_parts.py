"""The one vocabulary of body parts: the groups that get their own score, and the words for
every part that scores, reports, coaching, the HTML report and the web page name.

Keys are snake_case in the learner's own left and right ("left_elbow", "left_arm"); words are
what a dancer reads ("left elbow", "left lower leg", "upper body").
"""

from __future__ import annotations

from typing import Literal

from dancecoach.pose.landmarks import Landmark

# Body-part groups that get their own score (per-body-part accuracy, limb colours), in the
# order of every per-group array.
BODY_PART_GROUPS: tuple[str, ...] = ("left_arm", "right_arm", "left_leg", "right_leg", "torso")
# What an item is about when no single part is at fault.
WHOLE_BODY = "whole_body"

# Keys (or the part after "left_"/"right_") whose words are not just the key with spaces.
_NAMES = {"torso": "upper body", "whole_body": "whole body", "shin": "lower leg"}
# The end of a limb a dancer moves to correct its direction: "raise your left foot", not
# "raise your left lower leg". A different word from the limb's name on purpose.
_MOVING_ENDS = {"upper_arm": "arm", "forearm": "hand", "thigh": "knee", "shin": "foot"}

# The landmarks (without their side) of the limbs: which group colours a bone between them.
_LIMB_OF_POINT = {"SHOULDER": "arm", "ELBOW": "arm", "WRIST": "arm", "HIP": "leg",
                  "KNEE": "leg", "ANKLE": "leg", "FOOT_INDEX": "leg"}  # fmt: skip

Region = Literal["arm", "leg", "torso"]


def part_words(body_part: str) -> str:
    """ "left_elbow" -> "left elbow", "left_shin" -> "left lower leg", "torso" -> "upper body"."""
    if body_part in _NAMES:
        return _NAMES[body_part]
    side, _, part = body_part.partition("_")
    if side in ("left", "right") and part:
        return f"{side} {_NAMES.get(part, part.replace('_', ' '))}"
    return body_part.replace("_", " ")


def part_label(body_part: str) -> str:
    """The words as a label: "left_arm" -> "Left arm", "torso" -> "Upper body"."""
    words = part_words(body_part)
    return words[:1].upper() + words[1:]


def moving_end(limb: str) -> str:
    """The end of a limb (without its side) that moves: "shin" -> "foot", "forearm" -> "hand"."""
    return _MOVING_ENDS.get(limb, limb.replace("_", " "))


def region(group: str) -> Region:
    """ "arm", "leg" or "torso" for a body-part group."""
    if group.endswith("_arm"):
        return "arm"
    if group.endswith("_leg"):
        return "leg"
    return "torso"


def bone_group(a: Landmark, b: Landmark) -> str:
    """The body-part group a skeleton bone belongs to (its colour in the live overlay)."""
    side_a, _, point_a = a.name.partition("_")
    side_b, _, point_b = b.name.partition("_")
    if side_a != side_b or side_a not in ("LEFT", "RIGHT"):
        return "torso"
    if {point_a, point_b} <= {"SHOULDER", "HIP"}:
        return "torso"
    limb = _LIMB_OF_POINT.get(point_b, _LIMB_OF_POINT.get(point_a, "torso"))
    return "torso" if limb == "torso" else f"{side_a.lower()}_{limb}"
