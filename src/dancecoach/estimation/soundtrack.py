"""Reading a video's soundtrack: its first audio stream decoded (PyAV) to mono float samples.

Sample 0 plays at the video's first frame (the clock the pose timestamps use), so times in the
samples are times of the poses. A video without sound, with a silent track or with a track
that fails to decode has no soundtrack (None): alignment then falls back to the poses and the
music has no beats.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

_log = logging.getLogger(__name__)

# The rate the sound is resampled to: librosa's default, which its analysis (onsets, chroma,
# beats: scoring/) is tuned for; a 512-sample hop at this rate is 23 ms.
SAMPLE_RATE_HZ = 22_050
# Peak amplitude below which a track counts as silent (about -60 dBFS).
_SILENCE_PEAK = 1e-3


@dataclass(frozen=True)
class Soundtrack:
    """Mono samples at SAMPLE_RATE_HZ; samples[0] plays at the video's first frame."""

    samples: NDArray[np.float32]
    sample_rate_hz: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate_hz


def read_soundtrack(path: Path, *, max_seconds: float | None = None) -> Soundtrack | None:
    """The first audio stream of a video, resampled to mono; None without usable sound.

    A missing, corrupt or undecodable file is None too (logged), never an error: a comparison
    must not fail because of its sound.
    """
    import av  # imported here: only offline comparison and beat analysis need it

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                return None
            stream = container.streams.audio[0]
            video_start_s = 0.0
            if container.streams.video:
                video = container.streams.video[0]
                if video.start_time is not None and video.time_base is not None:
                    video_start_s = float(video.start_time * video.time_base)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE_HZ)
            chunks: list[NDArray[np.float32]] = []
            first_time_s: float | None = None
            total = 0
            limit = None if max_seconds is None else round(max_seconds * SAMPLE_RATE_HZ)
            for frame in container.decode(stream):
                if first_time_s is None and frame.time is not None:
                    first_time_s = float(frame.time)
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1).astype(np.float32)
                    chunks.append(chunk)
                    total += len(chunk)
                if limit is not None and total >= limit:
                    break
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1).astype(np.float32))
    except (av.FFmpegError, OSError, ValueError) as error:
        # A corrupt soundtrack must never fail a comparison: the poses still align.
        _log.warning("Cannot decode the soundtrack of %s: %s", path.name, error)
        return None
    if not chunks:
        return None
    samples = np.concatenate(chunks)
    if not np.isfinite(samples).all() or float(np.abs(samples).max(initial=0.0)) < _SILENCE_PEAK:
        return None
    # Put sample 0 at the video's first frame: pad when the sound starts later, cut when earlier.
    lead = round(((first_time_s or 0.0) - video_start_s) * SAMPLE_RATE_HZ)
    if lead > 0:
        samples = np.concatenate([np.zeros(lead, np.float32), samples])
    elif lead < 0:
        samples = samples[-lead:]
    return Soundtrack(samples, SAMPLE_RATE_HZ)
