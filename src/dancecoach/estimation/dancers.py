"""The dancers of a group video, for choosing whom to learn from: a still with each dancer's
box, and the x that makes extraction follow that dancer (extract_video's follow_x).

The dancers offered are exactly those follow_x chooses among (tracking.starting_dancers):
the steady people who appear at the start. Each one's follow_x is where the tracker first saw
them, so choosing a box always follows the person in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from dancecoach.estimation.extraction import DetectorFactory, every_dancer_detector
from dancecoach.estimation.tracking import Track, build_tracks, starting_dancers
from dancecoach.estimation.video import iter_frames, probe_video, read_frame_at
from dancecoach.pose.landmarks import NUM_LANDMARKS, VISIBILITY, Landmark

# The start of the video that is searched (seconds) and how often (frames a second): long
# enough for dancers who walk in during the first seconds, short enough to take a few seconds.
SCAN_S = 6.0
SCAN_FPS = 5.0
# Landmarks less visible than this do not widen a box (a guessed hand behind someone).
_BOX_VISIBILITY = 0.3
# Boxes are padded by this share of their size: landmarks stop at the joints, not the skin.
_BOX_PADDING = 0.08


@dataclass(frozen=True)
class Box:
    """A rectangle in normalized image coordinates (0..1, y down)."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class FoundDancer:
    """One dancer: follow_x (normalized x to pass to extraction) and their box on the still."""

    follow_x: float
    box: Box


@dataclass(frozen=True)
class DancerStill:
    """A frame with the dancers in it (numbered left to right on the still)."""

    time_s: float
    image_bgr: NDArray[np.uint8]
    dancers: tuple[FoundDancer, ...]


# The box is the body without the arms: dancers in a row stretch their arms across each
# other, and boxes that overlap cannot be told apart on the still.
_BOX_POINTS = np.array(
    [i for i in range(NUM_LANDMARKS) if not Landmark.LEFT_ELBOW <= i <= Landmark.RIGHT_THUMB],
    dtype=np.intp,
)


def _box(pose: NDArray[np.float32]) -> Box:
    body = pose[_BOX_POINTS]
    seen = body[body[:, VISIBILITY] >= _BOX_VISIBILITY]
    points = seen if len(seen) >= 4 else body
    left, top = (float(v) for v in np.nanmin(points[:, :2], axis=0))
    right, bottom = (float(v) for v in np.nanmax(points[:, :2], axis=0))
    pad_x, pad_y = (right - left) * _BOX_PADDING, (bottom - top) * _BOX_PADDING
    return Box(
        left=max(0.0, left - pad_x),
        top=max(0.0, top - 2 * pad_y),  # the head reaches above the eyes and ears
        right=min(1.0, right + pad_x),
        bottom=min(1.0, bottom + pad_y),
    )


def _still_frame(dancers: list[Track]) -> int:
    """The scanned frame where the most of the dancers are seen (the earliest of those)."""
    counts: dict[int, int] = {}
    for track in dancers:
        for frame in track.frames:
            counts[frame] = counts.get(frame, 0) + 1
    return min(counts, key=lambda frame: (-counts[frame], frame))


def find_dancers(
    path: Path,
    *,
    scan_s: float = SCAN_S,
    scan_fps: float = SCAN_FPS,
    detector_factory: DetectorFactory = every_dancer_detector,
) -> DancerStill:
    """The dancers at the start of the video and a still showing them (raises
    InvalidVideoError). No dancers: an empty tuple and the first frame.

    The detector is the one extraction uses with a chosen dancer (every_dancer_detector), so
    the dancers offered are the ones it can follow.
    """
    info = probe_video(path)
    times: list[float] = []
    candidates: list[list[NDArray[np.float32]]] = []
    detector = detector_factory()
    try:
        for time_s, image in iter_frames(path, scan_fps, 0.0, min(scan_s, info.duration_s)):
            candidates.append(detector.detect(image, round(time_s * 1000)))
            times.append(time_s)
    finally:
        detector.close()
    aspect = info.width / max(info.height, 1)
    times_s = np.array(times, dtype=np.float64)
    dancers = starting_dancers(build_tracks(candidates, times_s, aspect), times_s)
    if not dancers:
        return DancerStill(0.0, read_frame_at(path, 0.0), ())
    frame = _still_frame(dancers)
    still_s = float(times_s[frame])
    found = []
    for track in dancers:
        if frame not in track.frames:
            continue  # not in the still: cannot be pointed at
        pose = candidates[frame][track.candidates[track.frames.index(frame)]]
        follow_x = float(track.placements[0].centre[0]) / aspect
        found.append(FoundDancer(follow_x=min(max(follow_x, 0.0), 1.0), box=_box(pose)))
    found.sort(key=lambda d: (d.box.left + d.box.right) / 2)
    return DancerStill(still_s, read_frame_at(path, still_s), tuple(found))
