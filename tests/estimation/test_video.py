"""Reading videos and images: upright frames, sampling the nearest frames, limits, bad input."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from dancecoach.errors import InvalidImageError, InvalidVideoError, LimitExceededError
from dancecoach.estimation.video import decode_image, iter_frames, probe_video, read_frame_at
from tests.footage import Clip, clip_where, shortest_clip


def all_frames(path: Path) -> list[np.ndarray]:  # type: ignore[type-arg]
    capture = cv2.VideoCapture(str(path))
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


@pytest.mark.footage
def test_rotated_phone_video_is_reported_and_read_upright() -> None:
    clip = clip_where(rotated=True)
    path = clip.path
    info = probe_video(path)
    # Stored with a rotation tag (e.g. 640x352 at -90 degrees): reported and read as shown.
    width, height = clip.upright_size
    assert (info.width, info.height) == (width, height)
    _, frame = next(iter_frames(path, 15))
    assert frame.shape == (height, width, 3)
    assert read_frame_at(path, clip.duration_s / 2).shape == (height, width, 3)


def _short_clip() -> Clip:
    """The shortest clip (quick to read whole); the sampling tests assume a 30 fps source."""
    clip = shortest_clip()
    assert clip.fps == pytest.approx(30.0), clip
    return clip


@pytest.mark.footage
def test_sampling_takes_the_nearest_source_frame_at_each_sample_time() -> None:
    clip = _short_clip()
    path = clip.path
    info = probe_video(path)
    assert info.fps == pytest.approx(clip.fps)
    source = all_frames(path)
    sampled = list(iter_frames(path, 10))
    samples = round(clip.duration_s * 10)
    assert [t for t, _ in sampled] == pytest.approx([k / 10 for k in range(samples)])
    for k, (_, frame) in enumerate(sampled):
        assert np.array_equal(frame, source[3 * k])  # 30 fps source: every third frame


@pytest.mark.footage
def test_sampling_rate_never_exceeds_the_video_and_sub_ranges_line_up() -> None:
    clip = _short_clip()
    path = clip.path
    assert len(list(iter_frames(path, 60))) == probe_video(path).frame_count
    whole = [t for t, _ in iter_frames(path, 15)]
    middle_s = clip.duration_s / 2
    parts = [t for t, _ in iter_frames(path, 15, 0.0, middle_s)]
    parts += [t for t, _ in iter_frames(path, 15, middle_s, None)]
    assert parts == whole
    assert abs(len(whole) - clip.duration_s * 15) <= 1


@pytest.mark.footage
def test_read_frame_at_returns_the_frame_at_that_time() -> None:
    clip = _short_clip()
    frames = all_frames(clip.path)
    middle = len(frames) // 2
    assert np.array_equal(read_frame_at(clip.path, middle / clip.fps), frames[middle])


def test_missing_file_and_non_video_raise_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidVideoError, match=r"absent\.mp4 is not a readable video"):
        probe_video(tmp_path / "absent.mp4")
    fake = tmp_path / "dance.mp4"
    fake.write_bytes(b"this is not a video at all" * 100)
    with pytest.raises(InvalidVideoError, match=r"dance\.mp4 is not a readable video"):
        probe_video(fake)
    with pytest.raises(InvalidVideoError, match="not a readable video"):
        read_frame_at(fake, 0.0)


def jpeg(width: int, height: int) -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((height, width, 3), 90, np.uint8))
    assert ok
    return bytes(data.tobytes())


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk for a huge image, with no pixel data after it."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


LIMITS = {"max_bytes": 10**6, "max_pixels": 10**6, "max_side": 1000}


def test_decode_image_gives_a_bgr_image_of_the_encoded_size() -> None:
    image = decode_image(jpeg(200, 100), **LIMITS)
    assert image.shape == (100, 200, 3)
    ok, png = cv2.imencode(".png", np.zeros((30, 40), np.uint8))  # grayscale in, BGR out
    assert ok
    assert decode_image(png.tobytes(), **LIMITS).shape == (30, 40, 3)


def test_decode_image_refuses_oversized_images_from_their_header() -> None:
    with pytest.raises(LimitExceededError, match="1200x100"):
        decode_image(jpeg(1200, 100), **LIMITS)
    with pytest.raises(LimitExceededError, match="bytes"):
        decode_image(jpeg(200, 100), max_bytes=100, max_pixels=10**6, max_side=1000)
    # A 30000x30000 PNG would need 2.7 GB decoded: refused from the header alone.
    with pytest.raises(LimitExceededError, match="30000x30000"):
        decode_image(png_header_claiming(30000, 30000), **LIMITS)
    with pytest.raises(LimitExceededError):
        decode_image(jpeg(900, 900), max_bytes=10**6, max_pixels=500_000, max_side=1000)


def test_decode_image_refuses_non_images_and_broken_data() -> None:
    with pytest.raises(InvalidImageError):
        decode_image(b"GIF89a" + bytes(100), **LIMITS)
    with pytest.raises(InvalidImageError):
        decode_image(b"", **LIMITS)
    with pytest.raises(InvalidImageError):
        decode_image(png_header_claiming(10, 10), **LIMITS)  # header only, no pixels
    with pytest.raises(InvalidImageError):
        decode_image(jpeg(64, 64)[:40], **LIMITS)  # cut off before the frame header
