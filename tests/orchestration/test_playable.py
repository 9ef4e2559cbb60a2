"""Reference videos browsers cannot decode get a playable WebM copy; others are served as is."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from dancecoach.orchestration.playable import codec_tag, ensure_playable, playback_path


def write_video(path: Path, fourcc: str, frames: int = 20) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), 10, (320, 240))
    for i in range(frames):
        writer.write(np.full((240, 320, 3), (i * 10) % 255, np.uint8))
    writer.release()
    return path


def test_an_undecodable_codec_gets_a_vp8_copy_with_every_frame(tmp_path: Path) -> None:
    original = write_video(tmp_path / "video.avi", "MJPG")
    copy = ensure_playable(original)
    assert copy is not None and copy.name == "playable.webm"
    assert codec_tag(copy) in ("vp80", "vp8")
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
