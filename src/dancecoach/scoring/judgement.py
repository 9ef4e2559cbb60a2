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

import functools
import math
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ScoreScale:
    """The mapping from gain to score: 0 at chance_gain, rising with e-folding gain_scale.

    score = 100 * (1 - exp(-(gain - chance_gain) / gain_scale)), scaled so that a gain of 1
    (the same performance) reads as exactly 100; gains at or below chance read as 0.
    """

    chance_gain: float
    gain_scale: float

    def _raw(self, gain: NDArray[np.float64] | float) -> NDArray[np.float64]:
        above = np.maximum(np.asarray(gain, dtype=np.float64) - self.chance_gain, 0.0)
        with np.errstate(invalid="ignore"):
            return np.asarray(1.0 - np.exp(-above / self.gain_scale))

    @functools.cached_property
    def _full(self) -> float:
        return float(self._raw(1.0))

    def scores(self, gains: NDArray[np.float64]) -> NDArray[np.float64]:
        """0-100 per gain (NaN stays NaN)."""
        return np.asarray(np.minimum(100.0 * self._raw(gains) / self._full, 100.0))

    def score(self, gain: float) -> float:
        return float(self.scores(np.array([gain]))[0])

    def gain_at(self, score: float) -> float:
        """The gain that reads as `score` (0-100): the inverse above chance."""
        fraction = min(max(score / 100.0, 0.0), 1.0) * float(self._raw(1.0))
        if fraction >= 1.0:
            return 1.0
        return self.chance_gain - self.gain_scale * math.log(1.0 - fraction)


# The two tuned constants, calibrated by `python -m bench.judgement` over every labelled pair of
# the shared footage and every cross-choreography pair whose recordings are long enough to be
# searched (leave-one-group-out figures in the README; bench.judgement.calibrate is the
# procedure, run on 2026-12-06 over 26 clips, with the offset search's optimism counted as
# chance, alignment.estimate_offset):
# - chance_gain: the gain that 95 % of unrelated pairs (different choreographies, through the
#   same offset and time-warp searches) stay below (0.150). It reads as 0: a score above 0 is
#   evidence, at the 5 % level, that the learner dances this dance.
# - gain_scale: how fast the score rises above that, set so that the gain midway between the
#   largest unrelated pair (0.230) and the smallest same-choreography pair (0.383) reads as 50,
#   mid-scale: the boundary between "another dance" and "this dance".
SCALE = ScoreScale(chance_gain=0.150, gain_scale=0.234)


def score_from_gain(gain: float) -> float:
    """0-100 score of a gain (NaN stays NaN: nothing was compared)."""
    return SCALE.score(gain)


def scores_from_gains(gains: NDArray[np.float64]) -> NDArray[np.float64]:
    """score_from_gain on an array (NaN stays NaN)."""
    return SCALE.scores(gains)


def gain_from_score(score: float) -> float:
    """The gain that reads as `score` (0-100)."""
    return SCALE.gain_at(score)


def grade_of(score: float) -> Grade:
    """The grade of a 0-100 score (Miss for NaN: nothing was danced that could be judged)."""
    for grade, lowest in GRADE_BANDS:
        if score >= lowest:
            return grade
    return "Miss"
