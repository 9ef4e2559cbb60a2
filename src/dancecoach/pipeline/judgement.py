"""The one scale: from agreement above chance to the 0-100 score and the grade of a move.

Every score the learner reads (live per frame, per move, per section, `compare`, the HTML
report) goes through score_from_gain, and every grade through grade_of.

The input is the *gain*: how much more the learner's poses agree with the reference's matched
moments than with the reference's other moments, as a fraction of what was left to gain
(see agreement.py). 0 is chance (standing still, or dancing something else), 1 is the same
performance. The mapping is a saturating curve: early gains above chance count most, and
the last few percent of a near-copy barely move the score.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Grade = Literal["Perfect", "Great", "Good", "OK", "Miss"]
# Lowest score (0-100) of each grade, best first; below the last band a move is a Miss.
GRADE_BANDS: tuple[tuple[Grade, float], ...] = (
    ("Perfect", 90.0),
    ("Great", 75.0),
    ("Good", 60.0),
    ("OK", 40.0),
)
GRADES: tuple[Grade, ...] = (*(grade for grade, _ in GRADE_BANDS), "Miss")

# The two tuned constants, calibrated by `python -m bench.judgement --calibrate` over every
# labelled pair of the shared footage (leave-one-group-out figures in the README):
# - CHANCE_GAIN: the gain two unrelated dances reach through the offset and time-warp searches
#   alone (the median over all cross-choreography pairs, 0.074). It reads as 0.
# - GAIN_SCALE: how fast the score rises above that. Set so that the gain midway between the
#   largest unrelated pair (0.22) and the smallest same-choreography pair (0.38) reads as 50, the
#   middle of the OK band: the boundary between "another dance" and "this dance" sits mid-scale.
CHANCE_GAIN = 0.074
GAIN_SCALE = 0.33


def _raw(gain: float) -> float:
    return 1.0 - math.exp(-max(gain - CHANCE_GAIN, 0.0) / GAIN_SCALE)


_FULL = _raw(1.0)  # so that a gain of 1 (the same performance) reads as exactly 100


def score_from_gain(gain: float) -> float:
    """0-100 score of a gain (NaN stays NaN: nothing was compared)."""
    if math.isnan(gain):
        return math.nan
    return 100.0 * min(_raw(gain) / _FULL, 1.0)


def scores_from_gains(gains: NDArray[np.float64]) -> NDArray[np.float64]:
    """score_from_gain on an array (NaN stays NaN)."""
    above = np.maximum(np.asarray(gains, dtype=np.float64) - CHANCE_GAIN, 0.0)
    with np.errstate(invalid="ignore"):
        raw = 1.0 - np.exp(-above / GAIN_SCALE)
    return np.asarray(np.minimum(100.0 * raw / _FULL, 100.0))


def gain_from_score(score: float) -> float:
    """The gain that reads as `score` (0-100): the inverse of score_from_gain above chance."""
    fraction = min(max(score / 100.0, 0.0), 1.0) * _FULL
    if fraction >= 1.0:
        return 1.0
    return CHANCE_GAIN - GAIN_SCALE * math.log(1.0 - fraction)


def grade_of(score: float) -> Grade:
    """The grade of a 0-100 score (Miss for NaN: nothing was danced that could be judged)."""
    for grade, lowest in GRADE_BANDS:
        if score >= lowest:
            return grade
    return "Miss"
