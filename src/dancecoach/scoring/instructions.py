"""Plain instructions for a feature difference, naming the learner's own left and right."""

from __future__ import annotations

from dancecoach.pose.body_parts import moving_end
from dancecoach.scoring.features import FeatureSpec

# Elevation differences below this read as "same height, wrong side" rather than higher/lower.
_ELEVATION_MARGIN_DEG = 15.0


def _side_and_part(body_part: str) -> tuple[str, str]:
    side, _, part = body_part.partition("_")
    return side, part


def _angle_message(spec: FeatureSpec, user: float, reference: float) -> str:
    side, joint = _side_and_part(spec.body_part)
    more_open = user > reference  # the learner's joint angle is wider than the reference's
    if joint == "elbow":
        return f"Bend your {side} elbow more" if more_open else f"Straighten your {side} arm more"
    if joint == "knee":
        return f"Bend your {side} knee more" if more_open else f"Straighten your {side} knee"
    if joint == "shoulder":
        return f"Lower your {side} arm" if more_open else f"Raise your {side} arm higher"
    # Hip: a smaller shoulder-hip-knee angle means the thigh is lifted further.
    return f"Lift your {side} knee higher" if more_open else f"Lower your {side} leg"


def _limb_message(spec: FeatureSpec, user: float, reference: float, left_side_sign: float) -> str:
    side, limb = _side_and_part(spec.body_part)
    word = moving_end(limb)
    # Limb directions count from hanging down: their size is the elevation.
    user_elevation, reference_elevation = abs(user), abs(reference)
    if user_elevation < reference_elevation - _ELEVATION_MARGIN_DEG:
        return f"Raise your {side} {word} higher"
    if user_elevation > reference_elevation + _ELEVATION_MARGIN_DEG:
        return f"Lower your {side} {word}"
    outward_sign = left_side_sign if side == "left" else -left_side_sign
    if user * outward_sign < reference * outward_sign:
        return f"Move your {side} {word} further out to the side"
    return f"Bring your {side} {word} in closer to your body"


def _upright_message(spec: FeatureSpec, user: float, reference: float) -> str:
    if spec.name == "head_tilt":
        if abs(user) > abs(reference):
            return "Keep your head in line with your spine instead of pulling it"
        return "Tilt your head more, like the reference"
    if user * reference < 0 and abs(reference) > 10.0:
        return "Lean your upper body the other way"
    if abs(user) > abs(reference):
        return "Keep your upper body more upright"
    return "Lean your upper body more, like the reference"


def _distance_message(spec: FeatureSpec, user: float, reference: float) -> str:
    if spec.name == "hand_spread":
        return (
            "Spread your hands wider apart"
            if user < reference
            else "Bring your hands closer together"
        )
    return "Step your feet wider apart" if user < reference else "Bring your feet closer together"


def error_message(spec: FeatureSpec, user: float, reference: float, left_side_sign: float) -> str:
    """The instruction that would move the learner's value towards the reference's."""
    if spec.kind == "angle":
        return _angle_message(spec, user, reference)
    if spec.kind == "distance":
        return _distance_message(spec, user, reference)
    if spec.zero == "up":
        return _upright_message(spec, user, reference)
    return _limb_message(spec, user, reference, left_side_sign)
