"""Pose extraction speed on the 51 s stage clip: frames/s with 1 and 2 workers, and overhead.

Overhead ratio = (time per frame of everything except MediaPipe inference: decoding, grabbing
skipped frames, resizing, colour conversion, result conversion, dancer selection) divided by
the inference time per frame. Targets: speed-up >= 1.7x on 2 cores, overhead <= 0.1.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from dancecoach.pipeline.detector import MediaPipePoseDetector, PoseDetector
from dancecoach.pipeline.extraction import MAX_PEOPLE_IN_FILES, extract_video

CLIP = "single/stage_routine_51s.mp4"


def footage_path() -> Path:
    root = Path(
        os.environ.get(
            "DANCECOACH_TESTDATA", Path(__file__).parents[1].parent / "shared" / "testdata"
        )
    )
    path = root / CLIP
    if not path.is_file():
        raise SystemExit(f"benchmark footage {path} not found (set DANCECOACH_TESTDATA)")
    return path


class TimedLandmarker:
    """Wraps MediaPipe's landmarker to add up the time spent inside inference calls."""

    def __init__(self, inner: Any, totals: list[float], lock: threading.Lock) -> None:
        self._inner = inner
        self._totals = totals
        self._lock = lock

    def detect_for_video(self, image: Any, timestamp_ms: int) -> Any:
        start = time.perf_counter()
        result = self._inner.detect_for_video(image, timestamp_ms)
        with self._lock:
            self._totals.append(time.perf_counter() - start)
        return result

    def close(self) -> None:
        self._inner.close()


def run(path: Path, workers: int) -> tuple[float, int, float]:
    """(wall seconds, frames, summed inference seconds) for one extraction."""
    totals: list[float] = []
    lock = threading.Lock()

    def factory() -> PoseDetector:
        detector = MediaPipePoseDetector("video", MAX_PEOPLE_IN_FILES)
        detector._landmarker = TimedLandmarker(detector._landmarker, totals, lock)
        return detector

    start = time.perf_counter()
    sequence = extract_video(path, sample_fps=15.0, workers=workers, detector_factory=factory)
    wall = time.perf_counter() - start
    return wall, len(sequence), sum(totals)


def main() -> None:
    path = footage_path()
    run(path, 1)  # warm-up: model bundle, file cache
    wall_1, frames, inference_1 = run(path, 1)
    wall_2, _, _ = run(path, 2)
    per_frame_inference = inference_1 / frames
    per_frame_overhead = (wall_1 - inference_1) / frames
    print(f"clip: {CLIP}, {frames} frames sampled at 15 fps")
    print(f"1 worker : {frames / wall_1:6.1f} frames/s ({wall_1:.1f} s)")
    print(f"2 workers: {frames / wall_2:6.1f} frames/s ({wall_2:.1f} s)")
    print(f"speed-up : {wall_1 / wall_2:.2f}x (target >= 1.7x)")
    print(f"inference: {per_frame_inference * 1000:.1f} ms/frame, everything else: "
          f"{per_frame_overhead * 1000:.2f} ms/frame")  # fmt: skip
    print(f"overhead ratio: {per_frame_overhead / per_frame_inference:.3f} (target <= 0.1)")


if __name__ == "__main__":
    main()
