"""Timing against the beat: how early or late the learner hit the reference's accents.

An accent is a count on which the reference dancer hits (her speed changes most sharply, well
above her usual change on a beat). The learner's timing there is read from the alignment's
time warp around that count: the same lag the problem moments report, placed on the count.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dancecoach.scoring.music.beats import BeatGrid, motion_accents
from dancecoach.scoring.music.counts import eight_words
from dancecoach.scoring.results import AccentTiming
from dancecoach.scoring.timing import timing_word

# A beat is an accent when the dancer's change of speed there stands this many standard
# deviations above her mean on beats (about the strongest sixth of the beats).
ACCENT_MIN_Z = 1.0
# An accent's timing needs this many compared learner frames within half a beat of it.
_MIN_FRAMES = 2


def accent_beats(
    grid: BeatGrid, speed: NDArray[np.float64], speed_times_s: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Indices of the beats on which the dancer hits. speed: `(frames,)` body speed."""
    if not grid.has_beats:
        return np.zeros(0, dtype=np.int64)
    inside = (grid.times_s >= speed_times_s[0]) & (grid.times_s <= speed_times_s[-1])
    strength = np.full(len(grid.times_s), -np.inf)
    strength[inside] = motion_accents(speed, speed_times_s, grid.times_s[inside])
    return np.flatnonzero(strength >= ACCENT_MIN_Z).astype(np.int64)


def accent_timings(
    grid: BeatGrid,
    accents: NDArray[np.int64],
    reference_times_s: NDArray[np.float64],
    lags_s: NDArray[np.float64],
    compared: NDArray[np.bool_],
) -> tuple[AccentTiming, ...]:
    """The learner's lag at each accent that was danced.

    reference_times_s / lags_s / compared: per learner frame, the matched reference time, the
    warp's lag (negative: late, as in MatchedPerformance) and whether it was compared.
    """
    half_beat = grid.period_s / 2
    counts, eights = grid.counts(), grid.eights()
    timings = []
    for beat in accents:
        time_s = float(grid.times_s[beat])
        near = compared & (np.abs(reference_times_s - time_s) <= half_beat)
        if int(near.sum()) < _MIN_FRAMES:
            continue
        lag_ms = float(-np.mean(lags_s[near]) * 1000.0)
        timings.append(
            AccentTiming(round(time_s, 3), int(eights[beat]), int(counts[beat]), round(lag_ms, 1))
        )
    return tuple(timings)


def accent_words(accent: AccentTiming) -> str:
    """ "you hit count 5 of the third eight about 120 ms late" / "... on time"."""
    where = f"count {accent.count} of the {eight_words(accent.eight)}"
    word = timing_word(accent.lag_ms)
    if word == "on time":
        return f"you hit {where} on time"
    return f"you hit {where} about {round(abs(accent.lag_ms) / 10) * 10} ms {word}"


def worst_accent(accents: tuple[AccentTiming, ...]) -> AccentTiming | None:
    """The accent hit furthest off the count, if any was off it."""
    off = [a for a in accents if timing_word(a.lag_ms) != "on time"]
    return max(off, key=lambda a: abs(a.lag_ms), default=None)
