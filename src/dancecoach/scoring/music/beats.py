"""Beat analysis of a soundtrack: tempo, beat times and which beat is count 1 of an eight.

Pure numpy in, numpy out (librosa for the onset envelope and the beat tracker); no files,
no database. Times are seconds from the video's first frame, like pose timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.compile_lock import first_use

# Analysis grid: librosa's default rate and a 512-sample hop (23 ms), the same as alignment.
SAMPLE_RATE_HZ = 22_050
HOP_SAMPLES = 512
COUNTS_PER_EIGHT = 8
# Dance music sits between these tempi; the tracker's prior is centred on K-pop's ~120 BPM.
_START_BPM = 120.0
# How strictly the tracker keeps an even spacing (librosa's default is 100). Dance tracks keep
# one tempo: at 400 every test song's beat spacing varies by <= 4 % (up to 9 % at 100, where
# the tracker chased syncopations), and the beats still sit on onsets.
_TIGHTNESS = 400.0
# Fewer beats than this (about two eights) cannot place a phrase: the song is treated as
# having no beat, and times are told in seconds.
MIN_BEATS = 16
# Frequencies below this carry the kick drum, which marks strong beats (Hz).
_LOW_BAND_HZ = 150.0
# Accents are read within this window around each beat (seconds): the tracker's beat can sit a
# frame or two off the transient, a dancer's hit a little more.
_ACCENT_WINDOW_S = 0.07
_MOTION_WINDOW_S = 0.12


@dataclass(frozen=True)
class BeatGrid:
    """The beats of a song and their counts.

    tempo_bpm: beats per minute, None without a beat (no sound, or too short to tell).
    times_s: `(beats,)` beat times in seconds, increasing.
    downbeat: index (0..7) of the first beat that is count 1; beats before it are the pickup
        (eight 0, counts 9 - downbeat .. 8).
    """

    tempo_bpm: float | None
    times_s: NDArray[np.float64]
    downbeat: int

    @staticmethod
    def empty() -> BeatGrid:
        return BeatGrid(None, np.zeros(0), 0)

    @property
    def has_beats(self) -> bool:
        return len(self.times_s) > 0

    def counts(self) -> NDArray[np.int64]:
        """`(beats,)` count of each beat, 1..8."""
        index = np.arange(len(self.times_s)) - self.downbeat
        return np.asarray(index % COUNTS_PER_EIGHT + 1, dtype=np.int64)

    def eights(self) -> NDArray[np.int64]:
        """`(beats,)` the eight-count (1-based; 0 for the pickup) each beat belongs to."""
        index = np.arange(len(self.times_s)) - self.downbeat
        return np.asarray(index // COUNTS_PER_EIGHT + 1, dtype=np.int64)

    def shifted(self, beats: int) -> BeatGrid:
        """The same beats with count 1 moved `beats` beats later (negative: earlier)."""
        return BeatGrid(self.tempo_bpm, self.times_s, (self.downbeat + beats) % COUNTS_PER_EIGHT)

    def beat_at(self, time_s: float) -> int | None:
        """Index of the beat sounding at time_s (the last beat at or before it, a half beat
        of grace before the first one); None without beats or past the song's last beat."""
        if not self.has_beats:
            return None
        period = self.period_s
        index = int(np.searchsorted(self.times_s, time_s + 1e-9, side="right")) - 1
        if index < 0:
            return 0 if time_s >= self.times_s[0] - period / 2 else None
        if time_s > self.times_s[-1] + period:
            return None
        return index

    def nearest_beat(self, time_s: float) -> int | None:
        """Index of the beat closest to time_s; None without beats."""
        if not self.has_beats:
            return None
        return int(np.argmin(np.abs(self.times_s - time_s)))

    @property
    def period_s(self) -> float:
        """Seconds between beats (0 without beats)."""
        return _beat_period_s(self.times_s)


def _beat_period_s(times_s: NDArray[np.float64]) -> float:
    """The mean spacing of beats in seconds: the slope of beat time against beat number."""
    if len(times_s) < 2:
        return 0.0
    return float(np.polyfit(np.arange(len(times_s)), times_s, 1)[0])


@dataclass(frozen=True)
class BeatEvidence:
    """What the beat analysis measured, per beat, to choose count 1 (kept for tests/bench).

    music_accent / motion_accent: `(beats,)` standardized accent strengths (0 where absent);
        the music's is onset strength, kick-drum energy and the change of harmony at the beat.
    phase_scores: `(8,)` mean combined accent of beats at each phase of eight.
    """

    music_accent: NDArray[np.float64]
    motion_accent: NDArray[np.float64]
    phase_scores: NDArray[np.float64]


def onset_envelope(samples: NDArray[np.float32], sample_rate_hz: int) -> NDArray[np.float64]:
    """`(frames,)` onset strength (spectral flux) per HOP_SAMPLES hop."""
    import librosa

    envelope = librosa.onset.onset_strength(y=samples, sr=sample_rate_hz, hop_length=HOP_SAMPLES)
    return np.asarray(envelope, dtype=np.float64)


def _low_band_energy(samples: NDArray[np.float32], sample_rate_hz: int) -> NDArray[np.float64]:
    """`(frames,)` energy below _LOW_BAND_HZ per hop (the kick drum), in decibels."""
    import librosa

    spectrum = np.abs(librosa.stft(samples, n_fft=2048, hop_length=HOP_SAMPLES)) ** 2
    frequencies = librosa.fft_frequencies(sr=sample_rate_hz, n_fft=2048)
    low = spectrum[frequencies <= _LOW_BAND_HZ].sum(axis=0)
    return np.asarray(10.0 * np.log10(low + 1e-10), dtype=np.float64)


def _harmonic_change(
    samples: NDArray[np.float32], sample_rate_hz: int, beat_frames: NDArray[np.int64]
) -> NDArray[np.float64]:
    """`(beats,)` how much the harmony changes at each beat: 1 - cosine of the pitch-class
    profiles of the beat before and the beat starting there (chords change on a bar's first
    beat far more often than within it)."""
    import librosa

    chroma = librosa.feature.chroma_stft(y=samples, sr=sample_rate_hz, hop_length=HOP_SAMPLES)
    # Median chroma of each stretch between beat frames: column i + 1 starts at beat i.
    per_beat = librosa.util.sync(chroma, beat_frames.tolist(), aggregate=np.median)
    change = np.zeros(len(beat_frames))
    for i in range(1, min(len(beat_frames), per_beat.shape[1] - 1)):
        before, after = per_beat[:, i], per_beat[:, i + 1]
        norms = float(np.linalg.norm(before) * np.linalg.norm(after))
        change[i] = 1.0 - float(np.dot(before, after)) / norms if norms > 0 else 0.0
    return change


def _standardized(values: NDArray[np.float64]) -> NDArray[np.float64]:
    spread = float(values.std())
    if not np.isfinite(spread) or spread <= 1e-12:
        return np.zeros_like(values)
    return np.asarray((values - values.mean()) / spread, dtype=np.float64)


def _peak_near(
    curve: NDArray[np.float64],
    curve_times_s: NDArray[np.float64],
    at_s: NDArray[np.float64],
    window_s: float,
) -> NDArray[np.float64]:
    """The curve's maximum within ±window_s of each time (NaN where the curve has no sample)."""
    peaks = np.full(len(at_s), np.nan)
    low = np.searchsorted(curve_times_s, at_s - window_s, side="left")
    high = np.searchsorted(curve_times_s, at_s + window_s, side="right")
    for i, (a, b) in enumerate(zip(low, high, strict=True)):
        finite = curve[a:b][np.isfinite(curve[a:b])]
        if len(finite):
            peaks[i] = float(finite.max())
    return peaks


def motion_accents(
    speed: NDArray[np.float64],
    speed_times_s: NDArray[np.float64],
    beat_times_s: NDArray[np.float64],
) -> NDArray[np.float64]:
    """`(beats,)` standardized change of the dancer's speed at each beat.

    A hit is a sharp stop or start on the count: speed changes most around it, whatever the
    move. speed: `(frames,)` body speed (torso lengths per second, NaN without a dancer).
    """
    if len(speed) < 3 or len(beat_times_s) == 0:
        return np.zeros(len(beat_times_s))
    change = np.abs(np.gradient(np.nan_to_num(speed, nan=0.0), speed_times_s))
    change[~np.isfinite(speed)] = np.nan
    near = _peak_near(change, speed_times_s, beat_times_s, _MOTION_WINDOW_S)
    return _standardized(
        np.nan_to_num(near, nan=float(np.nanmean(near)) if np.isfinite(near).any() else 0.0)
    )


def choose_downbeat(accent: NDArray[np.float64]) -> tuple[int, NDArray[np.float64]]:
    """The phase (0..7) whose beats carry the strongest accents, and all eight phase scores.

    Count 1 and count 5 both open a bar, so their accents are alike; count 1 also opens the
    phrase, so the phase is scored by its own beats plus half of the beats four later.
    """
    scores = np.zeros(COUNTS_PER_EIGHT)
    for phase in range(COUNTS_PER_EIGHT):
        own = accent[phase::COUNTS_PER_EIGHT]
        half = accent[(phase + 4) % COUNTS_PER_EIGHT :: COUNTS_PER_EIGHT]
        scores[phase] = (float(own.mean()) if len(own) else 0.0) + 0.5 * (
            float(half.mean()) if len(half) else 0.0
        )
    return int(np.argmax(scores)), scores


def analyse_beats(
    samples: NDArray[np.float32],
    sample_rate_hz: int,
    *,
    motion_speed: NDArray[np.float64] | None = None,
    motion_times_s: NDArray[np.float64] | None = None,
) -> tuple[BeatGrid, BeatEvidence | None]:
    """Tempo, beats and count 1 of a mono soundtrack (samples[0] at the video's first frame).

    motion_speed / motion_times_s: the reference dancer's body speed per pose frame, which
    votes for count 1 together with the music's accents (dancers hit count 1).
    Returns an empty grid (and no evidence) when no steady beat is found.
    """
    # The first analysis in a process compiles librosa's kernels into their shared cache.
    with first_use("librosa", "beats"):
        return _analyse_beats(samples, sample_rate_hz, motion_speed, motion_times_s)


def _analyse_beats(
    samples: NDArray[np.float32],
    sample_rate_hz: int,
    motion_speed: NDArray[np.float64] | None,
    motion_times_s: NDArray[np.float64] | None,
) -> tuple[BeatGrid, BeatEvidence | None]:
    import librosa

    if len(samples) < sample_rate_hz * 2:
        return BeatGrid.empty(), None
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    envelope = onset_envelope(samples, sample_rate_hz)
    tempo, frames = librosa.beat.beat_track(
        onset_envelope=envelope,
        sr=sample_rate_hz,
        hop_length=HOP_SAMPLES,
        start_bpm=_START_BPM,
        tightness=_TIGHTNESS,
        units="frames",
    )
    frames = np.asarray(frames, dtype=np.int64)
    if len(frames) < MIN_BEATS:
        return BeatGrid.empty(), None
    times_s = librosa.frames_to_time(frames, sr=sample_rate_hz, hop_length=HOP_SAMPLES)
    times_s = np.asarray(times_s, dtype=np.float64)
    envelope_times = librosa.times_like(envelope, sr=sample_rate_hz, hop_length=HOP_SAMPLES)
    onset_accent = _standardized(
        np.nan_to_num(_peak_near(envelope, envelope_times, times_s, _ACCENT_WINDOW_S))
    )
    low = _low_band_energy(samples, sample_rate_hz)
    low_times = librosa.times_like(low, sr=sample_rate_hz, hop_length=HOP_SAMPLES)
    low_accent = _standardized(np.nan_to_num(_peak_near(low, low_times, times_s, _ACCENT_WINDOW_S)))
    harmony_accent = _standardized(_harmonic_change(samples, sample_rate_hz, frames))
    music = _standardized(onset_accent + low_accent + harmony_accent)
    motion = np.zeros(len(times_s))
    if motion_speed is not None and motion_times_s is not None:
        motion = motion_accents(motion_speed, motion_times_s, times_s)
    downbeat, scores = choose_downbeat(music + motion)
    bpm = float(np.atleast_1d(tempo)[0])
    # The tracker's tempo is read off a coarse grid of candidate tempi; the beats' own spacing
    # (a line through beat time against beat number: beats sit on 23 ms hops) is finer.
    period = _beat_period_s(times_s)
    if period > 0:
        bpm = 60.0 / period
    grid = BeatGrid(round(bpm, 1), times_s, downbeat)
    return grid, BeatEvidence(music, motion, scores)


def warm_up() -> None:
    """Run the analysis once on a synthetic click track: librosa compiles its kernels (numba)
    on first use, which takes seconds that should not fall on the first upload."""
    rate = SAMPLE_RATE_HZ
    clicks = np.zeros(rate * 3, dtype=np.float32)
    for start in range(0, len(clicks), rate // 2):
        clicks[start : start + 200] = 0.5
    analyse_beats(clicks, rate)
