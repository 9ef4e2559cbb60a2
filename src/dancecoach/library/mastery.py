"""How much of a routine a learner has mastered, from Break-It-Down's progress per eight-count.

An eight is *mastered* once it reached Good (the grade bands of scoring/judgement.py) at full
speed: the third Break-It-Down stage passed, or a best score of at least Good's lowest score at
1x. Scores are 0-100; playback rates are multiples of the reference's speed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from dancecoach.scoring.judgement import GRADE_BANDS, Grade, grade_of
from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.storage.models import EightMastery

# The speed at which an eight counts as mastered, and the stage that passes it (stages: 1 at
# 0.5x, 2 at 0.75x, 3 at 1x, 4 chained with the eights around it).
MASTERED_RATE = 1.0
STAGE_PASSED_AT_FULL_SPEED = 3
GOOD_SCORE = dict(GRADE_BANDS)["Good"]


@dataclass(frozen=True)
class RateBest:
    """The best score an eight reached at one playback rate."""

    rate: float
    best_score: float  # 0-100
    grade: Grade


@dataclass(frozen=True)
class EightProgress:
    """One learner's Break-It-Down progress on one eight."""

    eight: int
    stage: int  # the last stage passed (0: none)
    best_score: float | None  # 0-100, at any speed
    best_by_rate: tuple[RateBest, ...]  # slowest first
    mastered: bool


@dataclass(frozen=True)
class RoutineMastery:
    """How many of a reference's eight-counts a learner has mastered."""

    reference_video_id: str
    eights: int  # eight-counts in the reference (0: no beats)
    mastered: int


def eight_progress(row: EightMastery) -> EightProgress:
    best_by_rate = tuple(
        RateBest(rate=float(rate), best_score=float(score), grade=grade_of(float(score)))
        for rate, score in sorted((row.best_by_rate or {}).items(), key=lambda kv: float(kv[0]))
    )
    at_full_speed = [b.best_score for b in best_by_rate if b.rate == MASTERED_RATE]
    mastered = row.stage >= STAGE_PASSED_AT_FULL_SPEED or (
        bool(at_full_speed) and at_full_speed[0] >= GOOD_SCORE
    )
    return EightProgress(
        eight=row.eight,
        stage=row.stage,
        best_score=row.best_score,
        best_by_rate=best_by_rate,
        mastered=mastered,
    )


def eight_numbers(grid: BeatGrid) -> list[int]:
    """The reference's eight-counts, 1-based (the pickup before the first count 1 is not one)."""
    if not grid.has_beats:
        return []
    return [int(eight) for eight in np.unique(grid.eights()) if eight >= 1]


def routine_mastery(
    reference_id: str, grid: BeatGrid, rows: Iterable[EightMastery]
) -> RoutineMastery:
    """Eights of the reference and how many of them one learner mastered (rows: their progress
    on this reference; eights the grid no longer has, after count 1 moved, do not count)."""
    eights = set(eight_numbers(grid))
    mastered = sum(1 for row in rows if row.eight in eights and eight_progress(row).mastered)
    return RoutineMastery(reference_video_id=reference_id, eights=len(eights), mastered=mastered)


def routines_mastery(
    grids: dict[str, BeatGrid], rows: Sequence[EightMastery]
) -> list[RoutineMastery]:
    """routine_mastery for each reference of `grids`, from one learner's rows of all of them."""
    by_reference: dict[str, list[EightMastery]] = {}
    for row in rows:
        by_reference.setdefault(row.reference_id, []).append(row)
    return [
        routine_mastery(reference_id, grid, by_reference.get(reference_id, []))
        for reference_id, grid in grids.items()
    ]
