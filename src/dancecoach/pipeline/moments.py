"""Moves of a dance: named reference sections, or moves found from the reference's own motion.

Used to name the best and the hardest moment of a performance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.pipeline.arrays import nan_mean
from dancecoach.pipeline.normalization import to_body_frame
from dancecoach.pipeline.results import Moment
from dancecoach.pipeline.sequence import PoseSequence

_MIN_MOVE_S = 1.5
_MAX_MOVE_S = 4.0
_MIN_FRAMES_PER_MOMENT = 4


@dataclass(frozen=True)
class Section:
    """A named part of the reference, in reference seconds."""

    title: str
    start_s: float
    end_s: float


def format_time(seconds: float) -> str:
    """0:07 style time for labels."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _motion_speed(reference: PoseSequence) -> NDArray[np.float64]:
    """Mean body-frame speed of the reference per frame (torso lengths per second)."""
    points = to_body_frame(reference.landmarks, reference.aspect_ratio)
    step = np.linalg.norm(np.diff(points, axis=0), axis=-1)
    speed = nan_mean(step, axis=-1) * reference.fps
    speed = np.concatenate([[speed[0] if len(speed) else 0.0], speed])
    return np.nan_to_num(speed, nan=0.0)


def find_moves(reference: PoseSequence) -> list[Section]:
    """Split the reference into moves at pauses in its motion (1.5 to 4 s each)."""
    if len(reference) == 0:
        return []
    speed = _motion_speed(reference)
    kernel = np.ones(5) / 5.0
    smooth = np.convolve(speed, kernel, mode="same")
    times = reference.timestamps_s
    moves: list[Section] = []
    start = 0
    for i in range(1, len(times)):
        length = times[i] - times[start]
        local_minimum = (
            0 < i < len(smooth) - 1 and smooth[i] <= smooth[i - 1] and smooth[i] <= smooth[i + 1]
        )
        if (length >= _MIN_MOVE_S and local_minimum) or length >= _MAX_MOVE_S:
            moves.append(
                Section(
                    f"Move at {format_time(times[start])}", float(times[start]), float(times[i])
                )
            )
            start = i
    end = float(times[-1] + 1.0 / reference.fps)
    if moves and end - times[start] < _MIN_MOVE_S / 2:
        last = moves.pop()
        moves.append(Section(last.title, last.start_s, end))
    else:
        moves.append(Section(f"Move at {format_time(times[start])}", float(times[start]), end))
    return moves


def find_moments(
    reference: PoseSequence,
    reference_times_s: NDArray[np.float64],
    accuracy: NDArray[np.float64],
    sections: Sequence[Section] = (),
) -> tuple[Moment | None, Moment | None]:
    """The best and the hardest moment: named sections when given, else found moves."""
    candidates = list(sections) or find_moves(reference)
    scored: list[Moment] = []
    for section in candidates:
        inside = (reference_times_s >= section.start_s) & (reference_times_s < section.end_s)
        values = accuracy[inside & ~np.isnan(accuracy)]
        if len(values) >= _MIN_FRAMES_PER_MOMENT:
            scored.append(
                Moment(
                    section.title,
                    section.start_s,
                    section.end_s,
                    round(float(values.mean() * 100), 1),
                )
            )
    if not scored:
        return None, None
    return max(scored, key=lambda m: m.score), min(scored, key=lambda m: m.score)
