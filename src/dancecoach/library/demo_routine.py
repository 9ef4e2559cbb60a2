"""The demo routine as poses: eight moves on a steady count, synthesised as BlazePose landmarks.

Eight moves (arms up, arms out, hands on hips, side bend, lunge, knee lift, point up, low
clap), each reached in one beat and held for one at 100 bpm, danced to both sides. The poses
are full 33-point BlazePose landmarks (face, hands and feet included) in normalized image
coordinates at 15 fps: a figure standing on a floor line, facing the camera.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import NUM_LANDMARKS, Landmark
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.moments import Section

BPM = 100.0
BEAT_S = 60.0 / BPM
BEATS_PER_MOVE = 2
MOVE_S = BEATS_PER_MOVE * BEAT_S
FPS = 15.0
FRAME_SIZE = (640, 480)  # width, height in pixels

# Figure proportions in torso lengths (hip centre to shoulder centre = 1).
_UPPER_ARM, _FOREARM, _THIGH, _SHIN = 0.6, 0.55, 0.9, 0.85
_SHOULDER_HALF, _HIP_HALF = 0.32, 0.2
_ANKLE_HEIGHT = 0.08
# Placement in the frame: torso length as a fraction of frame height, floor line height.
FIGURE_SCALE = 0.18
FLOOR_Y = 0.88
# Each move takes one beat to reach its shape, then holds it for a beat (with a small
# groove) until the next move starts on the next odd count.
_TRANSITION_S = BEAT_S
_GROOVE_DEPTH = 0.025


@dataclass(frozen=True)
class KeyPose:
    """One shape of the routine, in torso lengths and degrees; left/right are the dancer's own.

    Arms: direction from hanging straight down, positive away from the body; elbow: the
    forearm's extra turn (positive continues outward/upward, negative folds in).
    Feet: ankle x on the floor (positive towards the dancer's left, which faces the camera),
    lift above the floor. hip_x: sideways hip position; crouch: how far the hips sit below
    their highest reachable height; lean: side bend of the upper body, positive to the left.
    """

    left_arm_deg: float = 12.0
    left_elbow_deg: float = 8.0
    right_arm_deg: float = 12.0
    right_elbow_deg: float = 8.0
    left_foot_x: float = 0.25
    right_foot_x: float = -0.25
    left_foot_lift: float = 0.0
    right_foot_lift: float = 0.0
    hip_x: float = 0.0
    crouch: float = 0.01
    lean_deg: float = 0.0
    head_tilt_deg: float = 0.0

    def mirrored(self) -> KeyPose:
        """The same shape to the other side."""
        return KeyPose(
            left_arm_deg=self.right_arm_deg,
            left_elbow_deg=self.right_elbow_deg,
            right_arm_deg=self.left_arm_deg,
            right_elbow_deg=self.left_elbow_deg,
            left_foot_x=-self.right_foot_x,
            right_foot_x=-self.left_foot_x,
            left_foot_lift=self.right_foot_lift,
            right_foot_lift=self.left_foot_lift,
            hip_x=-self.hip_x,
            crouch=self.crouch,
            lean_deg=-self.lean_deg,
            head_tilt_deg=-self.head_tilt_deg,
        )


def _blend(a: KeyPose, b: KeyPose, weight: float) -> KeyPose:
    values = {
        f.name: (1.0 - weight) * getattr(a, f.name) + weight * getattr(b, f.name)
        for f in fields(KeyPose)
    }
    return KeyPose(**values)


_READY = KeyPose()
_MOVES: tuple[tuple[str, KeyPose], ...] = (
    ("Arms up", KeyPose(155, 5, 155, 5, 0.35, -0.35, crouch=0.01)),
    ("Arms out", KeyPose(90, 0, 90, 0, 0.45, -0.45, crouch=0.04)),
    ("Hands on hips", KeyPose(40, -95, 40, -95, 0.32, -0.32, crouch=0.12, head_tilt_deg=8)),
    (
        "Side bend left",
        KeyPose(40, -95, 165, 28, 0.4, -0.4, hip_x=-0.08, lean_deg=24, head_tilt_deg=6),
    ),
    ("Lunge right", KeyPose(65, 0, 100, 0, 0.45, -0.95, hip_x=-0.55, crouch=0.12)),
    (
        "Knee lift left",
        KeyPose(90, 90, 90, 90, 0.55, -0.18, left_foot_lift=0.9, hip_x=-0.08, crouch=0.02),
    ),
    ("Point up right", KeyPose(40, -95, 160, 0, 0.3, -0.3, hip_x=0.12, lean_deg=-8)),
    ("Clap low", KeyPose(20, -70, 20, -70, 0.5, -0.5, crouch=0.38)),
)


def _side_swapped(name: str) -> str:
    if name.endswith(" left"):
        return name[: -len("left")] + "right"
    if name.endswith(" right"):
        return name[: -len("right")] + "left"
    return name


def routine() -> tuple[tuple[str, KeyPose], ...]:
    """The moves in order: ready, the eight moves, the eight moves to the other side, ready."""
    second_side = tuple(
        (_side_swapped(name), pose.mirrored() if _side_swapped(name) != name else pose)
        for name, pose in _MOVES
    )
    return (("Ready", _READY), *_MOVES, *second_side, ("Ready", _READY))


def demo_sections() -> tuple[Section, ...]:
    """The routine's moves as named reference sections (reference seconds)."""
    return tuple(
        Section(name, i * MOVE_S, (i + 1) * MOVE_S) for i, (name, _) in enumerate(routine())
    )


def duration_s() -> float:
    return len(routine()) * MOVE_S


def _ease(fraction: float) -> float:
    """Smoothstep: no jolt at either end of a transition."""
    x = min(max(fraction, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


def pose_at(time_s: float) -> tuple[KeyPose, int]:
    """The routine's shape at a time and the index of the move being danced."""
    moves = routine()
    index = min(int(time_s // MOVE_S), len(moves) - 1)
    previous = moves[max(index - 1, 0)][1]
    progress = _ease((time_s - index * MOVE_S) / _TRANSITION_S)
    shape = _blend(previous, moves[index][1], progress)
    # A small bounce on every beat once the shape is reached keeps the figure alive.
    groove = _GROOVE_DEPTH * 0.5 * (1.0 - math.cos(2.0 * math.pi * time_s / BEAT_S))
    return replace(shape, crouch=shape.crouch + groove * progress), index


def _unit(angle_deg: float) -> NDArray[np.float64]:
    """Direction at angle_deg from straight down, turning towards +x."""
    angle = math.radians(angle_deg)
    return np.array([math.sin(angle), -math.cos(angle)])


def _knee(
    hip: NDArray[np.float64], ankle: NDArray[np.float64], outward: float
) -> NDArray[np.float64]:
    """Two-link inverse kinematics: the knee bends out to the side of its leg."""
    reach = ankle - hip
    distance = float(
        np.clip(np.linalg.norm(reach), abs(_THIGH - _SHIN) + 1e-3, _THIGH + _SHIN - 1e-6)
    )
    along = reach / max(float(np.linalg.norm(reach)), 1e-9)
    across = np.array([-along[1], along[0]])
    if across[0] * outward < 0:
        across = -across
    a = (_THIGH**2 - _SHIN**2 + distance**2) / (2.0 * distance)
    h = math.sqrt(max(_THIGH**2 - a**2, 0.0))
    return np.asarray(hip + a * along + h * across)


def body_points(shape: KeyPose) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(33, 2) points in torso lengths and (33,) depths.

    Floor at y = 0, y up, the dancer facing the camera with their left side at +x.
    """
    points = np.zeros((NUM_LANDMARKS, 2))
    depth = np.zeros(NUM_LANDMARKS)
    ankles = {
        "LEFT": np.array([shape.left_foot_x, _ANKLE_HEIGHT + shape.left_foot_lift]),
        "RIGHT": np.array([shape.right_foot_x, _ANKLE_HEIGHT + shape.right_foot_lift]),
    }
    hip_offsets = {"LEFT": _HIP_HALF, "RIGHT": -_HIP_HALF}
    # The hips sit as high as both legs allow, minus the crouch.
    reach = min(
        float(ankle[1])
        + math.sqrt(
            max((_THIGH + _SHIN) ** 2 - (ankle[0] - shape.hip_x - hip_offsets[side]) ** 2, 0.0)
        )
        for side, ankle in ankles.items()
    )
    hip_centre = np.array([shape.hip_x, reach - shape.crouch])
    lean = math.radians(shape.lean_deg)
    up = np.array([math.sin(lean), math.cos(lean)])
    left_dir = np.array([math.cos(lean), -math.sin(lean)])
    shoulder_centre = hip_centre + up

    for side, outward in (("LEFT", 1.0), ("RIGHT", -1.0)):
        lower = side.lower()
        arm = getattr(shape, f"{lower}_arm_deg")
        elbow_turn = getattr(shape, f"{lower}_elbow_deg")

        # Arm directions are relative to the (possibly bent) torso.
        def arm_dir(angle_deg: float, outward: float = outward) -> NDArray[np.float64]:
            unit = _unit(angle_deg)
            return np.asarray(-up * -unit[1] + left_dir * outward * unit[0])

        shoulder = shoulder_centre + outward * _SHOULDER_HALF * left_dir
        elbow = shoulder + _UPPER_ARM * arm_dir(arm)
        forearm = arm_dir(arm + elbow_turn)
        wrist = elbow + _FOREARM * forearm
        across = np.array([-forearm[1], forearm[0]]) * outward
        hip = hip_centre + np.array([hip_offsets[side], 0.0])
        ankle = ankles[side]
        knee = _knee(hip, ankle, outward)
        lifted = min(getattr(shape, f"{lower}_foot_lift") / 0.5, 1.0)
        named = {
            "SHOULDER": shoulder,
            "ELBOW": elbow,
            "WRIST": wrist,
            "PINKY": wrist + 0.17 * forearm + 0.05 * across,
            "INDEX": wrist + 0.2 * forearm - 0.01 * across,
            "THUMB": wrist + 0.1 * forearm - 0.06 * across,
            "HIP": hip,
            "KNEE": knee,
            "ANKLE": ankle,
            "HEEL": ankle + np.array([0.0, -0.06]),
            "FOOT_INDEX": ankle + np.array([0.1 * outward, -0.08]),
        }
        for name, point in named.items():
            points[Landmark[f"{side}_{name}"]] = point
        for name in ("WRIST", "PINKY", "INDEX", "THUMB"):
            depth[Landmark[f"{side}_{name}"]] = -0.1
        depth[Landmark[f"{side}_KNEE"]] = -0.25 * lifted
        for name in ("ANKLE", "HEEL", "FOOT_INDEX"):
            depth[Landmark[f"{side}_{name}"]] = -0.15 * lifted

    head_angle = math.radians(shape.lean_deg + shape.head_tilt_deg)
    head_up = np.array([math.sin(head_angle), math.cos(head_angle)])
    head_left = np.array([math.cos(head_angle), -math.sin(head_angle)])
    face = {
        Landmark.NOSE: (0.0, 0.4),
        Landmark.LEFT_EYE_INNER: (0.03, 0.47),
        Landmark.LEFT_EYE: (0.06, 0.47),
        Landmark.LEFT_EYE_OUTER: (0.09, 0.47),
        Landmark.RIGHT_EYE_INNER: (-0.03, 0.47),
        Landmark.RIGHT_EYE: (-0.06, 0.47),
        Landmark.RIGHT_EYE_OUTER: (-0.09, 0.47),
        Landmark.LEFT_EAR: (0.14, 0.44),
        Landmark.RIGHT_EAR: (-0.14, 0.44),
        Landmark.MOUTH_LEFT: (0.045, 0.33),
        Landmark.MOUTH_RIGHT: (-0.045, 0.33),
    }
    for landmark, (across_head, along_head) in face.items():
        points[landmark] = shoulder_centre + along_head * head_up + across_head * head_left
        depth[landmark] = -0.3 if landmark not in (Landmark.LEFT_EAR, Landmark.RIGHT_EAR) else -0.05
    return points, depth


def to_image(points: NDArray[np.float64], depth: NDArray[np.float64]) -> NDArray[np.float32]:
    """Body points -> (33, 4) landmarks in normalized image coordinates, visibility 1."""
    width, height = FRAME_SIZE
    aspect = width / height
    landmarks = np.empty((NUM_LANDMARKS, 4), dtype=np.float32)
    landmarks[:, 0] = 0.5 + points[:, 0] * FIGURE_SCALE / aspect
    landmarks[:, 1] = FLOOR_Y - points[:, 1] * FIGURE_SCALE
    # MediaPipe's z: depth on the same scale as x, negative towards the camera.
    landmarks[:, 2] = depth * FIGURE_SCALE / aspect
    landmarks[:, 3] = 1.0
    return landmarks


def demo_poses() -> PoseSequence:
    """The routine sampled at 15 fps as a pose sequence."""
    count = round(duration_s() * FPS)
    timestamps = np.arange(count, dtype=np.float64) / FPS
    landmarks = np.stack([to_image(*body_points(pose_at(float(t))[0])) for t in timestamps])
    return PoseSequence(landmarks, timestamps, FRAME_SIZE, FPS)
