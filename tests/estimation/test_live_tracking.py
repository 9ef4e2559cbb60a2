"""Live tracking on real footage: same poses as MediaPipe's own tracker, streams kept apart."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.estimation.detector import MediaPipePoseDetector
from dancecoach.estimation.live_tracking import LiveTracker, thread_models
from dancecoach.estimation.models.bundle import pruned_landmark_model
from dancecoach.estimation.models.files import (
    int8_landmark_model,
    landmark_model,
    model_resource_folder,
    private_temp_folder,
)
from dancecoach.estimation.tracking import placement
from dancecoach.estimation.video import iter_frames
from tests.footage import footage

pytestmark = pytest.mark.footage

Frames = list[tuple[float, NDArray[np.uint8]]]


def frames_of(relative: str, start_s: float, end_s: float) -> Frames:
    return list(iter_frames(footage(relative), 10, start_s, end_s))


def track(tracker: LiveTracker, frames: Frames) -> list[NDArray[np.float32] | None]:
    return [tracker.process(frame, t) for t, frame in frames]


def torso_length(pose: NDArray[np.float32]) -> float:
    shoulders = (pose[11, :2] + pose[12, :2]) / 2
    hips = (pose[23, :2] + pose[24, :2]) / 2
    return float(np.linalg.norm(shoulders - hips))


def test_poses_match_mediapipes_pose_landmarker_in_video_mode() -> None:
    frames = frames_of("single/shuffle.mp4", 0.0, 12.0)
    landmarker = MediaPipePoseDetector("video", 1)
    try:
        expected = [landmarker.detect(frame, round(t * 1000)) for t, frame in frames]
    finally:
        landmarker.close()
    ours = track(LiveTracker("float"), frames)
    distances = []
    for theirs, mine in zip(expected, ours, strict=True):
        assert (mine is None) == (not theirs)
        if mine is not None:
            gap = np.linalg.norm(mine[:, :2] - theirs[0][:, :2], axis=1)
            distances.append(float(np.median(gap)) / torso_length(theirs[0]))
            assert np.abs(mine[:, 3] - theirs[0][:, 3]).max() < 0.15  # visibility
    # The tracking loop feeds each frame's pose into the next crop, so float rounding grows
    # into small differences; MediaPipe differs from itself as much when 2 pixels change.
    assert len(distances) == len(frames)
    assert np.median(distances) < 0.015
    assert np.percentile(distances, 95) < 0.05


@pytest.mark.parametrize(
    ("video", "start_s", "end_s"),
    [("single/shuffle.mp4", 0.0, 12.0), ("pairs/blackpink_c.mp4", 0.0, 15.0)],
)
def test_the_int8_model_tracks_like_the_float_one(video: str, start_s: float, end_s: float) -> None:
    frames = frames_of(video, start_s, end_s)
    float_poses = track(LiveTracker("float"), frames)
    int8_poses = track(LiveTracker("int8"), frames)
    found = [(a, b) for a, b in zip(float_poses, int8_poses, strict=True) if a is not None]
    assert len(found) >= 0.8 * len(frames)
    assert sum(b is None for _, b in found) <= 2
    distances = [
        float(np.median(np.linalg.norm(a[:, :2] - b[:, :2], axis=1))) / torso_length(a)
        for a, b in found
        if b is not None
    ]
    # Measured: medians 1.1 and 1.9 % of the torso, p95 2.0 and 2.9 %. Re-encoding the frames as
    # JPEG (quality 80) moves the float model's landmarks about as much.
    assert 0 < np.median(distances) < 0.03
    assert np.percentile(distances, 95) < 0.05


def test_streams_taking_turns_on_one_thread_do_not_disturb_each_other() -> None:
    dancer = frames_of("single/shuffle.mp4", 2.0, 6.0)
    student = frames_of("pairs/maybenot_student.mp4", 9.5, 13.5)
    alone = [track(LiveTracker(), frames) for frames in (dancer, student)]
    first, second = LiveTracker(), LiveTracker()
    together: list[list[NDArray[np.float32] | None]] = [[], []]
    for (t1, f1), (t2, f2) in zip(dancer, student, strict=False):
        together[0].append(first.process(f1, t1))
        together[1].append(second.process(f2, t2))
    for solo, shared in zip(alone, together, strict=True):
        for a, b in zip(solo, shared, strict=False):
            assert (a is None) == (b is None)
            if a is not None and b is not None:
                assert np.array_equal(a, b)


def test_a_lost_dancer_is_found_again_on_the_next_frame_with_a_person() -> None:
    frames = frames_of("single/shuffle.mp4", 3.0, 4.0)
    tracker = LiveTracker()
    blank = np.full_like(frames[0][1], 128)
    assert tracker.process(frames[0][1], 3.0) is not None
    assert tracker.process(blank, 3.1) is None
    assert tracker.process(blank, 3.2) is None
    assert tracker.process(frames[3][1], 3.3) is not None


def test_follows_the_student_when_someone_appears_at_the_edge() -> None:
    # A second person is partly visible at the student's frame edge around 10.9 s.
    frames = frames_of("pairs/maybenot_student.mp4", 9.5, 12.5)
    tracker = LiveTracker()
    # The first frames repeat one timestamp, as a misbehaving client might send.
    results = [tracker.process(frame, 9.5 if i < 3 else t) for i, (t, frame) in enumerate(frames)]
    found = [r for r in results if r is not None]
    assert len(found) >= len(results) - 1
    centres = np.array([placement(r, 720 / 1280).centre for r in found])
    assert np.linalg.norm(np.diff(centres, axis=0), axis=1).max() < 0.15


def test_live_tracking_runs_the_pruned_landmark_model_in_int8_or_float() -> None:
    assert landmark_model("float") == pruned_landmark_model()
    assert landmark_model("int8") == int8_landmark_model()
    # MediaPipe's detection graph loads the detector from the resource folder.
    folder = model_resource_folder()
    assert (folder / "mediapipe/modules/pose_detection/pose_detection.tflite").is_file()
    assert not list(folder.rglob("*.partial"))


def test_models_are_not_loaded_from_a_folder_others_can_write_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shared = tmp_path / f"dancecoach-pose-models-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)  # planted by someone else, or left world-writable
    chosen = private_temp_folder("dancecoach-pose-models")
    assert chosen != shared
    assert chosen.parent == tmp_path
    assert chosen.stat().st_mode & 0o077 == 0
    shared.chmod(0o700)
    assert private_temp_folder("dancecoach-pose-models") == shared


def test_after_a_graph_failure_the_next_frame_is_tracked_with_fresh_graphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frames = frames_of("single/shuffle.mp4", 3.0, 3.5)
    tracker = LiveTracker()
    assert tracker.process(frames[0][1], 3.0) is not None
    broken = thread_models()

    def fail(*_: object) -> None:
        raise RuntimeError("CalculatorGraph::Run() failed")

    monkeypatch.setattr(broken, "landmarks", fail)
    with pytest.raises(RuntimeError):
        tracker.process(frames[1][1], 3.1)
    assert thread_models() is not broken
    assert tracker.process(frames[2][1], 3.2) is not None
