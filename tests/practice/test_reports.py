"""Report assembly: combining section passes, feedback text per segment, timing words."""

from __future__ import annotations

from dataclasses import asdict, replace

from dancecoach.api.schemas import TrendPublic
from dancecoach.coaching.prompt import section_facts
from dancecoach.coaching.templates import template_feedback
from dancecoach.pose.body_parts import WHOLE_BODY
from dancecoach.practice.report_types import FeedbackEntry
from dancecoach.practice.reports import combine_reports, segment_feedback, segment_report
from dancecoach.scoring.judgement import grade_of
from dancecoach.scoring.results import (
    AlignmentInfo,
    Moment,
    ProblemSegment,
    ScoreReport,
    TimelinePoint,
    Trend,
)
from dancecoach.scoring.timing import ON_TIME_MS, timing_word
from tests.coaching.reports import LEFT_ELBOW, report, segment


def _report(score: float, frames: int, segment_at: float | None = None) -> ScoreReport:
    segments: tuple[ProblemSegment, ...] = ()
    if segment_at is not None:
        segments = (
            ProblemSegment(
                segment_at, segment_at + 1, segment_at, segment_at + 1, 40.0, ("left_arm",), (),
                0.0, "Left arm",
            ),
        )  # fmt: skip
    return ScoreReport(
        overall_score=score,
        per_body_part={"left_arm": score, "torso": 90.0},
        timeline=(TimelinePoint(1.0, score),),
        trend=Trend("steady", 0.0),
        problem_segments=segments,
        best_moment=Moment("Move at 0:01", 1.0, 2.0, score + 5),
        hardest_moment=Moment("Move at 0:03", 3.0, 4.0, score - 5),
        lag_ms=100.0,
        consistency=80.0,
        frames_compared=frames,
        frames_without_person=1,
        offset_s=0.0,
        mirrored=False,
        alignment=AlignmentInfo("timestamp", 0.0, 0.0, same_song=False),
        grade=grade_of(score),
        moves=(),
    )


def test_combined_report_weights_by_frames_and_keeps_every_segment() -> None:
    combined = combine_reports([_report(40.0, 10, 1.0), _report(80.0, 30, 2.0)])
    assert combined.overall_score == 70.0
    assert combined.per_body_part["left_arm"] == 70.0
    assert combined.frames_compared == 40
    assert combined.frames_without_person == 2
    assert [s.start_s for s in combined.problem_segments] == [1.0, 2.0]
    assert combined.trend.direction == "improving"
    assert combined.best_moment is not None and combined.best_moment.score == 85.0
    assert combined.timeline == (TimelinePoint(1.0, 60.0),)


def test_the_combined_trend_is_a_slope_per_attempt_not_per_minute() -> None:
    combined = combine_reports([_report(40.0, 10), _report(60.0, 10), _report(80.0, 10)])
    assert combined.trend.slope_per_attempt == 20.0  # points per attempt, in the order danced
    assert combined.trend.slope_per_min is None
    # Through the wire schema and the LLM's facts, under the same name.
    wire = TrendPublic.model_validate(asdict(combined.trend))
    assert wire.slope_per_attempt == 20.0 and wire.slope_per_min is None
    facts = section_facts(combined, None)["trend"]
    assert facts == {"direction": "improving", "slope_points_per_attempt": 20.0}


def test_a_single_report_is_its_own_combination() -> None:
    report = _report(55.0, 12)
    assert combine_reports([report]) is report


def test_segment_feedback_prefers_the_coaching_item_inside_the_segment() -> None:
    segment = _report(40.0, 10, 5.0).problem_segments[0]
    items = [_item(1.0, "elsewhere"), _item(5.4, "inside")]
    assert segment_feedback(segment, items) == "inside"
    assert segment_feedback(segment, [_item(20.0, "far")])
    # The timing item stamped at an accent inside the segment does not stand under it.
    timing = _item(segment.start_s, "late", (WHOLE_BODY,))
    own = _item(segment.start_s, "arm", ("left_arm",))
    assert segment_feedback(segment, [timing, own]) == "arm"
    assert segment_feedback(segment, [timing]) == "late"  # when it is all there is


def _item(timestamp: float, feedback: str, parts: tuple[str, ...] = ("left_arm",)) -> FeedbackEntry:
    return FeedbackEntry(timestamp, "title", feedback, "minor", parts, "template")


def test_timing_words() -> None:
    assert timing_word(250.0) == "late"
    assert timing_word(-250.0) == "early"
    assert timing_word(ON_TIME_MS) == "on time"
    assert timing_word(ON_TIME_MS + 1.0) == "late"
    assert timing_word(30.0) == "on time"


def test_a_turned_moment_is_headed_as_the_turn_it_coaches_not_as_an_arm() -> None:
    """The review shows a moment's title and its error bullets beside the coaching: a learner
    who faced a quarter turn away reads "Turn at ..." there too, not "Left arm at ..." with arm
    angles that were measured on a body seen from the side."""
    arm = segment(12.0, 15.2, (LEFT_ELBOW,))
    turned = replace(arm, facing_deg=-88.0)
    shown = segment_report(turned, feedback="", video_clip=None, clip_number=None, section_number=1)
    item = next(i for i in template_feedback(report((turned,))) if i.timestamp_s >= 12.0)
    assert shown.title.startswith("Turn at") and shown.title == item.title
    assert shown.errors == ()
    # Turned less than a turn is worth naming: the scorer's title and bullets stay.
    slight = segment_report(
        replace(arm, facing_deg=20.0),
        feedback="",
        video_clip=None,
        clip_number=None,
        section_number=1,
    )
    assert slight.title == arm.title and slight.title.startswith("Left arm")
    assert [e.message for e in slight.errors] == [LEFT_ELBOW.message]
