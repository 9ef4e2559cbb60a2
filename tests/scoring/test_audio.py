"""Soundtracks: decoding with PyAV, and offsets from cross-correlating onsets and chroma."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.scoring.audio import (
    SAMPLE_RATE_HZ,
    Soundtrack,
    audio_features,
    match_soundtracks,
    read_soundtrack,
)
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


def _write_video(path: Path, seconds: float, audio: NDArray[np.float32] | None) -> Path:
    """A small MP4 (grey frames) with an AAC soundtrack when audio is given (PyAV)."""
    with av.open(str(path), "w") as container:
        video = container.add_stream("mpeg4", rate=15)
        video.width, video.height = 64, 48
        video.pix_fmt = "yuv420p"
        sound = None
        if audio is not None:
            sound = container.add_stream("aac", rate=SAMPLE_RATE_HZ)
            sound.layout = "mono"
        for index in range(round(seconds * 15)):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 120, np.uint8), format="rgb24")
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if sound is not None and audio is not None:
            block = 1024
            for start in range(0, len(audio), block):
                chunk = audio[start : start + block][None, :]
                samples = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
                samples.sample_rate = SAMPLE_RATE_HZ
                samples.pts = start
                samples.time_base = Fraction(1, SAMPLE_RATE_HZ)
                container.mux(sound.encode(samples))
            container.mux(sound.encode(None))
    return path


def test_a_known_shift_of_a_song_is_found_to_a_hop() -> None:
    song = _song(20.0, seed=1)
    shift_s = 2.5
    reference = Soundtrack(song, SAMPLE_RATE_HZ)
    # The attempt starts 2.5 s into the song: reference time = attempt time + 2.5.
    attempt = Soundtrack(song[round(shift_s * SAMPLE_RATE_HZ) :], SAMPLE_RATE_HZ)
    match = match_soundtracks(audio_features(reference), audio_features(attempt))
    assert match is not None and match.same_song
    assert abs(match.candidates[0] - shift_s) <= 0.05
    swapped = match_soundtracks(audio_features(attempt), audio_features(reference))
    assert swapped is not None
    assert swapped.candidates[0] == pytest.approx(-match.candidates[0], abs=0.03)


def test_two_different_songs_are_not_the_same_song() -> None:
    first = audio_features(Soundtrack(_song(15.0, seed=1), SAMPLE_RATE_HZ))
    second = audio_features(Soundtrack(_song(15.0, seed=7), SAMPLE_RATE_HZ))
    match = match_soundtracks(first, second)
    assert match is not None and not match.same_song


def test_a_soundtrack_decodes_from_a_video_and_a_silent_one_does_not(tmp_path: Path) -> None:
    song = _song(6.0, seed=3)
    loud = read_soundtrack(_write_video(tmp_path / "loud.mp4", 6.0, song))
    assert loud is not None
    assert loud.duration_s == pytest.approx(6.0, abs=0.15)
    silent = _write_video(tmp_path / "silent.mp4", 6.0, np.zeros_like(song))
    assert read_soundtrack(silent) is None
    assert read_soundtrack(_write_video(tmp_path / "mute.mp4", 6.0, None)) is None


def test_a_corrupt_file_has_no_soundtrack_rather_than_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    assert read_soundtrack(broken) is None


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
        match = match_soundtracks(audio_features(tracks[0]), audio_features(tracks[1]))
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
        match = match_soundtracks(audio_features(tracks[0]), audio_features(tracks[1]))
        assert match is not None and not match.same_song, (first, second, match)
        checked += 1
    assert checked >= 2


@pytest.mark.footage
def test_clips_the_manifest_lists_without_audio_have_no_soundtrack() -> None:
    data = manifest()
    silent = [clip for clip, info in data["clips"].items() if info.get("audio") is False]
    assert silent
    for clip in silent:
        assert read_soundtrack(footage(clip)) is None, clip
