"""Where a body part was, in a dancer's words, and which way to move it: the one vocabulary of
positions that the templates use and the LLM prompt is given.

Measurements come from scoring/features.py (degrees, or torso lengths for distances); each is
turned into a body-relative position ("straight up by your ear", "at shoulder height", "bent,
sitting low") and a correction names the side, the body part, the way to move and where to
("Lower your left arm to shoulder height."). A number is added only where the words alone do
not say how far (both positions in the same band), rounded to 5 degrees: "about 20 degrees".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from dancecoach.pose.body_parts import moving_end, part_words
from dancecoach.scoring.features import FEATURE_INDEX, FEATURES, FeatureSpec
from dancecoach.scoring.hand_height import HAND_LEVELS, hand_level
from dancecoach.scoring.results import ProblemSegment, SegmentError


@dataclass(frozen=True)
class Band:
    """A range of one measurement with words for it.

    below: the band holds values under this (and at or above the previous band's `below`).
    state: how the part was, after "your left arm was": "out at shoulder height".
    target: where to move it, after a verb: "to shoulder height".
    """

    below: float
    state: str
    target: str


@dataclass(frozen=True)
class Scale:
    """Bands of one measurement, in increasing order, and what the measurement is.

    measure: what the number is, for the LLM prompt ("upper arm raised from hanging down").
    unit: "degrees" or "torso lengths".
    """

    name: str
    measure: str
    unit: Literal["degrees", "torso lengths"]
    bands: tuple[Band, ...]

    def band(self, value: float) -> int:
        """Index of the band holding `value` (the last one for anything beyond)."""
        return next((i for i, b in enumerate(self.bands) if value < b.below), len(self.bands) - 1)


# How high an arm is (upper-arm direction, or the shoulder angle between torso and upper arm).
ARM_HEIGHT = Scale(
    "arm height",
    "how far the upper arm is raised from hanging down (0 down by the side, 90 shoulder height, "
    "180 straight up)",
    "degrees",
    (
        Band(25, "down by your side", "down by your side"),
        Band(65, "low, about 45 degrees out from your side", "to about 45 degrees from your side"),
        Band(115, "out at shoulder height", "to shoulder height"),
        Band(155, "up on a high diagonal", "up on a high diagonal above your shoulder"),
        Band(math.inf, "straight up by your ear", "straight up by your ear"),
    ),
)
# Where the hand is from the elbow (forearm direction).
HAND_HEIGHT = Scale(
    "hand height",
    "how far the forearm is raised from hanging down (0 hand below the elbow, 90 level with it, "
    "180 pointing straight up)",
    "degrees",
    (
        Band(30, "hanging below your elbow", "down below your elbow"),
        Band(70, "a little below your elbow", "a little below your elbow"),
        Band(115, "level with your elbow", "level with your elbow"),
        Band(155, "above your elbow", "above your elbow"),
        Band(math.inf, "pointing straight up", "straight up above your elbow"),
    ),
)
# The elbow's inner angle: 180 is a straight arm.
ELBOW_BEND = Scale(
    "elbow bend",
    "the elbow's inner angle (180 a straight arm, 90 a right angle)",
    "degrees",
    (
        Band(70, "bent tight, hand near your shoulder", "tight, hand near your shoulder"),
        Band(115, "bent at a right angle", "to a right angle"),
        Band(160, "a little bent", "until it is only a little bent"),
        Band(math.inf, "straight", "all the way"),
    ),
)
# The knee's inner angle: 180 is a straight leg; bending it is how a dancer sits lower.
KNEE_BEND = Scale(
    "knee bend",
    "the knee's inner angle (180 a straight leg, smaller sits lower)",
    "degrees",
    (
        Band(100, "deeply bent, sitting low", "deeply and sit low"),
        Band(145, "bent, sitting lower", "and sit lower"),
        Band(168, "slightly bent", "only slightly"),
        Band(math.inf, "straight", "all the way"),
    ),
)
# How high the knee is lifted (thigh direction; the hip angle counts down from 180 instead).
KNEE_LIFT = Scale(
    "knee lift",
    "how far the thigh is raised from hanging down (0 standing on it, 90 knee at hip height)",
    "degrees",
    (
        Band(25, "down under you", "back down under your hip"),
        Band(70, "lifted halfway to hip height", "halfway to hip height"),
        Band(115, "up at hip height", "up to hip height"),
        Band(math.inf, "above your hip", "above your hip"),
    ),
)
# Where the foot is from the knee (shin direction).
FOOT_LIFT = Scale(
    "foot lift",
    "how far the lower leg is raised from hanging down (0 foot under the knee, 90 level with it)",
    "degrees",
    (
        Band(30, "under your knee", "down under your knee"),
        Band(70, "lifted off the floor", "off the floor"),
        Band(115, "level with your knee", "up level with your knee"),
        Band(math.inf, "kicked up above your knee", "up above your knee"),
    ),
)
UPPER_BODY_LEAN = Scale(
    "upper body lean",
    "how far the upper body leans from upright",
    "degrees",
    (
        Band(10, "upright", "upright"),
        Band(25, "leaning a little", "a little"),
        Band(math.inf, "leaning well over", "well over"),
    ),
)
HEAD_TILT = Scale(
    "head tilt",
    "how far the head tilts from in line with the spine",
    "degrees",
    (
        Band(10, "straight", "straight"),
        Band(25, "tilted a little", "a little"),
        Band(math.inf, "tilted well over", "well over"),
    ),
)
# Shoulders are about 0.7 torso lengths apart, hips about 0.45.
HAND_SPREAD = Scale(
    "hand spread",
    "the distance between the wrists",
    "torso lengths",
    (
        Band(0.25, "together", "together"),
        Band(0.9, "about shoulder width apart", "to about shoulder width apart"),
        Band(1.6, "wide apart", "wide apart"),
        Band(math.inf, "stretched wide apart", "all the way out"),
    ),
)
FOOT_WIDTH = Scale(
    "foot width",
    "the distance between the ankles",
    "torso lengths",
    (
        Band(0.25, "together", "together"),
        Band(0.6, "about hip width apart", "to about hip width apart"),
        Band(1.0, "about shoulder width apart", "to about shoulder width apart"),
        Band(math.inf, "wide apart, wider than your shoulders", "wider than your shoulders"),
    ),
)
SCALES: tuple[Scale, ...] = (
    ARM_HEIGHT,
    HAND_HEIGHT,
    ELBOW_BEND,
    KNEE_BEND,
    KNEE_LIFT,
    FOOT_LIFT,
    UPPER_BODY_LEAN,
    HEAD_TILT,
    HAND_SPREAD,
    FOOT_WIDTH,
)

# Differences in height smaller than this read as "the same height, another way".
_SAME_HEIGHT_DEG = 15.0
# Per-frame instructions (scoring/instructions.py) that say which way a limb went: when the
# segment's averages disagree with most frames (a limb swinging through the reference's
# position), the frames' instruction wins and no position is claimed.
_VERBS_UP = ("Raise", "Lift")
_VERBS_DOWN = ("Lower",)
_VERBS_BEND = ("Bend",)
_VERBS_STRAIGHTEN = ("Straighten",)


@dataclass(frozen=True)
class Position:
    """One error in a dancer's words.

    part: "left arm", "right knee", "upper body", "feet" (who), from the one vocabulary.
    learner, reference: how each held it ("straight up by your ear"); None when the averages
        do not say (a limb that pointed another way, or swung through the reference's).
    correction: one sentence that names the side, the part, the way and where to.
    """

    part: str
    learner: str | None
    reference: str | None
    correction: str
    # At about the reference's height but pointing another way (forward instead of sideways).
    other_way: bool = False


def about_degrees(degrees: float) -> str:
    """A difference rounded to what a dancer can act on: "about 45 degrees" (nearest 5)."""
    return f"about {max(5, round(abs(degrees) / 5.0) * 5)} degrees"


def _spec(error: SegmentError) -> FeatureSpec | None:
    index = FEATURE_INDEX.get(error.feature)
    return None if index is None else FEATURES[index]


def _side(body_part: str) -> str:
    side, _, _ = body_part.partition("_")
    return side if side in ("left", "right") else ""


def _named(side: str, thing: str) -> str:
    return f"{side} {thing}".strip()


def _first_word(message: str) -> str:
    words = message.split()
    return words[0] if words else ""


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


def _move(
    scale: Scale,
    learner: float,
    reference: float,
    *,
    verb_up: str,
    verb_down: str,
    who: str,
) -> tuple[str, str, str]:
    """(learner's state, reference's state, correction) on a scale where larger is `verb_up`."""
    learner_band, reference_band = scale.band(learner), scale.band(reference)
    verb = verb_up if reference > learner else verb_down
    if learner_band != reference_band:
        target = scale.bands[reference_band].target
        correction = f"{verb} your {who} {target}"
    else:  # the same words for both: say how far
        amount = (
            about_degrees(reference - learner)
            if scale.unit == "degrees"
            else f"about {abs(reference - learner):.1f} torso lengths"
        )
        correction = f"{verb} your {who} a little more, {amount}"
    return scale.bands[learner_band].state, scale.bands[reference_band].state, _sentence(correction)


def _limb(error: SegmentError, spec: FeatureSpec) -> Position:
    side = _side(spec.body_part)
    limb = spec.body_part.partition("_")[2]
    scale = {
        "upper_arm": ARM_HEIGHT,
        "forearm": HAND_HEIGHT,
        "thigh": KNEE_LIFT,
        "shin": FOOT_LIFT,
    }[limb]
    who = _named(side, moving_end(limb))
    learner, reference = abs(error.user_deg), abs(error.reference_deg)
    verb = _first_word(error.message)
    against = (verb in _VERBS_UP and learner > reference) or (
        verb in _VERBS_DOWN and learner < reference
    )
    # `difference` is the angle between the two limbs, which also counts pointing forward
    # instead of sideways: much more than the change in height means "pointing another way".
    height_change = abs(learner - reference)
    elsewhere = abs(error.difference) > height_change + _SAME_HEIGHT_DEG
    if against:
        # The frames disagree with the averages (a limb swinging through the reference's
        # position): the frames' own instruction says which way, no position is claimed.
        return Position(who, None, None, _sentence(error.message))
    if height_change < _SAME_HEIGHT_DEG or elsewhere:
        # The height is not the point: the frames' instruction ("Move your right arm further
        # out to the side") says which way.
        mine = scale.bands[scale.band(learner)].state
        theirs = scale.bands[scale.band(reference)].state
        return Position(who, mine, theirs, _sentence(error.message), other_way=True)
    lift_verb = "Raise" if limb in ("upper_arm", "forearm") else "Lift"
    mine, theirs, correction = _move(
        scale, learner, reference, verb_up=lift_verb, verb_down="Lower", who=who
    )
    return Position(who, mine, theirs, correction)


def _joint(error: SegmentError, spec: FeatureSpec) -> Position:
    side = _side(spec.body_part)
    joint = spec.body_part.partition("_")[2]
    verb = _first_word(error.message)
    learner, reference = error.user_deg, error.reference_deg
    if joint in ("elbow", "knee"):
        scale = ELBOW_BEND if joint == "elbow" else KNEE_BEND
        # Larger is straighter: "Straighten" up the scale, "Bend" down it.
        against = (verb in _VERBS_BEND and learner < reference) or (
            verb in _VERBS_STRAIGHTEN and learner > reference
        )
        who = _named(side, "arm" if joint == "elbow" and reference > learner else joint)
        if against:
            return Position(_named(side, joint), None, None, _sentence(error.message))
        mine, theirs, correction = _move(
            scale, learner, reference, verb_up="Straighten", verb_down="Bend", who=who
        )
        return Position(
            _named(side, "arm" if joint == "elbow" else "knee"), mine, theirs, correction
        )
    if joint == "shoulder":
        who = _named(side, "arm")
        against = (verb in _VERBS_UP and learner > reference) or (
            verb in _VERBS_DOWN and learner < reference
        )
        if against:
            return Position(who, None, None, _sentence(error.message))
        mine, theirs, correction = _move(
            ARM_HEIGHT, learner, reference, verb_up="Raise", verb_down="Lower", who=who
        )
        return Position(who, mine, theirs, correction)
    # Hip: shoulder-hip-knee, 180 standing straight; the knee lift is what is missing from 180.
    who = _named(side, "knee")
    lift, reference_lift = 180.0 - learner, 180.0 - reference
    against = (verb in _VERBS_UP and lift > reference_lift) or (
        verb in _VERBS_DOWN and lift < reference_lift
    )
    if against:
        return Position(who, None, None, _sentence(error.message))
    mine, theirs, correction = _move(
        KNEE_LIFT, lift, reference_lift, verb_up="Lift", verb_down="Lower", who=who
    )
    return Position(who, mine, theirs, correction)


def _upright(error: SegmentError, spec: FeatureSpec) -> Position:
    head = spec.name == "head_tilt"
    scale = HEAD_TILT if head else UPPER_BODY_LEAN
    who = "head" if head else part_words(spec.body_part)
    learner, reference = abs(error.user_deg), abs(error.reference_deg)
    mine, theirs = scale.bands[scale.band(learner)].state, scale.bands[scale.band(reference)].state
    if error.user_deg * error.reference_deg < 0 and reference > 10.0 and not head:
        return Position(who, mine, theirs, f"Lean your {who} the other way.")
    if learner > reference:
        target = "in line with your spine" if head else "more upright"
        verb = "Hold your head" if head else "Stand"
        if scale.band(learner) == scale.band(reference):
            target += f", {about_degrees(learner - reference)} less"
        return Position(who, mine, theirs, _sentence(f"{verb} {target}"))
    verb = "Tilt your head" if head else f"Lean your {who}"
    amount = scale.bands[scale.band(reference)].target
    if scale.band(learner) == scale.band(reference) or amount in ("straight", "upright"):
        amount = f"{about_degrees(reference - learner)} more"
    return Position(who, mine, theirs, _sentence(f"{verb} {amount}, like the reference"))


def _distance(error: SegmentError, spec: FeatureSpec) -> Position:
    hands = spec.name == "hand_spread"
    scale, who = (HAND_SPREAD, "hands") if hands else (FOOT_WIDTH, "feet")
    learner, reference = error.user_deg, error.reference_deg
    mine, theirs = scale.bands[scale.band(learner)].state, scale.bands[scale.band(reference)].state
    wider = reference > learner
    if hands:
        verb = "Spread your hands" if wider else "Bring your hands in"
    else:
        verb = "Step your feet out" if wider else "Bring your feet in"
    if scale.band(learner) == scale.band(reference):
        return Position(who, mine, theirs, _sentence(f"{verb} a little"))
    target = scale.bands[scale.band(reference)].target
    return Position(who, mine, theirs, _sentence(f"{verb} {target}"))


def position(error: SegmentError) -> Position:
    """The error in a dancer's words: how the learner and the reference held the part, and
    one correction sentence."""
    spec = _spec(error)
    if spec is None:
        return Position(part_words(error.body_part), None, None, _sentence(error.message))
    if spec.kind == "distance":
        return _distance(error, spec)
    if spec.kind == "angle":
        return _joint(error, spec)
    if spec.zero == "up":
        return _upright(error, spec)
    return _limb(error, spec)


def hand_level_positions(segment: ProblemSegment) -> list[Position]:
    """Where each hand was against the reference's, in the words of scoring/hand_height.py,
    for the hands whose level differs by at least one step: "Bring your left hand up to
    shoulder height."."""
    found = []
    for side, heights in (("left", segment.left_hand_height), ("right", segment.right_hand_height)):
        if heights is None or not all(math.isfinite(h) for h in heights):
            continue
        mine, theirs = hand_level(heights[0]), hand_level(heights[1])
        if mine == theirs:
            continue
        way = "up" if theirs > mine else "down"
        target = HAND_LEVELS[theirs].target
        found.append(
            Position(
                f"{side} hand",
                HAND_LEVELS[mine].state,
                HAND_LEVELS[theirs].state,
                _sentence(f"Bring your {side} hand {way} {target}"),
            )
        )
    return found


def observation(pos: Position) -> str:
    """ "your left arm was straight up by your ear; the reference's was out at shoulder height",
    or, without positions, "your left arm was not where the reference's was"."""
    was = "were" if pos.part in ("feet", "hands") else "was"
    if pos.learner is None or pos.reference is None:
        return f"your {pos.part} {was} not where the reference's {was}"
    if pos.other_way and pos.learner == pos.reference:
        return f"your {pos.part} {was} {pos.learner} like the reference's, but pointing elsewhere"
    if pos.other_way:
        return (
            f"your {pos.part} {was} {pos.learner}; the reference's {was} {pos.reference}, "
            "pointing elsewhere"
        )
    if pos.learner == pos.reference:
        return f"your {pos.part} {was} {pos.learner} like the reference's, but not as far"
    return f"your {pos.part} {was} {pos.learner}; the reference's {was} {pos.reference}"


def vocabulary_lines(scales: Sequence[Scale] = SCALES) -> list[str]:
    """The vocabulary as prompt lines: "- arm height (...): under 25 degrees "down by your
    side"; ..." so the LLM describes positions with the templates' words."""
    lines = []
    for scale in scales:
        bands = []
        lower = 0.0
        for band in scale.bands:
            unit = "" if scale.unit == "degrees" else " torso lengths"
            span = (
                f"from {lower:g}{unit}"
                if math.isinf(band.below)
                else f"{lower:g}-{band.below:g}{unit}"
            )
            bands.append(f'{span}: "{band.state}"')
            lower = band.below
        lines.append(f"- {scale.name}, {scale.measure}: " + "; ".join(bands))
    return lines


def hand_level_lines() -> list[str]:
    """The hand levels as a prompt line, in the words the templates use."""
    levels = []
    lower = -math.inf
    for level in HAND_LEVELS:
        span = (
            f"under {level.below:g}"
            if math.isinf(lower)
            else f"from {lower:g}"
            if math.isinf(level.below)
            else f"{lower:g} to {level.below:g}"
        )
        levels.append(f'{span}: "{level.state}"')
        lower = level.below
    return [
        "- hand level, the wrist's height in torso lengths above the hips (0 hips, 1 "
        "shoulders): " + "; ".join(levels) + ". Name a hand whose level differs "
        'by at least one step: "Bring your left hand up to shoulder height."'
    ]
