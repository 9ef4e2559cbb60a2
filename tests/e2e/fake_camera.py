"""A .y4m file for Chromium's fake webcam, made from a real clip at test time (never committed)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def write_y4m(
    source: Path,
    destination: Path,
    *,
    seconds: float,
    start_s: float = 0.0,
    fps: int = 15,
    width: int = 640,
) -> Path:
    """`seconds` of the clip from `start_s`, scaled to `width` (height kept even), as 4:2:0
    YUV4MPEG2. Chromium loops the file, so a test that wants the camera in step with a section
    starts the file where the learner's dance of that section begins."""
    capture = cv2.VideoCapture(str(source))
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    if start_s > 0:
        capture.set(cv2.CAP_PROP_POS_MSEC, start_s * 1000.0)
    source_fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    step = source_fps / fps
    frames: list[np.ndarray] = []  # type: ignore[type-arg]
    index = 0
    wanted = 0.0
    while len(frames) < round(seconds * fps):
        ok, frame = capture.read()
        if not ok:
            break
        if index >= wanted:
            frames.append(frame)
            wanted += step
        index += 1
    capture.release()
    if not frames:
        raise RuntimeError(f"no frames read from {source}")
    height = round(frames[0].shape[0] * width / frames[0].shape[1] / 2) * 2
    with destination.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            resized = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(resized, cv2.COLOR_BGR2YUV_I420).tobytes())
    return destination
