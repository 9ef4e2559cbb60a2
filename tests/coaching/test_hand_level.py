"""Hand levels in a dancer's words: golden tests on synthetic poses with known wrist heights,
scored by the real scorer, and the hand words the LLM prompt shares with the templates."""

from __future__ import annotations

import re
from dataclasses import replace

from dancecoach.coaching.positions import hand_level_positions
from dancecoach.coaching.prompt import build_request
from dancecoach.coaching.templates import template_feedback
from dancecoach.scoring.hand_height import HAND_LEVELS
from dancecoach.scoring.performance import score_performance
from dancecoach.scoring.results import ScoreReport
from tests.coaching.reports import report, segment
from tests.synthetic import Figure, routine, sequence

FPS = 15.0
START_S, END_S = 4.0, 6.0


def _danced(reference: Figure, learner: Figure) -> ScoreReport:
    """The synthetic routine; from START_S to END_S the reference holds one pose and the
    learner another."""
    figures = routine(10.0, FPS)
    inside = [START_S <= i / FPS < END_S for i in range(len(figures))]
    return score_performance(
        sequence([reference if i else f for f, i in zip(figures, inside, strict=True)], FPS),
        sequence([learner if i else f for f, i in zip(figures, inside, strict=True)], FPS),
        mirror=False,
        alignment="timestamp",
    )


def test_a_hand_at_chest_height_where_the_reference_reaches_above_the_head() -> None:
    danced = _danced(
        Figure(left_arm_deg=180.0), Figure(left_arm_deg=20.0, left_elbow_bend_deg=100.0)
    )
    stretch = next(s for s in danced.problem_segments if s.start_s < END_S and s.end_s > START_S)
    assert stretch.left_hand_height is not None
    learner, reference = stretch.left_hand_height
    assert HAND_LEVELS[3].state == "at chest height" and 0.5 <= learner < 0.85
    assert reference >= HAND_LEVELS[5].below  # above the head
    item = next(i for i in template_feedback(danced) if START_S - 0.5 <= i.timestamp_s <= END_S)
    assert "bring your left hand up above your head." in item.feedback.lower(), item.feedback
    assert "right hand" not in item.feedback
    assert "left_hand" in item.body_parts


def test_a_hand_level_alone_leads_the_item_with_when_side_and_way() -> None:
    low = replace(segment(12.0, 15.2, ()), right_hand_height=(1.3, 0.1))
    item = next(i for i in template_feedback(report((low,))) if i.timestamp_s == 12.0)
    assert item.feedback.startswith(
        "At 0:12-0:15, your right hand was at face height; the reference's was at hip height."
    )
    assert "Bring your right hand down to hip height." in item.feedback
    assert item.title == "Right hand at 0:12"


def test_the_same_level_is_no_correction() -> None:
    # 0.6 and 0.8 torso lengths are both chest height: the words would not differ.
    same = replace(segment(12.0, 15.2, ()), left_hand_height=(0.6, 0.8))
    assert hand_level_positions(same) == []
    one_step = replace(same, left_hand_height=(0.8, 0.9))
    assert [p.correction for p in hand_level_positions(one_step)] == [
        "Bring your left hand up to shoulder height."
    ]


def test_one_correction_per_sentence_with_turn_and_hands() -> None:
    busy = replace(
        segment(12.0, 15.2, ()), facing_deg=95.0, left_hand_height=(0.1, 1.0),
        right_hand_height=(2.0, 0.7),
    )  # fmt: skip
    item = next(i for i in template_feedback(report((busy,))) if i.timestamp_s == 12.0)
    for sentence in re.split(r"(?<=[.!])\s+", item.feedback):
        assert len(re.findall(r"\b(Turn|Bring|bring)\b", sentence)) <= 1, sentence
    assert "Turn a quarter turn to your right." in item.feedback
    assert "bring your left hand up to shoulder height." in item.feedback
    assert "bring your right hand down to chest height." in item.feedback


def test_the_llm_gets_hand_levels_in_the_templates_words() -> None:
    low = replace(segment(12.0, 15.2, ()), left_hand_height=(0.7, 2.0))
    request = build_request(report((low,)))
    for level in HAND_LEVELS:
        assert f'"{level.state}"' in request.system
    assert '"correction": "Bring your left hand up above your head."' in request.user
    assert '"student_position": "at chest height"' in request.user
