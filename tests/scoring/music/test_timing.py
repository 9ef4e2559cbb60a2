"""Timing against the beat: how early or late the learner hit the reference's accents."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.scoring.music.timing import accent_beats, accent_timings, accent_words, worst_accent
from dancecoach.scoring.performance import score_performance
from dancecoach.scoring.results import AccentTiming
from dancecoach.scoring.timing import ON_TIME_MS
from tests.synthetic import routine, sequence

# 120 BPM from 0.0 s, count 1 on the first beat.
GRID = BeatGrid(120.0, 0.5 * np.arange(40), downbeat=0)


def test_the_beats_where_the_dancer_hits_are_the_accents() -> None:
    times = np.arange(0, 16.0, 1 / 15)
    speed = np.full(len(times), 1.0)
    hits = [4, 12, 20, 28]  # count 5 of each eight
    for beat in hits:
        speed[(times >= GRID.times_s[beat] - 0.2) & (times < GRID.times_s[beat])] = 3.0
    assert accent_beats(GRID, speed, times).tolist() == hits


def test_a_learner_late_on_a_hit_is_told_the_count_and_the_milliseconds() -> None:
    times = np.arange(0, 16.0, 1 / 15)
    lags = np.full(len(times), -0.12)  # the warp's lag: negative is late
    timings = accent_timings(GRID, np.array([20]), times, lags, np.ones(len(times), bool))
    assert timings == (AccentTiming(10.0, 3, 5, 120.0),)
    assert accent_words(timings[0]) == "you hit count 5 of the third eight about 120 ms late"
    on_time = AccentTiming(10.0, 3, 5, ON_TIME_MS - 1)
    assert accent_words(on_time) == "you hit count 5 of the third eight on time"
    assert worst_accent((on_time, timings[0])) == timings[0]
    assert worst_accent((on_time,)) is None


def _danced_late(reference: PoseSequence, seconds: float) -> PoseSequence:
    """The same dance, every move `seconds` after the reference (live dance-time stamps)."""
    return dataclasses.replace(reference, timestamps_s=reference.timestamps_s + seconds)


@pytest.mark.parametrize("late_s", [0.25, -0.25])
def test_a_whole_performance_late_or_early_is_measured_on_every_hit(late_s: float) -> None:
    reference = sequence(routine(16.0, period_s=2.0))
    report = score_performance(
        reference, _danced_late(reference, late_s), mirror=False, alignment="timestamp", beats=GRID
    )
    assert report.accents
    for accent in report.accents:
        assert abs(accent.lag_ms - late_s * 1000) <= 70, accent
    in_time = score_performance(
        reference, reference, mirror=False, alignment="timestamp", beats=GRID
    )
    assert in_time.accents and all(abs(a.lag_ms) <= ON_TIME_MS for a in in_time.accents)
    # Without beats nothing is measured on counts, and the rest of the report is the same.
    plain = score_performance(reference, reference, mirror=False, alignment="timestamp")
    assert plain.accents == () and plain.overall_score == in_time.overall_score


def test_template_timing_coaching_names_the_hit_furthest_off_the_count() -> None:
    from dancecoach.coaching.templates import template_feedback
    from tests.coaching.reports import report

    accents = (AccentTiming(10.0, 3, 5, 320.0), AccentTiming(12.0, 4, 1, 150.0))
    late = dataclasses.replace(report(lag_ms=260.0), accents=accents)
    timing = next(item for item in template_feedback(late) if item.title.startswith("Timing"))
    assert "you hit count 5 of the third eight about 320 ms late" in timing.feedback
    assert timing.timestamp_s == 10.0
    without = next(
        item for item in template_feedback(report(lag_ms=260.0)) if item.title.startswith("Timing")
    )
    assert "count" not in without.feedback.replace("Count", "").split(".")[0]
