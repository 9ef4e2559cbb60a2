"""Pose extraction speed: frames/s with 1 and 2 workers, overhead ratio, live tracking cost.

On the 51 s stage clip sampled at 15 fps:
- frames/s with workers=1 and workers=2 and the speed-up (target >= 1.7x on 2 cores);
- overhead ratio = (time per frame of everything except MediaPipe inference: decoding, grabbing
  skipped frames, resizing, colour conversion, result conversion, dancer selection) divided by
  the inference time per frame (target <= 0.1). Inference calls are timed one by one.
Then the CPU cost per frame of live tracking, on one CPU, for 1 stream and for 7 streams taking
turns (what one analysis process serves at 14 sessions): MediaPipe's PoseLandmarker, one per
stream, against LiveTracker, whose one set of models per thread serves every stream, with the float
landmark model and with the int8 one live sessions run.

Each extraction runs twice and the faster run counts: other work on a shared machine only ever
slows a run down. The load average is printed so that a noisy run can be recognised.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Literal

from dancecoach.estimation.detector import MediaPipePoseDetector, PoseDetector
from dancecoach.estimation.extraction import MAX_PEOPLE_IN_FILES, extract_video
from dancecoach.estimation.video import iter_frames

CLIP = "single/stage_routine_51s.mp4"
LIVE_CLIP = "pairs/maybenot_student.mp4"
LIVE_FRAMES = 420
SAMPLE_FPS = 15.0
LIVE_FPS = 10.0
REPEATS = 2


# How live streams are tracked: a PoseLandmarker each, or LiveTracker with either model.
LiveTracking = Literal["landmarker", "float", "int8"]


def footage_path(relative: str) -> Path:
    default_root = Path(__file__).resolve().parents[2] / "shared" / "testdata"
    path = Path(os.environ.get("DANCECOACH_TESTDATA", default_root)) / relative
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
        elapsed = time.perf_counter() - start
        with self._lock:
            self._totals.append(elapsed)
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
    sequence = extract_video(path, sample_fps=SAMPLE_FPS, workers=workers, detector_factory=factory)
    wall = time.perf_counter() - start
    return wall, len(sequence), sum(totals)


def decode_only(path: Path) -> tuple[float, int]:
    """(seconds, frames) to read the sampled frames alone, with no detection."""
    start = time.perf_counter()
    frames = sum(1 for _ in iter_frames(path, SAMPLE_FPS))
    return time.perf_counter() - start, frames


def live_cpu_ms(path: Path, streams: int, tracking: LiveTracking) -> float:
    """CPU milliseconds per frame of live tracking, `streams` streams taking turns, one CPU."""
    from dancecoach.estimation.live_tracking import LiveTracker

    frames = [frame for _, frame in iter_frames(path, LIVE_FPS)][:LIVE_FRAMES]
    shared_graph = tracking != "landmarker"
    per_stream: list[Any]
    if tracking == "landmarker":
        per_stream = [MediaPipePoseDetector("video", 1) for _ in range(streams)]
    else:
        per_stream = [LiveTracker(tracking) for _ in range(streams)]

    def track(tracker: Any, index: int) -> None:
        if shared_graph:
            tracker.process(frames[index % len(frames)], index / LIVE_FPS)
        else:
            tracker.detect(frames[index % len(frames)], round(index * 1000 / LIVE_FPS))

    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(allowed)})
    try:
        for tracker in per_stream:
            track(tracker, 0)  # one-off set-up and the first detection
        started, count = time.process_time(), 0
        for index in range(1, 1 + LIVE_FRAMES // streams):
            for tracker in per_stream:
                track(tracker, index)
                count += 1
        return (time.process_time() - started) * 1000 / count
    finally:
        os.sched_setaffinity(0, allowed)
        for tracker in per_stream:
            tracker.close()


def main() -> None:
    path = footage_path(CLIP)
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores; above ~0.5 means noise)")
    extract_video(path, sample_fps=SAMPLE_FPS, end_s=2.0)  # warm-up: model bundle, file cache
    runs: dict[int, list[tuple[float, int, float]]] = {1: [], 2: []}
    for _ in range(REPEATS):
        for workers in (1, 2):
            runs[workers].append(run(path, workers))
    wall_1, frames, inference_1 = min(runs[1])
    wall_2 = min(runs[2])[0]
    decode_s, _ = decode_only(path)
    per_frame_inference = inference_1 / frames
    per_frame_overhead = (wall_1 - inference_1) / frames
    print(f"clip: {CLIP}, {frames} frames sampled at {SAMPLE_FPS:g} fps, best of {REPEATS}")
    print(f"1 worker : {frames / wall_1:6.1f} frames/s ({wall_1:.1f} s)")
    print(f"2 workers: {frames / wall_2:6.1f} frames/s ({wall_2:.1f} s)")
    print(f"speed-up : {wall_1 / wall_2:.2f}x (target >= 1.7x)")
    print(f"inference: {per_frame_inference * 1000:.1f} ms/frame; everything else: "
          f"{per_frame_overhead * 1000:.2f} ms/frame, of which reading frames "
          f"{decode_s / frames * 1000:.2f} ms")  # fmt: skip
    print(f"overhead ratio: {per_frame_overhead / per_frame_inference:.3f} (target <= 0.1)")
    live = footage_path(LIVE_CLIP)
    print(f"live tracking, CPU ms per frame on one CPU ({LIVE_CLIP}, {LIVE_FPS:g} fps):")
    for streams in (1, 7):
        per_stream = live_cpu_ms(live, streams, "landmarker")
        shared = live_cpu_ms(live, streams, "float")
        int8 = live_cpu_ms(live, streams, "int8")
        print(
            f"  {streams} stream(s): a PoseLandmarker each {per_stream:5.2f}; LiveTracker (shared "
            f"models) float {shared:5.2f} ({shared / per_stream:.2f}x), int8 {int8:5.2f} "
            f"({int8 / per_stream:.2f}x)"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
