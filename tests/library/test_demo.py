"""The built-in demo routine: valid poses, distinct moves on the named sides, a playable video."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.library.demo import DEMO_VERSION, build_demo_reference, demo_paths
from dancecoach.library.demo_routine import (
    FPS,
    MOVE_S,
    demo_poses,
    demo_sections,
    duration_s,
    routine,
)
from dancecoach.pose.landmarks import Landmark
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.comparison import feature_difference
from dancecoach.scoring.features import FEATURE_INDEX, FEATURES, compute_features
from dancecoach.scoring.performance import score_performance


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PoseSequence]:
    return build_demo_reference(tmp_path_factory.mktemp("demo"))


def held_features(poses: PoseSequence) -> dict[str, NDArray[np.float64]]:
    """Features of each move once its shape is reached (late in its two beats)."""
    moves = routine()
    frames = [round((i * MOVE_S + 0.9) * FPS) for i in range(len(moves))]
    values = compute_features(poses.landmarks[frames], poses.aspect_ratio).values
    return {name: values[i] for i, (name, _) in enumerate(moves)}


def test_poses_are_full_blazepose_landmarks_in_frame() -> None:
    poses = demo_poses()
    assert 16.0 <= poses.duration_s <= 24.0
    assert poses.landmarks.shape == (len(poses), 33, 4)
    assert poses.fps == FPS and poses.frame_size == (640, 480)
    assert not np.isnan(poses.landmarks).any()
    assert np.all(poses.landmarks[..., 3] == 1.0)
    xy = poses.landmarks[..., :2]
    assert xy.min() > 0.05 and xy.max() < 0.95  # nothing out of frame
    np.testing.assert_allclose(np.diff(poses.timestamps_s), 1.0 / FPS)
    # The face sits above the shoulders and the feet below the knees in every frame.
    assert np.all(
        poses.landmarks[:, Landmark.NOSE, 1] < poses.landmarks[:, Landmark.LEFT_SHOULDER, 1]
    )
    assert np.all(
        poses.landmarks[:, Landmark.LEFT_HEEL, 1] >= poses.landmarks[:, Landmark.LEFT_ANKLE, 1]
    )


def test_motion_is_smooth() -> None:
    poses = demo_poses()
    step = np.abs(np.diff(poses.landmarks[..., :2], axis=0)).max()
    assert step < 0.16  # at most a sixth of the frame per 1/15 s, on the fastest arm sweep


def test_moves_are_distinct_key_poses() -> None:
    features = held_features(demo_poses())
    names = list(dict.fromkeys(name for name, _ in routine()))
    moves = {name.removesuffix(" left").removesuffix(" right") for name in names} - {"Ready"}
    assert 6 <= len(moves) <= 10
    angular = np.array([spec.kind != "distance" for spec in FEATURES])
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            difference = np.abs(feature_difference(features[first], features[second]))
            assert difference[angular].max() >= 30.0, (first, second)


def test_named_sides_are_the_dancers_own() -> None:
    features = held_features(demo_poses())

    def value(move: str, feature: str) -> float:
        return float(features[move][FEATURE_INDEX[feature]])

    # A lunge to the right bends the right knee; a left knee lift closes the left hip.
    assert value("Lunge right", "right_knee_angle") < value("Lunge right", "left_knee_angle") - 15
    assert value("Lunge left", "left_knee_angle") < value("Lunge left", "right_knee_angle") - 15
    assert (
        value("Knee lift left", "left_hip_angle") < value("Knee lift left", "right_hip_angle") - 45
    )
    assert (
        value("Knee lift right", "right_hip_angle")
        < value("Knee lift right", "left_hip_angle") - 45
    )
    # Pointing up with the right arm raises the right shoulder angle.
    assert value("Point up right", "right_shoulder_angle") > 150
    assert value("Point up right", "left_shoulder_angle") < 70


def test_sections_name_every_move() -> None:
    sections = demo_sections()
    assert [s.title for s in sections] == [name for name, _ in routine()]
    assert sections[0].start_s == 0.0
    assert sections[-1].end_s == pytest.approx(duration_s())


def test_the_demo_scores_perfectly_against_itself() -> None:
    poses = demo_poses()
    report = score_performance(poses, poses, mirror=False, alignment="timestamp")
    assert report.overall_score == pytest.approx(100.0)
    assert report.problem_segments == ()


def test_video_plays_for_the_routine_duration(built: tuple[Path, PoseSequence]) -> None:
    video, poses = built
    assert video.suffix == ".webm"
    capture = cv2.VideoCapture(str(video))
    try:
        assert capture.isOpened()
        fps = capture.get(cv2.CAP_PROP_FPS)
        frames = []
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(frame)
    finally:
        capture.release()
    assert fps == pytest.approx(FPS)
    assert len(frames) == len(poses)
    assert len(frames) / fps == pytest.approx(duration_s(), abs=1.0 / FPS)
    assert frames[0].shape == (480, 640, 3)


def test_video_draws_the_saved_poses(built: tuple[Path, PoseSequence]) -> None:
    video, poses = built
    capture = cv2.VideoCapture(str(video))
    index = round((4 * MOVE_S + 1.0) * FPS)  # "Side bend left", held
    capture.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, frame = capture.read()
    capture.release()
    assert ok
    landmarks = poses.landmarks[index]
    for side, bgr in (("LEFT", (110, 120, 255)), ("RIGHT", (200, 190, 70))):
        # The middle of the upper arm is painted in that side's colour.
        middle = (
            landmarks[Landmark[f"{side}_SHOULDER"], :2] + landmarks[Landmark[f"{side}_ELBOW"], :2]
        ) / 2
        x, y = round(float(middle[0]) * 640), round(float(middle[1]) * 480)
        assert np.abs(frame[y, x].astype(int) - np.array(bgr)).max() < 40, side


def test_building_again_reuses_the_files(built: tuple[Path, PoseSequence]) -> None:
    video, poses = built
    poses_file = demo_paths(video.parent)[1]
    stamps = (video.stat().st_mtime_ns, poses_file.stat().st_mtime_ns)

    started = time.monotonic()
    again_video, again_poses = build_demo_reference(video.parent)

    assert time.monotonic() - started < 0.5
    assert again_video == video
    assert (video.stat().st_mtime_ns, poses_file.stat().st_mtime_ns) == stamps
    np.testing.assert_array_equal(again_poses.landmarks, poses.landmarks)
    assert again_poses.frame_size == poses.frame_size and again_poses.fps == poses.fps
    assert sorted(p.name for p in video.parent.iterdir()) == sorted([video.name, poses_file.name])


def test_incomplete_or_other_version_files_are_rebuilt(tmp_path: Path) -> None:
    video, poses_file = demo_paths(tmp_path)
    assert f"v{DEMO_VERSION}" in video.name
    video.write_bytes(b"an interrupted build")  # the pose file is missing
    (tmp_path / "demo-routine-v0.webm").write_bytes(b"old")

    built_video, poses = build_demo_reference(tmp_path)

    assert built_video == video and poses_file.is_file()
    capture = cv2.VideoCapture(str(video))
    assert capture.isOpened() and capture.read()[0]
    capture.release()
    assert len(PoseSequence.load(poses_file)) == len(poses)
