"""Words a dancer uses: golden tests on synthetic poses with known positions, scored by the real
scorer, and the vocabulary the LLM prompt shares with the templates."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings

from dancecoach.coaching.positions import SCALES, Scale, position
from dancecoach.coaching.prompt import build_request
from dancecoach.coaching.templates import template_feedback
from dancecoach.scoring.performance import score_performance
from dancecoach.scoring.results import SEVERITIES, ScoreReport
from tests.coaching.reports import LEFT_ELBOW, RIGHT_KNEE, report, segment
from tests.coaching.test_templates import score_reports
from tests.synthetic import Figure, routine, sequence


def _danced(field: str, reference_deg: float, learner_deg: float) -> ScoreReport:
    """The synthetic routine with one limb held at `reference_deg` by the reference; the learner
    holds it at `learner_deg` from 3 s to 5 s and dances everything else the same."""
    figures = routine(8.0)
    reference = [replace(f, **{field: reference_deg}) for f in figures]
    attempt = [
        replace(f, **{field: learner_deg if 3.0 <= i / 15.0 < 5.0 else reference_deg})
        for i, f in enumerate(figures)
    ]
    return score_performance(
        sequence(reference), sequence(attempt), mirror=False, alignment="timestamp"
    )


def _item_about(report_: ScoreReport, start_s: float, end_s: float) -> str:
    items = [i for i in template_feedback(report_) if start_s <= i.timestamp_s <= end_s]
    assert items, "no item about the changed stretch"
    return items[0].feedback


def test_arm_straight_up_where_the_reference_holds_it_at_shoulder_height() -> None:
    assert Figure().left_arm_deg != 180.0  # the routine's own arm is replaced below
    text = _item_about(_danced("left_arm_deg", 90.0, 180.0), 2.5, 5.0)
    assert "your left arm was straight up by your ear;" in text
    assert "the reference's was out at shoulder height." in text
    assert "Lower your left arm to shoulder height." in text
    assert "Raise your left arm" not in text


def test_arm_at_shoulder_height_where_the_reference_reaches_straight_up() -> None:
    text = _item_about(_danced("left_arm_deg", 175.0, 90.0), 2.5, 5.0)
    assert "your left arm was out at shoulder height;" in text
    assert "Raise your left arm straight up by your ear." in text
    assert "right" not in text.split(".")[0]


def test_knee_lifted_where_the_reference_stands_on_the_leg() -> None:
    text = _item_about(_danced("left_leg_deg", 5.0, 60.0), 2.5, 5.0)
    assert "your left knee was lifted halfway to hip height;" in text
    assert "Lower your left knee back down under your hip." in text


def test_straight_knee_where_the_reference_sits_lower() -> None:
    words = position(RIGHT_KNEE)  # 168 degrees against the reference's 128
    assert (words.part, words.learner, words.reference) == (
        "right knee",
        "straight",
        "bent, sitting lower",
    )
    assert words.correction == "Bend your right knee and sit lower."


def test_a_number_only_where_the_words_do_not_say_how_far() -> None:
    # 150 and 125 degrees are both "a little bent": the words alone cannot say how far.
    same_band = replace(LEFT_ELBOW, user_deg=125.0, reference_deg=150.0, difference=-25.0)
    assert (
        position(same_band).correction
        == "Straighten your left arm a little more, about 25 degrees."
    )
    # A right angle against a nearly straight arm: the words say it.
    assert "degrees" not in position(LEFT_ELBOW).correction


def test_every_item_names_the_counts_when_the_music_has_them() -> None:
    counted = replace(segment(12.0, 15.2, (LEFT_ELBOW,)), eight=3, counts=(5, 6))
    text = template_feedback(report((counted,)))[0].feedback
    assert text.startswith("At the third eight, counts 5-6 (0:12-0:15), your left arm")


_PROTRACTOR = re.compile(
    r"off the reference's line|from your side, the reference|°|\(you:|torso lengths"
)


@settings(max_examples=150, deadline=None)
@given(score_reports())
def test_no_sentence_reads_like_a_protractor(any_report: ScoreReport) -> None:
    for item in template_feedback(any_report):
        assert not _PROTRACTOR.search(item.feedback), item.feedback
        # Any angle is rounded to 5 degrees and said as "about N degrees".
        for number in re.findall(r"(\S+ )?(\d+) degrees", item.feedback):
            assert number[0] == "about " and int(number[1]) % 5 == 0, item.feedback
        # One correction per sentence: no sentence tells two parts to move.
        for sentence in re.split(r"(?<=[.!])\s+", item.feedback):
            verbs = re.findall(r"\b(Raise|Lower|Lift|Bend|Straighten|Step|Spread)\b", sentence)
            assert len(verbs) <= 1, sentence


@pytest.mark.parametrize("scale", SCALES, ids=lambda s: s.name)
def test_the_llm_prompt_has_the_same_vocabulary(scale: Scale) -> None:
    request = build_request(report((segment(12.0, 15.2, (LEFT_ELBOW, RIGHT_KNEE)),)))
    for band in scale.bands:
        assert f'"{band.state}"' in request.system
    assert "one correction per sentence" in request.system


def test_the_llm_gets_each_error_in_the_templates_words() -> None:
    request = build_request(report((segment(12.0, 15.2, (RIGHT_KNEE,)),)))
    assert '"student_position": "straight"' in request.user
    assert '"reference_position": "bent, sitting lower"' in request.user
    assert '"correction": "Bend your right knee and sit lower."' in request.user


def test_the_llm_prompt_offers_exactly_the_severity_levels_the_answer_is_checked_against() -> None:
    request = build_request(report((segment(12.0, 15.2, (RIGHT_KNEE,)),)))
    offered = re.search(r'"severity": ((?:"\w+"(?: \| )?)+)', request.system)
    assert offered is not None
    assert tuple(re.findall(r'"(\w+)"', offered.group(1))) == SEVERITIES
