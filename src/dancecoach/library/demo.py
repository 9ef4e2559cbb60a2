"""The built-in demo reference for the web app's first run: a video the project makes itself.

The routine's poses (demo_routine) are drawn as an animated figure (thick limbs, a head, a
floor line) with the count and the move name, written as a VP8 WebM, and saved beside it as
a pose file, so the server registers the demo without running pose extraction on it.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from dancecoach.errors import DancecoachError
from dancecoach.library.demo_routine import (
    BEAT_S,
    FIGURE_SCALE,
    FLOOR_Y,
    FPS,
    FRAME_SIZE,
    demo_poses,
    demo_sections,
    pose_at,
    routine,
)
from dancecoach.pose.landmarks import Landmark
from dancecoach.pose.sequence import PoseSequence

__all__ = ["DEMO_NAME", "DEMO_VERSION", "build_demo_reference", "demo_paths", "demo_sections"]

# Bump when the routine or its drawing changes: files of other versions are rebuilt.
DEMO_VERSION = 1
DEMO_NAME = "Demo routine"

# Drawing colours (BGR): the dancer's left side coral, the right side teal.
_LEFT_COLOUR = (110, 120, 255)
_RIGHT_COLOUR = (200, 190, 70)
_BODY_COLOUR = (225, 215, 230)
_TEXT_COLOUR = (245, 245, 245)
_DIM_COLOUR = (120, 115, 130)
_ACCENT_COLOUR = (120, 215, 255)
_LIMB_PX = 15
_FONT = cv2.FONT_HERSHEY_DUPLEX


def _background() -> NDArray[np.uint8]:
    width, height = FRAME_SIZE
    shade = np.linspace(0.0, 1.0, height)[:, None]
    top, bottom = np.array([38, 24, 20]), np.array([58, 40, 34])
    gradient = (top * (1 - shade) + bottom * shade).astype(np.uint8)
    image = np.repeat(gradient[:, None, :], width, axis=1).reshape(height, width, 3)
    floor = round(FLOOR_Y * height)
    cv2.line(image, (40, floor), (width - 40, floor), (150, 140, 150), 2, cv2.LINE_AA)
    return np.ascontiguousarray(image)


def _pixel(landmarks: NDArray[np.float32], name: str) -> tuple[int, int]:
    width, height = FRAME_SIZE
    point = landmarks[Landmark[name]]
    return round(float(point[0]) * width), round(float(point[1]) * height)


def _draw_figure(image: NDArray[np.uint8], landmarks: NDArray[np.float32]) -> None:
    def p(name: str) -> tuple[int, int]:
        return _pixel(landmarks, name)

    def line(a: str, b: str, colour: tuple[int, int, int], thickness: int = _LIMB_PX) -> None:
        cv2.line(image, p(a), p(b), colour, thickness, cv2.LINE_AA)

    def dot(name: str, radius: int, colour: tuple[int, int, int]) -> None:
        cv2.circle(image, p(name), radius, colour, -1, cv2.LINE_AA)

    floor = round(FLOOR_Y * FRAME_SIZE[1])
    left_x, right_x = p("LEFT_ANKLE")[0], p("RIGHT_ANKLE")[0]
    shadow_axes = (abs(left_x - right_x) // 2 + 40, 8)
    cv2.ellipse(
        image, ((left_x + right_x) // 2, floor + 4), shadow_axes, 0, 0, 360, (30, 20, 18), -1
    )
    torso = np.array(
        [p("LEFT_SHOULDER"), p("RIGHT_SHOULDER"), p("RIGHT_HIP"), p("LEFT_HIP")], dtype=np.int32
    )
    cv2.fillConvexPoly(image, torso, _BODY_COLOUR, cv2.LINE_AA)
    cv2.polylines(image, [torso], True, _BODY_COLOUR, _LIMB_PX // 2, cv2.LINE_AA)
    for side, colour in (("LEFT", _LEFT_COLOUR), ("RIGHT", _RIGHT_COLOUR)):
        for joints in (("SHOULDER", "ELBOW", "WRIST"), ("HIP", "KNEE", "ANKLE")):
            for a, b in itertools.pairwise(joints):
                line(f"{side}_{a}", f"{side}_{b}", colour)
            dot(f"{side}_{joints[1]}", _LIMB_PX // 2 + 2, colour)
        dot(f"{side}_INDEX", _LIMB_PX // 2 + 3, colour)
        line(f"{side}_HEEL", f"{side}_FOOT_INDEX", colour, _LIMB_PX - 3)
    # Head: a neck up to the nose and a disc just above the eyes.
    shoulders = (np.array(p("LEFT_SHOULDER")) + np.array(p("RIGHT_SHOULDER"))) / 2
    eyes = (np.array(p("LEFT_EYE")) + np.array(p("RIGHT_EYE"))) / 2
    nose = np.array(p("NOSE"))
    centre = eyes + (eyes - nose) * 0.2
    neck_start = (round(shoulders[0]), round(shoulders[1]))
    cv2.line(image, neck_start, p("NOSE"), _BODY_COLOUR, _LIMB_PX, cv2.LINE_AA)
    radius = round(0.22 * FIGURE_SCALE * FRAME_SIZE[1])
    head = (round(centre[0]), round(centre[1]))
    cv2.circle(image, head, radius, _BODY_COLOUR, -1, cv2.LINE_AA)
    for eye in ("LEFT_EYE", "RIGHT_EYE"):
        dot(eye, 3, (60, 50, 60))


def _draw_text(image: NDArray[np.uint8], time_s: float, move: int) -> None:
    width, height = FRAME_SIZE
    moves = routine()
    cv2.putText(image, moves[move][0], (24, 44), _FONT, 1.1, _TEXT_COLOUR, 2, cv2.LINE_AA)
    if move + 1 < len(moves):
        upcoming = f"next: {moves[move + 1][0]}"
        size = cv2.getTextSize(upcoming, _FONT, 0.6, 1)[0]
        cv2.putText(
            image, upcoming, (width - 24 - size[0], 40), _FONT, 0.6, _DIM_COLOUR, 1, cv2.LINE_AA
        )
    beat = int(time_s // BEAT_S)
    since_beat = time_s - beat * BEAT_S
    current = beat % 8
    spacing = 46
    left = (width - spacing * 7) // 2
    baseline = height - 16
    for count in range(8):
        label = str(count + 1)
        is_now = count == current
        scale = 1.0 if is_now and since_beat < BEAT_S / 2 else 0.7
        colour = _ACCENT_COLOUR if is_now else _DIM_COLOUR
        size = cv2.getTextSize(label, _FONT, scale, 2)[0]
        x = left + count * spacing - size[0] // 2
        cv2.putText(image, label, (x, baseline), _FONT, scale, colour, 2, cv2.LINE_AA)


def render_frame(
    landmarks: NDArray[np.float32], time_s: float, move: int, background: NDArray[np.uint8]
) -> NDArray[np.uint8]:
    image = background.copy()
    _draw_figure(image, landmarks)
    _draw_text(image, time_s, move)
    return image


def _write_video(poses: PoseSequence, destination: Path) -> None:
    writer = cv2.VideoWriter(str(destination), cv2.VideoWriter.fourcc(*"VP80"), FPS, FRAME_SIZE)
    if not writer.isOpened():
        raise DancecoachError("This machine's OpenCV cannot write WebM (VP8) video.")
    background = _background()
    try:
        for landmarks, time_s in zip(poses.landmarks, poses.timestamps_s, strict=True):
            _, move = pose_at(float(time_s))
            writer.write(render_frame(landmarks, float(time_s), move, background))
    finally:
        writer.release()


def demo_paths(dest_dir: Path) -> tuple[Path, Path]:
    stem = f"demo-routine-v{DEMO_VERSION}"
    return dest_dir / f"{stem}.webm", dest_dir / f"{stem}.npz"


def build_demo_reference(dest_dir: Path) -> tuple[Path, PoseSequence]:
    """Make the demo video and its poses in dest_dir (once per version); return (video, poses).

    Idempotent: when both files of this version exist they are reused. Files are written
    under temporary names and renamed, so an interrupted build never looks finished.
    """
    video, poses_file = demo_paths(dest_dir)
    if video.is_file() and poses_file.is_file():
        return video, PoseSequence.load(poses_file)
    dest_dir.mkdir(parents=True, exist_ok=True)
    poses = demo_poses()
    # VideoWriter picks the container from the suffix, so the temporary name keeps ".webm".
    partial_video = video.with_name(f"{video.stem}.{os.getpid()}.partial.webm")
    partial_poses = poses_file.with_name(f"{poses_file.stem}.{os.getpid()}.partial.npz")
    try:
        _write_video(poses, partial_video)
        poses.save(partial_poses)
        partial_video.replace(video)
        partial_poses.replace(poses_file)
    finally:
        partial_video.unlink(missing_ok=True)
        partial_poses.unlink(missing_ok=True)
    return video, poses
