"""The per-stream jitter filter: known answers on synthetic poses."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.pose.smoothing import LandmarkSmoother

IMAGE = (640, 360)
ROI = (0.6, 1.0)  # normalized; its mean side is 0.6 * 640 / 2 + 360 / 2 = 372 px


def pose(x: float, visibility: float = 0.9) -> NDArray[np.float32]:
    points = np.zeros((33, 4), np.float32)
    points[:, 0] = x
    points[:, 1] = np.linspace(0.2, 0.8, 33)
    points[:, 2] = -0.1
    points[:, 3] = visibility
    return points


def test_the_first_frame_passes_unchanged_even_at_time_zero() -> None:
    smoother = LandmarkSmoother()
    first = pose(0.5, 0.3)
    assert np.allclose(smoother.smooth(first, 0, IMAGE, ROI), first)


def test_a_still_dancer_stays_exactly_where_they_are() -> None:
    smoother = LandmarkSmoother()
    for frame in range(20):
        out = smoother.smooth(pose(0.5), frame * 100, IMAGE, ROI)
    assert np.allclose(out, pose(0.5), atol=1e-6)


def test_visibility_is_low_pass_filtered_with_alpha_one_tenth() -> None:
    smoother = LandmarkSmoother()
    smoother.smooth(pose(0.5, 0.2), 0, IMAGE, ROI)
    second = smoother.smooth(pose(0.5, 1.0), 100, IMAGE, ROI)
    assert np.allclose(second[:, 3], 0.1 * 1.0 + 0.9 * 0.2)


def test_small_jitter_is_damped_but_a_fast_move_follows_closely() -> None:
    # A 1 px wobble is mostly noise; a 100 px step is the dancer moving.
    wobble, step = 1 / IMAGE[0], 100 / IMAGE[0]
    followed = []
    for jump in (wobble, step):
        smoother = LandmarkSmoother()
        smoother.smooth(pose(0.5), 0, IMAGE, ROI)
        smoother.smooth(pose(0.5), 100, IMAGE, ROI)
        moved = smoother.smooth(pose(0.5 + jump), 200, IMAGE, ROI)
        followed.append(float(moved[0, 0] - 0.5) / jump)
    # By hand, at 10 frames/s: speed 1/372 sizes x 10/s = 0.027, smoothed by alpha 0.386
    # (derivative cutoff 1 Hz) to 0.0104, so cutoff 0.05 + 80 x 0.0104 = 0.88 Hz and
    # alpha = 1 / (1 + 10 / (2 pi 0.88)) = 0.356 of the wobble passes.
    assert followed[0] == pytest.approx(0.356, abs=0.002)
    assert followed[1] > 0.95  # the step is followed at once, nearly in full


def test_reset_forgets_the_past_and_repeated_times_change_nothing() -> None:
    smoother = LandmarkSmoother()
    smoother.smooth(pose(0.5, 0.2), 0, IMAGE, ROI)
    smoother.smooth(pose(0.5, 0.2), 100, IMAGE, ROI)
    repeated = smoother.smooth(pose(0.7, 0.9), 100, IMAGE, ROI)
    assert np.allclose(repeated[:, :3], pose(0.7)[:, :3])  # no time passed: no filtering
    smoother.reset()
    fresh = pose(0.3, 0.9)
    assert np.allclose(smoother.smooth(fresh, 200, IMAGE, ROI), fresh)
