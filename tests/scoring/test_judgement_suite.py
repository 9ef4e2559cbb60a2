"""The judgement's response to perturbations with known answers, on a real dancer's poses.

The dancer is taken from the manifest (a same-choreography clip with one full-body person), her
pose sequence is changed in a known way, and the changed copy is judged against the original
as `compare` would judge two recordings without a shared song (pose alignment).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dancecoach.library.pose_cache import load_or_extract
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.judgement import GRADE_BANDS, grade_of
from dancecoach.scoring.matching import match_performance
from dancecoach.scoring.performance import score_performance, summarize
from tests import shared_poses
from tests.footage import footage, manifest
from tests.perturbations import at_tempo, holding_one_pose, jittered, rotate_limb, start_later

pytestmark = [pytest.mark.footage, pytest.mark.slow]

PERFECT_FROM = dict(GRADE_BANDS)["Perfect"]


@pytest.fixture(scope="module")
def dancer() -> PoseSequence:
    data = manifest()
    clips = data["clips"]
    chosen = next(
        pair["reference"]
        for pair in data["pairs"]
        if pair["relation"] == "same_choreography"
        and clips[pair["reference"]]["full_body"]
        and clips[pair["reference"]]["people"] == 1
    )
    return load_or_extract(footage(chosen), shared_poses.settings())


def _judge(reference: PoseSequence, attempt: PoseSequence) -> float:
    return score_performance(reference, attempt, mirror=None, alignment="search").overall_score


def test_a_turned_limb_costs_more_the_further_it_turns_and_is_named(dancer: PoseSequence) -> None:
    middle = float(dancer.timestamps_s[len(dancer) // 2])
    start, end = middle - 1.0, middle + 1.0
    overall, stretch = [], []
    for degrees in (10, 20, 40, 80):
        attempt = rotate_limb(dancer, "left_arm", degrees, start, end)
        matched = match_performance(dancer, attempt, mirror=None, alignment="search")
        inside = (matched.reference_times_s >= start) & (matched.reference_times_s < end)
        overall.append(matched.overall_score)
        stretch.append(matched.score(inside))
        report = summarize(dancer, matched)
        if degrees >= 40:
            named = [
                s
                for s in report.problem_segments
                if s.start_s < end and s.end_s > start and s.body_parts[:1] == ("left_arm",)
            ]
            assert named, (degrees, report.problem_segments)
    assert overall == sorted(overall, reverse=True), overall
    assert stretch[1] > stretch[2] > stretch[3], stretch
    # Within style tolerance at 10 degrees; a limb far off costs its stretch well beyond what
    # landmark jitter does (< 3 points, below).
    assert stretch[0] >= 95, stretch
    assert stretch[-1] <= stretch[0] - 6, stretch


@pytest.mark.parametrize("shift_s", [0.2, 0.5, 1.0])
def test_a_later_start_is_an_offset_not_a_worse_dance(dancer: PoseSequence, shift_s: float) -> None:
    report = score_performance(
        dancer, start_later(dancer, shift_s), mirror=None, alignment="search"
    )
    assert report.alignment.source == "pose"
    assert abs(report.offset_s - shift_s) <= 0.1, report.offset_s
    assert report.overall_score >= _judge(dancer, dancer) - 5


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_another_tempo_is_absorbed(dancer: PoseSequence, factor: float) -> None:
    report = score_performance(dancer, at_tempo(dancer, factor), mirror=None, alignment="search")
    assert report.overall_score >= PERFECT_FROM, report.overall_score
    assert report.alignment.tempo_ratio == pytest.approx(factor, abs=0.03)


def test_jpeg_level_jitter_moves_the_score_less_than_3_points(dancer: PoseSequence) -> None:
    assert abs(_judge(dancer, jittered(dancer)) - _judge(dancer, dancer)) < 3


def test_a_mirrored_copy_is_detected_and_scores_like_the_original(dancer: PoseSequence) -> None:
    flipped = dancer.mirrored()
    for reference, attempt in ((dancer, flipped), (flipped, dancer)):
        report = score_performance(reference, attempt, mirror=None, alignment="search")
        assert report.mirrored
        assert report.overall_score >= _judge(dancer, dancer) - 5


def test_holding_one_pose_while_the_dancer_dances_is_a_miss(dancer: PoseSequence) -> None:
    report = score_performance(dancer, holding_one_pose(dancer), mirror=None, alignment="search")
    assert report.grade == "Miss", report.overall_score
    assert grade_of(report.overall_score) == "Miss"
    # Only the move the held pose comes from may look better than a Miss.
    assert sum(move.grade != "Miss" for move in report.moves) <= 1, report.moves


def test_reports_name_their_alignment(dancer: PoseSequence, tmp_path: Path) -> None:
    report = score_performance(dancer, dancer, mirror=False, alignment="timestamp")
    assert report.alignment.source == "timestamp"
    assert report.alignment.same_song is False
    assert report.overall_score == 100.0
    assert report.grade == "Perfect"
    assert report.moves and all(move.grade == "Perfect" for move in report.moves)
