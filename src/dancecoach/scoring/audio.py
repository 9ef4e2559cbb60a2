"""Soundtrack matching: onset and chroma features of decoded samples, and the offsets at which
two recordings' music lines up.

Samples in, numbers out: decoding a video's sound is estimation/soundtrack.py's job. Times are
seconds from the video's first frame (the clock the pose timestamps use), so an audio offset is
directly a pose offset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.compile_lock import first_use

# Analysis hop: at the decoding rate (22.05 kHz, librosa's default) 512 samples are 23 ms, ten
# times finer than the 0.3 s an offset must be within.
HOP_SAMPLES = 512


@dataclass(frozen=True)
class AudioFeatures:
    """Per-hop features of a soundtrack, `frames` hops of HOP_SAMPLES each.

    onset: `(frames,)` onset strength (spectral flux), standardized (mean 0, std 1).
    chroma: `(12, frames)` pitch-class energy, each frame centred and scaled to unit length.
    hop_s: seconds per frame.
    """

    onset: NDArray[np.float64]
    chroma: NDArray[np.float64]
    hop_s: float


def audio_features(samples: NDArray[np.float32], sample_rate_hz: int) -> AudioFeatures:
    """Onset strength and chroma (librosa) of a mono soundtrack, for cross-correlation.

    samples: `(n,)` mono samples, samples[0] at the video's first frame; sample_rate_hz: their
    rate in Hz.
    """
    import librosa

    mono = np.ascontiguousarray(samples, dtype=np.float32)
    # The first call in a process may compile librosa's kernels into their shared cache.
    with first_use("librosa", "audio_features"):
        onset = librosa.onset.onset_strength(y=mono, sr=sample_rate_hz, hop_length=HOP_SAMPLES)
        chroma = librosa.feature.chroma_stft(y=mono, sr=sample_rate_hz, hop_length=HOP_SAMPLES)
    frames = min(len(onset), chroma.shape[1])
    onset = np.asarray(onset[:frames], dtype=np.float64)
    spread = onset.std()
    onset = (onset - onset.mean()) / spread if spread > 0 else np.zeros_like(onset)
    chroma = np.asarray(chroma[:, :frames], dtype=np.float64)
    chroma = chroma - chroma.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(chroma, axis=0, keepdims=True)
    chroma = np.where(norms > 0, chroma / np.where(norms > 0, norms, 1.0), 0.0)
    return AudioFeatures(onset, chroma, HOP_SAMPLES / sample_rate_hz)


# Two recordings share a song when, at the best shift, their chroma agree this well (mean
# cosine of centred pitch-class frames). Measured on the shared clips: the same song 0.80-1.00,
# different songs <= 0.11, so the threshold sits in a wide gap rather than on a fitted edge.
SAME_SONG_MIN_CHROMA = 0.5
# Shorter overlaps than this say too little to call a song the same.
_MIN_SONG_OVERLAP_S = 4.0
_MIN_OVERLAP_FRACTION = 0.5
# Choruses repeat: other peaks this close to the best one stay candidates (pose agreement then
# chooses), when they are at least this far from each other.
_CANDIDATE_MARGIN = 0.1
_CANDIDATE_SEPARATION_S = 1.0
_MAX_CANDIDATES = 3


@dataclass(frozen=True)
class SongMatch:
    """How two soundtracks line up: reference time = attempt time + offset.

    candidates: offsets in seconds, best first (several where a repeated chorus fits too).
    confidence: 0..1, the cross-correlation of onsets and chroma at the best offset.
    same_song: whether the two recordings play the same music.
    """

    candidates: tuple[float, ...]
    confidence: float
    same_song: bool

    def swapped(self) -> SongMatch:
        """The same match seen from the other video: offsets negate."""
        return SongMatch(tuple(-c for c in self.candidates), self.confidence, self.same_song)


def _overlap_lags(reference_frames: int, attempt_frames: int, min_overlap: int) -> NDArray[np.intp]:
    """Lags (reference frame = attempt frame + lag) whose overlap is at least min_overlap."""
    return np.arange(-(attempt_frames - min_overlap), reference_frames - min_overlap + 1)


def _overlap_bounds(
    lags: NDArray[np.intp], reference_frames: int, attempt_frames: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Attempt frame range [low, high) that overlaps the reference at each lag."""
    low = np.maximum(0, -lags)
    high = np.minimum(attempt_frames, reference_frames - lags)
    return low, high


def _cross(reference: NDArray[np.float64], attempt: NDArray[np.float64]) -> NDArray[np.float64]:
    """sum_t reference[t + lag] * attempt[t] for every lag, index lag + len(attempt) - 1."""
    from scipy.signal import correlate

    correlation: NDArray[np.float64] = correlate(reference, attempt, mode="full", method="fft")
    return correlation


def _onset_correlation(
    reference: NDArray[np.float64], attempt: NDArray[np.float64], lags: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Pearson correlation of the onset envelopes over each lag's overlap."""
    low, high = _overlap_bounds(lags, len(reference), len(attempt))
    count = (high - low).astype(np.float64)
    cross = _cross(reference, attempt)[lags + len(attempt) - 1]

    def window_sums(
        values: NDArray[np.float64], start: NDArray[np.intp], end: NDArray[np.intp]
    ) -> NDArray[np.float64]:
        cumulative = np.concatenate([[0.0], np.cumsum(values)])
        return np.asarray(cumulative[end] - cumulative[start], dtype=np.float64)

    sum_a = window_sums(attempt, low, high)
    sum_a2 = window_sums(attempt**2, low, high)
    sum_r = window_sums(reference, low + lags, high + lags)
    sum_r2 = window_sums(reference**2, low + lags, high + lags)
    covariance = cross - sum_a * sum_r / count
    variance = (sum_a2 - sum_a**2 / count) * (sum_r2 - sum_r**2 / count)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(variance > 0, covariance / np.sqrt(np.maximum(variance, 1e-12)), 0.0)


def _chroma_agreement(
    reference: NDArray[np.float64], attempt: NDArray[np.float64], lags: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Mean cosine of the (unit, centred) chroma frames over each lag's overlap."""
    low, high = _overlap_bounds(lags, reference.shape[1], attempt.shape[1])
    total = np.zeros(len(lags))
    for pitch in range(reference.shape[0]):
        total += _cross(reference[pitch], attempt[pitch])[lags + attempt.shape[1] - 1]
    return np.asarray(total / np.maximum(high - low, 1))


def match_soundtracks(reference: AudioFeatures, attempt: AudioFeatures) -> SongMatch | None:
    """Offsets at which the attempt's soundtrack lines up with the reference's.

    None when the recordings overlap too little to tell (either shorter than a few seconds).
    """
    reference_frames, attempt_frames = len(reference.onset), len(attempt.onset)
    shorter = min(reference_frames, attempt_frames)
    min_overlap = max(
        round(_MIN_SONG_OVERLAP_S / reference.hop_s), round(_MIN_OVERLAP_FRACTION * shorter)
    )
    if shorter < min_overlap:
        return None
    lags = _overlap_lags(reference_frames, attempt_frames, min_overlap)
    onset = _onset_correlation(reference.onset, attempt.onset, lags)
    chroma = _chroma_agreement(reference.chroma, attempt.chroma, lags)
    strength = (onset + chroma) / 2.0
    best = int(np.argmax(strength))
    same_song = bool(chroma[best] >= SAME_SONG_MIN_CHROMA)
    # Local maxima near the best peak's strength, strongest first, kept apart.
    is_peak = (
        np.r_[True, strength[1:] >= strength[:-1]] & np.r_[strength[:-1] >= strength[1:], True]
    )
    order = [int(i) for i in np.argsort(-strength) if is_peak[i]]
    chosen: list[int] = []
    separation = _CANDIDATE_SEPARATION_S / reference.hop_s
    for index in order:
        if strength[index] < strength[best] - _CANDIDATE_MARGIN or len(chosen) >= _MAX_CANDIDATES:
            break
        if all(abs(index - other) >= separation for other in chosen):
            chosen.append(index)
    offsets = tuple(float(lags[i] * reference.hop_s) for i in chosen)
    return SongMatch(offsets, float(np.clip(strength[best], 0.0, 1.0)), same_song)
