"""The camera's delay: the steady lag every frame of a session carries, told apart from timing.

A webcam, its encoder and the network deliver each picture a little after it was taken, so the
page stamps it with a dance time that is already past: every learner looks late by the same
amount. Over the first stretch of a session (the first eight-count, and at least
ESTIMATE_SPAN_S) the live judge's steady lag of every frame that clearly matches the reference is
collected; their median is the camera's delay. A learner's own timing wanders around it, a
camera's does not. Bounded by the judge's lag search (the warp's reach, ±0.5 s).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from dancecoach.scoring.alignment import WARP_WINDOW_S
from dancecoach.scoring.judgement import GRADE_BANDS
from dancecoach.scoring.music.beats import COUNTS_PER_EIGHT, BeatGrid
from dancecoach.scoring.timing import ON_TIME_MS

# The largest delay either way: the live judge's lag search reaches this far (the warp's reach).
MAX_CAMERA_DELAY_S = WARP_WINDOW_S
ESTIMATE_EIGHTS = 1
# At least this much dance (and this much without beats): ~50 frames after the window settles.
ESTIMATE_SPAN_S = 6.0
# A frame's lag counts when the live score at that lag shows the learner dancing this dance:
# at least the lowest passing grade ("OK"); below it the best lag is the best of poor matches.
CONFIDENT_SCORE = dict(GRADE_BANDS)["OK"] / 100.0
# ... and the estimate needs this many such frames, and this share of the frames seen.
MIN_CONFIDENT_FRAMES = 10
MIN_CONFIDENT_SHARE = 0.4
# The pooled window needs a second of frames before its lag means much.
SETTLE_S = 1.0


@dataclass(frozen=True)
class CameraDelay:
    """delay_s: seconds of dance time the frames run behind (positive) or ahead, rounded to
    10 ms; None when the first eight did not show it (too few frames clearly matching).
    frames: the confident frames it came from. noticeable: whether it is beyond the on-time
    threshold, i.e. whether it would read as lateness at all."""

    delay_s: float | None
    frames: int
    noticeable: bool


@dataclass(frozen=True)
class StreamDelay:
    """A stream's camera delay: the estimate (None before it), the delay applied to its dance
    times (0: none), and the pass from which it holds (applying one starts a new pass, so no
    section mixes shifted and unshifted dance times)."""

    estimate: CameraDelay | None
    applied_s: float
    applied_from_pass: int


def estimate_span_s(grid: BeatGrid) -> float:
    """Dance time to watch before estimating: the first eight of the song, at least
    ESTIMATE_SPAN_S (without beats, ESTIMATE_SPAN_S)."""
    if grid.has_beats and grid.period_s > 0:
        return max(ESTIMATE_EIGHTS * COUNTS_PER_EIGHT * grid.period_s, ESTIMATE_SPAN_S)
    return ESTIMATE_SPAN_S


class DelayEstimator:
    """Collects a stream's lags over its first span of dance time, then estimates once."""

    def __init__(self, span_s: float) -> None:
        self._span_s = span_s
        self._previous_s: float | None = None
        self._danced_s = 0.0  # dance time seen, over every pass (a looped section counts again)
        self._pass_s = 0.0  # ... since the last jump (the judge's window starts over there)
        self._lags: list[float] = []
        self._frames = 0
        self.result: CameraDelay | None = None

    def add(
        self, time_s: float, accuracy: float | None, steady_lag_s: float | None
    ) -> CameraDelay | None:
        """Add a frame; returns the estimate once, on the first frame past the span."""
        if self.result is not None:
            return None
        step = None if self._previous_s is None else time_s - self._previous_s
        self._previous_s = time_s
        if step is not None and 0.0 < step <= SETTLE_S:
            self._danced_s += step
            self._pass_s += step
        else:
            self._pass_s = 0.0
        if self._danced_s >= self._span_s:
            self.result = self._estimate()
            return self.result
        if self._pass_s < SETTLE_S:
            return None
        self._frames += 1
        if (
            accuracy is not None
            and accuracy >= CONFIDENT_SCORE
            and steady_lag_s is not None
            and not math.isnan(steady_lag_s)
        ):
            self._lags.append(steady_lag_s)
        return None

    def _estimate(self) -> CameraDelay:
        confident = len(self._lags)
        if confident < max(MIN_CONFIDENT_FRAMES, MIN_CONFIDENT_SHARE * self._frames):
            return CameraDelay(None, confident, False)
        # The judge's lag is negative when the learner is late; the camera's delay makes her so.
        delay = round(-statistics.median(self._lags), 2) + 0.0
        return CameraDelay(delay, confident, abs(delay) * 1000.0 > ON_TIME_MS)
