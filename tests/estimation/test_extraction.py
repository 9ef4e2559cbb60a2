"""Pose extraction on real footage: rotation, several people, missing frames, bad files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.errors import InvalidVideoError
from dancecoach.estimation.extraction import extract_image, extract_video
from dancecoach.estimation.models.bundle import pose_landmarker_bundle
from dancecoach.estimation.tracking import placement
from dancecoach.estimation.video import read_frame_at
from dancecoach.pose.landmarks import Landmark
from dancecoach.pose.sequence import PoseSequence
from tests.footage import (
    LabelledPair,
    clip_where,
    footage,
    footage_root,
    labelled_pairs,
    shortest_clip,
)

pytestmark = pytest.mark.footage


def body_centres(sequence: PoseSequence) -> NDArray[np.float64]:
    """Shoulder-hip centre per frame, x scaled by the aspect ratio; NaN where nobody is."""
    return np.array(
        [
            placement(pose, sequence.aspect_ratio).centre if present else [np.nan, np.nan]
            for pose, present in zip(sequence.landmarks, sequence.present, strict=True)
        ]
    )


def largest_step(sequence: PoseSequence) -> float:
    """Largest move of the followed body centre between consecutive present frames."""
    steps = np.linalg.norm(np.diff(body_centres(sequence), axis=0), axis=1)
    return float(np.nanmax(steps))


def test_rotated_clip_gives_an_upright_portrait_sequence() -> None:
    clip = clip_where(rotated=True)
    sequence = extract_video(clip.path, sample_fps=10)
    assert sequence.frame_size == clip.upright_size
    present = sequence.landmarks[sequence.present]
    assert len(present) >= 0.9 * len(sequence)
    nose_y = present[:, Landmark.NOSE, 1]
    hip_y = present[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 1].mean(axis=1)
    assert (nose_y < hip_y).mean() > 0.95  # head above hips: upright


def test_street_clip_keeps_following_one_person() -> None:
    sequence = extract_video(clip_where(people="many").path, sample_fps=15)
    assert sequence.present.mean() > 0.6
    # Between consecutive frames (1/15 s) the followed person never jumps to someone else.
    assert largest_step(sequence) < 0.15


def test_stage_clip_follows_the_dancer_not_the_host_over_the_whole_video() -> None:
    # The dancer (black waistcoat) moves over the stage, crouches and jumps; the host stands at
    # the right (x 0.7 to 0.9) in the first 8 s and the last 10 s, alone in some frames. An end
    # screen follows from 48.3 s.
    sequence = extract_video(footage("single/stage_routine_51s.mp4"), sample_fps=5, workers=2)
    dancing = sequence.timestamps_s < 48.2
    assert sequence.present[dancing].mean() > 0.85
    assert not sequence.present[sequence.timestamps_s > 48.6].any()
    followed_x = body_centres(sequence)[:, 0] / sequence.aspect_ratio
    host_in_frame = (sequence.timestamps_s < 8) | (sequence.timestamps_s > 40)
    assert np.nanmax(followed_x[host_in_frame]) < 0.65
    assert largest_step(sequence) < 0.35


def test_a_sub_range_keeps_the_timestamps_of_the_whole_video() -> None:
    sequence = extract_video(
        footage("single/stage_routine_51s.mp4"), sample_fps=10, start_s=40.0, end_s=44.0
    )
    assert sequence.timestamps_s[0] == pytest.approx(40.0)
    assert sequence.timestamps_s[-1] == pytest.approx(43.9)
    assert sequence.present.mean() > 0.8
    followed_x = body_centres(sequence)[sequence.present, 0] / sequence.aspect_ratio
    assert followed_x.max() < 0.65  # the host, at the right, is not taken


def test_two_workers_give_the_same_poses_as_one() -> None:
    path = footage("single/stage_routine_51s.mp4")
    one = extract_video(path, sample_fps=10, start_s=10.0, end_s=19.0, workers=1)
    two = extract_video(path, sample_fps=10, start_s=10.0, end_s=19.0, workers=2)
    assert np.array_equal(one.timestamps_s, two.timestamps_s)
    both = one.present & two.present
    assert both.mean() > 0.9
    difference = np.abs(one.landmarks[both, :, :2] - two.landmarks[both, :, :2])
    assert np.median(difference) < 0.01


def _ending_in_an_end_screen() -> LabelledPair:
    """A pair whose reference stops showing the dance before the video ends (an end screen)."""
    pair = next((p for p in labelled_pairs() if p.reference_trim_end_s is not None), None)
    if pair is None:
        pytest.fail("the manifest has no reference with a trim end")
    return pair


def test_end_screen_frames_are_missing_not_zero() -> None:
    pair = _ending_in_an_end_screen()
    trim_end_s = pair.reference_end_s
    sequence = extract_video(
        pair.reference.path,
        sample_fps=10,
        start_s=trim_end_s - 2.4,
        end_s=pair.reference.duration_s + 0.1,
    )
    # The screen may take a moment to take over (a slide, a fade): from 0.4 s on, nobody.
    end = sequence.timestamps_s > trim_end_s + 0.4
    assert end.sum() >= 5
    assert np.isnan(sequence.landmarks[end]).all()
    assert sequence.present[sequence.timestamps_s < trim_end_s - 0.9].all()


def test_shortest_clip_with_progress_reports() -> None:
    reports: list[float] = []
    clip = shortest_clip()
    sequence = extract_video(clip.path, sample_fps=15, progress=reports.append)
    assert abs(len(sequence) - clip.duration_s * 15) <= 1
    assert sequence.fps == 15.0
    assert np.allclose(np.diff(sequence.timestamps_s), 1 / 15)
    assert sequence.present.all()
    assert reports == sorted(reports)
    assert reports[-1] == 1.0
    assert len(reports) >= len(sequence)


def test_follow_x_chooses_another_person() -> None:
    path = clip_where(people="many").path
    default = extract_video(path, sample_fps=10)
    default_x = body_centres(default)[:, 0] / default.aspect_ratio
    start_x = float(np.nanmean(default_x[:5]))
    chosen = extract_video(path, sample_fps=10, follow_x=0.05 if start_x > 0.5 else 0.95)
    chosen_x = body_centres(chosen)[:, 0] / chosen.aspect_ratio
    both = default.present & chosen.present
    assert chosen.present.mean() > 0.5
    assert both.sum() >= 10
    assert np.median(np.abs(chosen_x[both] - default_x[both])) > 0.1
    assert largest_step(chosen) < 0.15


def test_still_images_with_and_without_a_person() -> None:
    stills = sorted((footage_root() / "images" / "dance_stills").glob("*.jpg"))
    if not stills:
        footage("images/dance_stills/missing")
    for path in stills[::3]:
        pose = extract_image(np.asarray(cv2.imread(str(path)), dtype=np.uint8))
        assert pose is not None, path.name
        assert pose.shape == (33, 4)
    pair = _ending_in_an_end_screen()
    end_screen_s = (pair.reference_end_s + 0.4 + pair.reference.duration_s) / 2
    assert extract_image(read_frame_at(pair.reference.path, end_screen_s)) is None
    assert extract_image(np.full((360, 640, 3), 128, np.uint8)) is None


def test_not_a_video_and_missing_file_raise_clear_errors(tmp_path: Path) -> None:
    fake = tmp_path / "dance.mp4"
    fake.write_bytes(b"not a video at all" * 100)
    with pytest.raises(InvalidVideoError, match=r"dance\.mp4 is not a readable video"):
        extract_video(fake)
    with pytest.raises(InvalidVideoError, match=r"absent\.mp4 is not a readable video"):
        extract_video(tmp_path / "absent.mp4")


def test_model_bundle_holds_the_two_wheel_models_under_the_names_mediapipe_expects() -> None:
    with zipfile.ZipFile(io.BytesIO(pose_landmarker_bundle())) as bundle:
        assert sorted(bundle.namelist()) == [
            "pose_detector.tflite",
            "pose_landmarks_detector.tflite",
        ]
