"""What `dancecoach compare --json` prints: its keys, nesting and renamed fields (the CLI contract).

The comparison itself is replaced by a synthetic report with known numbers, so this checks the
path from the scorer's report to the printed object without decoding any video.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest

from dancecoach.config import Settings
from dancecoach.offline import command
from dancecoach.offline.compare import OfflineComparison
from dancecoach.pose.landmarks import NUM_LANDMARKS
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.results import AccentTiming, MoveScore, ScoreReport
from tests.coaching.reports import typical_report

_SEGMENT_KEYS = {
    "start_time",
    "end_time",
    "attempt_start_time",
    "attempt_end_time",
    "title",
    "body_parts",
    "score",
    "lag_ms",
    "eight",
    "counts",
    "errors",
}
_ERROR_KEYS = {
    "body_part",
    "group",
    "feature",
    "user_deg",
    "reference_deg",
    "difference",
    "severity",
    "message",
    "frame_share",
}
_MOMENT_KEYS = {"label", "start_s", "end_s", "score"}


def _report() -> ScoreReport:
    report = typical_report()
    first = replace(report.problem_segments[0], eight=4, counts=(1, 7))
    return replace(
        report,
        problem_segments=(first, *report.problem_segments[1:]),
        moves=(
            MoveScore("Move at 0:04", 4.0, 7.0, 93.0, "Perfect"),
            MoveScore("Move at 0:12", 12.0, 15.0, 51.0, "OK"),
        ),
        accents=(AccentTiming(10.0, 3, 5, 320.0),),
    )


def _compare_json(monkeypatch: pytest.MonkeyPatch, report: ScoreReport) -> Any:
    """`compare --json`'s object for a comparison that produced `report`, as the CLI prints it."""

    nobody = PoseSequence(
        np.empty((0, NUM_LANDMARKS, 4), np.float32), np.empty(0), frame_size=(640, 480), fps=15.0
    )

    def compared(*_args: object, **_kwargs: object) -> OfflineComparison:
        return OfflineComparison(nobody, nobody, report)

    monkeypatch.setattr(command, "compare_videos", compared)
    settings = Settings(openai_api_key=None, openai_base_url=None)
    result = command.run_compare(Path("reference.mp4"), Path("attempt.mp4"), settings, mirror="off")
    return orjson.loads(orjson.dumps(result))


def test_compare_json_keys_and_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _compare_json(monkeypatch, _report())
    assert set(data) == {
        "overall_score",
        "grade",
        "offset_s",
        "mirrored",
        "alignment",
        "lag_ms",
        "per_body_part",
        "problem_segments",
        "frames_compared",
        "frames_without_person",
        "trend",
        "consistency",
        "best_moment",
        "hardest_moment",
        "timeline",
        "moves",
        "grade_counts",
        "accents",
        "feedback",
    }
    assert set(data["alignment"]) == {
        "source",
        "offset_s",
        "confidence",
        "same_song",
        "tempo_ratio",
    }
    assert set(data["trend"]) == {"direction", "slope_per_min", "slope_per_attempt"}
    assert set(data["best_moment"]) == set(data["hardest_moment"]) == _MOMENT_KEYS
    assert all(set(point) == {"time_s", "score"} for point in data["timeline"])
    assert all(set(move) == {*_MOMENT_KEYS, "grade"} for move in data["moves"])
    assert data["accents"] == [
        {"time_s": 10.0, "eight": 3, "count": 5, "lag_ms": 320.0},
    ]
    assert data["grade_counts"] == {"Perfect": 1, "Great": 0, "Good": 0, "OK": 1, "Miss": 0}
    for segment in data["problem_segments"]:
        assert set(segment) == _SEGMENT_KEYS
        assert all(set(error) == _ERROR_KEYS for error in segment["errors"])
    assert data["feedback"]
    for item in data["feedback"]:
        assert set(item) == {"timestamp", "title", "feedback", "severity", "body_parts", "source"}


def test_compare_json_values_follow_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report()
    data = _compare_json(monkeypatch, report)
    assert data["overall_score"] == report.overall_score
    assert data["grade"] == report.grade
    assert data["per_body_part"] == report.per_body_part
    assert data["alignment"]["source"] == "timestamp"
    assert data["trend"] == {
        "direction": "improving",
        "slope_per_min": 4.2,
        "slope_per_attempt": None,
    }
    assert data["best_moment"] == {
        "label": "Move at 0:04",
        "start_s": 4.0,
        "end_s": 7.0,
        "score": 93.0,
    }
    first, *_ = data["problem_segments"]
    segment = report.problem_segments[0]
    # Times are renamed on the wire: start_s -> start_time, attempt_start_s -> attempt_start_time.
    assert (first["start_time"], first["end_time"]) == (segment.start_s, segment.end_s)
    assert (first["attempt_start_time"], first["attempt_end_time"]) == (
        segment.attempt_start_s,
        segment.attempt_end_s,
    )
    assert first["body_parts"] == ["left_arm", "right_leg"]
    assert (first["eight"], first["counts"]) == (4, [1, 7])
    assert data["problem_segments"][1]["counts"] is None
    assert first["errors"][0]["group"] == "left_arm"
    assert first["errors"][0]["frame_share"] == 0.8
    # Coaching's words only: what scoring keeps for coaching is not sent.
    assert "facing_deg" not in first and "left_hand_height" not in first
    assert [item["source"] for item in data["feedback"]] == ["template"] * len(data["feedback"])


def test_compare_json_without_moments(monkeypatch: pytest.MonkeyPatch) -> None:
    report = replace(_report(), best_moment=None, hardest_moment=None, problem_segments=())
    data = _compare_json(monkeypatch, report)
    assert data["best_moment"] is None and data["hardest_moment"] is None
    assert data["problem_segments"] == []
