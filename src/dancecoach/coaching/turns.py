"""Which way to turn, in a dancer's words: "Turn a quarter turn to your right." The one
vocabulary of turns that the templates use and the LLM prompt is given.

Reads a problem segment's facing difference (scoring/body_position.py: learner minus reference
yaw in degrees, positive when the learner faced further to their own left).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from dancecoach.coaching.wording import segment_at
from dancecoach.scoring.results import ProblemSegment, SegmentError

# No turn is named below this difference (degrees): the same choreography danced by two
# different people already differs by a median of 10-20 degrees (the pose tracker's width and
# depth readings, and the dancers' own styles; the README has the pairs' figures).
MIN_TURN_DEG = 35.0
# Turns a dancer counts in, with their size in degrees; the nearest one is named.
TURN_SIZES: tuple[tuple[float, str], ...] = (
    (45.0, "an eighth of a turn"),
    (90.0, "a quarter turn"),
    (180.0, "half a turn"),
)

Side = Literal["left", "right"]


@dataclass(frozen=True)
class Turn:
    """A turn the learner should make: its size in words and degrees, and the learner's own
    side to turn to."""

    size: str
    degrees: float
    side: Side


def turn_needed(facing_deg: float | None) -> Turn | None:
    """The turn that puts the learner the reference's way, None below MIN_TURN_DEG or unknown."""
    if facing_deg is None or not math.isfinite(facing_deg) or abs(facing_deg) < MIN_TURN_DEG:
        return None
    degrees, size = min(TURN_SIZES, key=lambda entry: abs(abs(facing_deg) - entry[0]))
    # Faced further to the left: turn back to the right.
    side: Side = "right" if facing_deg > 0 else "left"
    return Turn(size, degrees, side)


def turn_observation(turn: Turn) -> str:
    """ "you faced a quarter turn further to your left than the reference"."""
    other: Side = "left" if turn.side == "right" else "right"
    if turn.degrees >= 180.0:
        return "you faced the other way from the reference"
    return f"you faced {turn.size} further to your {other} than the reference"


def turn_correction(turn: Turn) -> str:
    """One sentence: "Turn a quarter turn to your right."."""
    return f"Turn {turn.size} to your {turn.side}."


def turn_vocabulary_lines() -> list[str]:
    """The turn words as prompt lines, so the LLM names turns as the templates do."""
    sizes = "; ".join(f'about {degrees:g} degrees: "{size}"' for degrees, size in TURN_SIZES)
    return [
        "- facing_difference_deg: the student's facing minus the reference's, in degrees "
        "(positive: the student faced further to their own left, so they should turn to their "
        f"right). Name a turn only from {MIN_TURN_DEG:g} degrees, by the nearest of: {sizes} "
        '("Turn a quarter turn to your right."). Under that, say nothing about facing.'
    ]


def moment_title(segment: ProblemSegment) -> str:
    """A problem moment's heading: "Turn at 0:08" when the learner faced another way (the turn
    is what to fix first), else the scorer's ("Right arm at 0:08")."""
    if turn_needed(segment.facing_deg) is None:
        return segment.title
    return f"Turn at {segment_at(segment)}"


def moment_errors(segment: ProblemSegment) -> tuple[SegmentError, ...]:
    """The errors worth listing under a moment: none when the learner faced another way, since
    the limbs' angles were then measured on a body seen from the side and follow from the turn
    (the coaching names the turn instead)."""
    return () if turn_needed(segment.facing_deg) is not None else segment.errors
