"""A ScoreReport as plain JSON-ready data (the CLI's --json output and stored reports)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from dancecoach.scoring.results import Moment, ScoreReport, grade_counts


def _moment(moment: Moment | None) -> dict[str, Any] | None:
    return None if moment is None else asdict(moment)


def report_to_dict(report: ScoreReport) -> dict[str, Any]:
    """Field names follow the CLI contract: times in seconds, scores 0-100."""
    return {
        "overall_score": report.overall_score,
        "grade": report.grade,
        "offset_s": report.offset_s,
        "mirrored": report.mirrored,
        "alignment": asdict(report.alignment),
        "lag_ms": report.lag_ms,
        "per_body_part": dict(report.per_body_part),
        "problem_segments": [
            {
                "start_time": segment.start_s,
                "end_time": segment.end_s,
                "attempt_start_time": segment.attempt_start_s,
                "attempt_end_time": segment.attempt_end_s,
                "title": segment.title,
                "body_parts": list(segment.body_parts),
                "score": segment.score,
                "lag_ms": segment.lag_ms,
                "eight": segment.eight,
                "counts": None if segment.counts is None else list(segment.counts),
                "errors": [asdict(error) for error in segment.errors],
            }
            for segment in report.problem_segments
        ],
        "frames_compared": report.frames_compared,
        "frames_without_person": report.frames_without_person,
        "trend": asdict(report.trend),
        "consistency": report.consistency,
        "best_moment": _moment(report.best_moment),
        "hardest_moment": _moment(report.hardest_moment),
        "timeline": [asdict(point) for point in report.timeline],
        "moves": [asdict(move) for move in report.moves],
        "grade_counts": grade_counts(report),
        "accents": [asdict(accent) for accent in report.accents],
    }
