"""Times in counts: which eight and counts a stretch falls on, and the words for it."""

from __future__ import annotations

import numpy as np

from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.scoring.music.counts import count_span, counts_words, ordinal, when_words
from dancecoach.scoring.music.placement import with_counts
from dancecoach.scoring.results import ProblemSegment
from tests.coaching.reports import LEFT_ELBOW, typical_report
from tests.coaching.reports import report as make_report

# 120 BPM from 0.0 s; count 1 on the first beat: eight n starts at 4 * (n - 1) seconds.
GRID = BeatGrid(120.0, 0.5 * np.arange(64), downbeat=0)


def test_a_stretch_is_named_by_its_eight_and_counts() -> None:
    # Third eight starts at 8.0 s; its count 5 is at 10.0 s and count 6 at 10.5 s.
    span = count_span(GRID, 10.0, 11.0)
    assert span is not None and (span.eight, span.first, span.last) == (3, 5, 6)
    assert counts_words(span) == "third eight, counts 5-6"
    assert when_words(span, 10.0, 11.0) == "the third eight, counts 5-6 (0:10-0:11)"
    # Inside one beat: one count.
    one = count_span(GRID, 10.1, 10.4)
    assert one is not None and counts_words(one) == "third eight, count 5"


def test_a_stretch_across_two_eights_and_the_pickup() -> None:
    across = count_span(GRID, 7.0, 9.0)
    assert across is not None and (across.eight, across.first, across.last) == (2, 7, 2)
    assert counts_words(across) == "second eight, count 7 into count 2 of the next"
    pickup_grid = BeatGrid(120.0, 0.5 * np.arange(40), downbeat=6)  # count 1 at 3.0 s
    pickup = count_span(pickup_grid, 2.0, 2.9)
    assert pickup is not None and counts_words(pickup) == "pickup, counts 7-8"


def test_without_beats_or_outside_the_song_times_stay_in_seconds() -> None:
    assert count_span(BeatGrid.empty(), 1.0, 2.0) is None
    assert when_words(None, 8.2, 9.4) == "0:08-0:09"
    assert count_span(GRID, 40.0, 41.0) is None  # the song ended at 31.5 s
    assert ordinal(3) == "third" and ordinal(21) == "21st" and ordinal(112) == "112th"


def _segment(start_s: float, end_s: float) -> ProblemSegment:
    return ProblemSegment(
        start_s=start_s,
        end_s=end_s,
        attempt_start_s=start_s,
        attempt_end_s=end_s,
        score=30.0,
        body_parts=("left_arm",),
        errors=(),
        lag_ms=0.0,
        title="Left arm at 0:10",
    )


def test_problem_segments_get_the_counts_of_their_times() -> None:
    report = make_report((_segment(10.0, 11.0), _segment(20.2, 21.0)))
    placed = with_counts(report, GRID)
    first, second = placed.problem_segments
    assert (first.eight, first.counts) == (3, (5, 6))
    assert first.title == "Left arm at the third eight, counts 5-6"
    # 20.2 s is in the sixth eight (20.0-24.0 s), on count 1.
    assert (second.eight, second.counts) == (6, (1, 2))
    assert with_counts(report, BeatGrid.empty()) == report


def test_template_coaching_and_its_title_name_the_count_and_the_seconds() -> None:
    from dancecoach.coaching.templates import template_feedback

    placed = with_counts(typical_report(), GRID)
    items = template_feedback(placed)
    # typical_report's first segment: 12.0-15.2 s = the fourth eight, counts 1-7.
    elbow = next(item for item in items if "left arm" in item.title.lower())
    assert "fourth eight, counts 1-7" in elbow.title
    assert "the fourth eight, counts 1-7 (0:12-0:15)" in elbow.feedback
    unplaced = template_feedback(typical_report())
    assert not any("eight" in item.feedback + item.title for item in unplaced)
    assert LEFT_ELBOW.body_part in elbow.body_parts


def test_the_llm_prompt_gives_the_counts_beside_the_seconds() -> None:
    import json

    from dancecoach.coaching.prompt import build_request

    request = build_request(with_counts(typical_report(), GRID))
    facts = json.loads(request.user.split("\n", 1)[1])
    segment = facts["problem_segments"][0]
    assert segment["counts"] == "the fourth eight, counts 1-7 (0:12-0:15)"
    assert segment["start_s"] == 12.0
    plain = json.loads(build_request(typical_report()).user.split("\n", 1)[1])
    assert plain["problem_segments"][0]["counts"] is None
