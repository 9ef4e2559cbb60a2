"""Soundtrack matching: offsets from cross-correlating onsets and chroma of decoded samples."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.estimation.soundtrack import SAMPLE_RATE_HZ, Soundtrack, read_soundtrack
from dancecoach.scoring.audio import AudioFeatures, audio_features, match_soundtracks
from tests.footage import footage, manifest


def _song(seconds: float, seed: int) -> NDArray[np.float32]:
    """A synthetic song: a chord progression with a kick on every beat (120 BPM)."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * SAMPLE_RATE_HZ)) / SAMPLE_RATE_HZ
    signal = np.zeros_like(t)
    notes = rng.choice([220.0, 246.9, 261.6, 293.7, 329.6, 349.2, 392.0], size=int(seconds) + 1)
    for second, note in enumerate(notes):
        inside = (t >= second) & (t < second + 1)
        for harmonic in (1.0, 1.5, 2.0):
            signal[inside] += np.sin(2 * np.pi * note * harmonic * t[inside]) / harmonic
    beat = (t % 0.5) < 0.03
    signal += beat * rng.normal(0, 1.5, len(t))
    return (0.2 * signal).astype(np.float32)


def _features(track: Soundtrack) -> AudioFeatures:
    return audio_features(track.samples, track.sample_rate_hz)


def test_a_known_shift_of_a_song_is_found_to_a_hop() -> None:
    song = _song(20.0, seed=1)
    shift_s = 2.5
    reference = audio_features(song, SAMPLE_RATE_HZ)
    # The attempt starts 2.5 s into the song: reference time = attempt time + 2.5.
    attempt = audio_features(song[round(shift_s * SAMPLE_RATE_HZ) :], SAMPLE_RATE_HZ)
    match = match_soundtracks(reference, attempt)
    assert match is not None and match.same_song
    assert abs(match.candidates[0] - shift_s) <= 0.05
    swapped = match_soundtracks(attempt, reference)
    assert swapped is not None
    assert swapped.candidates[0] == pytest.approx(-match.candidates[0], abs=0.03)


def test_two_different_songs_are_not_the_same_song() -> None:
    first = audio_features(_song(15.0, seed=1), SAMPLE_RATE_HZ)
    second = audio_features(_song(15.0, seed=7), SAMPLE_RATE_HZ)
    match = match_soundtracks(first, second)
    assert match is not None and not match.same_song


@pytest.mark.footage
def test_real_pairs_sharing_a_song_line_up_within_a_tenth_of_a_second() -> None:
    data = manifest()
    clips = data["clips"]
    checked = 0
    for pair in data["pairs"]:
        reference, attempt = pair["reference"], pair["attempt"]
        if pair.get("offset_s") is None or not (
            clips[reference].get("audio", True) and clips[attempt].get("audio", True)
        ):
            continue
        tracks = [read_soundtrack(footage(clip)) for clip in (reference, attempt)]
        assert tracks[0] is not None and tracks[1] is not None, pair
        match = match_soundtracks(_features(tracks[0]), _features(tracks[1]))
        assert match is not None and match.same_song, pair
        assert abs(match.candidates[0] - pair["offset_s"]) <= 0.1, (pair, match)
        checked += 1
    assert checked >= 3


@pytest.mark.footage
def test_real_unrelated_songs_are_told_apart() -> None:
    data = manifest()
    checked = 0
    for first, second in data["unrelated_examples"]:
        tracks = [read_soundtrack(footage(clip)) for clip in (first, second)]
        if tracks[0] is None or tracks[1] is None:
            continue  # a clip without sound: nothing to tell apart
        match = match_soundtracks(_features(tracks[0]), _features(tracks[1]))
        assert match is not None and not match.same_song, (first, second, match)
        checked += 1
    assert checked >= 2
