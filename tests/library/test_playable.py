"""Reference videos browsers cannot decode get a playable copy with their sound; others are
served as they are."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from dancecoach.estimation.soundtrack import read_soundtrack
from dancecoach.library.playable import codec_tag, ensure_playable, playback_path
from dancecoach.scoring.audio import audio_features, match_soundtracks
from tests.footage import footage


def write_video(path: Path, fourcc: str, frames: int = 20) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), 10, (320, 240))
    for i in range(frames):
        writer.write(np.full((240, 320, 3), (i * 10) % 255, np.uint8))
    writer.release()
    return path


def test_an_undecodable_codec_gets_an_h264_copy_with_every_frame(tmp_path: Path) -> None:
    original = write_video(tmp_path / "video.avi", "MJPG")
    copy = ensure_playable(original)
    assert copy is not None and copy.name == "playable.mp4"
    assert codec_tag(copy) in ("avc1", "h264")
    capture = cv2.VideoCapture(str(copy))
    count = 0
    while capture.read()[0]:
        count += 1
    capture.release()
    assert count == 20
    assert playback_path(original) == copy


def test_a_playable_video_is_served_as_it_is(tmp_path: Path) -> None:
    original = write_video(tmp_path / "video.webm", "VP80")
    assert ensure_playable(original) is None
    assert playback_path(original) == original


def _rms(path: Path) -> float:
    soundtrack = read_soundtrack(path)
    return 0.0 if soundtrack is None else float(np.sqrt(np.mean(soundtrack.samples**2)))


@pytest.mark.footage
def test_the_playback_copy_of_an_hevc_phone_video_has_its_sound_in_time(tmp_path: Path) -> None:
    source = footage("pairs/maybenot_teacher.mp4")
    assert codec_tag(source) in ("hev1", "hvc1", "hevc")
    original = tmp_path / "video.mp4"
    shutil.copyfile(source, original)
    copy = ensure_playable(original)
    assert copy is not None and playback_path(original) == copy
    assert codec_tag(copy) in ("avc1", "h264")
    # Sound clearly above silence (-60 dBFS is 0.001), as loud as the original's.
    assert _rms(copy) >= 0.01
    assert abs(_rms(copy) - _rms(source)) <= 0.1 * _rms(source)
    # In time with the picture: the copy's soundtrack lines up with the original's at 0 s.
    a, b = read_soundtrack(copy), read_soundtrack(source)
    assert a is not None and b is not None
    match = match_soundtracks(
        audio_features(b.samples, b.sample_rate_hz), audio_features(a.samples, a.sample_rate_hz)
    )
    assert match is not None and abs(match.candidates[0]) <= 0.03
    # Upright like the original (portrait), at most 720 px a side.
    capture = cv2.VideoCapture(str(copy))
    ok, frame = capture.read()
    capture.release()
    assert ok and frame.shape[0] > frame.shape[1] and max(frame.shape[:2]) <= 720


def test_a_silent_copy_made_by_an_earlier_version_is_replaced(tmp_path: Path) -> None:
    original = write_video(tmp_path / "video.avi", "MJPG")
    silent = tmp_path / "playable.webm"
    write_video(silent, "VP80")
    assert playback_path(original) == silent
    copy = ensure_playable(original)
    assert copy is not None and copy.name == "playable.mp4"
    assert not silent.exists() and playback_path(original) == copy
