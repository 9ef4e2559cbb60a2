"""The zero-phase smoother of recorded sequences: known answers on synthetic motion."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.sequence import PoseSequence
from dancecoach.pose.smoothing import smooth_recorded

SIGMA_S = 0.1


def moving(times: NDArray[np.float64], x_of_t: NDArray[np.float64]) -> PoseSequence:
    """Every landmark at x(t), y fixed along the body; fps from the median interval."""
    landmarks = np.zeros((len(times), 33, 4), np.float32)
    landmarks[:, :, 0] = x_of_t[:, None]
    landmarks[:, :, 1] = np.linspace(0.2, 0.8, 33)[None, :]
    landmarks[:, :, 3] = 0.9
    fps = 1.0 / float(np.median(np.diff(times)))
    return PoseSequence(landmarks, times, (640, 480), fps)


def test_a_steady_move_is_not_pulled_early_or_late_by_skipped_frames() -> None:
    # An arm sweeping at a steady speed, streamed at 10 FPS with a third of the frames skipped
    # at random (a busy browser): each kept frame must stay where the arm was at its time. A
    # weighted mean of the neighbours there leans towards the side that has more of them.
    rng = np.random.default_rng(7)
    times = np.arange(0.0, 12.0, 0.1)
    times = times[rng.uniform(size=len(times)) < 0.67]
    speed = 0.05  # of the frame's width per second
    sequence = moving(times, 0.2 + speed * times)
    smoothed = smooth_recorded(sequence, SIGMA_S).landmarks[:, 0, 0]
    error = np.abs(smoothed - (0.2 + speed * times))
    # In time, the error is error / speed: float32 rounding only, far under a millisecond.
    assert float(error.max()) / speed < 1e-4


def test_the_ends_of_a_recording_are_not_pulled_inwards() -> None:
    times = np.arange(0.0, 3.0, 1 / 15)
    sequence = moving(times, 0.3 + 0.1 * times)
    smoothed = smooth_recorded(sequence, SIGMA_S).landmarks[:, 0, 0]
    assert abs(float(smoothed[0]) - 0.3) < 1e-5
    assert abs(float(smoothed[-1]) - (0.3 + 0.1 * times[-1])) < 1e-5


def test_jitter_is_damped_and_a_dance_tempo_move_keeps_its_shape() -> None:
    rng = np.random.default_rng(3)
    times = np.arange(0.0, 20.0, 0.1)
    beat = 0.05 * np.sin(2 * np.pi * 1.0 * times)  # one swing a second, a dance's pulse
    jitter = rng.normal(0.0, 0.01, len(times))
    smoothed = smooth_recorded(moving(times, 0.5 + beat + jitter), SIGMA_S).landmarks[:, 0, 0]
    inner = slice(10, -10)
    left = smoothed[inner] - 0.5 - beat[inner]
    # A Gaussian of 0.1 s keeps exp(-(2 pi 0.1)^2 / 2) = 82 % of a 1 Hz swing.
    kept = float(np.dot(smoothed[inner] - 0.5, beat[inner]) / np.dot(beat[inner], beat[inner]))
    assert 0.78 < kept < 0.86
    # What is left of the jitter: sqrt(sum w^2) / sum w of the weights at 10 FPS, 53 %.
    assert float(np.std(left - (kept - 1) * beat[inner])) < 0.6 * float(np.std(jitter))


def test_frames_without_a_person_stay_missing_and_lend_nothing() -> None:
    times = np.arange(0.0, 2.0, 0.1)
    sequence = moving(times, 0.4 + 0.1 * times)
    sequence.landmarks[5:8] = np.nan
    sequence.landmarks[12, :, 0] = 0.9  # one wild frame next to the gap would show its pull
    smoothed = smooth_recorded(sequence, SIGMA_S).landmarks
    assert np.isnan(smoothed[5:8]).all()
    assert not np.isnan(smoothed[:5]).any() and not np.isnan(smoothed[8:]).any()
    # Frame 4, just before the gap, is read from frames 1-4 (on the line): exact.
    assert abs(float(smoothed[4, 0, 0]) - (0.4 + 0.1 * times[4])) < 1e-5


def test_a_lone_frame_keeps_its_pose() -> None:
    times = np.arange(0.0, 3.0, 0.1)
    sequence = moving(times, np.full(len(times), 0.5))
    sequence.landmarks[:14] = np.nan
    sequence.landmarks[16:] = np.nan
    sequence.landmarks[15, :, 0] = 0.6
    smoothed = smooth_recorded(sequence, SIGMA_S).landmarks
    # Two frames 0.1 s apart: the line through both passes through each.
    assert abs(float(smoothed[14, 0, 0]) - 0.5) < 1e-6
    assert abs(float(smoothed[15, 0, 0]) - 0.6) < 1e-6
