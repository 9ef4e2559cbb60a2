"""Moves of a dance: named reference sections, or moves found from the reference's own motion.

Each move gets a score and a grade; the best and the hardest are named in the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.arrays import nan_mean
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.judgement import grade_of
from dancecoach.scoring.matching import MatchedPerformance
from dancecoach.scoring.normalization import to_body_frame
from dancecoach.scoring.results import Moment, MoveScore

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


def motion_speed(reference: PoseSequence) -> NDArray[np.float64]:
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
    speed = motion_speed(reference)
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


def score_moves(
    reference: PoseSequence,
    matched: MatchedPerformance,
    sections: Sequence[Section] = (),
) -> tuple[MoveScore, ...]:
    """Score and grade each move (named sections when given, else found moves) that was danced.

    A move counts when at least a few attempt frames were matched into it and compared.
    """
    candidates = list(sections) or find_moves(reference)
    moves: list[MoveScore] = []
    for section in candidates:
        inside = (matched.reference_times_s >= section.start_s) & (
            matched.reference_times_s < section.end_s
        )
        if int((inside & matched.compared).sum()) < _MIN_FRAMES_PER_MOMENT:
            continue
        score = round(matched.score(inside), 1)
        moves.append(
            MoveScore(section.title, section.start_s, section.end_s, score, grade_of(score))
        )
    moves.sort(key=lambda move: move.start_s)
    return tuple(moves)


def best_and_hardest(moves: Sequence[MoveScore]) -> tuple[Moment | None, Moment | None]:
    """The best and the hardest of the scored moves."""
    if not moves:
        return None, None
    best = max(moves, key=lambda m: m.score)
    hardest = min(moves, key=lambda m: m.score)
    return (
        Moment(best.label, best.start_s, best.end_s, best.score),
        Moment(hardest.label, hardest.start_s, hardest.end_s, hardest.score),
    )
