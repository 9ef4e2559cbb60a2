"""The jitter filter MediaPipe's PoseLandmarker applies to one tracked person, per stream.

In video mode with one pose, `PoseLandmarker` low-pass filters each landmark's visibility
(alpha 0.1), then runs a One Euro filter (min cutoff 0.05, beta 80, derivative cutoff 1) over
every coordinate in pixels, its speed measured in object sizes (the tracking ROI's mean side)
per second. Live tracking runs the landmark model in a graph shared by many streams, so the
filter's state lives here instead, one per stream, with the same arithmetic. Filters start
afresh whenever the person is lost. Recorded sequences are smoothed without lag instead
(smooth_recorded).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import VISIBILITY
from dancecoach.pose.sequence import PoseSequence

_VISIBILITY_ALPHA = 0.1
_MIN_CUTOFF = 0.05
_BETA = 80.0
_DERIVATIVE_CUTOFF = 1.0
_INITIAL_FREQUENCY = 30.0  # frames per second, until two timestamps give the real rate
_MIN_OBJECT_SCALE = 1e-6


class _LowPass:
    """Exponential smoothing; the first value passes unchanged."""

    def __init__(self) -> None:
        self.raw: NDArray[np.float64] | None = None
        self._stored: NDArray[np.float64] | None = None

    def apply(
        self, value: NDArray[np.float64], alpha: float | NDArray[np.float64]
    ) -> NDArray[np.float64]:
        result = value if self._stored is None else alpha * value + (1.0 - alpha) * self._stored
        self.raw, self._stored = value, result
        return result


def _alpha(cutoff: float | NDArray[np.float64], frequency: float) -> NDArray[np.float64]:
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff, dtype=np.float64))
    return np.asarray(1.0 / (1.0 + tau * frequency), dtype=np.float64)


class _OneEuro:
    """One Euro filters over an array of values sharing one clock."""

    def __init__(self) -> None:
        self._frequency = _INITIAL_FREQUENCY
        self._last_ns = 0
        self._value = _LowPass()
        self._speed = _LowPass()

    def apply(
        self, timestamp_ns: int, value_scale: float, value: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        if self._value.raw is not None and self._last_ns >= timestamp_ns:
            return value  # time did not advance (a first frame at time 0 still counts)
        if self._last_ns != 0:
            self._frequency = 1e9 / (timestamp_ns - self._last_ns)
        self._last_ns = timestamp_ns
        previous = self._value.raw
        speed = (
            np.zeros_like(value)
            if previous is None
            else (value - previous) * value_scale * self._frequency
        )
        smoothed_speed = self._speed.apply(speed, _alpha(_DERIVATIVE_CUTOFF, self._frequency))
        cutoff = _MIN_CUTOFF + _BETA * np.abs(smoothed_speed)
        return self._value.apply(value, _alpha(cutoff, self._frequency))


class LandmarkSmoother:
    """One stream's landmark filter: smooth(pose, ...) each frame, reset() when lost."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._visibility = _LowPass()
        self._coordinates = _OneEuro()

    def smooth(
        self,
        pose: NDArray[np.float32],
        timestamp_ms: int,
        image_size: tuple[int, int],
        roi_size: tuple[float, float],
    ) -> NDArray[np.float32]:
        """pose (33, 4) normalized; image_size (width, height) in pixels; roi_size normalized."""
        width, height = image_size
        visibility = self._visibility.apply(
            pose[:, VISIBILITY].astype(np.float64), _VISIBILITY_ALPHA
        )
        object_scale = (roi_size[0] * width + roi_size[1] * height) / 2.0
        to_pixels = np.array([width, height, width], dtype=np.float64)  # z scales like x
        coordinates = pose[:, :3].astype(np.float64) * to_pixels
        if object_scale >= _MIN_OBJECT_SCALE:
            coordinates = self._coordinates.apply(
                timestamp_ms * 1_000_000, 1.0 / object_scale, coordinates
            )
        smoothed = np.empty_like(pose)
        smoothed[:, :3] = coordinates / to_pixels
        smoothed[:, VISIBILITY] = visibility
        return smoothed


def smooth_recorded(sequence: PoseSequence, sigma_s: float) -> PoseSequence:
    """A recorded sequence with x, y, z smoothed by a Gaussian of sigma_s seconds, zero-phase.

    For whole recordings (offline comparison, a finished section), where the future is known:
    nothing lags. Frames without a person stay missing and lend nothing to their neighbours;
    timestamps may be irregular (live frames), the weights follow them.

    Each frame takes the Gaussian-weighted straight line through its neighbours, read at its
    own time (local linear regression), not their weighted mean. On evenly spaced frames the
    two are the same (the neighbours sit symmetrically), but where neighbours are missing on
    one side (frames the browser skipped while busy, a lost person, a recording's ends) the
    mean leans towards the side that is there, which reads as the dancer being early or late:
    a section streamed with a quarter of its frames dropped at random scored 1.6 points below
    the same frames all kept (30 draws, shared teacher/student pair); with the line, 0.5.
    """
    count = len(sequence)
    if sigma_s <= 0 or count < 3:
        return sequence
    times = sequence.timestamps_s
    landmarks = sequence.landmarks.astype(np.float64)
    present = ~np.isnan(landmarks[:, 0, 0])
    values = np.where(present[:, None, None], landmarks[..., :3], 0.0)
    reach = max(1, math.ceil(3.0 * sigma_s * sequence.fps))
    # Weighted sums for the least-squares line value = a + b * gap around each frame: of the
    # weights, weights * gap, weights * gap**2, weights * value and weights * gap * value.
    w0, w1, w2 = np.zeros(count), np.zeros(count), np.zeros(count)
    total = np.zeros_like(values)
    moment = np.zeros_like(values)
    for shift in range(-reach, reach + 1):
        # Frame i takes frame i + shift, weighted by how far apart in time they are.
        source = np.arange(count) + shift
        inside = (source >= 0) & (source < count)
        index = np.clip(source, 0, count - 1)
        gap = times[index] - times
        weight = np.where(inside & present[index], np.exp(-0.5 * (gap / sigma_s) ** 2), 0.0)
        w0 += weight
        w1 += weight * gap
        w2 += weight * gap * gap
        neighbour = values[index]  # gathered once: both sums read it
        total += weight[:, None, None] * neighbour
        moment += (weight * gap)[:, None, None] * neighbour
    # The line's value at gap 0 is (w2 * total - w1 * moment) / (w0 * w2 - w1**2); where the
    # neighbours span no time (a lone frame), that is undefined and the frame keeps its mean.
    spread = w0 * w2 - w1 * w1
    line = spread > 1e-9 * (w0 * sigma_s) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / np.maximum(w0, 1e-12)[:, None, None]
        fitted = (w2[:, None, None] * total - w1[:, None, None] * moment) / np.where(
            line, spread, 1.0
        )[:, None, None]
    smoothed = landmarks.copy()
    smoothed[..., :3] = np.where(
        present[:, None, None], np.where(line[:, None, None], fitted, mean), np.nan
    )
    return dataclasses.replace(sequence, landmarks=smoothed.astype(np.float32))
