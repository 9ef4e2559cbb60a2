"""Typed reports survive their stored JSON, including JSON stored before a field existed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dancecoach.api.schemas import SectionReport as SectionReportPublic
from dancecoach.api.schemas import SessionReport as SessionReportPublic
from dancecoach.practice.report_types import (
    Analytics,
    FeedbackEntry,
    SectionReport,
    SectionSummary,
    SegmentErrorReport,
    SegmentReport,
    SessionReport,
    from_json,
    to_json,
)
from dancecoach.scoring.results import Moment, MoveScore, TimelinePoint, Trend


def _section() -> SectionReport:
    error = SegmentErrorReport(
        "left_elbow", "left_elbow_angle", "Bend your left elbow more", "major", 170.0, 90.0,
        80.0, 0.6,
    )  # fmt: skip
    segment = SegmentReport(
        2.0, 3.5, 2.1, 3.6, "Left arm at 0:02", "Bend it.", "/api/sessions/s/clips/1", 1, 1,
        41.5, ("left_arm",), 120.0, (error,),
    )  # fmt: skip
    analytics = Analytics(
        total_frames=40,
        frames_compared=38,
        frames_without_person=2,
        average_accuracy=0.61,
        best_move="Move at 0:01",
        hardest_move=None,
        best_moment=Moment("Move at 0:01", 1.0, 2.0, 88.0),
        hardest_moment=None,
        per_body_part={"left_arm": 52.0, "torso": 90.0},
        timeline=(TimelinePoint(1.0, 70.0), TimelinePoint(2.0, 45.0)),
        trend=Trend("degrading", -12.5),
        lag_ms=120.0,
        timing="late",
        consistency=71.0,
        dropped_frames=None,
        grade="OK",
        moves=(MoveScore("Move at 0:01", 1.0, 2.0, 88.0, "Great"),),
        grade_counts={"Perfect": 0, "Great": 1, "Good": 0, "OK": 0, "Miss": 0},
    )
    feedback = FeedbackEntry(2.0, "Left arm", "Bend it.", "major", ("left_elbow",), "template")
    return SectionReport(
        "s", 1, "Chorus", 1.0, 4.0, 0, 0.55, (segment,), analytics, (feedback,),
        datetime(2026, 12, 6, 2, 30, tzinfo=UTC),
    )  # fmt: skip


def test_a_section_report_round_trips_through_its_stored_json() -> None:
    section = _section()
    stored = json.loads(json.dumps(to_json(section)))
    assert from_json(SectionReport, stored) == section


def test_json_stored_before_the_per_attempt_slope_reads_with_its_default() -> None:
    stored = json.loads(json.dumps(to_json(_section())))
    stored["analytics"]["trend"] = {"direction": "degrading", "slope_per_min": -12.5}
    assert from_json(SectionReport, stored).analytics.trend == Trend("degrading", -12.5, None)


def test_the_wire_schema_is_built_from_the_typed_report() -> None:
    wire = SectionReportPublic.model_validate(_section())
    assert wire.problem_segments[0].errors[0].severity == "major"
    assert wire.analytics.trend.slope_per_min == -12.5
    assert wire.feedback[0].body_parts == ["left_elbow"]
    assert wire.model_dump(mode="json")["created_at"].startswith("2026-12-06T02:30")


def test_a_session_report_without_anyone_compared_round_trips() -> None:
    section = _section()
    report = SessionReport(
        "s", "r", None, section.problem_segments, None, (),
        (SectionSummary(1, "Chorus", 1.0, 4.0, None),), 40, section.created_at,
    )  # fmt: skip
    assert from_json(SessionReport, json.loads(json.dumps(to_json(report)))) == report
    assert SessionReportPublic.model_validate(report).analytics is None
