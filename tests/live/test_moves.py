"""A grade for every move, live: moves pooled frame by frame and graded as the dance leaves them."""

from __future__ import annotations

import numpy as np
import pytest

from dancecoach.live.moves import END_GRACE_S, MoveGrader, live_moves
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.alignment import reference_pose_at
from dancecoach.scoring.judgement import gain_from_score, grade_of
from dancecoach.scoring.live_judgement import LiveJudge, LiveWindow
from dancecoach.scoring.moments import Section, find_moves
from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.scoring.performance import score_performance
from tests.perturbations import holding_one_pose
from tests.synthetic import routine, sequence

FPS = 10.0  # the web page's frame clock


def _grid(period_s: float, duration_s: float, downbeat: int = 0) -> BeatGrid:
    """A steady beat from 0 s (count 1 on beat `downbeat`)."""
    return BeatGrid(60.0 / period_s, np.arange(0.0, duration_s, period_s), downbeat)


def test_with_beats_every_eight_is_a_move_and_the_pickup_is_not() -> None:
    reference = sequence(routine(12.0))
    moves = live_moves(reference, _grid(0.5, 12.0, downbeat=2))  # count 1 at 1.0 s, 5.0, 9.0
    assert [(round(m.start_s, 3), round(m.end_s, 3), eight) for m, eight in moves] == [
        (1.0, 5.0, 1),
        (5.0, 9.0, 2),
        (9.0, 12.0, 3),
    ]
    assert moves[0][0].title == "First eight"


def test_without_beats_the_moves_are_the_ones_the_scorer_finds() -> None:
    reference = sequence(routine(12.0))
    moves = live_moves(reference, BeatGrid.empty())
    assert [m for m, _ in moves] == find_moves(reference)
    assert all(eight is None for _, eight in moves)


def test_a_move_is_graded_on_the_one_scale_when_the_dance_leaves_it() -> None:
    reference = sequence(routine(12.0))
    grader = MoveGrader(live_moves(reference, _grid(0.5, 12.0)))  # eights at 0, 4, 8 s
    gain = gain_from_score(80.0)  # a Great, by the scale's own inverse
    times = [i / FPS for i in range(40)]  # the first eight
    graded = [grader.add(time_s, gain, 1.0) for time_s in times]
    # Graded as it ends: at its first frame within END_GRACE_S of its end, and only then.
    ending = next(i for i, t in enumerate(times) if t >= 4.0 - END_GRACE_S)
    assert graded[:ending] == [None] * ending, "nothing is graded while the move goes on"
    assert graded[ending + 1 :] == [None] * (len(times) - ending - 1), "each move once"
    finished = graded[ending]
    assert finished is not None
    assert finished.score == pytest.approx(80.0, abs=0.1)
    assert finished.grade == grade_of(80.0) == "Great"
    assert (finished.eight, finished.start_s, finished.end_s) == (1, 0.0, 4.0)


def test_a_move_barely_danced_or_unseen_gets_no_grade() -> None:
    reference = sequence(routine(12.0))
    grader = MoveGrader(live_moves(reference, _grid(0.5, 12.0)))
    # Started at 3.0 s: a quarter of the first eight.
    assert all(grader.add(3.0 + i / FPS, 0.9, 1.0) is None for i in range(10))
    # The second eight danced out of sight: frames without a person carry no agreement.
    assert all(grader.add(4.0 + i / FPS, None, None) is None for i in range(40))
    assert grader.add(8.0, 0.9, 1.0) is None


def test_a_loop_grades_the_move_it_cut_short_when_enough_of_it_was_danced() -> None:
    reference = sequence(routine(12.0))
    grader = MoveGrader(live_moves(reference, _grid(0.5, 12.0)))
    for i in range(30):  # 0.0-2.9 s of the first eight: three quarters
        grader.add(i / FPS, gain_from_score(50.0), 1.0)
    cut = grader.restart()
    assert cut is not None and cut.grade == "OK"
    assert grader.restart() is None, "each move once"


def test_a_synthetic_session_gets_the_grades_it_danced() -> None:
    """Through the real live judge: the first eight danced as the reference, the second
    holding one pose, the third danced again. Perfect, Miss, Perfect."""
    reference = sequence(routine(12.0, period_s=2.5))
    held = holding_one_pose(reference)
    judge, window = LiveJudge(reference), LiveWindow()
    grader = MoveGrader(live_moves(reference, _grid(0.5, 12.0)))
    grades = []
    for i in range(round(11.9 * FPS)):
        time_s = i / FPS
        source = held if 4.0 <= time_s < 8.0 else reference
        pose = reference_pose_at(source, time_s)
        assert pose is not None
        verdict = judge.judge(pose, reference.aspect_ratio, time_s, window)
        move = grader.add(time_s, verdict.above, verdict.room)
        if move is not None:
            grades.append((move.eight, move.grade))
    # The last eight, ending with the reference, was graded in its last moments.
    assert grader.restart() is None
    assert grades == [(1, "Perfect"), (2, "Miss"), (3, "Perfect")]


def test_the_review_grades_the_same_moves_as_the_live_popups() -> None:
    """With beats, a recorded section's moves are the eight-counts graded live, whatever named
    sections the reference has: one move, one grade, in practice and in the review."""
    reference = sequence(routine(12.0, period_s=2.5))
    held = holding_one_pose(reference)
    grid = _grid(0.5, 12.0)
    times = np.arange(0.0, 11.9, 1.0 / FPS)
    poses = []
    for time_s in times:
        pose = reference_pose_at(held if 4.0 <= time_s < 8.0 else reference, float(time_s))
        assert pose is not None
        poses.append(pose)
    attempt = PoseSequence(np.stack(poses), times, reference.frame_size, FPS)
    named = [Section("Whole routine", 0.0, 12.0)]
    report = score_performance(
        reference, attempt, mirror=False, alignment="timestamp", sections=named, beats=grid
    )
    live = live_moves(reference, grid)
    assert [(m.label, m.start_s, m.end_s) for m in report.moves] == [
        (move.title, move.start_s, move.end_s) for move, _ in live
    ]
    assert [m.grade for m in report.moves] == ["Perfect", "Miss", "Perfect"]
    # Without beats the named sections are the moves, as before.
    unbeaten = score_performance(
        reference, attempt, mirror=False, alignment="timestamp", sections=named
    )
    assert [m.label for m in unbeaten.moves] == ["Whole routine"]
