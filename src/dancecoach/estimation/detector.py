"""The pose detector behind a small protocol, so that MediaPipe can be swapped out."""

from __future__ import annotations

from typing import Literal, Protocol

import cv2
import mediapipe
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision
from numpy.typing import NDArray

from dancecoach.estimation.models.bundle import pose_landmarker_bundle

# MediaPipe crops and resizes to its models' 224/256 px inputs itself, so larger frames only
# cost colour conversion and copying. Measured on 1080p and 720p clips: landmarks stay within
# about 1% of a torso length of those from the full-size frame, with no added jitter.
MAX_INPUT_SIDE = 640


class PoseDetector(Protocol):
    """Finds the poses of the people in one image."""

    def detect(
        self, image_bgr: NDArray[np.uint8], timestamp_ms: int | None
    ) -> list[NDArray[np.float32]]:
        """Candidate poses, each `(33, 4)` (x, y normalized, z, visibility).

        timestamp_ms is None for independent still images; for a stream it must increase.
        """
        ...

    def close(self) -> None: ...


def downscale(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The image with its longer side at most MAX_INPUT_SIDE."""
    height, width = image.shape[:2]
    longest = max(height, width)
    if longest <= MAX_INPUT_SIDE:
        return image
    scale = MAX_INPUT_SIDE / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


def prepare_rgb(image_bgr: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The image downscaled to MAX_INPUT_SIDE, in RGB order."""
    return np.asarray(cv2.cvtColor(downscale(image_bgr), cv2.COLOR_BGR2RGB), dtype=np.uint8)


def prepare_image(image_bgr: NDArray[np.uint8]) -> mediapipe.Image:
    """Downscale to MAX_INPUT_SIDE and convert to MediaPipe's RGB image."""
    return mediapipe.Image(image_format=mediapipe.ImageFormat.SRGB, data=prepare_rgb(image_bgr))


class MediaPipePoseDetector:
    """MediaPipe Tasks `PoseLandmarker` (BlazePose full) for images or a video stream."""

    def __init__(
        self,
        mode: Literal["image", "video"],
        max_people: int,
        model_bundle: bytes | None = None,
        min_confidence: float = 0.5,
    ) -> None:
        running_mode = vision.RunningMode.IMAGE if mode == "image" else vision.RunningMode.VIDEO
        bundle = model_bundle if model_bundle is not None else pose_landmarker_bundle()
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=bundle),
            running_mode=running_mode,
            num_poses=max_people,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=0.5,
        )
        self._landmarker = vision.PoseLandmarker.create_from_options(options)
        self._mode = mode

    def detect(
        self, image_bgr: NDArray[np.uint8], timestamp_ms: int | None
    ) -> list[NDArray[np.float32]]:
        image = prepare_image(image_bgr)
        if self._mode == "image":
            result = self._landmarker.detect(image)
        elif timestamp_ms is None:
            raise ValueError("a video-mode detector needs the frame's timestamp_ms")
        else:
            result = self._landmarker.detect_for_video(image, timestamp_ms)
        poses = []
        for landmarks in result.pose_landmarks:
            poses.append(
                np.array(
                    [
                        [p.x, p.y, p.z, p.visibility if p.visibility is not None else 0.0]
                        for p in landmarks
                    ],
                    dtype=np.float32,
                )
            )
        return poses

    def close(self) -> None:
        self._landmarker.close()


def mediapipe_detector(
    mode: Literal["image", "video"], max_people: int = 4, min_confidence: float = 0.5
) -> PoseDetector:
    """A MediaPipe detector; video mode tracks people between frames. min_confidence: the
    detection and presence confidence a person needs (0..1)."""
    return MediaPipePoseDetector(mode, max_people, min_confidence=min_confidence)
