"""Phrases: suggested sections of whole eight-counts."""

from __future__ import annotations

import itertools

import numpy as np

from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.scoring.music.phrases import phrases


def test_a_song_is_cut_into_two_eights_starting_on_count_one() -> None:
    # 120 BPM from 0.3 s; count 1 on the third beat (1.3 s); 44 beats = 5 eights and a quarter.
    grid = BeatGrid(120.0, 0.3 + 0.5 * np.arange(44), downbeat=2)
    cut = phrases(grid, duration_s=22.5)
    assert [p.title for p in cut] == ["Eights 1-2", "Eights 3-4", "Eights 5-6"]
    assert cut[0].start_s == 0.0 and cut[-1].end_s == 22.5
    ones = grid.times_s[grid.counts() == 1]
    # Every later phrase starts on a count 1, two eights (16 beats, 8 s) after the one before.
    assert [p.start_s for p in cut[1:]] == [round(float(t), 3) for t in ones[2::2]]
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(cut))
    assert [p.title for p in phrases(grid, 22.5, eights_per_phrase=4)] == [
        "Eights 1-4",
        "Eights 5-6",
    ]


def test_a_stub_at_the_end_joins_the_phrase_before_and_no_beats_means_no_phrases() -> None:
    grid = BeatGrid(120.0, 0.5 * np.arange(34), downbeat=0)  # 4 eights and two beats
    cut = phrases(grid, duration_s=17.2)
    assert [p.title for p in cut] == ["Eights 1-2", "Eights 3-5"]
    assert cut[-1].end_s == 17.2
    assert phrases(BeatGrid.empty(), 20.0) == []
