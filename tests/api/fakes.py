"""Test stand-ins for the pose model: fast, deterministic trackers driven by the frame's colour.

A mid-grey frame holds a dancer doing exactly the reference routine at that moment, a white
frame the same dancer with the left arm straight up, a black frame nobody. Everything else in
the server (decoding, comparison, cues, storage, reports) is real.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import Landmark
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.alignment import reference_pose_at
from tests.synthetic import routine, sequence

REFERENCE_DURATION_S = 6.0
REFERENCE_FPS = 15.0
FRAME_SIZE = (160, 120)  # width, height of test frames (aspect 4:3)

GREY, WHITE, BLACK = 128, 255, 0


def reference_sequence() -> PoseSequence:
    """A 6 s synthetic routine at 15 fps, in a 4:3 frame."""
    return sequence(routine(REFERENCE_DURATION_S, fps=REFERENCE_FPS), REFERENCE_FPS, 4 / 3)


def with_left_arm_up(correct: NDArray[np.float32]) -> NDArray[np.float32]:
    """The same pose with the left arm stretched straight up (a major, one-sided error)."""
    wrong = correct.copy()
    shoulder = wrong[Landmark.LEFT_SHOULDER, :2]
    torso = abs(float(wrong[Landmark.LEFT_HIP, 1] - shoulder[1]))
    up = np.array([0.0, -torso * 0.6], dtype=np.float32)
    wrong[Landmark.LEFT_ELBOW, :2] = shoulder + up
    for point in (
        Landmark.LEFT_WRIST,
        Landmark.LEFT_PINKY,
        Landmark.LEFT_INDEX,
        Landmark.LEFT_THUMB,
    ):
        wrong[point, :2] = shoulder + 2 * up
    return wrong


class FakeTracker:
    """Replies by frame colour (see the module docstring); counts its calls."""

    def __init__(self, reference: PoseSequence) -> None:
        self.reference = reference
        self.calls = 0
        self.closed = False

    def process(
        self, image_bgr: NDArray[np.uint8], timestamp_s: float
    ) -> NDArray[np.float32] | None:
        self.calls += 1
        brightness = float(image_bgr.mean())
        if brightness < 40:
            return None
        correct = reference_pose_at(self.reference, timestamp_s)
        if brightness > 220 and correct is not None:
            return with_left_arm_up(correct)
        return correct

    def close(self) -> None:
        self.closed = True


def jpeg(value: int = GREY, size: tuple[int, int] = FRAME_SIZE) -> bytes:
    """A flat JPEG of the given grey value."""
    image = np.full((size[1], size[0], 3), value, dtype=np.uint8)
    ok, encoded = cv2.imencode(".jpg", image)
    assert ok
    return encoded.tobytes()


def write_video(
    path: Path, seconds: float = REFERENCE_DURATION_S, fps: float = REFERENCE_FPS
) -> Path:
    """A small MJPG video that OpenCV can decode (no person in it)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, FRAME_SIZE)
    assert writer.isOpened()
    for index in range(round(seconds * fps)):
        frame = np.full((FRAME_SIZE[1], FRAME_SIZE[0], 3), 40 + index % 50, dtype=np.uint8)
        writer.write(frame)
    writer.release()
    return path
