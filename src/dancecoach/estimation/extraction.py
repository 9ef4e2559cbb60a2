"""Pose extraction from video files and single images (live streams: live_tracking.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from dancecoach.estimation.detector import PoseDetector, mediapipe_detector
from dancecoach.estimation.tracking import most_central, select_dancer
from dancecoach.estimation.video import iter_frames, probe_video, sample_times
from dancecoach.pose.sequence import PoseSequence

DetectorFactory = Callable[[], PoseDetector]
Candidates = list[list[NDArray[np.float32]]]
# People per frame considered in files (group videos, passers-by).
MAX_PEOPLE_IN_FILES = 4
# The confidence at which the image-mode half of every_dancer_detector accepts a person.
_EVERY_DANCER_CONFIDENCE = 0.3
# Chunks shorter than this are not worth a second detector.
_MIN_CHUNK_S = 4.0


def video_detector() -> PoseDetector:
    return mediapipe_detector("video", MAX_PEOPLE_IN_FILES)


class _BothModes:
    """Candidates of a video-mode and an image-mode detector together.

    Video mode keeps tracking the people it has and rarely finds the others in a group
    (measured on group footage: 1 of 3 dancers a frame; image mode 3 of 3), while image mode
    loses people video mode holds in a busy street (1 against 2). Following a chosen dancer
    needs everyone as a candidate, so both look; tracking merges a person found twice.
    Image mode also accepts less confident people: dancers half hidden behind each other are
    found (2 of 3 dancers of a trio at MediaPipe's usual 0.5, 3 of 3 at 0.3), and fleeting
    false ones do not make a steady track. About three times the time a frame of video mode.
    """

    def __init__(self) -> None:
        self._video = mediapipe_detector("video", MAX_PEOPLE_IN_FILES)
        self._image = mediapipe_detector(
            "image", MAX_PEOPLE_IN_FILES, min_confidence=_EVERY_DANCER_CONFIDENCE
        )

    def detect(
        self, image_bgr: NDArray[np.uint8], timestamp_ms: int | None
    ) -> list[NDArray[np.float32]]:
        return [*self._video.detect(image_bgr, timestamp_ms), *self._image.detect(image_bgr, None)]

    def close(self) -> None:
        self._video.close()
        self._image.close()


def every_dancer_detector() -> PoseDetector:
    """A detector that finds as many of the people in a frame as it can (slower)."""
    return _BothModes()


class _CancelledError(Exception):
    """Another chunk failed: stop this one early."""


@dataclass
class _Progress:
    """Frames done over all chunks; reports to the caller and stops chunks after a failure."""

    total: int
    callback: Callable[[float], None] | None
    done: int = 0
    failed: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def frame_done(self) -> None:
        if self.failed.is_set():
            raise _CancelledError
        with self.lock:
            self.done += 1
            if self.callback is not None:
                self.callback(min(self.done / self.total, 1.0))


def _is_cancellation(error: BaseException) -> bool:
    return isinstance(error, _CancelledError)


@dataclass
class _Chunk:
    times_s: list[float] = field(default_factory=list)
    candidates: Candidates = field(default_factory=list)
    frame_size: tuple[int, int] | None = None


def _extract_chunk(
    path: Path,
    sample_fps: float,
    start_s: float,
    end_s: float,
    detector_factory: DetectorFactory,
    progress: _Progress,
) -> _Chunk:
    """Candidate poses of every sampled frame in [start_s, end_s), with its own reader."""
    chunk = _Chunk()
    detector = detector_factory()
    try:
        for timestamp_s, frame in iter_frames(path, sample_fps, start_s, end_s):
            chunk.frame_size = (frame.shape[1], frame.shape[0])
            chunk.candidates.append(detector.detect(frame, round(timestamp_s * 1000)))
            chunk.times_s.append(timestamp_s)
            progress.frame_done()
    except BaseException:
        progress.failed.set()
        raise
    finally:
        detector.close()
    return chunk


def extract_video(
    path: Path,
    *,
    sample_fps: float = 15.0,
    workers: int = 1,
    follow_x: float | None = None,
    progress: Callable[[float], None] | None = None,
    start_s: float = 0.0,
    end_s: float | None = None,
    detector_factory: DetectorFactory | None = None,
) -> PoseSequence:
    """The followed dancer's poses over the video (raises InvalidVideoError).

    sample_fps: sampling rate (never above the video's own); each sample takes the nearest
    source frame. follow_x: normalized x of the dancer to follow where they first appear
    (default: the most present, centred dancer). progress: called with the fraction done
    (0..1), from worker threads. start_s/end_s: only this part of the video, timestamps stay
    those of the whole video. workers > 1 splits the video into time chunks, each with its own
    reader and detector in a thread (MediaPipe and the decoder release the GIL), then the
    dancer is chosen over the whole. detector_factory: by default a video-mode detector, or
    one that finds everyone when follow_x names a dancer (every_dancer_detector).
    """
    if detector_factory is None:
        detector_factory = video_detector if follow_x is None else every_dancer_detector
    info = probe_video(path)
    rate, total = sample_times(info, sample_fps)
    end = info.duration_s if end_s is None else min(end_s, info.duration_s)
    start = max(0.0, start_s)
    span_s = max(0.0, end - start)
    chunks = max(1, min(workers, int(span_s // _MIN_CHUNK_S)))
    bounds = [start + span_s * i / chunks for i in range(chunks + 1)]
    if end_s is None:
        bounds[-1] = info.duration_s + 1.0  # past the end: a frame count that is off by one
    expected = max(1, min(total, round(span_s * rate)))
    tracker = _Progress(expected, progress)

    with ThreadPoolExecutor(max_workers=chunks, thread_name_prefix="pose-chunk") as pool:
        futures = [
            pool.submit(
                _extract_chunk,
                path,
                sample_fps,
                bounds[i],
                bounds[i + 1],
                detector_factory,
                tracker,
            )
            for i in range(chunks)
        ]
        errors = [f.exception() for f in futures]
    # Raise the error that stopped the work, not the cancellation it caused in other chunks.
    for error in sorted((e for e in errors if e is not None), key=_is_cancellation):
        raise error
    parts = [future.result() for future in futures]

    times = np.array([t for part in parts for t in part.times_s], dtype=np.float64)
    candidates = [c for part in parts for c in part.candidates]
    size = next((p.frame_size for p in parts if p.frame_size), (info.width, info.height))
    landmarks = select_dancer(candidates, times, size[0] / size[1], follow_x)
    if progress is not None:
        progress(1.0)
    return PoseSequence(landmarks, times, size, rate)


# One still-image detector per thread: creating one costs far more than a detection, and a
# MediaPipe landmarker must not be used by two threads at once.
_image_detectors = threading.local()


def extract_image(image_bgr: NDArray[np.uint8]) -> NDArray[np.float32] | None:
    """The most central person's pose `(33, 4)` in a still image, or None."""
    detector: PoseDetector | None = getattr(_image_detectors, "detector", None)
    if detector is None:
        detector = mediapipe_detector("image", MAX_PEOPLE_IN_FILES)
        _image_detectors.detector = detector
    poses = detector.detect(image_bgr, None)
    return most_central(poses, image_bgr.shape[1] / image_bgr.shape[0])
