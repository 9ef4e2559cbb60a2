"""Progress across attempts: each attempt's body-part scores, and each move's best grade."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from dancecoach.practice.progress import best_moves, reference_progress
from dancecoach.practice.report_types import to_json
from dancecoach.scoring.results import MoveScore
from dancecoach.storage.models import SectionResult
from tests.practice.test_report_types import _section

START = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def _attempt(number: int, parts: dict[str, float], moves: list[MoveScore]) -> SectionResult:
    report = _section()
    analytics = dataclasses.replace(report.analytics, per_body_part=parts, moves=tuple(moves))
    report = dataclasses.replace(report, section_number=number, analytics=analytics)
    return SectionResult(
        session_id="s",
        number=number,
        start_s=0.0,
        end_s=8.0,
        title=f"Attempt {number}",
        overall_accuracy=0.5,
        created_at=START + timedelta(minutes=number),
        report=to_json(report),
    )


def _move(label: str, start_s: float, score: float) -> MoveScore:
    return MoveScore(label, start_s, start_s + 4.0, score, "Miss")  # grade is recomputed


def test_each_move_keeps_its_best_score_over_the_attempts_with_its_grade() -> None:
    first = [_move("First eight", 0.0, 35.0), _move("Second eight", 4.0, 92.0)]
    second = [_move("First eight", 0.0, 77.0), _move("Second eight", 4.0, 50.0)]
    third = [_move("Third eight", 8.0, 10.0)]  # danced once, never well
    best = best_moves([*first, *second, *third])
    assert [(m.label, m.best_score, m.grade, m.times_danced) for m in best] == [
        ("First eight", 77.0, "Great", 2),
        ("Second eight", 92.0, "Perfect", 2),
        ("Third eight", 10.0, "Miss", 1),
    ]
    assert (best[2].start_s, best[2].end_s) == (8.0, 12.0)
    assert best_moves([]) == ()


def test_progress_lists_body_parts_per_attempt_and_the_best_moves() -> None:
    results = [
        _attempt(1, {"left_arm": 40.0, "legs": 70.0}, [_move("First eight", 0.0, 35.0)]),
        _attempt(2, {"left_arm": 65.0, "legs": 68.0}, [_move("First eight", 0.0, 64.0)]),
    ]
    progress = reference_progress("r", results, session_count=1)
    assert [a.per_body_part["left_arm"] for a in progress.attempts] == [40.0, 65.0]
    assert progress.body_part_change == {"left_arm": 25.0, "legs": -2.0}
    assert [(m.label, m.best_score, m.grade) for m in progress.best_moves] == [
        ("First eight", 64.0, "Good")
    ]
