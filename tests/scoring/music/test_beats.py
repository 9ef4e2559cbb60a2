"""Beat analysis: tempo and beats that line up with the music, and count 1 where it is heard."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.estimation.soundtrack import read_soundtrack
from dancecoach.scoring.music.beats import (
    HOP_SAMPLES,
    SAMPLE_RATE_HZ,
    BeatGrid,
    analyse_beats,
    onset_envelope,
)
from tests.footage import footage, manifest


def _clicks(
    bpm: float, seconds: float, loud_every: int = 0, loud_phase: int = 0
) -> NDArray[np.float32]:
    """A click track: a short noise burst on every beat; every `loud_every`-th beat (from
    `loud_phase`) with a low thump under it, like a kick drum on count 1."""
    rng = np.random.default_rng(3)
    t = np.arange(round(seconds * SAMPLE_RATE_HZ)) / SAMPLE_RATE_HZ
    signal = 0.01 * rng.normal(size=len(t))
    period = 60.0 / bpm
    for index, start in enumerate(np.arange(0.25, seconds - 0.1, period)):
        at = (t >= start) & (t < start + 0.01)
        signal[at] += 0.5 * rng.normal(size=int(at.sum()))
        if loud_every and index % loud_every == loud_phase:
            thump = (t >= start) & (t < start + 0.12)
            signal[thump] += 0.8 * np.sin(2 * np.pi * 60.0 * (t[thump] - start))
    return signal.astype(np.float32)


def test_a_steady_click_track_gives_its_tempo_and_beats_on_the_clicks() -> None:
    grid, _ = analyse_beats(_clicks(120.0, 20.0), SAMPLE_RATE_HZ)
    assert grid.tempo_bpm is not None and abs(grid.tempo_bpm - 120.0) <= 2.0
    clicks = np.arange(0.25, 19.9, 0.5)
    errors = [np.min(np.abs(clicks - t)) for t in grid.times_s]
    assert np.median(errors) <= 0.03


@pytest.mark.parametrize("phase", [0, 3, 6])
def test_count_one_falls_on_the_accented_beat(phase: int) -> None:
    grid, _ = analyse_beats(_clicks(120.0, 24.0, loud_every=8, loud_phase=phase), SAMPLE_RATE_HZ)
    accented = 0.25 + 0.5 * np.arange(phase, 48, 8)
    ones = grid.times_s[grid.counts() == 1]
    assert len(ones) >= 3
    assert all(np.min(np.abs(accented - t)) <= 0.05 for t in ones), (ones, accented)


def test_the_dancers_hits_choose_count_one_when_the_music_does_not() -> None:
    samples = _clicks(120.0, 24.0)
    times = np.arange(0, 24.0, 1 / 15)
    beats = 0.25 + 0.5 * np.arange(48)
    hits = beats[5::8]
    # The dancer moves steadily and stops sharply on every hit.
    speed = np.full(len(times), 1.0)
    for hit in hits:
        speed[(times >= hit - 0.2) & (times < hit)] = 2.5
    grid, evidence = analyse_beats(
        samples, SAMPLE_RATE_HZ, motion_speed=speed, motion_times_s=times
    )
    assert evidence is not None
    ones = grid.times_s[grid.counts() == 1]
    assert all(np.min(np.abs(hits - t)) <= 0.05 for t in ones), (ones, hits)


def test_counts_and_eights_follow_count_one_and_a_shift_moves_it_a_beat() -> None:
    grid = BeatGrid(120.0, 0.5 * np.arange(20), downbeat=2)
    assert grid.counts().tolist()[:12] == [7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2]
    assert grid.eights().tolist()[:12] == [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2]
    later = grid.shifted(1)
    assert later.times_s[later.counts() == 1][0] == grid.times_s[grid.counts() == 1][0] + 0.5
    assert grid.shifted(8).downbeat == grid.downbeat


def test_silence_and_a_short_sound_have_no_beats() -> None:
    assert not analyse_beats(np.zeros(SAMPLE_RATE_HZ * 10, np.float32), SAMPLE_RATE_HZ)[0].has_beats
    assert not analyse_beats(_clicks(120.0, 1.5), SAMPLE_RATE_HZ)[0].has_beats


def _clips_with_music() -> list[str]:
    clips = manifest()["clips"]
    return [
        name
        for name, info in clips.items()
        if info.get("audio", True) and float(info.get("duration_s", 0)) >= 10.0
    ]


def _beats_of(path: Path) -> BeatGrid:
    soundtrack = read_soundtrack(path)
    assert soundtrack is not None, path
    return analyse_beats(soundtrack.samples, soundtrack.sample_rate_hz)[0]


@pytest.mark.footage
def test_real_beats_sit_on_the_music_and_keep_a_steady_tempo() -> None:
    checked = 0
    for name in _clips_with_music():
        soundtrack = read_soundtrack(footage(name))
        if soundtrack is None:
            continue
        grid = analyse_beats(soundtrack.samples, soundtrack.sample_rate_hz)[0]
        assert grid.has_beats and grid.tempo_bpm is not None, name
        assert 60.0 <= grid.tempo_bpm <= 200.0, (name, grid.tempo_bpm)
        envelope = onset_envelope(soundtrack.samples, soundtrack.sample_rate_hz)
        frames = np.round(grid.times_s * SAMPLE_RATE_HZ / HOP_SAMPLES).astype(int)
        frames = frames[frames < len(envelope)]
        # Onsets at the beats against the average onset between them (a hop either side of a
        # beat still counts as the beat: beats sit on the 23 ms grid).
        near_beat = np.zeros(len(envelope), dtype=bool)
        for offset in (-1, 0, 1):
            near_beat[np.clip(frames + offset, 0, len(envelope) - 1)] = True
        span = slice(int(frames[0]), int(frames[-1]) + 1)
        on_beat = float(envelope[frames].mean())
        off_beat = float(envelope[span][~near_beat[span]].mean())
        assert on_beat >= 1.5 * off_beat, (name, on_beat, off_beat)
        intervals = np.diff(grid.times_s)
        assert np.std(intervals) <= 0.08 * np.median(intervals), name
        checked += 1
    assert checked >= 5


def _reencode_audio(source: Path, destination: Path) -> Path:
    """The source's sound re-encoded (Opus at 64 kbit/s, 48 kHz) beside a still picture."""
    soundtrack = read_soundtrack(source)
    assert soundtrack is not None
    with av.open(str(destination), "w") as container:
        video = container.add_stream("libvpx", rate=5)
        video.width, video.height = 64, 48
        video.pix_fmt = "yuv420p"
        sound = container.add_stream("libopus", rate=48_000)
        sound.layout = "mono"
        sound.bit_rate = 64_000
        for index in range(round(soundtrack.duration_s * 5)):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 90, np.uint8), format="rgb24")
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48_000)
        block = 1024
        for start in range(0, len(soundtrack.samples), block):
            chunk = soundtrack.samples[start : start + block][None, :]
            sound_frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            sound_frame.sample_rate = SAMPLE_RATE_HZ
            sound_frame.pts = start
            sound_frame.time_base = Fraction(1, SAMPLE_RATE_HZ)
            for out in resampler.resample(sound_frame):
                container.mux(sound.encode(out))
        for out in resampler.resample(None):
            container.mux(sound.encode(out))
        container.mux(sound.encode(None))
    return destination


@pytest.mark.footage
def test_a_reencoded_copy_has_the_same_beats_within_30_ms(tmp_path: Path) -> None:
    for name in _clips_with_music()[:3]:
        original = _beats_of(footage(name))
        copy = _beats_of(_reencode_audio(footage(name), tmp_path / "copy.webm"))
        assert copy.has_beats, name
        # Every beat of the original found in the copy, except perhaps one at either end.
        differences = np.array([np.min(np.abs(copy.times_s - t)) for t in original.times_s])
        assert np.mean(differences <= 0.030) >= 0.9, (name, differences)
        assert np.median(differences) <= 0.030, name
        ones = original.times_s[original.counts() == 1]
        copy_ones = copy.times_s[copy.counts() == 1]
        assert all(np.min(np.abs(copy_ones - t)) <= 0.030 for t in ones[1:-1]), name
