"""Turns in a dancer's words: golden tests on synthetic dancers turned by known angles, scored
by the real scorer, and the turn words the LLM prompt shares with the templates."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from dancecoach.coaching.prompt import build_request
from dancecoach.coaching.templates import template_feedback
from dancecoach.coaching.turns import MIN_TURN_DEG, TURN_SIZES, turn_needed
from dancecoach.scoring.performance import score_performance
from dancecoach.scoring.results import ProblemSegment, ScoreReport
from tests.coaching.reports import LEFT_ELBOW, report, segment
from tests.synthetic import routine, sequence

FPS = 15.0
START_S, END_S = 4.0, 6.0


def _turned(yaw_deg: float, *, left_arm_off_deg: float = 0.0) -> ScoreReport:
    """The synthetic routine facing the camera; the learner dances it turned by yaw_deg towards
    their own left from START_S to END_S (and, if asked, with the left arm off there)."""
    figures = routine(10.0, FPS)
    inside = [START_S <= i / FPS < END_S for i in range(len(figures))]
    attempt = [
        replace(f, left_arm_deg=f.left_arm_deg + left_arm_off_deg) if turned else f
        for f, turned in zip(figures, inside, strict=True)
    ]
    return score_performance(
        sequence(figures, FPS),
        sequence(attempt, FPS, yaws_deg=[yaw_deg if turned else 0.0 for turned in inside]),
        mirror=False,
        alignment="timestamp",
    )


def _segment_in_stretch(report_: ScoreReport) -> ProblemSegment:
    found = [s for s in report_.problem_segments if s.start_s < END_S and s.end_s > START_S]
    assert found, report_.problem_segments
    return found[0]


def _item_text(report_: ScoreReport) -> str:
    items = [i for i in template_feedback(report_) if START_S - 0.5 <= i.timestamp_s <= END_S]
    assert items, "no item about the turned stretch"
    return items[0].feedback


@pytest.mark.parametrize(("yaw", "turn_to"), [(90.0, "right"), (-90.0, "left")])
def test_a_learner_turned_a_quarter_is_told_to_turn_back(yaw: float, turn_to: str) -> None:
    danced = _turned(yaw)
    stretch = _segment_in_stretch(danced)
    assert stretch.facing_deg is not None and abs(stretch.facing_deg - yaw) <= 10.0
    text = _item_text(danced)
    # The turn is the first correction: the sentence right after the opening one.
    sentences = re.split(r"(?<=\.)\s+", text)
    assert sentences[1] == f"Turn a quarter turn to your {turn_to}.", text
    other = "left" if turn_to == "right" else "right"
    assert f"a quarter turn further to your {other} than the reference" in sentences[0]
    assert re.match(r"(At|Around|Watch|During) 0:0[34]", sentences[0]), text


def test_twenty_degrees_is_no_turn_but_the_arm_is_still_corrected() -> None:
    danced = _turned(20.0, left_arm_off_deg=70.0)
    stretch = _segment_in_stretch(danced)
    assert stretch.facing_deg is not None and abs(stretch.facing_deg - 20.0) <= 10.0
    text = _item_text(danced)
    assert "turn" not in text.lower(), text
    assert "left arm" in text


def test_no_turn_item_anywhere_for_a_frontal_learner() -> None:
    danced = _turned(0.0, left_arm_off_deg=70.0)
    for item in template_feedback(danced):
        assert "Turn " not in item.feedback and not item.title.startswith("Turn")


@pytest.mark.parametrize(
    ("facing", "words"),
    [
        (40.0, "Turn an eighth of a turn to your right."),
        (-50.0, "Turn an eighth of a turn to your left."),
        (100.0, "Turn a quarter turn to your right."),
        (-170.0, "Turn half a turn to your left."),
    ],
)
def test_the_nearest_turn_is_named(facing: float, words: str) -> None:
    turned = replace(segment(12.0, 15.2, (LEFT_ELBOW,)), facing_deg=facing)
    items = template_feedback(report((turned,)))
    item = next(i for i in items if i.timestamp_s == 12.0)
    assert words in item.feedback
    assert item.title.startswith("Turn at")
    assert item.body_parts[0] == "whole_body"
    # The elbow was measured on a turned body: not corrected alongside the turn.
    assert "Straighten" not in item.feedback and "straighten" not in item.feedback


def test_below_the_threshold_or_unknown_no_turn() -> None:
    assert turn_needed(None) is None
    assert turn_needed(float("nan")) is None
    assert turn_needed(MIN_TURN_DEG - 1.0) is None
    assert turn_needed(MIN_TURN_DEG) is not None


def test_the_llm_gets_the_turn_in_the_templates_words() -> None:
    turned = replace(segment(12.0, 15.2, (LEFT_ELBOW,)), facing_deg=-88.0)
    request = build_request(report((turned,)))
    assert '"correction": "Turn a quarter turn to your left."' in request.user
    assert '"facing_difference_deg": -88.0' in request.user
    for _, size in TURN_SIZES:
        assert f'"{size}"' in request.system
    assert f"{MIN_TURN_DEG:g} degrees" in request.system
    plain = build_request(report((replace(turned, facing_deg=12.0),)))
    assert '"turn": null' in plain.user
