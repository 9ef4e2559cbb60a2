"""Progress across attempts at one reference: each completed section is an attempt."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dancecoach.storage.models import SectionResult


def reference_progress(
    reference_id: str, results: Sequence[SectionResult], session_count: int
) -> dict[str, Any]:
    """Attempts in time order with their scores, the best and latest accuracy, and how much
    each body part's score changed from the first scored attempt to the latest."""
    attempts = []
    for result in results:
        analytics = result.report.get("analytics") or {}
        attempts.append(
            {
                "session_id": result.session_id,
                "section_number": result.number,
                "title": result.title,
                "start_time": result.start_s,
                "end_time": result.end_s,
                "created_at": result.created_at,
                "overall_accuracy": result.overall_accuracy,
                "per_body_part": analytics.get("per_body_part", {}),
                "frames_compared": analytics.get("frames_compared", 0),
            }
        )
    scored = [a for a in attempts if a["overall_accuracy"] is not None]
    change: dict[str, float] = {}
    if len(scored) >= 2:
        first, latest = scored[0]["per_body_part"], scored[-1]["per_body_part"]
        change = {part: round(latest[part] - first[part], 1) for part in latest if part in first}
    return {
        "reference_video_id": reference_id,
        "attempts": attempts,
        "best_accuracy": max((a["overall_accuracy"] for a in scored), default=None),
        "latest_accuracy": scored[-1]["overall_accuracy"] if scored else None,
        "body_part_change": change,
        "sessions": session_count,
    }
