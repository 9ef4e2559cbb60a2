"""Template coaching: specific numbers, sides and times, 3-5 items, varied and friendly."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dancecoach.coaching.items import MAX_FEEDBACK_WORDS, FeedbackItem, word_count
from dancecoach.coaching.service import FeedbackService
from dancecoach.coaching.templates import template_feedback
from dancecoach.config import Settings
from dancecoach.pose.body_parts import part_words
from dancecoach.scoring.features import FEATURES
from dancecoach.scoring.judgement import GRADE_BANDS, Grade
from dancecoach.scoring.results import (
    SEVERITIES,
    ScoreReport,
    SegmentError,
    Severity,
    TimelinePoint,
    Trend,
)
from tests.coaching.reports import (
    LEFT_ELBOW,
    RIGHT_KNEE,
    RIGHT_UPPER_ARM,
    great_report,
    report,
    segment,
    typical_report,
)


def item_at(items: list[FeedbackItem], timestamp_s: float) -> FeedbackItem:
    return next(item for item in items if item.timestamp_s == timestamp_s)


def assert_well_formed(items: list[FeedbackItem]) -> None:
    assert 3 <= len(items) <= 5
    for item in items:
        assert item.source == "template"
        assert item.title.strip() and item.feedback.strip()
        assert word_count(item.feedback) <= MAX_FEEDBACK_WORDS
        assert item.body_parts and all(part.strip() for part in item.body_parts)
        assert item.severity in SEVERITIES


def test_items_name_when_side_part_and_which_way() -> None:
    items = template_feedback(typical_report())
    assert_well_formed(items)

    elbow = item_at(items, 12.0)
    assert elbow.feedback.startswith("At 0:12-0:15, your left arm was bent at a right angle;")
    assert "the reference's was a little bent." in elbow.feedback
    assert "Straighten your left arm until it is only a little bent." in elbow.feedback
    assert elbow.severity == "major"
    assert elbow.body_parts[0] == "left_elbow"
    # The second error of the segment, with its own side and direction, said as a teacher would.
    assert "Also, bend your right knee and sit lower." in elbow.feedback

    arm = item_at(items, 16.4)
    assert "your right arm was low, about 45 degrees out from your side" in arm.feedback
    assert "Raise your right arm up on a high diagonal" in arm.feedback
    assert "left" not in arm.feedback


def test_sides_are_never_swapped() -> None:
    knee_only = report((segment(5.0, 7.0, (RIGHT_KNEE,)),))
    text = " ".join(item.feedback for item in template_feedback(knee_only)[:1])
    assert "right" in text and "left" not in text


def test_limb_at_the_right_height_pointing_elsewhere_gets_the_frames_instruction() -> None:
    # Averages over a segment: the arms differ by 80 degrees, their heights by only 24.
    elsewhere = replace(
        RIGHT_UPPER_ARM, user_deg=-83.0, reference_deg=-107.0, difference=80.0,
        message="Move your right arm further out to the side",
    )  # fmt: skip
    text = template_feedback(report((segment(5.0, 7.0, (elsewhere,)),)))[0].feedback
    assert "your right arm was out at shoulder height like the reference's, but pointing" in text
    assert "Move your right arm further out to the side." in text
    assert "degrees" not in text


def test_words_never_contradict_the_instruction() -> None:
    # The segment's averages say "higher" but most frames asked the learner to raise the arm.
    swinging = replace(
        RIGHT_UPPER_ARM, user_deg=134.0, reference_deg=63.0, difference=60.0,
        message="Raise your right hand higher",
    )  # fmt: skip
    bent = replace(LEFT_ELBOW, message="Bend your left elbow more")  # averages say "more bent"
    items = template_feedback(report((segment(5.0, 7.0, (swinging, bent)),)))
    text = items[0].feedback
    assert "Raise your right hand higher." in text and "Lower" not in text
    assert "bend your left elbow more." in text and "Straighten" not in text


def test_distances_read_as_body_widths() -> None:
    items = template_feedback(typical_report())
    feet = item_at(items, 20.1)
    assert "your feet were about hip width apart;" in feet.feedback
    assert "the reference's were about shoulder width apart." in feet.feedback
    assert "Step your feet out to about shoulder width apart." in feet.feedback
    assert "torso" not in feet.feedback and "0.42" not in feet.feedback


def test_phrasing_varies_between_items() -> None:
    same_error = report(
        tuple(segment(float(start), start + 2.0, (LEFT_ELBOW,)) for start in (3, 9, 15, 21))
    )
    items = template_feedback(same_error)
    texts = [item.feedback for item in items if item.body_parts == ("left_elbow",)]
    assert len(texts) == 4

    def wording(text: str) -> str:
        return re.sub(r"[\d:.\-]+", "#", text)

    assert len({wording(text) for text in texts}) == len(texts)


def test_large_lag_becomes_a_timing_item() -> None:
    late = report(typical_report().problem_segments, lag_ms=320.0)
    items = template_feedback(late)
    assert_well_formed(items)
    timing = [item for item in items if "320 ms late" in item.feedback]
    assert len(timing) == 1 and timing[0].title.startswith("Timing")

    early = template_feedback(report(lag_ms=-260.0))
    assert any("260 ms early" in item.feedback for item in early)


def test_small_lag_is_not_mentioned() -> None:
    items = template_feedback(report(typical_report().problem_segments[:2], lag_ms=40.0))
    assert not any(" ms " in item.feedback for item in items)


def test_one_encouraging_item_last() -> None:
    items = template_feedback(typical_report(), section_title="Chorus")
    praise = items[-1]
    assert "Chorus" in praise.feedback
    assert "0:04-0:07" in praise.feedback and "93/100" in praise.feedback
    assert praise.feedback.endswith("!")
    assert "better as you went" in praise.feedback  # the improving trend


def test_trend_is_told_with_start_and_end_scores() -> None:
    rising = tuple(TimelinePoint(float(t), 50.0 + 2.0 * t) for t in range(18))
    improving = replace(report(trend=Trend("improving", 120.0)), timeline=rising)
    assert (
        "from about 55 at the start to 79 at the end" in template_feedback(improving)[-1].feedback
    )

    falling = tuple(TimelinePoint(float(t), 90.0 - 2.0 * t) for t in range(18))
    degrading = replace(report(trend=Trend("degrading", -120.0)), timeline=falling)
    praise = template_feedback(degrading)[-1].feedback
    assert "slipped towards the end (from about 85 to 61)" in praise
    assert "minute" not in praise


def test_great_performance_gets_praise_and_a_refinement() -> None:
    items = template_feedback(great_report())
    assert_well_formed(items)
    text = " ".join(item.feedback for item in items)
    assert "93/100" in text  # best moment praised
    assert "left arm scored 61/100" in text  # the weakest body part as the refinement
    assert all(item.severity != "major" for item in items)


def test_many_segments_keep_the_worst_within_five_items() -> None:
    segments = tuple(
        segment(float(2 * i), 2 * i + 1.5, (LEFT_ELBOW,), score=70.0 - i) for i in range(8)
    )
    items = template_feedback(report(segments, lag_ms=300.0))
    assert len(items) == 5
    segment_times = {item.timestamp_s for item in items if item.body_parts == ("left_elbow",)}
    assert segment_times == {10.0, 12.0, 14.0}  # the three lowest-scoring segments, in order
    assert [item.timestamp_s for item in items[:3]] == [10.0, 12.0, 14.0]


def test_nobody_in_frame_still_gives_useful_items() -> None:
    items = template_feedback(replace(report(), frames_compared=0))
    assert_well_formed(items)
    assert "camera" in " ".join(item.feedback for item in items)


def test_errors_without_numbers_are_skipped() -> None:
    nan_error = replace(LEFT_ELBOW, user_deg=math.nan)
    items = template_feedback(report((segment(5.0, 7.0, (nan_error, RIGHT_KNEE)),)))
    assert_well_formed(items)
    assert "nan" not in " ".join(item.feedback for item in items).lower()
    assert "right" in items[0].feedback


def test_same_report_same_words() -> None:
    assert template_feedback(typical_report()) == template_feedback(typical_report())


def test_service_without_key_uses_templates(settings: Settings) -> None:
    items = FeedbackService(settings).generate(typical_report(), section_title="Verse")
    assert items == template_feedback(typical_report(), section_title="Verse")


def test_body_part_words() -> None:
    assert part_words("left_elbow") == "left elbow"
    assert part_words("right_upper_arm") == "right upper arm"
    assert part_words("left_shin") == "left lower leg"
    assert part_words("torso") == "upper body"
    assert part_words("hands") == "hands"


_FEATURE_NAMES = [spec.name for spec in FEATURES]
_FEATURE_PARTS = {spec.name: (spec.body_part, spec.groups[0]) for spec in FEATURES}


@st.composite
def segment_errors(draw: st.DrawFn) -> SegmentError:
    feature = draw(st.sampled_from(_FEATURE_NAMES))
    body_part, group = _FEATURE_PARTS[feature]
    user = draw(st.floats(-180, 180))
    reference = draw(st.floats(-180, 180))
    return SegmentError(
        body_part=body_part,
        group=group,
        feature=feature,
        user_deg=user,
        reference_deg=reference,
        difference=user - reference,
        severity=draw(st.sampled_from(SEVERITIES)),
        message=draw(st.sampled_from(["Raise your left arm higher", "Bend your right knee more"])),
        frame_share=0.5,
    )


@st.composite
def score_reports(draw: st.DrawFn) -> ScoreReport:
    count = draw(st.integers(0, 7))
    hand = st.none() | st.tuples(st.floats(-1.0, 2.5), st.floats(-1.0, 2.5))
    segments = tuple(
        replace(
            segment(
                3.0 * i,
                3.0 * i + 2.0,
                tuple(draw(st.lists(segment_errors(), max_size=3))),
                score=draw(st.floats(0, 85)),
                lag_ms=draw(st.floats(-900, 900)),
            ),
            facing_deg=draw(st.none() | st.floats(-180, 180)),
            left_hand_height=draw(hand),
            right_hand_height=draw(hand),
        )
        for i in range(count)
    )
    base = report(segments, overall=draw(st.floats(0, 100)), lag_ms=draw(st.floats(-900, 900)))
    return replace(
        base,
        best_moment=draw(st.sampled_from([base.best_moment, None])),
        hardest_moment=draw(st.sampled_from([base.hardest_moment, None])),
        per_body_part=draw(st.sampled_from([base.per_body_part, {}])),
    )


@settings(max_examples=150, deadline=None)
@given(score_reports())
def test_any_report_gives_three_to_five_short_items(any_report: ScoreReport) -> None:
    assert_well_formed(template_feedback(any_report))


@pytest.mark.parametrize(
    ("grade", "severity"), [("Miss", "major"), ("OK", "medium"), ("Good", "minor")]
)
def test_a_segment_without_a_named_error_is_as_serious_as_its_grade(
    grade: Grade, severity: Severity
) -> None:
    lowest = dict(GRADE_BANDS).get(grade, 0.0)
    items = template_feedback(report((segment(4.0, 6.0, (), score=lowest + 1.0),)))
    assert items[0].timestamp_s == 4.0 and items[0].severity == severity
