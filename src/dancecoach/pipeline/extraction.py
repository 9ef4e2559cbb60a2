"""Pose extraction from video files, single images and live frame streams."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from dancecoach.pipeline.detector import PoseDetector, mediapipe_detector
from dancecoach.pipeline.sequence import PoseSequence
from dancecoach.pipeline.tracking import placement, select_dancer
from dancecoach.pipeline.video import iter_frames, probe_video, sample_times

DetectorFactory = Callable[[], PoseDetector]
Candidates = list[list[NDArray[np.float32]]]
# People per frame considered in files (group videos, passers-by); live streams follow one.
MAX_PEOPLE_IN_FILES = 4
MAX_PEOPLE_LIVE = 1
# Chunks shorter than this are not worth a second detector.
_MIN_CHUNK_S = 4.0


def _video_detector() -> PoseDetector:
    return mediapipe_detector("video", MAX_PEOPLE_IN_FILES)


def _extract_chunk(
    path: Path,
    sample_fps: float,
    start_s: float,
    end_s: float,
    detector_factory: DetectorFactory,
    on_frame: Callable[[], None],
) -> tuple[list[float], Candidates, tuple[int, int]]:
    detector = detector_factory()
    times: list[float] = []
    candidates: Candidates = []
    size = (0, 0)
    try:
        for timestamp, frame in iter_frames(path, sample_fps, start_s, end_s):
            size = (frame.shape[1], frame.shape[0])
            candidates.append(detector.detect(frame, round(timestamp * 1000)))
            times.append(timestamp)
            on_frame()
    finally:
        detector.close()
    return times, candidates, size


def extract_video(
    path: Path,
    *,
    sample_fps: float = 15.0,
    workers: int = 1,
    follow_x: float | None = None,
    progress: Callable[[float], None] | None = None,
    detector_factory: DetectorFactory = _video_detector,
) -> PoseSequence:
    """The followed dancer's poses over the whole video (raises InvalidVideoError).

    workers > 1 splits long videos into time chunks, each with its own reader and detector in a
    thread (MediaPipe and the decoder release the GIL), then chooses the dancer over the whole.
    """
    info = probe_video(path)
    rate, total = sample_times(info, sample_fps)
    chunks = max(1, min(workers, int(info.duration_s // _MIN_CHUNK_S)))
    bounds = [info.duration_s * i / chunks for i in range(chunks + 1)]
    bounds[-1] = info.duration_s + 1.0

    done = 0
    lock = threading.Lock()

    def on_frame() -> None:
        nonlocal done
        with lock:
            done += 1
            if progress is not None:
                progress(min(done / total, 1.0))

    with ThreadPoolExecutor(max_workers=chunks) as pool:
        futures = [
            pool.submit(
                _extract_chunk,
                path,
                sample_fps,
                bounds[i],
                bounds[i + 1],
                detector_factory,
                on_frame,
            )
            for i in range(chunks)
        ]
        parts = [future.result() for future in futures]

    times = np.array([t for part in parts for t in part[0]], dtype=np.float64)
    candidates = [c for part in parts for c in part[1]]
    width, height = next((p[2] for p in parts if p[2] != (0, 0)), (info.width, info.height))
    landmarks = select_dancer(candidates, times, width / height, follow_x)
    if progress is not None:
        progress(1.0)
    return PoseSequence(
        landmarks,
        times,
        (width, height),
        rate,
        {"source_fps": info.fps, "source_duration_s": info.duration_s},
    )


def most_central(
    poses: list[NDArray[np.float32]], aspect_ratio: float
) -> NDArray[np.float32] | None:
    """The pose nearest the image centre, larger poses preferred."""
    if not poses:
        return None

    def badness(pose: NDArray[np.float32]) -> float:
        where = placement(pose, aspect_ratio)
        off_centre = float(np.linalg.norm(where.centre - np.array([aspect_ratio / 2, 0.5])))
        return off_centre / where.torso

    return min(poses, key=badness)


def extract_image(image_bgr: NDArray[np.uint8]) -> NDArray[np.float32] | None:
    """The most central person's pose `(33, 4)` in a still image, or None."""
    detector = mediapipe_detector("image", MAX_PEOPLE_IN_FILES)
    try:
        poses = detector.detect(image_bgr, None)
    finally:
        detector.close()
    return most_central(poses, image_bgr.shape[1] / image_bgr.shape[0])


class LiveTracker:
    """Pose tracking for one live stream; call process() from one thread at a time."""

    def __init__(
        self, max_people: int = MAX_PEOPLE_LIVE, detector: PoseDetector | None = None
    ) -> None:
        self._detector = detector or mediapipe_detector("video", max_people)
        self._last_ms = -1

    def process(
        self, image_bgr: NDArray[np.uint8], timestamp_s: float
    ) -> NDArray[np.float32] | None:
        """The followed person's pose in this frame, or None when nobody is found."""
        # Video mode needs strictly increasing timestamps; clients may repeat or jump back.
        timestamp_ms = max(round(timestamp_s * 1000), self._last_ms + 1)
        self._last_ms = timestamp_ms
        poses = self._detector.detect(image_bgr, timestamp_ms)
        return most_central(poses, image_bgr.shape[1] / image_bgr.shape[0])

    def close(self) -> None:
        self._detector.close()
