"""The pose sequence: landmarks of one followed dancer over time, as plain numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import NUM_LANDMARKS, mirror_landmarks


@dataclass(frozen=True)
class PoseSequence:
    """Poses of one dancer sampled over time.

    landmarks: `(frames, 33, 4)` float32: x, y in normalized image coordinates (0..1 of the
        upright frame's width and height), z relative depth, visibility 0..1. A frame without
        a person is all NaN: it is missing, never a zero pose.
    timestamps_s: `(frames,)` float64 seconds from the start of the video or stream.
    frame_size: (width, height) in pixels of the upright frame, so that x and y can be put on
        one scale (angles are only meaningful with the aspect ratio restored).
    fps: sampling rate of the sequence in frames per second.
    """

    landmarks: NDArray[np.float32]
    timestamps_s: NDArray[np.float64]
    frame_size: tuple[int, int]
    fps: float

    def __post_init__(self) -> None:
        if self.landmarks.ndim != 3 or self.landmarks.shape[1:] != (NUM_LANDMARKS, 4):
            raise ValueError(f"landmarks must be (frames, 33, 4), got {self.landmarks.shape}")
        if self.timestamps_s.shape != (self.landmarks.shape[0],):
            raise ValueError("timestamps_s must have one entry per frame")

    def __len__(self) -> int:
        return int(self.landmarks.shape[0])

    @property
    def duration_s(self) -> float:
        if len(self) == 0:
            return 0.0
        return float(self.timestamps_s[-1] - self.timestamps_s[0]) + 1.0 / self.fps

    @property
    def aspect_ratio(self) -> float:
        """Width over height of the frame; multiply x by this to get y-comparable units."""
        width, height = self.frame_size
        return width / height

    @property
    def present(self) -> NDArray[np.bool_]:
        """True for frames in which a person was found."""
        return np.asarray(~np.isnan(self.landmarks[:, 0, 0]), dtype=np.bool_)

    def mirrored(self) -> PoseSequence:
        """The sequence as a horizontally flipped video would give it."""
        return PoseSequence(
            mirror_landmarks(self.landmarks), self.timestamps_s, self.frame_size, self.fps
        )

    def save(self, path: Path) -> None:
        """Write the sequence to a compressed .npz file."""
        np.savez_compressed(
            path,
            landmarks=self.landmarks,
            timestamps_s=self.timestamps_s,
            frame_size=np.array(self.frame_size, dtype=np.int64),
            fps=np.array(self.fps),
        )

    @classmethod
    def load(cls, path: Path) -> PoseSequence:
        with np.load(path) as data:
            width, height = (int(v) for v in data["frame_size"])
            return cls(
                data["landmarks"].astype(np.float32),
                data["timestamps_s"].astype(np.float64),
                (width, height),
                float(data["fps"]),
            )
