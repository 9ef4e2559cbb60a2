"""Pose extraction on real footage: rotation, several people, missing frames, bad files."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from dancecoach.errors import InvalidVideoError
from dancecoach.pipeline.extraction import LiveTracker, extract_image, extract_video
from dancecoach.pipeline.landmarks import Landmark
from dancecoach.pipeline.tracking import placement
from dancecoach.pipeline.video import decode_image, iter_frames, probe_video
from tests.footage import footage, footage_root

pytestmark = pytest.mark.footage


def hip_centres(landmarks: np.ndarray, aspect: float) -> np.ndarray:  # type: ignore[type-arg]
    return np.array(
        [
            placement(p, aspect).centre if not np.isnan(p[0, 0]) else [np.nan, np.nan]
            for p in landmarks
        ]
    )


def test_rotated_clip_gives_upright_frames_and_landmarks() -> None:
    path = footage("motion/arm_raises_rotated.mp4")
    info = probe_video(path)
    assert (info.width, info.height) == (352, 640)  # stored 640x352 with a -90 degree tag
    sequence = extract_video(path, sample_fps=10)
    assert sequence.frame_size == (352, 640)
    present = sequence.landmarks[sequence.present]
    assert len(present) >= 0.9 * len(sequence)
    nose_y = present[:, Landmark.NOSE, 1]
    hip_y = present[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 1].mean(axis=1)
    assert (nose_y < hip_y).mean() > 0.95  # head above hips: upright


def test_street_clip_keeps_following_one_person() -> None:
    sequence = extract_video(footage("motion/street_multiperson.avi"), sample_fps=15)
    assert sequence.present.mean() > 0.6
    centres = hip_centres(sequence.landmarks, sequence.aspect_ratio)
    steps = np.linalg.norm(np.diff(centres, axis=0), axis=1)
    steps = steps[~np.isnan(steps)]
    # Between consecutive frames (1/15 s) the followed person never jumps across the street.
    assert steps.max() < 0.15, steps.max()


def test_stage_clip_follows_the_dancer_not_the_host() -> None:
    path = footage("single/stage_routine_51s.mp4")
    sequence = extract_video(path, sample_fps=5, workers=2)
    centres = hip_centres(sequence.landmarks, sequence.aspect_ratio)
    steps = np.linalg.norm(np.diff(centres, axis=0), axis=1)
    assert np.nanmax(steps) < 0.5
    assert sequence.present.mean() > 0.8


def test_two_workers_match_one_worker() -> None:
    path = footage("pairs/blackpink_a.mp4")
    one = extract_video(path, sample_fps=10, workers=1)
    two = extract_video(path, sample_fps=10, workers=2)
    assert np.array_equal(one.timestamps_s, two.timestamps_s)
    both = one.present & two.present
    assert both.mean() > 0.9
    difference = np.abs(one.landmarks[both, :, :2] - two.landmarks[both, :, :2])
    assert np.median(difference) < 0.01


def test_white_end_screen_frames_are_missing_not_zero() -> None:
    sequence = extract_video(footage("pairs/maybenot_teacher.mp4"), sample_fps=5)
    end = sequence.timestamps_s > 20.8
    assert end.any()
    assert not sequence.present[end].any()
    assert np.isnan(sequence.landmarks[end]).all()
    assert sequence.present[sequence.timestamps_s < 19].mean() > 0.9


def test_one_second_clip_and_sampling_rate() -> None:
    sequence = extract_video(footage("motion/jumping_jacks_1s.mp4"), sample_fps=15)
    assert 14 <= len(sequence) <= 16
    assert np.allclose(np.diff(sequence.timestamps_s), 1 / 15)
    assert sequence.present.all()


def test_follow_x_chooses_another_person() -> None:
    path = footage("motion/street_multiperson.avi")
    default = extract_video(path, sample_fps=10)
    first = hip_centres(default.landmarks, default.aspect_ratio)
    start_x = float(np.nanmean(first[:5, 0])) / default.aspect_ratio
    other_side = 0.05 if start_x > 0.5 else 0.95
    chosen = extract_video(path, sample_fps=10, follow_x=other_side)
    second = hip_centres(chosen.landmarks, chosen.aspect_ratio)
    assert abs(np.nanmean(second[:, 0]) - np.nanmean(first[:, 0])) > 0.1


def test_still_images_with_and_without_people() -> None:
    stills = sorted((footage_root() / "images" / "dance_stills").glob("*"))
    if not stills:
        footage("images/dance_stills/missing")
    found = [extract_image(np.asarray(cv2.imread(str(p)), dtype=np.uint8)) for p in stills[:4]]
    assert all(pose is not None for pose in found)
    empty = np.full((360, 640, 3), 128, np.uint8)
    assert extract_image(empty) is None


def test_live_tracker_follows_a_stream_and_tolerates_repeated_timestamps() -> None:
    path = footage("pairs/maybenot_student.mp4")
    tracker = LiveTracker()
    try:
        results = [
            tracker.process(frame, 1.0 if i < 3 else t)
            for i, (t, frame) in enumerate(iter_frames(path, 10, 2.0, 4.0))
        ]
    finally:
        tracker.close()
    assert sum(r is not None for r in results) >= len(results) - 1


def test_not_a_video_and_missing_file_raise_clear_errors(tmp_path: Path) -> None:
    fake = tmp_path / "dance.mp4"
    fake.write_bytes(b"not a video at all" * 100)
    with pytest.raises(InvalidVideoError, match=r"dance\.mp4"):
        probe_video(fake)
    with pytest.raises(InvalidVideoError, match="does not exist"):
        extract_video(tmp_path / "absent.mp4")


def test_decode_image_refuses_oversized_and_non_images() -> None:
    from dancecoach.errors import InvalidImageError, LimitExceededError

    ok, jpeg = cv2.imencode(".jpg", np.zeros((100, 200, 3), np.uint8))
    assert ok
    image = decode_image(jpeg.tobytes(), max_bytes=10**6, max_pixels=10**6, max_side=1000)
    assert image.shape == (100, 200, 3)
    with pytest.raises(LimitExceededError):
        decode_image(jpeg.tobytes(), max_bytes=10**6, max_pixels=10**6, max_side=150)
    with pytest.raises(LimitExceededError):
        decode_image(jpeg.tobytes(), max_bytes=10, max_pixels=10**6, max_side=1000)
    with pytest.raises(InvalidImageError):
        decode_image(b"GIF89a....", max_bytes=10**6, max_pixels=10**6, max_side=1000)
