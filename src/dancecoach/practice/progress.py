"""Progress across attempts at one reference: each completed section is an attempt."""

from __future__ import annotations

from collections.abc import Sequence

from dancecoach.practice.report_types import (
    BestMove,
    ProgressAttempt,
    ReferenceProgress,
    SectionReport,
    from_json,
)
from dancecoach.scoring.judgement import grade_of
from dancecoach.scoring.results import MoveScore
from dancecoach.storage.models import SectionResult


def reference_progress(
    reference_id: str, results: Sequence[SectionResult], session_count: int
) -> ReferenceProgress:
    """Attempts in time order with their scores, the best and latest accuracy, and how much
    each body part's score changed from the first scored attempt to the latest, and the best
    grade of every move danced."""
    attempts = []
    moves: list[MoveScore] = []
    for result in results:
        analytics = from_json(SectionReport, result.report).analytics
        moves.extend(analytics.moves)
        attempts.append(
            ProgressAttempt(
                session_id=result.session_id,
                section_number=result.number,
                title=result.title,
                start_time=result.start_s,
                end_time=result.end_s,
                created_at=result.created_at,
                overall_accuracy=result.overall_accuracy,
                per_body_part=dict(analytics.per_body_part),
                frames_compared=analytics.frames_compared,
            )
        )
    scored = [a for a in attempts if a.overall_accuracy is not None]
    change: dict[str, float] = {}
    if len(scored) >= 2:
        first, latest = scored[0].per_body_part, scored[-1].per_body_part
        change = {part: round(latest[part] - first[part], 1) for part in latest if part in first}
    return ReferenceProgress(
        reference_video_id=reference_id,
        attempts=tuple(attempts),
        best_accuracy=max(
            (a.overall_accuracy for a in scored if a.overall_accuracy is not None), default=None
        ),
        latest_accuracy=scored[-1].overall_accuracy if scored else None,
        body_part_change=change,
        sessions=session_count,
        best_moves=best_moves(moves),
    )


def best_moves(moves: Sequence[MoveScore]) -> tuple[BestMove, ...]:
    """Each move's best score over the attempts that danced it, in reference time order. A move
    is the same move in every attempt when its label and span are (moves are cut from the whole
    reference: its eight-counts, or the moves found in its poses)."""
    by_move: dict[tuple[str, float, float], list[float]] = {}
    for move in moves:
        key = (move.label, round(move.start_s, 2), round(move.end_s, 2))
        by_move.setdefault(key, []).append(move.score)
    best = [
        BestMove(
            label=label,
            start_s=start_s,
            end_s=end_s,
            best_score=max(scores),
            grade=grade_of(max(scores)),
            times_danced=len(scores),
        )
        for (label, start_s, end_s), scores in by_move.items()
    ]
    return tuple(sorted(best, key=lambda move: (move.start_s, move.end_s)))
